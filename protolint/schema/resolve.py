"""Names and the checks that need the whole file: the second pass of loading a schema.

A .proto file may use a type before it declares it, so the walk of the tree (`builder`) cannot
resolve type names as it goes. It hands everything that needs the whole file to a `Resolver`:
each name it defines (the symbol table, where a second definition of a name is an error), each
field whose type is still a name, the message types of service methods, and the facts about each
message (field numbers, reserved and extension ranges) that are checked once every field is
known. `Resolver.resolve` then does what protoc does after parsing:

- looks each type name up with protoc's scoping rules: the innermost scope first, then outward,
  a leading dot meaning "from the top", and names in imported files too;
- checks defaults and options against the now known field types;
- checks each message's field numbers against each other and its reserved and extension ranges,
  and each extension's number against the extended message.

Every problem is a `SchemaError` at the place protoc would report.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import TYPE_CHECKING, Any

from protolint.schema.model import SCALAR_TYPES, EnumType, Field, MessageType, Schema
from protolint.schema.proto_parser import Constant, ProtoFile, did_you_mean, scalar_value

if TYPE_CHECKING:
    from lark import Token

# What a full name can stand for; protoc's "aggregates" are the ones that have members.
_AGGREGATE_KINDS = {"package", "message", "enum", "service"}
_TYPE_KINDS = {"message", "enum"}


@dataclass
class Symbol:
    """What one full name stands for, and where it was defined."""

    kind: str  # package, message, enum, field, oneof, enum value, service, method
    obj: Any
    path: str
    line: int


@dataclass
class PendingField:
    """A field waiting for name resolution, with the positions needed for its messages."""

    field: Field
    scope: str  # full name of the scope the type name is resolved in
    type_line: int
    type_column: int
    name_column: int
    number_column: int
    default: Constant | None
    option_positions: dict[str, tuple[int, int]]
    extendee: str | None = None  # the `extend X` name as written, for extensions
    extendee_line: int = 0
    extendee_column: int = 0


@dataclass
class MessageChecks:
    """Facts about one message kept until the whole file is read: duplicate checks need them all."""

    message: MessageType
    fields: list[PendingField] = dc_field(default_factory=list)
    reserved_positions: list[tuple[int, int, int, int]] = dc_field(default_factory=list)  # start, end, line, col
    extension_positions: list[tuple[int, int, int, int]] = dc_field(default_factory=list)


class Resolver:
    """The symbol table of one file, and the work its tree walk left for when the file is complete."""

    def __init__(self, file: ProtoFile, schema: Schema) -> None:
        self.file = file
        self.schema = schema
        self.symbols: dict[str, Symbol] = {}
        self.pending: list[PendingField] = []
        self.message_checks: list[MessageChecks] = []
        self.rpc_types: list[tuple[str, str, int, int]] = []  # name, scope, line, column

    def define(self, full_name: str, kind: str, obj: Any, token: Token) -> None:
        """Add a name to the symbol table; a name defined twice is an error (packages may repeat)."""
        existing = self.symbols.get(full_name)
        if existing is not None and not (existing.kind == kind == "package"):
            scope, _, name = full_name.rpartition(".")
            where = f'"{scope}"' if scope else "the file"
            message = f'"{name}" is already defined in {where}'
            if kind == "enum value" or existing.kind == "enum value":
                message += (
                    " (enum values are siblings of their enum type, as in C++, so their names must be"
                    " unique in the enclosing scope, not just within the enum)"
                )
            if existing.line:
                message += f" (first on line {existing.line})"
            raise self.file.error_at(token, message)
        self.symbols[full_name] = Symbol(kind, obj, self.file.path, token.line)

    # -- resolution ----------------------------------------------------------------------------

    def resolve(self) -> None:
        """Resolve every queued name and run the checks that needed the whole file."""
        symbols = dict(self.symbols)
        for dep in self.schema.all_dependencies():
            for full_name, symbol in _schema_symbols(dep).items():
                symbols.setdefault(full_name, symbol)
        self.all_symbols = symbols
        for pending in self.pending:
            self.resolve_field(pending)
        for name, scope, line, column in self.rpc_types:
            if not isinstance(self.lookup_type(name, scope, line, column), MessageType):
                raise self.file.error(line, column, f'"{name}" is an enum: a method takes and returns messages')
        for pending in self.pending:
            self.check_default_and_options(pending)
        for checks in self.message_checks:
            self.check_message(checks)
        self.check_extensions()

    def resolve_field(self, pending: PendingField) -> None:
        field = pending.field
        if pending.extendee is not None:
            extendee = self.lookup_type(pending.extendee, pending.scope, pending.extendee_line, pending.extendee_column)
            if not isinstance(extendee, MessageType):
                raise self.file.error(
                    pending.extendee_line,
                    pending.extendee_column,
                    f'"{pending.extendee}" is an enum: only messages can be extended',
                )
            field.containing = extendee
        if field.type_name in SCALAR_TYPES and not field.group:
            field.scalar = field.type_name
            return
        found = self.lookup_type(field.type_name, pending.scope, pending.type_line, pending.type_column)
        if isinstance(found, MessageType):
            field.message = found
        else:
            field.enum = found

    def lookup_type(self, name: str, scope: str, line: int, column: int) -> MessageType | EnumType:
        symbol, tried = _lookup(self.all_symbols, name, scope)
        if symbol is None:
            message = f'unknown type "{name}"'
            if tried is not None and tried != name:
                message += (
                    f': it was looked up as "{tried}", which is not defined'
                    f' (the innermost scope is searched first; ".{name}" would start from the top)'
                )
            short_names = {full.rpartition(".")[2] for full, s in self.all_symbols.items() if s.kind in _TYPE_KINDS}
            full_names = [full for full, s in self.all_symbols.items() if s.kind in _TYPE_KINDS]
            hint = did_you_mean(name.lstrip("."), list(short_names) + full_names)
            raise self.file.error(line, column, message + hint)
        if symbol.kind not in _TYPE_KINDS:
            raise self.file.error(line, column, f'"{name}" is a {symbol.kind}, not a message or enum type')
        return symbol.obj

    # -- checks --------------------------------------------------------------------------------

    def check_default_and_options(self, pending: PendingField) -> None:
        field = pending.field
        if field.options.get("packed") and not (
            field.repeated and (field.enum is not None or field.scalar not in (None, "string", "bytes"))
        ):
            line, column = pending.option_positions["packed"]
            raise self.file.error(
                line, column, "[packed = true] is only for repeated fields of number, bool or enum type"
            )
        if field.options.get("lazy") and field.message is None:
            line, column = pending.option_positions["lazy"]
            raise self.file.error(line, column, "[lazy = true] is only for message fields")
        constant = pending.default
        if constant is None:
            return
        if self.schema.syntax == "proto3":
            raise self.file.error(constant.line, constant.column, "default values are not allowed in proto3")
        if field.repeated:
            raise self.file.error(constant.line, constant.column, "a repeated field cannot have a default value")
        if field.message is not None:
            raise self.file.error(constant.line, constant.column, "a message field cannot have a default value")
        try:
            if field.enum is not None:
                if constant.kind != "ident" or constant.negative or constant.value not in field.enum.values:
                    raise ValueError(f'a value of the enum "{field.enum.name}"')
                field.default = constant.value
            else:
                field.default = scalar_value(field.scalar, constant)
        except ValueError as exc:
            message = f'the default of "{field.name}" ({field.type_name}) must be {exc}, not {constant.text}'
            if field.enum is not None and constant.kind == "ident":
                message += did_you_mean(str(constant.value), list(field.enum.values))
            raise self.file.error(constant.line, constant.column, message) from None
        field.has_default = True

    def check_message(self, checks: MessageChecks) -> None:
        message = checks.message
        by_number: dict[int, PendingField] = {}
        for pending in checks.fields:
            field = pending.field
            earlier = by_number.get(field.number)
            if earlier is not None:
                raise self.file.error(
                    field.line, pending.number_column,
                    f'field number {field.number} of "{field.name}" is already used by "{earlier.field.name}"'
                    f' in "{message.full_name}"',
                )  # fmt: skip
            by_number[field.number] = pending
            if field.name in message.reserved_names:
                raise self.file.error(field.line, pending.name_column, f'the field name "{field.name}" is reserved')
            for start, end in message.reserved_ranges:
                if start <= field.number <= end:
                    raise self.file.error(
                        field.line,
                        pending.number_column,
                        f'the field "{field.name}" uses the reserved number {field.number}',
                    )
            for start, end, *_ in checks.extension_positions:
                if start <= field.number <= end:
                    raise self.file.error(
                        field.line, pending.number_column,
                        f'the field "{field.name}" uses number {field.number},'
                        f" which is in the extension range {start} to {end}",
                    )  # fmt: skip
        ranges = sorted(
            [(s, e, line, col, "reserved") for s, e, line, col in checks.reserved_positions]
            + [(s, e, line, col, "extension") for s, e, line, col in checks.extension_positions]
        )
        for (s1, e1, *_, kind1), (s2, e2, line, col, kind2) in zip(ranges, ranges[1:], strict=False):
            if s2 <= e1:
                raise self.file.error(
                    line, col, f"the {kind2} range {s2} to {e2} overlaps the {kind1} range {s1} to {e1}"
                )

    def check_extensions(self) -> None:
        numbers: dict[tuple[int, int], Field] = {}
        for pending in self.pending:
            field = pending.field
            if not field.is_extension:
                continue
            extendee = field.containing
            if not any(start <= field.number <= end for start, end in extendee.extension_ranges):
                raise self.file.error(
                    field.line, pending.number_column,
                    f'"{extendee.full_name}" does not declare {field.number} as an extension number',
                )  # fmt: skip
            key = (id(extendee), field.number)
            if key in numbers:
                raise self.file.error(
                    field.line, pending.number_column,
                    f'extension number {field.number} of "{extendee.full_name}"'
                    f' is already used by "{numbers[key].name}"',
                )  # fmt: skip
            numbers[key] = field


def _lookup(symbols: dict[str, Symbol], name: str, scope: str) -> tuple[Symbol | None, str | None]:
    """protoc's name lookup: innermost scope outward; a leading dot means from the top.

    Returns the symbol (or None) and, when a dotted name's first part was found but not the rest,
    the full name that was tried (protoc stops there rather than searching further out)."""
    if name.startswith("."):
        return symbols.get(name[1:]), None
    first, dot, rest = name.partition(".")
    scope_parts = scope.split(".") if scope else []
    while True:
        prefix = ".".join(scope_parts)
        candidate_first = f"{prefix}.{first}" if prefix else first
        symbol = symbols.get(candidate_first)
        if symbol is not None:
            if dot:
                if symbol.kind in _AGGREGATE_KINDS:
                    full = f"{candidate_first}.{rest}"
                    found = symbols.get(full)
                    return found, (None if found is not None else full)
                # not something with members: keep looking further out
            elif symbol.kind in _TYPE_KINDS:
                return symbol, None
        if not scope_parts:
            # At the top, protoc takes whatever has the name, so a field is reported as "not a type".
            return (symbol if symbol is not None and not dot else None), None
        scope_parts.pop()


def _schema_symbols(schema: Schema) -> dict[str, Symbol]:
    """The names a loaded schema defines, for resolving names in files that import it."""
    symbols: dict[str, Symbol] = {}
    parts = schema.package.split(".") if schema.package else []
    for depth in range(1, len(parts) + 1):
        symbols[".".join(parts[:depth])] = Symbol("package", None, schema.path, 0)
    for full_name, message in schema.messages.items():
        symbols[full_name] = Symbol("message", message, schema.path, message.line)
        for field in message.fields.values():
            symbols[f"{full_name}.{field.name}"] = Symbol("field", field, schema.path, field.line)
        for oneof in message.oneofs:
            symbols[f"{full_name}.{oneof}"] = Symbol("oneof", None, schema.path, 0)
    for full_name, enum in schema.enums.items():
        symbols[full_name] = Symbol("enum", enum, schema.path, enum.line)
        scope = full_name.rpartition(".")[0]
        for value in enum.values.values():
            symbols[f"{scope}.{value.name}" if scope else value.name] = Symbol(
                "enum value", value, schema.path, value.line
            )
    return symbols
