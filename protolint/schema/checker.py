"""Syntax tree -> schema-typed document.

Walks the tree once against a schema (a caffe.proto), sets `Message.schema`, `Field.schema` and
`Scalar.value` in place, and reports what protobuf's text parser would reject: unknown fields,
values of the wrong kind or out of range, a singular field given twice, two members of a oneof.
What the parser rejects, protolint rejects, at the same place; it then keeps going.
"""

from __future__ import annotations

import math
import weakref

from protolint.diagnostics import Diagnostic, Fix, TextEdit
from protolint.schema.renames import rename_fits
from protolint.schema.model import FLOAT_TYPES, INTEGER_RANGES, INTEGER_TYPES, Field as SchemaField, MessageType
from protolint.source import SourceText
from protolint.suggest import closest
from protolint.syntax.nodes import FLOAT, IDENT, INT, STRING, Field, ListValue, Message, Scalar
from protolint.syntax.strings import EscapeError, parse_int, unescape

_BOOL_WORDS = {"true": True, "True": True, "t": True, "1": True, "false": False, "False": False, "f": False, "0": False}
_INF_WORDS = {"inf", "infinity"}
_TYPE_WORDS = {
    **{t: "an integer" for t in INTEGER_TYPES},
    "float": "a number",
    "double": "a number",
    "bool": "true or false",
    "string": "a string in quotes",
    "bytes": "a string in quotes",
}


