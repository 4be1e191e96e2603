"""LSP positions of a document's text: lines as LSP splits them, columns in the negotiated encoding.

protolint reports offsets into the decoded text (code points). LSP counts lines on `\\n`, `\\r\\n`
and `\\r` only (not on form feeds or U+2028, which `str.splitlines` would split on) and columns in
UTF-16 code units by default, UTF-8 bytes or code points when negotiated. The text may hold lone
surrogates: U+DC80..U+DCFF stand for undecodable bytes (protolint decodes with surrogateescape),
so they count as one byte in UTF-8; any other lone surrogate counts as it would in WTF-8.
"""

from __future__ import annotations

import re
from bisect import bisect_right

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"
_BREAK = re.compile(r"\r\n|\r|\n")


def _char_units(char: str, encoding: str) -> int:
    code = ord(char)
    if encoding == UTF16:
        return 2 if code > 0xFFFF else 1
    if encoding == UTF32:
        return 1
    if code < 0x80 or 0xDC80 <= code <= 0xDCFF:
        return 1
    if code < 0x800:
        return 2
    return 3 if code < 0x10000 else 4


def units(text: str, encoding: str) -> int:
    """The length of `text` in the encoding's code units."""
    if encoding == UTF32 or text.isascii():
        return len(text)
    if encoding == UTF16:
        return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)
    try:
        return len(text.encode("utf-8", "surrogateescape"))
    except UnicodeEncodeError:
        return sum(_char_units(char, UTF8) for char in text)


class LineIndex:
    """Offsets (code points into `text`) <-> (line, character) in one position encoding."""

    __slots__ = ("text", "encoding", "starts", "_ascii")

    def __init__(self, text: str, encoding: str = UTF16, starts: list[int] | None = None):
        """`starts`: the line starts when already known (protolint's, for a text without CR)."""
        self.text = text
        self.encoding = encoding
        if starts is None:
            starts = [0]
            starts += [m.end() for m in _BREAK.finditer(text)]
        self.starts = starts
        self._ascii = text.isascii()

    def line_end(self, line: int) -> int:
        """The offset where a 0-based line's content ends (before its line break)."""
        if line + 1 < len(self.starts):
            end = self.starts[line + 1] - 1
            if end > self.starts[line] and self.text[end] == "\n" and self.text[end - 1] == "\r":
                end -= 1
            return end
        return len(self.text)

    def position(self, offset: int) -> tuple[int, int]:
        """0-based (line, character) of an offset (clamped to the text)."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect_right(self.starts, offset) - 1
        start = self.starts[line]
        offset = min(offset, self.line_end(line))  # inside a CRLF pair: the end of the line
        if self._ascii or self.encoding == UTF32:
            return line, offset - start
        return line, units(self.text[start:offset], self.encoding)

    def offset(self, line: int, character: int) -> int:
        """The offset of a 0-based (line, character); past the end of a line means its end,
        a position inside a character means its start."""
        if line < 0:
            return 0
        if line >= len(self.starts):
            return len(self.text)
        start, end = self.starts[line], self.line_end(line)
        if self._ascii or self.encoding == UTF32:
            return min(start + max(character, 0), end)
        counted = 0
        for index in range(start, end):
            counted += _char_units(self.text[index], self.encoding)
            if counted > character:
                return index
        return end
