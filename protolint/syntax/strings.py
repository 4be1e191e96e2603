"""String literals: C-style escapes as protobuf's text format defines them."""

from __future__ import annotations

import re

from .. import patterns
from .lexer import _DOUBLE_QUOTED, _SINGLE_QUOTED

# The lexer's string forms (unrolled, so a long literal costs no memory per character).
_LITERAL = patterns.compile(f"{_DOUBLE_QUOTED}|{_SINGLE_QUOTED}")
_ESCAPE = patterns.compile(
    r"\\(?:(?P<simple>[abfnrtv\\?'\"])|(?P<octal>[0-7]{1,3})|x(?P<hex>[0-9A-Fa-f]{1,2})"
    r"|u(?P<u4>[0-9A-Fa-f]{4})|U(?P<u8>000[0-9A-Fa-f]{5}|0010[0-9A-Fa-f]{4})|(?P<bad>.?))",
    re.DOTALL,
)
_SIMPLE = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92, "?": 63, "'": 39, '"': 34}


def parse_int(text: str) -> int:
    """protobuf's integer literal (no sign): decimal, 0x hex, or octal with a leading zero.
    Raises ValueError for a literal that is none of these (`09`)."""
    if text[:2] in ("0x", "0X"):
        return int(text, 16)
    if len(text) > 1 and text[0] == "0":
        return int(text, 8)
    return int(text)


class EscapeError(ValueError):
    def __init__(self, offset: int, message: str):
        super().__init__(message)
        self.offset = offset  # offset of the bad escape inside the literal text


def literal_pieces(text: str) -> list[tuple[int, str]]:
    """The adjacent literals of a string value: (offset in `text`, body without quotes)."""
    return [(m.start() + 1, m.group()[1:-1]) for m in _LITERAL.finditer(text)]


def unescape(text: str) -> bytes:
    """The bytes of one or more adjacent string literals (quotes included in `text`).

    Characters outside escapes are UTF-8 encoded; undecodable source bytes, which the source
    keeps as surrogate escapes, come back as the original bytes.
    """
    out = bytearray()
    for base, body in literal_pieces(text):
        pos = 0
        for m in _ESCAPE.finditer(body):
            out += body[pos : m.start()].encode("utf-8", "surrogateescape")
            pos = m.end()
            if m.group("simple"):
                out.append(_SIMPLE[m.group("simple")])
            elif m.group("octal"):
                value = int(m.group("octal"), 8)
                if value > 255:
                    raise EscapeError(base + m.start(), f"octal escape \\{m.group('octal')} is larger than one byte")
                out.append(value)
            elif m.group("hex"):
                out.append(int(m.group("hex"), 16))
            elif m.group("u4") or m.group("u8"):
                code = int(m.group("u4") or m.group("u8"), 16)
                if 0xD800 <= code <= 0xDFFF:
                    raise EscapeError(base + m.start(), f"escape {m.group()} is a lone UTF-16 surrogate, not a character")
                out += chr(code).encode("utf-8")
            else:
                raise EscapeError(
                    base + m.start(),
                    f"invalid escape `{m.group()}` in a string; write `\\\\` for a backslash",
                )
        out += body[pos:].encode("utf-8", "surrogateescape")
    return bytes(out)