class SchemaChecker:
    """Types documents against a schema in place and appends what protobuf's parser would reject to `diagnostics`."""

    def __init__(self, source: SourceText, diagnostics: list[Diagnostic]):
        self.source = source
        self.diagnostics = diagnostics
        # Nested messages still to check. A work list, not recursion: a schema may be recursive
        # and a file nested thousands of levels deep.
        self._pending: list[tuple[Message, MessageType]] | None = None
        self._strings: dict[str, str] = {}
        self._floats: dict[str, float] = {}  # non-negative token -> its value: one float object per distinct token
        self._plans: dict[MessageType, dict] = {}  # _PLANS's entries met so far (a plain dict is faster)
        self._plain: dict[str, str] = {}  # a plain string literal as written -> its value (see _is_plain_literal)
        self.unknown_names = False  # met a field or enum value the schema does not define (see Document)
        # Some field of the tree is left without a schema: unknown, or in a list of messages that a
        # singular field cannot take (not checked). False: every field the checked messages hold,
        # and every message they hold in message fields, is typed.
        self.untyped = False

    def report(self, node_start: int, node_end: int, rule: str, message: str, severity: str = "error", related=None,
               fixes=None):
        self.diagnostics.append(Diagnostic.at(self.source, node_start, node_end, rule, severity, message, related, fixes))

    # -- messages ---------------------------------------------------------------------------

    def check_message(self, message: Message, message_type: MessageType) -> None:
        if self._pending is not None:  # called while checking: check it later, from the loop below
            self._pending.append((message, message_type))
            return
        self._pending = [(message, message_type)]
        try:
            while self._pending:
                self._check_one_message(*self._pending.pop())
        finally:
            self._pending = None

    def _check_one_message(self, message: Message, message_type: MessageType) -> None:
        message.schema = message_type
        plan = self._plans.get(message_type)
        if plan is None:
            plan = self._plans[message_type] = _PLANS.get(message_type) or _plan(message_type)
        seen: dict[str, Field] = {}
        oneof_seen: dict[str, Field] = {}
        pending = self._pending
        plain, floats = self._plain, self._floats
        for field in message.fields:
            name = field.name
            entry = plan.get(name) if field.name_kind == "plain" else None
            if entry is None:
                self.unknown_field(field, message_type, message)
                continue
            schema_field, repeated, oneof, sub_type, code = entry
            field.schema = schema_field
            if not repeated:
                first = seen.setdefault(name, field)
                if first is not field:
                    self.duplicate_field(field, first, message_type)
            if oneof is not None:
                other = oneof_seen.get(oneof)
                if other is not None and other.name != field.name:
                    self.report(
                        field.name_start,
                        field.name_end,
                        "invalid-value",
                        f"`{field.name}` and `{other.name}` (line {self.source.position(other.start)[0]}) are both "
                        f"members of oneof `{oneof}` in {message_type.name}; keep only one",
                        related=[(other.name_start, other.name_end, f"`{other.name}` set here")],
                    )
                else:
                    oneof_seen[oneof] = field
            # The common cases without the general dispatch of check_field_value, and the commonest
            # well-formed values without check_scalar (which handles every other case the same way).
            value = field.value
            if sub_type is None:
                if value.__class__ is Scalar:
                    kind = value.kind
                    if code is _FLOAT_CODE:
                        text = value.text
                        number = floats.get(text)  # (one float object per distinct token: `lr_mult: 1` ...)
                        if number is None:
                            if kind == FLOAT:
                                if text[0] != "0" or len(text) == 1 or not text[1].isdigit():
                                    number = floats[text] = float(text.rstrip("fF"))
                            elif kind == INT and text.isdigit() and (text[0] != "0" or len(text) == 1):  # plain decimal
                                number = floats[text] = float(text)
                        if number is not None:
                            value.value = -number if value.negative else number
                            continue
                    elif code is _STRING_CODE:
                        if kind == STRING:
                            text = value.text
                            body = plain.get(text)  # (names come back as tops and bottoms: mostly a hit)
                            if body is None and "\\" not in text and text.isascii() and text.count(text[0]) == 2 \
                                    and text[-1] == text[0]:
                                body = text[1:-1]
                                body = plain[text] = self._strings.setdefault(body, body)
                            if body is not None:
                                value.value = body
                                continue
                    elif code is _ENUM_CODE:
                        if kind == IDENT and not value.negative and value.text in schema_field.enum.values:
                            value.value = value.text
                            continue
                    elif code is not None:  # an integer type: (low, high)
                        if kind == INT:
                            text = value.text
                            if text.isdigit() and (text[0] != "0" or len(text) == 1):  # plain decimal
                                number = -int(text) if value.negative else int(text)
                                if code[0] <= number <= code[1]:
                                    value.value = number
                                    continue
                    self.check_scalar(value, field, schema_field)
                    continue
            elif value.__class__ is Message:
                pending.append((value, sub_type))  # (what check_message does while checking)
                continue
            self.check_field_value(field, schema_field)

    def unknown_field(self, field: Field, message_type: MessageType, message: Message | None = None) -> None:
        self.unknown_names = True
        self.untyped = True
        if field.name_kind != "plain":
            self.report(
                field.name_start,
                field.name_end,
                "unknown-field",
                f"`[{field.name}]`: {message_type.name} has no extensions in this schema; "
                "if your Caffe fork defines it, pass its caffe.proto with --proto",
            )
            return
        if field.name in message_type.reserved_names:
            return  # protobuf skips reserved names silently
        hint = _did_you_mean(field.name, _rename_candidates(field, message_type))
        fixes = None
        if hint:
            suggestion = hint.split("`")[1]
            # Unsafe: the name may be right and the schema wrong (a fork's field). Only into a field
            # that takes this value and is not set already (renames.rename_fits).
            if rename_fits(field, message_type.fields[suggestion], message):
                fixes = [Fix(f"Rename to `{suggestion}`", [TextEdit(field.name_start, field.name_end, suggestion)], safe=False)]
        if not hint:
            homes = _nested_homes(field.name, message_type)
            if len(homes) == 1:
                hint = f"; `{field.name}` belongs inside `{homes[0]} {{ ... }}`"
            elif homes:
                hint = f"; `{field.name}` belongs inside one of " + ", ".join(f"`{h}`" for h in homes[:4])
        self.report(
            field.name_start,
            field.name_end,
            "unknown-field",
            f"unknown field `{field.name}` in {message_type.name}{hint or '; if your Caffe fork defines it, pass its caffe.proto with --proto'}",
            fixes=fixes,
        )

    def duplicate_field(self, field: Field, first: Field, message_type: MessageType) -> None:
        line = self.source.position(first.start)[0]
        self.report(
            field.name_start,
            field.name_end,
            "duplicate-field",
            f"`{field.name}` is set twice in {message_type.name} (first at line {line}) but takes one value: "
            "`caffe` aborts while parsing (pycaffe's text_format.Merge would silently keep the last one); "
            "keep one",
            related=[(first.name_start, first.name_end, f"first `{field.name}` here")],
        )

    # -- values -----------------------------------------------------------------------------

    def check_field_value(self, field: Field, schema_field: SchemaField) -> None:
        value = field.value
        if isinstance(value, ListValue):
            if not schema_field.repeated:
                self.report(
                    value.start,
                    value.end,
                    "invalid-value",
                    f"`{field.name}` takes one value, so the list syntax `[...]` is not allowed; "
                    f"write `{field.name}: value` (only repeated fields take lists)",
                )
                self.untyped = True  # (its messages are not checked)
                return
            items = value.items
        else:
            items = (value,)
        message_type = schema_field.message
        for item in items:
            if message_type is not None:
                if isinstance(item, Message):
                    self.check_message(item, message_type)
                else:
                    self.report(
                        item.start,
                        item.end,
                        "invalid-value",
                        f"`{field.name}` is a {message_type.name} message, not a single value; "
                        f"write `{field.name} {{ ... }}`",
                    )
            elif isinstance(item, Message):
                self.report(
                    item.start,
                    item.start + 1,
                    "invalid-value",
                    f"`{field.name}` takes {_expected_words(schema_field)}, not a message in braces",
                )
            else:
                self.check_scalar(item, field, schema_field)

    def check_scalar(self, scalar: Scalar, field: Field, schema_field: SchemaField) -> None:
        kind = scalar.kind
        if kind not in (INT, FLOAT, IDENT, STRING):
            return  # a malformed token the parser already reported
        problem = None
        if schema_field.enum is not None:
            problem = self.enum_value(scalar, field, schema_field)
        else:
            scalar_type = schema_field.scalar
            if scalar_type in INTEGER_TYPES:
                problem = _integer_value(scalar, scalar_type)
            elif scalar_type in FLOAT_TYPES:
                if not scalar.negative and scalar.text in self._floats:
                    scalar.value = self._floats[scalar.text]  # (`lr_mult: 1` on every param spec of a net)
                else:
                    problem = _float_value(scalar)
                    if problem is None and not scalar.negative:
                        self._floats[scalar.text] = scalar.value
            elif scalar_type == "bool":
                if kind in (IDENT, INT) and not scalar.negative and scalar.text in _BOOL_WORDS:
                    scalar.value = _BOOL_WORDS[scalar.text]
                else:
                    problem = "expected true or false"
            elif kind != STRING:
                problem = "expected a string in quotes"
            elif _is_plain_literal(scalar.text):
                body = scalar.text[1:-1]  # most strings: one ASCII literal without escapes
                # (one object per distinct value: blob and layer names come back as tops and bottoms)
                scalar.value = body.encode() if scalar_type == "bytes" else self._strings.setdefault(body, body)
            else:
                try:
                    raw = unescape(scalar.text)
                except EscapeError as error:
                    start = scalar.start + error.offset
                    self.report(start, start + 2, "invalid-value", str(error))
                    return
                if scalar_type == "bytes":
                    scalar.value = raw
                else:
                    try:
                        scalar.value = raw.decode("utf-8")
                    except UnicodeDecodeError:
                        problem = "the string is not valid UTF-8 text; save the file as UTF-8"
        if problem is None:
            return
        self.report(scalar.start, scalar.end, "invalid-value", f"invalid value `{scalar.source_text}` for `{field.name}`: {problem}")

    def enum_value(self, scalar: Scalar, field: Field, schema_field: SchemaField) -> str | None:
        enum = schema_field.enum
        if scalar.kind == IDENT and not scalar.negative and scalar.text in enum.values:
            scalar.value = scalar.text  # the common case, before the names for a message are listed
            return None
        names = list(enum.values)
        if scalar.kind == IDENT and not scalar.negative:
            self.unknown_names = True
            return f"{enum.name} has no value `{scalar.text}`{_did_you_mean(scalar.text, names) or '; expected one of ' + ', '.join(names)}"
        if scalar.kind == INT:
            number = _parse_int(scalar.text, scalar.negative)
            found = enum.value_by_number(number) if number is not None else None
            if found is not None:
                scalar.value = found.name
                return None
            return f"{enum.name} has no value numbered {scalar.source_text}; expected one of {', '.join(names)}"
        if scalar.kind == STRING:
            word = scalar.text[1:-1]
            upper = word.upper().replace(" ", "_")
            guess = closest(upper, names)
            if field.name == "type" and field.schema.containing is not None and field.schema.containing.name == "V1LayerParameter":
                return (
                    "V1 `layers` blocks take an enum name without quotes"
                    + (f" (`type: {guess}`)" if guess else "")
                    + "; a quoted type string belongs in the current `layer` format"
                )
            return f"{enum.name} values are written without quotes" + (f": `{guess}`" if guess else "")
        return f"expected one of {', '.join(names)}"


