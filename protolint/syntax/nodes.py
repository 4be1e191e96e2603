"""The prototxt syntax tree.

One tree flows through protolint: the parser builds it with exact spans (offsets into the
source text), the schema checker then types it in place (`Field.schema`, `Message.schema`,
`Scalar.value`), and rules, fixes and the language server read the same objects.
Classes use __slots__: a 2 MB net has ~300k nodes.
"""

from __future__ import annotations

from typing import Iterator

# Scalar token kinds.
INT = "INT"
FLOAT = "FLOAT"
IDENT = "IDENT"
STRING = "STRING"


class Node:
    """Every node has `start` and `end` offsets into the source text. Each subclass declares and
    sets them itself (one call less for each of the ~300k nodes of a 2 MB net; a Scalar keeps its
    start only when it does not follow from its end)."""

    __slots__ = ()
    start: int
    end: int


class Comment(Node):
    """A `#` comment; `text` includes the `#`."""

    __slots__ = ("start", "end", "text")

    def __init__(self, start: int, end: int, text: str):
        self.start = start
        self.end = end
        self.text = text


class Scalar(Node):
    """A scalar value as written: a number, an identifier or (concatenated) string literals.

    `text` is the token as written without the sign (for strings: the literals with quotes and
    what lies between them); `negative` says a `-` preceded it (`start` is then the `-`).
    The schema checker sets `value` to the typed Python value (never None: `typed` says it did).
    """

    __slots__ = ("end", "_start", "kind", "text", "negative", "value")

    def __init__(self, start: int, end: int, kind: str, text: str, negative: bool = False):
        # Memory: an unsigned token's start is its end less its text (an int object less per value).
        self._start = None if end - len(text) == start else start
        self.end = end
        self.kind = kind
        self.text = text
        self.negative = negative
        self.value: object = None

    @property
    def start(self) -> int:
        start = self._start
        return self.end - len(self.text) if start is None else start

    @property
    def typed(self) -> bool:
        return self.value is not None

    @property
    def source_text(self) -> str:
        return ("-" if self.negative else "") + self.text if self.kind != STRING else self.text


class ListValue(Node):
    """`[a, b, ...]`: items are Scalars or Messages."""

    __slots__ = ("start", "end", "items")

    def __init__(self, start: int, end: int, items: list):
        self.start = start
        self.end = end
        self.items = items


class Message(Node):
    """A message body: `{ ... }`, `< ... >`, or the whole file (then `open` is "").

    `closed` is False when the parser had to close it itself at the end of the file.
    """

    __slots__ = ("start", "end", "fields", "open", "closed", "schema", "_last")

    def __init__(self, start: int, end: int, fields: list[Field], open: str = "{", closed: bool = True):
        self.start = start
        self.end = end
        self.fields = fields  # not changed after parsing: the index below relies on it
        self.open = open
        self.closed = closed
        self.schema = None  # protolint.schema.model.MessageType once checked
        self._last: dict[str, Field] | None = None

    # Convenience for rules: field access by name, in file order. Rules ask a layer for its fields
    # many times, so the first question builds an index: each name's last field (what protobuf keeps
    # of a singular field, and what rules ask for most). When no name repeats (the index is as long
    # as the fields) it answers every question; otherwise those about all fields of a name scan.
    # Small messages (fillers, param specs, phase rules: most messages of a net) are only ever
    # scanned, as fast as a lookup and with no index to keep. (The lookups are written out in each
    # method: these are the hottest calls of the rules.)
    def _index(self) -> dict[str, Field]:
        index = self._last = {f.name: f for f in self.fields}
        return index

    def all(self, name: str) -> list[Field]:
        fields = self.fields
        if len(fields) > _SMALL:
            index = self._last or self._index()
            found = index.get(name)
            if found is None:
                return []
            if len(index) == len(fields):
                return [found]
        return [f for f in fields if f.name == name]

    def first(self, name: str) -> Field | None:
        fields = self.fields
        if len(fields) > _SMALL:
            index = self._last or self._index()
            found = index.get(name)
            if found is None or len(index) == len(fields):
                return found
        for f in fields:
            if f.name == name:
                return f
        return None

    def last(self, name: str) -> Field | None:
        fields = self.fields
        if len(fields) > _SMALL:
            return (self._last or self._index()).get(name)
        found = None
        for f in fields:
            if f.name == name:
                found = f
        return found

    def has(self, name: str) -> bool:
        fields = self.fields
        if len(fields) > _SMALL:
            return name in (self._last or self._index())
        for f in fields:
            if f.name == name:
                return True
        return False

    def count(self, name: str) -> int:
        """How many values the fields called `name` hold (`a: [1, 2]` counts 2)."""
        return sum(len(f.values()) for f in self.all(name))


