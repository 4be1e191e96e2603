"""Reductions: how the right-hand side of each grammar rule becomes a syntax-tree node.

The LALR driver (parser.py) calls one function per reduction with the values of the rule's
right-hand side, a list of tokens (regex matches) and the nodes built so far, and pushes what the
function returns. Each grammar alternative in grammars/prototxt.lark carries an alias; the table
REDUCTIONS maps those aliases to the functions below, and a rule without an entry (e.g.
`list_item: scalar`) passes its single value through unchanged.

Two reductions need the file being parsed (the text of concatenated strings, and a place to report
a misplaced separator); `reductions()` builds the full table for one file.
"""

from __future__ import annotations

from typing import Callable

from .nodes import STRING, Field, ListValue, Message, Scalar


class VirtualToken:
    """A token the parser inserts while repairing an error; it looks like a regex match.

    Its position is where the repair happened (or -1 when there is none in the text, as for an
    inserted ':'), and its text is what a user would have written there; the empty closer that
    closes a block at the end of the file has an empty text.
    """

    __slots__ = ("lastgroup", "_pos", "_text")

    def __init__(self, kind: str, pos: int, text: str = ""):
        self.lastgroup = kind
        self._pos = pos
        self._text = text

    def start(self):
        return self._pos

    def end(self):
        return self._pos

    def group(self):
        return self._text


def in_text(closer) -> bool:
    """False for the empty closer the parser inserts at the end of the file."""
    return not isinstance(closer, VirtualToken) or closer.group() != ""


# ---------------------------------------------------------------------------------------------
# Field names. A plain name is its IDENT token itself (the grammar has no rule for it: that saves
# a reduction on the most frequent path); an `[ext]` name, and a plain name error recovery has
# already looked at, is a (name, start, end, kind) tuple.
# ---------------------------------------------------------------------------------------------


def extension_name(s):
    return (s[1], s[0].start(), s[2].end(), "extension")


def any_name(s):
    return (f"{s[1]}/{s[3]}", s[0].start(), s[4].end(), "any")


def type_name_start(s):
    return s[0].group()


def type_name_more(s):
    return f"{s[0]}.{s[2].group()}"


# ---------------------------------------------------------------------------------------------
# Fields and lists of fields
# ---------------------------------------------------------------------------------------------


def field_with_colon(s):
    name, colon, value = s
    if name.__class__ is tuple:
        return Field(name[1], value.end, name[0], name[1], name[2], name[3], colon.start(), value)
    start = name.start()
    return Field(start, value.end, name.group(), start, name.end(), "plain", colon.start(), value)


def field_without_colon(s):
    name, value = s
    if name.__class__ is tuple:
        return Field(name[1], value.end, name[0], name[1], name[2], name[3], -1, value)
    start = name.start()
    return Field(start, value.end, name.group(), start, name.end(), "plain", -1, value)


def fields_empty(s):
    return []


def fields_append(s):
    s[0].append(s[1])
    return s[0]


def separator_reduction(report: Callable) -> Callable:
    """The reduction of `fields ','` and `fields ';'`, reporting a separator out of place."""

    def fields_separator(s):
        # C++ TextFormat takes one optional `,` or `;` after a field, nothing else.
        fields, token = s
        if fields and fields[-1].separator < 0 and not isinstance(token, VirtualToken):
            fields[-1].separator = token.start()
        else:
            report(token.start(), token.end(), f"unexpected '{token.group()}': a separator may only follow a field, once; remove it")
        return fields

    return fields_separator


# ---------------------------------------------------------------------------------------------
# Values: messages, lists, scalars
# ---------------------------------------------------------------------------------------------


def braced_message(s):
    return Message(s[0].start(), s[2].end(), s[1], "{", in_text(s[2]))


def angled_message(s):
    return Message(s[0].start(), s[2].end(), s[1], "<", in_text(s[2]))


def list_empty(s):
    return ListValue(s[0].start(), s[1].end(), [])


def list_full(s):
    return ListValue(s[0].start(), s[2].end(), s[1])


def list_items_start(s):
    return [s[0]]


def list_items_more(s):
    s[0].append(s[2])
    return s[0]


def single_token(s):
    m = s[0]
    return Scalar(m.start(), m.end(), m.lastgroup, m.group())


def negative(s):
    m = s[1]
    return Scalar(s[0].start(), m.end(), m.lastgroup, m.group(), True)


def more_strings_last(s):
    return [s[0]]


def more_strings_before(s):
    s[1].append(s[0])  # collected right to left
    return s[1]


def strings_reduction(source_text: str) -> Callable:
    """The reduction of adjacent string literals into one Scalar spanning all of them."""

    def strings(s):
        first, rest = s
        start, end = first.start(), rest[0].end()
        # A mistake token standing in for a literal (unterminated) makes the whole value unusable.
        kind = next((m.lastgroup for m in (first, *rest) if m.lastgroup != STRING), STRING)
        return Scalar(start, end, kind, source_text[start:end])

    return strings


def passthrough(s):
    return s[0]


# Grammar alias -> reduction, for every alias that builds something.
REDUCTIONS: dict[str, Callable] = {
    "extension_name": extension_name,
    "any_name": any_name,
    "type_name_start": type_name_start,
    "type_name_more": type_name_more,
    "scalar_field": field_with_colon,
    "message_field": field_with_colon,
    "list_field": field_with_colon,
    "message_field_no_colon": field_without_colon,
    "list_field_no_colon": field_without_colon,
    "fields_empty": fields_empty,
    "fields_append": fields_append,
    "braced_message": braced_message,
    "angled_message": angled_message,
    "list_empty": list_empty,
    "list_full": list_full,
    "list_items_start": list_items_start,
    "list_items_more": list_items_more,
    "number": single_token,
    "identifier": single_token,
    "string": single_token,
    "negative_number": negative,
    "negative_identifier": negative,
    "more_strings_last": more_strings_last,
    "more_strings_before": more_strings_before,
}

def reductions(rules: list[tuple[str, str, int]], source_text: str, report: Callable) -> list[Callable]:
    """The reduction for each rule of the parse tables, in the tables' order.

    `report(start, end, message)` records a syntax error; `source_text` is the file's text.
    """
    table = dict(REDUCTIONS)
    table["fields_separator"] = separator_reduction(report)
    table["strings"] = strings_reduction(source_text)
    return [table.get(alias, passthrough) for alias, _origin, _size in rules]