# Per message type, what _check_one_message needs of each field, looked up once per field of the
# file: name -> (schema field, repeated, oneof, message type, value code). The code picks the fast
# path for the value: _FLOAT_CODE, _STRING_CODE (string, not bytes), _ENUM_CODE, an integer type's
# (low, high) range, or None (bool, bytes: check_scalar). Weak keys: a schema's plans go with it.
_PLANS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_FLOAT_CODE, _STRING_CODE, _ENUM_CODE = object(), object(), object()


def _plan(message_type: MessageType) -> dict[str, tuple]:
    plan = {}
    for name, f in message_type.fields.items():
        if f.enum is not None:
            code = _ENUM_CODE
        elif f.scalar in INTEGER_TYPES:
            code = INTEGER_RANGES[f.scalar]
        elif f.scalar in FLOAT_TYPES:
            code = _FLOAT_CODE
        elif f.scalar == "string":
            code = _STRING_CODE
        else:
            code = None
        plan[name] = (f, f.repeated, f.oneof, f.message, code)
    _PLANS[message_type] = plan
    return plan


def _is_plain_literal(text: str) -> bool:
    """One quoted literal of ASCII text with no escapes: its value is what stands between the quotes."""
    return "\\" not in text and text.isascii() and text.count(text[0]) == 2 and text[-1] == text[0]