_SMALL = 4  # fields: up to this many, a message is scanned rather than indexed


class Field(Node):
    """`name: value` or `name { ... }`.

    `name_kind` is "plain", "extension" (`[pkg.ext]`) or "any" (`[domain/pkg.Type]`).
    `colon` is the offset of the `:` or -1 (also -1 when the parser inserted a missing one). `value` is a Scalar, a Message or a ListValue.
    The checker sets `schema` to the field's protolint.schema.model.Field (None when unknown).
    """

    __slots__ = ("start", "end", "name", "_colon", "value", "schema", "_rare")

    def __init__(self, start, end, name, name_start, name_end, name_kind, colon, value):
        # Memory (a 50 MB net has millions of fields): the name starts where the field does; a colon
        # written right after the name is not kept (None), nor, for most fields, a plain name's
        # end (it follows from the start), its kind and the separator after the field (none): those
        # three share one slot, `_rare`, set only when one of them is unusual.
        self.start = start
        self.end = end
        self.name = name
        self._colon = None if colon == name_end else colon
        self.value = value
        self.schema = None
        self._rare = None if name_kind == "plain" and name_end == start + len(name) else [name_kind, name_end, -1]

    @property
    def name_start(self) -> int:
        return self.start

    @property
    def name_end(self) -> int:
        rare = self._rare
        return self.start + len(self.name) if rare is None else rare[1]

    @property
    def name_kind(self) -> str:
        rare = self._rare
        return "plain" if rare is None else rare[0]

    @property
    def colon(self) -> int:
        colon = self._colon
        return self.name_end if colon is None else colon

    @property
    def separator(self) -> int:
        """Offset of a `,` or `;` written after the field, or -1."""
        rare = self._rare
        return -1 if rare is None else rare[2]

    @separator.setter
    def separator(self, offset: int) -> None:
        if self._rare is None:
            self._rare = ["plain", self.start + len(self.name), offset]
        else:
            self._rare[2] = offset

    # (Node classes have no subclasses: a class test is cheaper than isinstance on these hot paths.)
    def values(self) -> list:
        """The field's values as a list: list syntax and single values alike."""
        value = self.value
        return value.items if value.__class__ is ListValue else [value]

    @property
    def scalar(self) -> object:
        """The typed value of a single scalar field (None if it is not one)."""
        value = self.value
        return value.value if value.__class__ is Scalar else None

    @property
    def message(self) -> Message | None:
        value = self.value
        return value if value.__class__ is Message else None


def number(value):
    """`value` if it is an int or a float (not a bool), else None: what a rule may compute with."""
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def values(message: Message | None, name: str) -> list[tuple[object, object]]:
    """(typed value, node) of a repeated scalar field, in order, list syntax included. The node is
    the Field for `name: v`, the Scalar for an item of `name: [a, b]`."""
    if message is None:
        return []
    found = []
    for f in message.all(name):
        value = f.value
        if value.__class__ is Scalar:
            found.append((value.value, f))
        elif value.__class__ is ListValue:
            found += [(item.value, item) for item in value.items if item.__class__ is Scalar]
    return found


def walk_fields(message: Message) -> Iterator[tuple[Field, Message]]:
    """Every field below `message` (each message's own fields first), with the message holding it."""
    stack = [message]
    while stack:
        current = stack.pop()
        for field in current.fields:
            yield field, current
        for field in reversed(current.fields):
            for value in reversed(field.values()):
                if isinstance(value, Message):
                    stack.append(value)
