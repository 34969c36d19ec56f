"""What the console can show: its width, whether it takes colour, which characters it can encode.

Plain text with optional ANSI colour, no library: the board is fixed-width and
cheap to draw. Where the console's encoding lacks a drawing glyph the board
picks its one-character ASCII fallback (so the columns keep their width);
anything else the encoding lacks is degraded by the streams themselves
(``pec_cli.console``), never a ``UnicodeEncodeError``. Standard library only.
"""

import codecs
import os
import re
import shutil
import sys
from typing import NamedTuple, TextIO

# SGR parameters of the styles the board uses
STYLES = {
    "bold": "1", "dim": "2", "green": "32", "yellow": "33", "red": "31", "cyan": "36",
}

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

Segment = tuple[str, str]  # (text, style: space-separated STYLES keys, or "")


class Screen(NamedTuple):
    width: int
    colour: bool
    encoding: str

    @classmethod
    def detect(cls, stream: TextIO | None = None) -> "Screen":
        """The console behind ``stream`` (stdout): COLUMNS, else the terminal's width, else 80;
        colour on a terminal (or with FORCE_COLOR), never with NO_COLOR or TERM=dumb."""
        stream = stream or sys.stdout
        tty = isatty(stream)
        columns = os.environ.get("COLUMNS", "")
        if columns.isdigit() and int(columns) > 0:
            width = int(columns)
        elif tty:
            width = shutil.get_terminal_size((80, 24)).columns
        else:
            width = 80
        if os.environ.get("NO_COLOR"):
            colour = False
        elif os.environ.get("FORCE_COLOR"):
            colour = True
        else:
            colour = tty and os.environ.get("TERM", "") != "dumb"
        encoding = getattr(stream, "encoding", None) or "utf-8"
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            encoding = "ascii"
        return cls(width, colour, encoding)

    def can_show(self, text: str) -> bool:
        try:
            text.encode(self.encoding)
        except UnicodeEncodeError:
            return False
        return True

    def glyph(self, wanted: str, fallback: str) -> str:
        """``wanted`` where the encoding has it, else the ASCII ``fallback``."""
        return wanted if self.can_show(wanted) else fallback

    def paint(self, segments: list[Segment]) -> str:
        """One line of segments, coloured when the console takes colour."""
        parts = []
        for text, style in segments:
            text = _CONTROL.sub("", text)  # nothing pec prints may move the cursor or open a link
            codes = ";".join(STYLES[s] for s in style.split()) if style and self.colour else ""
            parts.append(f"\x1b[{codes}m{text}\x1b[0m" if codes and text else text)
        return "".join(parts)


def isatty(stream: TextIO) -> bool:
    """Whether ``stream`` is a terminal (False for a closed or fake stream)."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