def _expected_words(schema_field: SchemaField) -> str:
    if schema_field.enum is not None:
        return f"a {schema_field.enum.name} value"
    return _TYPE_WORDS.get(schema_field.scalar or "", "a value")


def _parse_int(text: str, negative: bool) -> int | None:
    try:
        value = parse_int(text)
    except ValueError:
        return None
    return -value if negative else value


def _integer_value(scalar: Scalar, scalar_type: str) -> str | None:
    if scalar.kind != INT:
        if scalar.kind == FLOAT:
            return f"expected an integer ({scalar_type}), not a fractional or exponent number"
        return f"expected an integer ({scalar_type})"
    value = _parse_int(scalar.text, scalar.negative)
    if value is None:
        return "a number with a leading zero is octal and may only use digits 0-7"
    low, high = INTEGER_RANGES[scalar_type]
    if not low <= value <= high:
        if value < 0 and low == 0:
            return f"{scalar_type} cannot be negative"
        return f"integer out of range for {scalar_type} ({low} to {high})"
    scalar.value = value
    return None


def _float_value(scalar: Scalar) -> str | None:
    text = scalar.text
    if scalar.kind == FLOAT:
        if len(text) > 1 and text[0] == "0" and text[1].isdigit():
            return "a number may not start with 0 followed by digits (that is octal, not allowed for floats)"
        value = float(text.rstrip("fF"))
    elif scalar.kind == INT:
        if text[:2] in ("0x", "0X"):
            return "hexadecimal is not allowed for a floating-point field"
        if len(text) > 1 and text[0] == "0":
            return "a number may not start with 0 followed by digits (that is octal, not allowed for floats)"
        value = float(text)
    elif scalar.kind == IDENT and _special_float_word(text) is not None:
        value = math.nan if _special_float_word(text) == "nan" else math.inf
    else:
        return "expected a number"
    scalar.value = -value if scalar.negative else value
    return None


def _special_float_word(text: str) -> str | None:
    """`inf`, `infinity` or `nan` (any case, optionally with one `f` suffix, as protobuf's Python
    parser reads them), or None."""
    word = text.lower()
    if word not in _INF_WORDS and word != "nan" and word.endswith("f"):
        word = word[:-1]
    return word if word in _INF_WORDS or word == "nan" else None


def _did_you_mean(word: str, candidates: list[str]) -> str:
    match = closest(word, candidates)
    return f"; did you mean `{match}`?" if match else ""


def _rename_candidates(field: Field, message_type: MessageType) -> list[str]:
    """The fields an unknown field may be a misspelling of: for a block (`bn_param { ... }`), only
    message fields whose message accepts every field name the block uses (never a rename into an
    unrelated message); for a value, only fields that take values."""
    value = field.value
    if isinstance(value, ListValue):
        value = value.items[0] if value.items else None
    if isinstance(value, Message):
        names = {f.name for f in value.fields if f.name_kind == "plain"}
        return [f.name for f in message_type.fields.values()
                if f.message is not None and names <= f.message.fields.keys()]
    return [f.name for f in message_type.fields.values() if f.message is None]


def _nested_homes(name: str, message_type: MessageType) -> list[str]:
    """The fields of `message_type` whose message has a field called `name` (kernel_size written
    directly in a layer belongs in convolution_param or pooling_param)."""
    return [f.name for f in message_type.fields.values() if f.message is not None and name in f.message.fields]
