"""Printing under any console encoding: what the encoding cannot hold degrades, never crashes.

A scheduled task on Windows writes to a cp1252 file, an old ``cmd`` window is
cp850, a container or ssh session may be ASCII. ``degrade_streams`` (called
once, by the CLI) makes stdout and stderr replace each character their
encoding lacks: the board's drawing characters by their ASCII fallback
(``█`` ``#``, ``░`` ``-``, ``─`` ``-``, ``●`` ``*``), typography by its plain
form (``≥`` ``>=``, ``«`` ``"``), a letter by its base letter (``é`` ``e``);
accents stay wherever the encoding has them. JSON is never degraded:
``json_for`` escapes what the stream cannot hold as ``\\uXXXX``, so the
document stays exact. A console that claims ASCII is read as UTF-8 (what it
almost always types). Standard library only.
"""

from __future__ import annotations

import codecs
import re
import sys
from typing import Any

ERRORS = "pec-degrade"
FALLBACK = {
    "█": "#", "▓": "#", "▒": "-", "░": "-", "─": "-", "━": "-", "│": "|", "●": "*", "•": "*",
    "≥": ">=", "≤": "<=", "—": "-", "–": "-", "…": "...", "«": '"', "»": '"', "“": '"', "”": '"',
    "‘": "'", "’": "'", "·": ".", "→": "->", "×": "x", "✓": "v", "✗": "x", "¿": "", "¡": "",
    "\u00a0": " ", "\u202f": " ", "\ufeff": "", "\u200b": "",  # a BOM or zero-width space: nothing to show
}
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _plain(char: str) -> str:
    if char in FALLBACK:
        return FALLBACK[char]
    import unicodedata

    base = "".join(c for c in unicodedata.normalize("NFKD", char) if c.isascii())
    return base or "?"


def degrade(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: the plain ASCII form of what could not be encoded."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    return "".join(_plain(c) for c in exc.object[exc.start:exc.end]), exc.end


codecs.register_error(ERRORS, degrade)


def degrade_streams(*streams: Any) -> None:
    """Make ``streams`` (default: stdout and stderr) degrade what their encoding lacks."""
    for stream in streams or (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        try:
            reconfigure(errors=ERRORS)
        except (ValueError, OSError, TypeError):  # a closed or unusual stream: leave it as it is
            pass


def read_ascii_console_as_utf8(stream: Any = None) -> None:
    """A console that claims ASCII (``LC_ALL=C``, ``PYTHONIOENCODING=ascii``) almost always types
    UTF-8: read it so, as click writes to it; bytes that are not UTF-8 still fail, and are refused."""
    stream = stream if stream is not None else sys.stdin
    try:
        if codecs.lookup(getattr(stream, "encoding", None) or "utf-8").name == "ascii":
            stream.reconfigure(encoding="utf-8")
    except (AttributeError, LookupError, ValueError, OSError):
        pass


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code > 0xFFFF:  # outside the BMP: a surrogate pair, as JSON writes it
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def json_for(text: str, stream: Any = None) -> str:
    """A JSON document as ``stream`` can print it: unchanged, or with non-ASCII escaped (same value)."""
    encoding = getattr(stream if stream is not None else sys.stdout, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return _NON_ASCII.sub(_escape, text)
    return text
