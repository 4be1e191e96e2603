"""Source text: the bytes of a file, their decoded text, and offset <-> line/column conversion.

Every span in protolint is a pair of offsets into `SourceText.text`. Decoding uses
``surrogateescape`` so that bytes which are not UTF-8 (GBK comments are common in Chinese
repositories) survive unchanged: `encode()` gives back the exact original bytes, which is what
lets `--fix` promise never to touch a byte it did not mean to change.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right

BOM = "\ufeff"


class SourceText:
    __slots__ = ("path", "text", "has_bom", "_line_starts")

    def __init__(self, path: str, text: str, has_bom: bool = False):
        self.path = path
        self.text = text
        self.has_bom = has_bom
        self._line_starts: array | None = None

    @classmethod
    def from_bytes(cls, path: str, data: bytes) -> SourceText:
        text = data.decode("utf-8", "surrogateescape")
        has_bom = text.startswith(BOM)
        if has_bom:
            text = text[1:]
        return cls(path, text, has_bom)

    def encode(self, text: str | None = None) -> bytes:
        """The file's bytes for `text` (default: the current text), BOM restored."""
        body = (self.text if text is None else text).encode("utf-8", "surrogateescape")
        return ("\ufeff".encode() if self.has_bom else b"") + body

    @property
    def line_starts(self) -> array:
        """Offsets where lines start, in a machine-word array (a list of int objects took 36 bytes a
        line, twice the size of a typical prototxt line; this takes 8)."""
        if self._line_starts is None:
            starts = array("q", [0])
            append = starts.append
            find = self.text.find
            i = find("\n")
            while i >= 0:
                append(i + 1)
                i = find("\n", i + 1)
            self._line_starts = starts
        return self._line_starts

    @property
    def line_count(self) -> int:
        return len(self.line_starts)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of an offset; columns count characters."""
        starts = self.line_starts
        line = bisect_right(starts, offset) - 1
        return line + 1, offset - starts[line] + 1

    def offset(self, line: int, column: int) -> int:
        """Offset of a 1-based (line, column); clamped to the text."""
        starts = self.line_starts
        line = min(max(line, 1), len(starts))
        return min(starts[line - 1] + max(column, 1) - 1, len(self.text))

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line ending."""
        starts = self.line_starts
        if not 1 <= line <= len(starts):
            return ""
        start = starts[line - 1]
        end = starts[line] - 1 if line < len(starts) else len(self.text)
        return self.text[start:end].rstrip("\r")
