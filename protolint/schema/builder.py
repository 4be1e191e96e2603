"""The first pass of loading a schema: walk the syntax tree and build the model objects.

`build_schema` turns one .proto text into a `Schema`. It parses the text (`proto_parser`), then
walks the tree once, in file order, turning each declaration into the classes of
`protolint.schema.model`: messages with their fields, oneofs, nested types and reserved and
extension ranges; enums with their values; extensions; file, message, field and enum options.
Groups and map fields become what protobuf makes of them: a group is a field plus a nested message
type of the same name, and `map<K, V> name = N` is a repeated field of a nested `NameEntry`
message with a key and a value field. Comments next to a declaration become its `doc`.

What can be checked from a declaration alone is checked on the way (labels, field numbers, names of
groups, enum values and their aliases), as protoc does. Each name the walk defines goes into the
`resolve.Resolver`'s symbol table, and what needs the whole file (type names, which may be used
before they are declared; defaults; number clashes) is queued there and done by the resolver once
the walk is complete. Imported files are loaded as the walk meets their `import` statements,
through the function the loader passes in, so that imports share the loader's caches.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from protolint.schema.errors import SchemaError
from protolint.schema.model import (
    INT32_MAX,
    INT32_MIN,
    INTEGER_TYPES,
    MAX_FIELD_NUMBER,
    RESERVED_FOR_PROTOBUF,
    EnumType,
    EnumValue,
    Field,
    MessageType,
    Schema,
)
from protolint.schema.options import option_name, option_value, read_option
from protolint.schema.proto_parser import ProtoFile, first_token, is_tree, type_ref_text
from protolint.schema.resolve import MessageChecks, PendingField, Resolver
from protolint.schema.runtime import runtime_schema
from protolint.syntax.strings import parse_int

if TYPE_CHECKING:
    from lark import Token, Tree

# Loads an imported .proto file: (its path, the import paths, the files being loaded) -> Schema.
FileLoader = Callable[[Path, tuple[str, ...], tuple[str, ...]], Schema]


def build_schema(
    text: str,
    path: str,
    import_dirs: tuple[str, ...],
    loading: tuple[str, ...],
    import_paths: tuple[str, ...],
    load_file: FileLoader,
) -> Schema:
    """One .proto text -> a resolved and checked Schema, or a SchemaError.

    `import_dirs`: where imports are looked for; `loading`: the files whose imports are being
    loaded, to catch a file that imports itself; `load_file`: how an imported file is loaded."""
    builder = SchemaBuilder(ProtoFile(text, path), import_dirs, loading, import_paths, load_file)
    try:
        builder.walk_file(builder.file.tree)
        builder.resolver.resolve()
    except SchemaError:
        raise
    except Exception as exc:  # a bug in this loader: still report it as a schema problem, not a traceback
        raise builder.file.error(
            1, 1, f"internal error while loading the schema ({type(exc).__name__}: {exc})"
        ) from exc
    return builder.schema


class SchemaBuilder:
    """The walk over one parsed file: each declaration becomes a model object in `schema`."""

    def __init__(
        self,
        file: ProtoFile,
        import_dirs: tuple[str, ...],
        loading: tuple[str, ...],
        import_paths: tuple[str, ...],
        load_file: FileLoader,
    ) -> None:
        self.file = file
        self.import_dirs = import_dirs
        self.import_paths = import_paths
        self.loading = loading + (file.path,)  # to catch a file importing itself
        self.load_file = load_file
        self.schema = Schema(path=file.path)
        self.resolver = Resolver(file, self.schema)
        self.seen_package = False

    # -- the tree walk -------------------------------------------------------------------------

    def walk_file(self, tree: Tree) -> None:
        for item in tree.children:
            kind = item.data
            if kind == "syntax_decl":
                self.walk_syntax(item)
            elif kind == "package_decl":
                self.walk_package(item)
            elif kind == "import_decl":
                self.walk_import(item)
            elif kind == "option_decl":
                read_option(self.file, item, self.schema.options, "FileOptions")
            elif kind == "message_decl":
                message = self.walk_message(item, self.schema.package)
                self.schema.top_messages.append(message.full_name)
            elif kind == "enum_decl":
                enum = self.walk_enum(item, self.schema.package)
                self.schema.top_enums.append(enum.full_name)
            elif kind == "extend_decl":
                self.walk_extend(item, self.schema.package, None)
            elif kind == "service_decl":
                self.walk_service(item)

    def walk_service(self, tree: Tree) -> None:
        """Services are not modelled; their names and message types are still checked, as protoc does."""
        name = tree.children[0]
        service_name = f"{self.schema.package}.{name}" if self.schema.package else str(name)
        self.resolver.define(service_name, "service", None, name)
        for item in tree.children[1:]:
            if is_tree(item, "option_decl"):
                read_option(self.file, item, {}, "ServiceOptions")
            elif is_tree(item, "rpc_decl"):
                self.resolver.define(f"{service_name}.{item.children[0]}", "method", None, item.children[0])
                for type_ref in (c for c in item.children if is_tree(c, "type_ref")):
                    first = first_token(type_ref)
                    self.resolver.rpc_types.append((type_ref_text(type_ref)[0], service_name, first.line, first.column))
                method_options: dict[str, object] = {}
                for option in item.children[-1].children:
                    read_option(self.file, option, method_options, "MethodOptions")

    def walk_syntax(self, tree: Tree) -> None:
        value, token = self.file.string_value(tree.children[0])
        syntax = value.decode("utf-8", "replace")
        if syntax not in ("proto2", "proto3"):
            raise self.file.error_at(token, f'unknown syntax "{syntax}": only "proto2" and "proto3" are understood')
        self.schema.syntax = syntax

    def walk_package(self, tree: Tree) -> None:
        tokens = tree.children[0].children
        if self.seen_package:
            raise self.file.error_at(tokens[0], "a file can have only one package statement")
        self.seen_package = True
        self.schema.package = ".".join(tokens)
        for depth in range(1, len(tokens) + 1):
            self.resolver.define(".".join(tokens[:depth]), "package", None, tokens[depth - 1])

    def walk_import(self, tree: Tree) -> None:
        modifier = tree.children[0].children[0] if is_tree(tree.children[0], "import_modifier") else None
        name_bytes, token = self.file.string_value(tree.children[-1])
        name = name_bytes.decode("utf-8", "replace")
        if modifier == "public":
            self.schema.public_imports.append(len(self.schema.imports))
        elif modifier == "weak":
            self.schema.weak_imports.append(len(self.schema.imports))
        self.schema.imports.append(name)
        self.schema.dependencies[name] = self.load_import(name, token)

    def load_import(self, name: str, token: Token) -> Schema:
        """The imported file `name`: looked for in each import directory in turn, then among protobuf's own."""
        for directory in self.import_dirs:
            candidate = Path(directory) / name
            if candidate.is_file():
                if str(candidate) in self.loading or str(candidate.resolve()) in map(_resolved, self.loading):
                    raise self.file.error_at(token, f'"{name}" imports itself, directly or through other imports')
                try:
                    return self.load_file(candidate, self.import_paths, self.loading)
                except SchemaError as exc:
                    raise self.file.error_at(token, f'cannot load the import "{name}": {exc}') from None
        if name.startswith("google/protobuf/"):
            runtime = runtime_schema(name)
            if runtime is not None:
                return runtime
        searched = ", ".join(self.import_dirs) or "no directories: the schema was given as text"
        raise self.file.error_at(token, f'cannot find the imported file "{name}" (searched {searched})')

    def walk_message(self, tree: Tree, scope: str, *, name_token: Token | None = None) -> MessageType:
        if name_token is None:
            name_token, body = tree.children
        else:  # a group: the caller passes its name and body
            body = tree
        full_name = f"{scope}.{name_token}" if scope else str(name_token)
        message = MessageType(name=str(name_token), full_name=full_name, line=name_token.line)
        message.doc = self.file.doc(name_token.line, name_token.line)
        self.resolver.define(full_name, "message", message, name_token)
        self.schema.messages[full_name] = message
        checks = MessageChecks(message)
        self.resolver.message_checks.append(checks)
        for item in body.children:
            self.walk_message_item(item, message, checks)
        return message

    def walk_message_item(self, item: Tree, message: MessageType, checks: MessageChecks) -> None:
        kind = item.data
        if kind == "field_decl":
            self.walk_field(item, message, checks)
        elif kind == "group_decl":
            self.walk_group(item, message, checks)
        elif kind == "map_decl":
            self.walk_map(item, message, checks)
        elif kind == "oneof_decl":
            self.walk_oneof(item, message, checks)
        elif kind == "option_decl":
            read_option(self.file, item, message.options, "MessageOptions")
        elif kind == "reserved_decl":
            self.walk_message_reserved(item, message, checks)
        elif kind == "extensions_decl":
            for start, end, line, column in self.number_ranges(item.children[0], allow_negative=False):
                message.extension_ranges.append((start, end))
                checks.extension_positions.append((start, end, line, column))
        elif kind == "message_decl":
            nested = self.walk_message(item, message.full_name)
            message.nested_messages[nested.name] = nested
        elif kind == "enum_decl":
            enum = self.walk_enum(item, message.full_name)
            message.nested_enums[enum.name] = enum
        elif kind == "extend_decl":
            self.walk_extend(item, message.full_name, message)

    # -- fields --------------------------------------------------------------------------------

    def field_parts(self, tree: Tree) -> tuple[Token | None, Tree | Token, Token, Token, Tree | None]:
        """label, type (type_ref tree or GROUP token), name, number, option list of a field or group."""
        children = list(tree.children)
        label = children.pop(0).children[0] if is_tree(children[0], "label") else None
        type_part, name, number = children[0], children[1], children[2]
        options = next((c for c in children[3:] if is_tree(c, "option_list")), None)
        return label, type_part, name, number, options

    def new_field(
        self,
        tree: Tree,
        label_text: str,
        type_name: str,
        name: Token,
        number: Token,
        options: Tree | None,
        scope: str,
    ) -> tuple[Field, PendingField]:
        field = Field(
            name=str(name),
            number=self.field_number(number),
            label=label_text,
            type_name=type_name,
            line=tree.meta.line,
            json_name=_json_name(str(name)),
        )
        field.doc = self.file.doc(tree.meta.line, tree.meta.end_line)
        type_token = first_token(next(c for c in tree.children if not is_tree(c, "label")))
        pending = PendingField(
            field=field,
            scope=scope,
            type_line=type_token.line,
            type_column=type_token.column,
            name_column=name.column,
            number_column=number.column,
            default=None,
            option_positions={},
        )
        if options is not None:
            self.walk_field_options(options, field, pending)
        return field, pending

    def check_label(self, label: Token | None, tree: Tree, in_oneof: bool) -> str:
        if in_oneof:
            if label is not None:
                raise self.file.error_at(label, f'a field inside a oneof takes no label: remove "{label}"')
            return "optional"
        if label is None:
            if self.schema.syntax == "proto2":
                token = first_token(tree)
                raise self.file.error_at(token, 'expected "optional", "required" or "repeated" before the field type')
            return "optional"
        if label == "required" and self.schema.syntax == "proto3":
            raise self.file.error_at(label, "required fields are not allowed in proto3")
        return str(label)

    def field_number(self, token: Token) -> int:
        number = parse_int(token)
        if not 1 <= number <= MAX_FIELD_NUMBER:
            raise self.file.error_at(token, f"field numbers must be between 1 and {MAX_FIELD_NUMBER}, not {number}")
        low, high = RESERVED_FOR_PROTOBUF
        if low <= number <= high:
            raise self.file.error_at(token, f"field numbers {low} to {high} are reserved for protobuf itself")
        return number

    def walk_field(
        self, tree: Tree, message: MessageType | None, checks: MessageChecks | None, *,
        scope: str | None = None, oneof: str | None = None, extendee: Tree | None = None,
    ) -> Field:  # fmt: skip
        label, type_ref, name, number, options = self.field_parts(tree)
        type_name, _ = type_ref_text(type_ref)
        scope = scope if scope is not None else message.full_name
        label_text = self.check_label(label, tree, oneof is not None)
        field, pending = self.new_field(tree, label_text, type_name, name, number, options, scope)
        self.add_field(field, pending, message, checks, name, oneof=oneof, extendee=extendee)
        return field

    def add_field(
        self, field: Field, pending: PendingField, message: MessageType | None, checks: MessageChecks | None,
        name: Token, *, oneof: str | None, extendee: Tree | None,
    ) -> None:  # fmt: skip
        """Register a parsed field in its message (or as an extension) and queue it for resolution."""
        if extendee is not None:
            field.is_extension = True
            field.extension_scope = message
            pending.extendee, _ = type_ref_text(extendee)
            first = first_token(extendee)
            pending.extendee_line, pending.extendee_column = first.line, first.column
            self.resolver.define(f"{pending.scope}.{field.name}" if pending.scope else field.name, "field", field, name)
            (message.extensions if message is not None else self.schema.extensions).append(field)
        else:
            self.resolver.define(f"{message.full_name}.{field.name}", "field", field, name)
            field.containing = message
            message.fields[field.name] = field
            checks.fields.append(pending)
            if oneof is not None:
                field.oneof = oneof
                message.oneofs[oneof].append(field.name)
        self.resolver.pending.append(pending)

    def walk_group(
        self, tree: Tree, message: MessageType | None, checks: MessageChecks | None, *,
        scope: str | None = None, oneof: str | None = None, extendee: Tree | None = None,
    ) -> Field:  # fmt: skip
        label, _, name, number, options = self.field_parts(tree)
        if not name[0].isupper():
            raise self.file.error_at(name, f'a group name must start with a capital letter: "{name}"')
        scope = scope if scope is not None else message.full_name
        label_text = self.check_label(label, tree, oneof is not None)
        field, pending = self.new_field(tree, label_text, str(name), name, number, options, scope)
        field.name = str(name).lower()  # protobuf names the field after the group type, in lower case
        field.json_name = _json_name(field.name)
        field.group = True
        body = tree.children[-1]
        group_type = self.walk_message(body, scope, name_token=name)
        group_type.doc = field.doc
        if message is not None:
            message.nested_messages[group_type.name] = group_type
        else:
            self.schema.top_messages.append(group_type.full_name)
        field_name_token = name.update(value=field.name)
        self.add_field(field, pending, message, checks, field_name_token, oneof=oneof, extendee=extendee)
        return field

    def walk_map(self, tree: Tree, message: MessageType, checks: MessageChecks) -> None:
        _, key_ref, value_ref, name, number, *rest = tree.children
        key_type, _ = type_ref_text(key_ref)
        if key_type not in INTEGER_TYPES | {"bool", "string"}:
            raise self.file.error_at(
                first_token(key_ref), f'a map key must be an integer, bool or string type, not "{key_type}"'
            )
        options = rest[0] if rest else None
        # protobuf stores map<K, V> name = N as `repeated NameEntry name = N` with a nested
        # `message NameEntry { optional K key = 1; optional V value = 2; }`, option map_entry = true.
        entry_name = _map_entry_name(str(name))
        entry_full = f"{message.full_name}.{entry_name}"
        entry = MessageType(name=entry_name, full_name=entry_full, line=tree.meta.line, options={"map_entry": True})
        self.resolver.define(entry_full, "message", entry, name)
        self.schema.messages[entry_full] = entry
        message.nested_messages[entry_name] = entry
        entry_checks = MessageChecks(entry)
        self.resolver.message_checks.append(entry_checks)
        for part_name, part_number, part_ref in (("key", 1, key_ref), ("value", 2, value_ref)):
            part_type, _ = type_ref_text(part_ref)
            part = Field(
                name=part_name, number=part_number, label="optional", type_name=part_type,
                line=tree.meta.line, json_name=part_name, containing=entry,
            )  # fmt: skip
            entry.fields[part_name] = part
            first = first_token(part_ref)
            part_pending = PendingField(
                part, entry_full, first.line, first.column, first.column, first.column, None, {}
            )
            entry_checks.fields.append(part_pending)
            self.resolver.pending.append(part_pending)
        field, pending = self.new_field(tree, "repeated", entry_name, name, number, options, message.full_name)
        self.add_field(field, pending, message, checks, name, oneof=None, extendee=None)

    def walk_oneof(self, tree: Tree, message: MessageType, checks: MessageChecks) -> None:
        name = tree.children[0]
        self.resolver.define(f"{message.full_name}.{name}", "oneof", None, name)
        message.oneofs[str(name)] = []
        for item in tree.children[1:]:
            if item.data == "field_decl":
                self.walk_field(item, message, checks, oneof=str(name))
            elif item.data == "group_decl":
                self.walk_group(item, message, checks, oneof=str(name))
            # options of a oneof: only `features` exist in descriptor.proto; nothing to keep
        if not message.oneofs[str(name)]:
            raise self.file.error_at(name, f'the oneof "{name}" has no fields')

    def walk_extend(self, tree: Tree, scope: str, message: MessageType | None) -> None:
        extendee = tree.children[0]
        for item in tree.children[1:]:
            if item.data == "field_decl":
                self.walk_field(item, message, None, scope=scope, extendee=extendee)
            elif item.data == "group_decl":
                self.walk_group(item, message, None, scope=scope, extendee=extendee)

    def walk_field_options(self, options: Tree, field: Field, pending: PendingField) -> None:
        for entry in options.children:
            name_tree, value = entry.children
            name, first = option_name(name_tree)
            constant = self.file.constant(value)
            if name in pending.option_positions:
                raise self.file.error_at(first, f'the option "{name}" is set twice')
            pending.option_positions[name] = (first.line, first.column)
            if name == "default":
                pending.default = constant
            elif name == "json_name":
                if constant.kind != "string":
                    raise self.file.error(constant.line, constant.column, "json_name must be a string")
                field.json_name = constant.value.decode("utf-8", "replace")
            else:
                field.options[name] = option_value(self.file, name, constant, "FieldOptions", first)
        field.packed = bool(field.options.get("packed", False))
        field.deprecated = bool(field.options.get("deprecated", False))

    # -- reserved and extension ranges ---------------------------------------------------------

    def number_ranges(self, tree: Tree, *, allow_negative: bool, max_value: int = MAX_FIELD_NUMBER) -> list:
        """(start, end inclusive, line, column) of each `a`, `a to b` or `a to max`."""
        ranges = []
        for number_range in tree.children:
            start_tree, *rest = number_range.children
            start, start_token = self.signed_int(start_tree)
            if rest:
                end_part = rest[1]
                end = max_value if getattr(end_part, "type", None) == "MAX" else self.signed_int(end_part)[0]
            else:
                end = start
            if not allow_negative and start < 1:
                raise self.file.error_at(start_token, f"numbers in a range must be positive, not {start}")
            if end < start:
                raise self.file.error_at(
                    start_token, f"the range {start} to {end} is empty: its end is before its start"
                )
            if end > max_value:
                raise self.file.error_at(start_token, f"the range end {end} is above the largest number {max_value}")
            ranges.append((start, end, start_token.line, start_token.column))
        return ranges

    def signed_int(self, tree: Tree) -> tuple[int, Token]:
        tokens = tree.children
        value = parse_int(tokens[-1])
        return (-value if len(tokens) == 2 else value), tokens[0]

    def walk_message_reserved(self, tree: Tree, message: MessageType, checks: MessageChecks) -> None:
        part = tree.children[0]
        if part.data == "reserved_names":
            for string in part.children:
                name = self.reserved_name(string)
                message.reserved_names.add(name)
                message.reserved_names_ordered.append(name)
        else:
            for start, end, line, column in self.number_ranges(part, allow_negative=False):
                message.reserved_ranges.append((start, end))
                checks.reserved_positions.append((start, end, line, column))

    def reserved_name(self, tree: Tree) -> str:
        value, token = self.file.string_value(tree)
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise self.file.error_at(
                token, "a reserved name must be valid UTF-8"
            ) from None  # protoc only warns about a name that is no identifier; so do we, by keeping it

    # -- enums ---------------------------------------------------------------------------------

    def walk_enum(self, tree: Tree, scope: str) -> EnumType:
        name_token = tree.children[0]
        full_name = f"{scope}.{name_token}" if scope else str(name_token)
        enum = EnumType(name=str(name_token), full_name=full_name, line=name_token.line)
        enum.doc = self.file.doc(name_token.line, name_token.line)
        self.resolver.define(full_name, "enum", enum, name_token)
        self.schema.enums[full_name] = enum
        numbers: dict[int, EnumValue] = {}
        aliased = False
        reserved_positions = []
        value_positions: dict[str, tuple[int, int, int]] = {}
        for item in tree.children[1:]:
            if item.data == "option_decl":
                read_option(self.file, item, enum.options, "EnumOptions")
            elif item.data == "reserved_decl":
                part = item.children[0]
                if part.data == "reserved_names":
                    for string in part.children:
                        name = self.reserved_name(string)
                        enum.reserved_names.add(name)
                        enum.reserved_names_ordered.append(name)
                else:
                    for start, end, line, column in self.number_ranges(part, allow_negative=True, max_value=INT32_MAX):
                        enum.reserved_ranges.append((start, end))
                        reserved_positions.append((start, end, line, column))
            elif item.data == "enum_value_decl":
                value_name, number_tree, *rest = item.children
                number, _ = self.signed_int(number_tree)
                if not INT32_MIN <= number <= INT32_MAX:
                    raise self.file.error_at(first_token(number_tree), f"enum value {number} does not fit in 32 bits")
                value = EnumValue(name=str(value_name), number=number, line=value_name.line)
                value.doc = self.file.doc(item.meta.line, item.meta.end_line)
                if rest:
                    for entry in rest[0].children:
                        name, first = option_name(entry.children[0])
                        constant = self.file.constant(entry.children[1])
                        value.options[name] = option_value(self.file, name, constant, "EnumValueOptions", first)
                    value.deprecated = bool(value.options.get("deprecated", False))
                if value.name in enum.values:
                    raise self.file.error_at(value_name, f'"{value_name}" is already a value of the enum "{enum.name}"')
                # Enum values live in the scope that holds the enum (C++ rules).
                value_full_name = f"{scope}.{value_name}" if scope else str(value_name)
                self.resolver.define(value_full_name, "enum value", value, value_name)
                enum.values[value.name] = value
                value_positions[value.name] = (value_name.line, value_name.column, number)
        enum.allow_alias = bool(enum.options.get("allow_alias", False))
        for value_name, (line, column, number) in value_positions.items():
            if number in numbers:
                aliased = True
                if not enum.allow_alias:
                    raise self.file.error(
                        line, column,
                        f'"{value_name}" has the same number {number} as "{numbers[number].name}";'
                        " if that is meant, add `option allow_alias = true;` to the enum",
                    )  # fmt: skip
            numbers.setdefault(number, enum.values[value_name])
        if not enum.values:
            raise self.file.error_at(name_token, f'the enum "{enum.name}" has no values: an enum needs at least one')
        if enum.allow_alias and not aliased:
            raise self.file.error_at(
                name_token, f'the enum "{enum.name}" sets allow_alias but no two values share a number'
            )
        if self.schema.syntax == "proto3" and next(iter(enum.values.values())).number != 0:
            raise self.file.error_at(name_token, "in proto3 the first enum value must be zero")
        for value_name, (line, column, number) in value_positions.items():
            if value_name in enum.reserved_names:
                raise self.file.error(line, column, f'the enum value name "{value_name}" is reserved')
            for start, end, *_ in reserved_positions:
                if start <= number <= end:
                    raise self.file.error(
                        line, column, f'the enum value "{value_name}" uses the reserved number {number}'
                    )
        return enum


def _resolved(path: str) -> str:
    return str(Path(path).resolve()) if not path.startswith("<") else path


def _json_name(name: str) -> str:
    """protobuf's default JSON name: snake_case -> lowerCamelCase (only underscores are dropped)."""
    return _camel(name, upper_first=False)


def _map_entry_name(field_name: str) -> str:
    """protobuf's name of the entry message of a map field: my_map -> MyMapEntry."""
    return _camel(field_name, upper_first=True) + "Entry"


def _camel(name: str, upper_first: bool) -> str:
    """Drop underscores and upper-case the letter after each (and the first one, if asked)."""
    out = []
    upper_next = upper_first
    for char in name:
        if char == "_":
            upper_next = True
        elif upper_next:
            out.append(char.upper())
            upper_next = False
        else:
            out.append(char)
    return "".join(out)
