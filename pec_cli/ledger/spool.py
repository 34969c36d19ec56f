"""Values kept on disk between the two passes of an import, so that memory does not grow with the rows.

Length-prefixed ``marshal`` frames, written and read in blocks of about 1 MB,
in memory up to ``IN_MEMORY`` bytes (a small import touches no disk), then in a
temporary file (deleted when closed, or by the system when pec dies).
Standard library only.
"""

from __future__ import annotations

import marshal
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BLOCK = 1 << 20
IN_MEMORY = 16 << 20


class Spool:
    """Append values (of the types ``marshal`` takes), then read them back in order, once or more.

    Values go to disk in frames of ``FRAME`` values (one ``marshal`` call each, not one per value)."""

    FRAME = 512

    def __init__(self, folder: Path | None = None) -> None:
        if folder is not None:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError:
                folder = None
        self.file = tempfile.SpooledTemporaryFile(IN_MEMORY, dir=None if folder is None else str(folder))
        self.frame: list[Any] = []
        self.parts: list[bytes] = []
        self.pending = 0
        self.count = 0

    def add(self, value: Any) -> None:
        self.frame.append(value)
        self.count += 1
        if len(self.frame) >= self.FRAME:
            self._close_frame()

    def _close_frame(self) -> None:
        data = marshal.dumps(self.frame)
        self.frame = []
        self.parts += (len(data).to_bytes(4, "little"), data)
        self.pending += len(data) + 4
        if self.pending >= BLOCK:
            self._flush()

    def _flush(self) -> None:
        if self.frame:
            self._close_frame()
        self.file.write(b"".join(self.parts))
        self.parts, self.pending = [], 0

    def __iter__(self) -> Iterator[Any]:
        self._flush()
        self.file.flush()
        self.file.seek(0)
        carry = b""
        while block := self.file.read(BLOCK):
            data = carry + block if carry else block
            view, at = memoryview(data), 0
            while at + 4 <= len(data):
                end = at + 4 + int.from_bytes(view[at:at + 4], "little")
                if end > len(data):
                    break
                yield from marshal.loads(view[at + 4:end])
                at = end
            view.release()
            carry = data[at:]

    def close(self) -> None:
        try:
            self.file.close()
        except OSError:  # a full disk refusing the last buffered bytes: they are thrown away anyway
            pass

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
