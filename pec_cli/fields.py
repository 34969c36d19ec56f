"""The one registry of entry fields: what each is called, typed as, limited to and shown as.

The plan's tipos name these fields in ``requiere``; ``pec log`` takes each as
an option (its metavar and help come from here), the terminal prompt asks for
it by its label, ``pec import`` reads it from the column of the same name, the
record builder checks it against its limit, and the detail exports head their
columns with it. Standard library only; imports nothing.
"""

import re
from typing import NamedTuple

# What no text pec stores or shows may hold (a class of characters, for a regular expression): C0
# (incl. \t \n \r), DEL and C1 (incl. CSI \x9b), which can move a terminal's cursor or fake a link;
# the invisible marks that reorder or hide text (bidirectional embeddings, overrides and isolates,
# zero-width spaces and marks but the emoji joiner U+200D, the word joiner, the byte-order mark) and
# the line and paragraph separators, so that «abc\u202efdp.exe» never shows as «abcexe.pdf».
_INVISIBLE = r"\u061c\u180e\u200b\u200c\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
UNSAFE = r"\x00-\x1f\x7f-\x9f" + _INVISIBLE
_SHOWN_ESCAPED = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f" + _INVISIBLE + "]")


def visible(text: str) -> str:
    """``text`` as pec may print it: each character of :data:`UNSAFE` but a line break shown as its
    escape (``\\x1b``, ``\\u202e``), so that no text a user or a ledger line brought can move the
    cursor, fake a link or reverse what is shown. Every message and every board goes through it."""
    return _SHOWN_ESCAPED.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class Field(NamedTuple):
    name: str  # the record key, the CSV column and the detail export's header
    label: str  # how a sentence names it: "el título"
    metavar: str  # the option's placeholder in --help
    help: str
    limit: int | None = None  # most characters of a text field
    kind: str = "text"  # "text" | "url" | "file" | "network" | "count"

    @property
    def option(self) -> str:
        return f"--{self.name}"


FIELDS = (
    Field("titulo", "el título", "TEXTO", "Título de la pieza (entre comillas si tiene espacios).", 300),
    Field("canal", "el canal", "TEXTO", "Canal donde se publicó.", 100),
    Field("url", "la URL", "URL", "Enlace a la pieza publicada.", 2000, "url"),
    Field("evidencia", "el archivo de evidencia", "ARCHIVO",
          "Archivo de evidencia; se copia a evidencias/<año>/ con su SHA-256.", 4096, "file"),
    Field("area", "el área solicitante", "TEXTO", "Área solicitante (para una solicitud).", 200),
    Field("red", "la red", "RED",
          "Red social medida (para una medición): instagram, twitter, tiktok, facebook, youtube.", 50, "network"),
    Field("valor", "el valor medido", "NÚMERO", "Valor medido, p. ej. seguidores (para una medición).", 40, "count"),
    Field("nota", "la nota", "TEXTO", "Nota libre.", 2000),
    Field("atiende", "la solicitud que atiende", "ID",
          "Id de la solicitud (o el evento) que esta pieza atiende; vea «pec list --abiertas».", 100),
)
FIELD = {f.name: f for f in FIELDS}
ENTRY_FIELDS = tuple(f.name for f in FIELDS)

# Texts of the other records: a void's reason, an observación.
TEXT_LIMITS = {**{f.name: f.limit for f in FIELDS if f.kind in ("text", "url") and f.limit}, "motivo": 500, "texto": 2000}

# The columns of ``pec import``, in this order: the order is part of a row's identity
# (``importe``), so that importing an old file again still finds the rows it already added.
# ``atiende`` came later: an empty cell stays out of the identity (``importer``).
IMPORT_COLUMNS = ("actividad", "fecha", "titulo", "tipo", "canal", "url", "evidencia", "area", "red", "valor", "nota",
                  "atiende")
