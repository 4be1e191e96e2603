"""A fast path for well-formed files: the same tree as the LALR driver, several times faster.

Nearly every file protolint sees is free of syntax errors, and nearly all of it is `name: scalar`,
`name {`, `}` and comments. One regular expression matches such a whole unit at a time (the driver
takes one match per token and per run of whitespace, then table lookups and a reduction per
token), and the nodes are built directly. Anything else (a list, an `[extension]` name, adjacent
string literals, a comment inside a field, a mistake of any kind, a byte order mark) makes it give
up, and parser.parse() parses the file again with the driver, which also reports the errors. So it
never decides what is an error; tests/syntax/test_fast_path.py checks that both build the same tree.
"""

from __future__ import annotations

import re

from .. import patterns
from .lexer import _DOUBLE_QUOTED, _FLOAT, _INT, _NAME_CHAR, _REST_OF_LINE, _SINGLE_QUOTED
from .nodes import FLOAT, IDENT, INT, STRING, Comment, Field, Message, Scalar

_WS = r"[ \t\n\r\v\f]*"  # protobuf's whitespace, as in the lexer

UNIT = patterns.compile(
    _WS
    + "(?:"
    + rf"(?P<name>[A-Za-z_]{_NAME_CHAR}*){_WS}(?:(?P<colon>:){_WS})?"
    # (The values start differently, and an INT is never where a FLOAT could be (the look-aheads):
    # the order below is only the most frequent first.)
    + "(?:"
    # A string literal followed by another one is a concatenation: left to the driver.
    + rf"(?P<string>{_DOUBLE_QUOTED}|{_SINGLE_QUOTED})(?!{_WS}[\"'])"
    + rf"|(?P<minus>-{_WS})?(?:(?P<int>{_INT})(?!{_NAME_CHAR}|\.)|(?P<ident>[A-Za-z_]{_NAME_CHAR}*)|(?P<float>{_FLOAT})(?!{_NAME_CHAR}|\.))"
    + r"|(?P<open>[{<])"
    + ")"
    + r"|(?P<close>[}>])"
    + r"|(?P<separator>[,;])"
    + rf"|(?P<comment>#{_REST_OF_LINE})"
    + r"|(?P<other>[^ \t\n\r\v\f])"
    + r"|(?P<end>\Z)"
    + ")",
    re.DOTALL,
)
_G = UNIT.groupindex
_NAME, _COLON, _MINUS, _OPEN, _CLOSE, _SEPARATOR, _COMMENT, _END = (
    _G["name"], _G["colon"], _G["minus"], _G["open"], _G["close"], _G["separator"], _G["comment"], _G["end"])
# The token kind of a scalar, by the number of its group (the last group a unit's match closes).
_KIND: list[str | None] = [None] * (UNIT.groups + 1)
for _group, _kind in (("float", FLOAT), ("int", INT), ("ident", IDENT), ("string", STRING)):
    _KIND[_G[_group]] = _kind
_CLOSER = {"{": "}", "<": ">"}


def parse_well_formed(text: str):
    """(root fields, comments) of a well-formed file, or None when the driver must parse it."""
    comments: list[Comment] = []
    fields: list[Field] = []
    stack: list[tuple] = []  # per open message: (the enclosing fields, its field's name span and colon, its opener)
    kinds = _KIND
    # Memory: one string object per distinct name or token text (a net repeats most of them), and a
    # colon written right after the name shares the name's end offset object.
    strings: dict[str, str] = {}
    same = strings.setdefault
    # Some alternative matches wherever a unit may start (`other` takes any character, `end` the
    # whitespace at the end), so the matches follow each other without a gap.
    for m in UNIT.finditer(text):
        pos = m.end()
        group = m.lastindex
        kind = kinds[group]
        if kind is not None:  # name: scalar
            colon = m.start(_COLON)
            if colon < 0:
                return None  # `name 5`: a missing ':' the driver reports
            name_start, name_end = m.span(_NAME)
            if colon == name_end:
                colon = name_end
            start = m.start(group)
            token = text[start:pos]
            token = same(token, token)
            minus = m.start(_MINUS)
            if minus < 0:
                value = Scalar(start, pos, kind, token)
            else:
                value = Scalar(minus, pos, kind, token, True)
            name = text[name_start:name_end]
            fields.append(Field(name_start, pos, same(name, name), name_start, name_end, "plain", colon, value))
        elif group == _CLOSE:
            if not stack:
                return None
            parent, name_start, name_end, colon, opener, open_start = stack.pop()
            if _CLOSER[opener] != text[pos - 1]:
                return None
            message = Message(open_start, pos, fields, opener, True)
            name = text[name_start:name_end]
            parent.append(Field(name_start, pos, same(name, name), name_start, name_end, "plain", colon, message))
            fields = parent
        elif group == _OPEN:  # name {  or  name: {
            name_start, name_end = m.span(_NAME)
            colon = m.start(_COLON)
            if colon == name_end:
                colon = name_end
            stack.append((fields, name_start, name_end, colon, text[pos - 1], pos - 1))
            fields = []
        elif group == _COMMENT:
            start = m.start(group)
            comments.append(Comment(start, pos, text[start:pos]))
        elif group == _SEPARATOR:
            if not fields or fields[-1].separator >= 0:
                return None  # a separator that follows no field, or a second one
            fields[-1].separator = pos - 1
        elif group == _END:
            break
        else:
            return None
    if stack:
        return None
    return fields, comments
