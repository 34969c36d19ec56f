"""Text that goes into Markdown, escaped: a note can never break a table or become live HTML.

Pipe tables break on a newline or a bare ``|`` in a cell; raw HTML (``<script>``, ``<img
onerror>``) would run where the minutes are rendered; ``*``, backticks and
brackets would change emphasis or make links. Standard library only.
"""

from __future__ import annotations

import re

_MARKUP = re.compile(r"([\\`*\[\]|])")


def md(text: object) -> str:
    """``text`` as literal Markdown on one line: HTML characters as entities, markup escaped."""
    plain = "" if text is None else " ".join(str(text).split())
    plain = plain.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKUP.sub(r"\\\1", plain)
