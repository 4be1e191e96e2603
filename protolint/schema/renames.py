"""Whether renaming an unknown field to a known one is a near-miss of the same kind.

The unknown-field finding offers an (unsafe) rename to the closest known name. A rename is only
offered when the renamed field would be a valid field of that name: a block only into a message
field whose message takes everything the block holds (every name known there, each value of the
kind it wants, singular fields once, all the way down), a value only into a field whose type takes
that value, and never into a singular field the message already sets (the result would be a
duplicate). `--unsafe-fixes` renaming a fork's `bn_param { ... }` into `mvn_param`, or `lstm_param`
into `loss_param`, would turn one finding into a cascade of new ones.
"""

from __future__ import annotations

from ..syntax.nodes import FLOAT, IDENT, INT, STRING, ListValue, Message, Scalar
from .model import FLOAT_TYPES, INTEGER_TYPES

_BOOL_WORDS = frozenset({"true", "True", "t", "false", "False", "f"})
_FLOAT_WORDS = frozenset({"inf", "infinity", "nan", "inff", "infinityf", "nanf"})


def rename_fits(field, target, message) -> bool:
    """Whether `field` (an unknown field of `message`) may be renamed to the schema field `target`."""
    if not target.repeated and message is not None and any(f.name == target.name for f in message.fields):
        return False
    pending = [(field.value, target)]  # a work list, not recursion: blocks may nest thousands deep
    while pending:
        value, schema_field = pending.pop()
        if isinstance(value, ListValue):
            if not schema_field.repeated:
                return False
            items = value.items
        else:
            items = (value,)
        for item in items:
            if schema_field.message is None:
                if not isinstance(item, Scalar) or not _scalar_fits(item, schema_field):
                    return False
                continue
            if not isinstance(item, Message):
                return False
            seen = set()
            for inner in item.fields:
                known = schema_field.message.fields.get(inner.name) if inner.name_kind == "plain" else None
                if known is None or (not known.repeated and inner.name in seen):
                    return False
                seen.add(inner.name)
                pending.append((inner.value, known))
    return True


def _scalar_fits(scalar: Scalar, schema_field) -> bool:
    kind, text = scalar.kind, scalar.text
    if schema_field.enum is not None:
        return (kind == IDENT and text in schema_field.enum.values) or kind == INT
    scalar_type = schema_field.scalar
    if scalar_type in INTEGER_TYPES:
        return kind == INT
    if scalar_type in FLOAT_TYPES:
        return kind in (INT, FLOAT) or (kind == IDENT and text.lower() in _FLOAT_WORDS)
    if scalar_type == "bool":
        return (kind == IDENT and text in _BOOL_WORDS) or (kind == INT and text in ("0", "1"))
    return kind == STRING  # string, bytes
