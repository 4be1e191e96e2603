"""Files that are not UTF-8 text: UTF-16/UTF-32 (with or without a byte order mark), binaries, NULs.

Caffe reads a prototxt as UTF-8 bytes. A UTF-16 file is, to it, ASCII with a NUL after every
character, and a .caffemodel or an image is noise; parsing either would report an error per token.
Such a file gets one finding that says what it is, and is not parsed or checked further.

The check works on the decoded source text (SourceText: every undecodable byte is one surrogate
character, every ASCII byte one character, so the byte patterns below survive) and looks at a
sample from the start of the file, so it costs the same for any file size.
"""

from __future__ import annotations

SAMPLE = 4096
# Control characters no prototxt has (whitespace, \t \n \v \f \r, is fine). Past this share of the
# sample, a file without NULs is taken for a binary.
_CONTROL = frozenset(chr(c) for c in [*range(0x01, 0x09), *range(0x0E, 0x20), 0x7F])
_CONTROL_SHARE = 0.05

# Byte order marks as the surrogate-escaped text shows them, longest first.
_BOMS = (
    ("\udcff\udcfe\x00\x00", "UTF-32 (little-endian, with a byte order mark)"),
    ("\x00\x00\udcfe\udcff", "UTF-32 (big-endian, with a byte order mark)"),
    ("\udcff\udcfe", "UTF-16 (little-endian, with a byte order mark)"),
    ("\udcfe\udcff", "UTF-16 (big-endian, with a byte order mark)"),
)


def not_text(text: str) -> tuple[int, str] | None:
    """(offset, message) when the file is not UTF-8 text, else None."""
    for mark, encoding in _BOMS:
        if text.startswith(mark):
            return 0, _wide(encoding)
    sample = text[:SAMPLE]
    nul = text.find("\x00")
    if nul < 0:
        controls = sum(sample.count(ch) for ch in _CONTROL)  # (str.count per character: no Python loop per character)
        if len(sample) >= 64 and controls > _CONTROL_SHARE * len(sample):
            return 0, (f"the file is not text: {controls} of its first {len(sample)} characters are control characters — "
                       "is it a .caffemodel, a .binaryproto or an image? protolint checks prototxt text")
        return None
    encoding = _wide_without_bom(sample)
    if encoding is not None:
        return 0, _wide(encoding)
    count = text.count("\x00")
    more = f" (and {count - 1} more)" if count > 1 else ""
    return nul, (f"the file is not text: it has a NUL byte here{more}, which no prototxt has — is it a .caffemodel, "
                 "a .binaryproto or an image? protolint checks prototxt text")


def _wide(encoding: str) -> str:
    return (f"the file is {encoding}, not UTF-8: Caffe reads prototxt as UTF-8 and would see a NUL byte between "
            "the characters — save it as UTF-8 (without a byte order mark)")


def _wide_without_bom(sample: str) -> str | None:
    """UTF-16 or UTF-32 text without a byte order mark, told by where its NULs are: mostly-ASCII
    text in UTF-16LE has a NUL at every odd position, in UTF-32LE at three of every four, ..."""
    size = len(sample) - len(sample) % 4
    if size < 8:
        return None
    zeros = [0, 0, 0, 0]
    for index in range(size):
        if sample[index] == "\x00":
            zeros[index % 4] += 1
    quarter = size // 4
    share = [z / quarter for z in zeros]

    def mostly(*positions):
        return all(share[p] >= 0.6 for p in positions) and all(share[p] <= 0.1 for p in range(4) if p not in positions)

    if mostly(1, 2, 3):
        return "UTF-32 (little-endian, without a byte order mark)"
    if mostly(0, 1, 2):
        return "UTF-32 (big-endian, without a byte order mark)"
    if mostly(1, 3):
        return "UTF-16 (little-endian, without a byte order mark)"
    if mostly(0, 2):
        return "UTF-16 (big-endian, without a byte order mark)"
    return None
