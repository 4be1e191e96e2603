"""The schema model: messages, fields and enums of a caffe.proto, as the checker and the rules need them.

Built by `protolint.schema.loader` from a parsed .proto file; it knows nothing about text syntax.
Names are protobuf's: `full_name` is dotted without a leading dot (``caffe.LayerParameter``).
"""

from __future__ import annotations

from collections.abc import Iterator

# Scalar type keywords of proto2, grouped the way the text format treats their values.
INT32_TYPES = frozenset({"int32", "sint32", "sfixed32"})
UINT32_TYPES = frozenset({"uint32", "fixed32"})
INT64_TYPES = frozenset({"int64", "sint64", "sfixed64"})
UINT64_TYPES = frozenset({"uint64", "fixed64"})
INTEGER_TYPES = INT32_TYPES | UINT32_TYPES | INT64_TYPES | UINT64_TYPES
FLOAT_TYPES = frozenset({"float", "double"})
SCALAR_TYPES = INTEGER_TYPES | FLOAT_TYPES | {"bool", "string", "bytes"}

# Inclusive value ranges of the integer types.
INTEGER_RANGES = {
    **{t: (-(2**31), 2**31 - 1) for t in INT32_TYPES},
    **{t: (0, 2**32 - 1) for t in UINT32_TYPES},
    **{t: (-(2**63), 2**63 - 1) for t in INT64_TYPES},
    **{t: (0, 2**64 - 1) for t in UINT64_TYPES},
}

# Numbering limits protoc enforces: the largest field number, the field numbers protobuf keeps for
# itself, and the range of enum values (32-bit signed).
MAX_FIELD_NUMBER = 2**29 - 1
RESERVED_FOR_PROTOBUF = (19000, 19999)
INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1

# The scalar types by their number in descriptor.proto (FieldDescriptorProto.Type).
DESCRIPTOR_TYPE_NAMES = {
    1: "double", 2: "float", 3: "int64", 4: "uint64", 5: "int32", 6: "fixed64", 7: "fixed32", 8: "bool",
    9: "string", 12: "bytes", 13: "uint32", 15: "sfixed32", 16: "sfixed64", 17: "sint32", 18: "sint64",
}  # fmt: skip


# Plain classes, not dataclasses: creating a dataclass costs ~0.3 ms of start-up each.
class EnumValue:
    # (__weakref__, here and below: caches keyed by schema types hold them weakly, e.g. checker._PLANS)
    __slots__ = ("name", "number", "doc", "line", "deprecated", "options", "__weakref__")

    def __init__(self, name: str, number: int, doc: str = "", line: int = 0, deprecated: bool = False,
                 options: dict[str, object] | None = None):
        self.name = name
        self.number = number
        self.doc = doc
        self.line = line  # 1-based line in the .proto file, 0 when unknown
        self.deprecated = deprecated
        # Options as written, `[deprecated = true]` -> {"deprecated": True}; custom ones keyed "(name).sub".
        self.options = {} if options is None else options


class EnumType:
    __slots__ = ("name", "full_name", "values", "doc", "line", "allow_alias", "options", "reserved_names",
                 "reserved_names_ordered", "reserved_ranges", "__weakref__")

    def __init__(self, name: str, full_name: str, values: dict[str, EnumValue] | None = None, doc: str = "",
                 line: int = 0, allow_alias: bool = False, options: dict[str, object] | None = None,
                 reserved_names: set[str] | None = None, reserved_names_ordered: list[str] | None = None,
                 reserved_ranges: list[tuple[int, int]] | None = None):
        self.name = name  # short name, e.g. "PoolMethod"
        self.full_name = full_name  # e.g. "caffe.PoolingParameter.PoolMethod"
        self.values = {} if values is None else values  # in declaration order
        self.doc = doc
        self.line = line
        self.allow_alias = allow_alias
        self.options = {} if options is None else options
        self.reserved_names = set() if reserved_names is None else reserved_names
        # the same names, as declared
        self.reserved_names_ordered = [] if reserved_names_ordered is None else reserved_names_ordered
        self.reserved_ranges = [] if reserved_ranges is None else reserved_ranges  # inclusive

    def value_by_number(self, number: int) -> EnumValue | None:
        for value in self.values.values():
            if value.number == number:
                return value
        return None


class Field:
    __slots__ = ("name", "number", "label", "type_name", "scalar", "message", "enum", "default", "has_default",
                 "packed", "deprecated", "oneof", "doc", "line", "containing", "is_extension", "extension_scope",
                 "group", "json_name", "options", "__weakref__")

    def __init__(self, name: str, number: int, label: str, type_name: str, scalar: str | None = None,
                 message: MessageType | None = None, enum: EnumType | None = None, default: object = None,
                 has_default: bool = False, packed: bool = False, deprecated: bool = False, oneof: str | None = None,
                 doc: str = "", line: int = 0, containing: MessageType | None = None, is_extension: bool = False,
                 extension_scope: MessageType | None = None, group: bool = False, json_name: str = "",
                 options: dict[str, object] | None = None):
        self.name = name
        self.number = number
        self.label = label  # "optional" | "required" | "repeated"
        self.type_name = type_name  # as written: a scalar keyword, or a (possibly dotted) message/enum name
        # Exactly one of: `scalar` (a SCALAR_TYPES keyword), `message`, `enum` is set once the schema is resolved.
        self.scalar = scalar
        self.message = message
        self.enum = enum
        # The `[default = ...]` option as Python value: int, float, bool, str (string/bytes field or enum value name).
        # A bytes default is a str of one character per byte: `default.encode("latin-1")` gives the bytes.
        self.default = default
        self.has_default = has_default
        self.packed = packed
        self.deprecated = deprecated
        self.oneof = oneof
        self.doc = doc
        self.line = line
        self.containing = containing
        # For an extension (a field declared in an `extend X { }` block), `containing` is the extended
        # message X and `extension_scope` the message the block sits in (None at file level).
        self.is_extension = is_extension
        self.extension_scope = extension_scope
        # A proto2 group: the text format names it by its message type (`MyGroup { }`), not by `name`.
        self.group = group
        self.json_name = json_name
        # Field options other than `default` and `json_name`, e.g. {"packed": True}; custom ones keyed "(name).sub".
        self.options = {} if options is None else options

    @property
    def repeated(self) -> bool:
        return self.label == "repeated"

    @property
    def required(self) -> bool:
        return self.label == "required"

    @property
    def kind(self) -> str:
        """'message', 'enum' or 'scalar'."""
        if self.message is not None:
            return "message"
        if self.enum is not None:
            return "enum"
        return "scalar"

    def effective_default(self) -> object:
        """The value protobuf reports for this field when the file does not set it."""
        if self.has_default:
            return self.default
        if self.enum is not None:
            first = next(iter(self.enum.values.values()), None)
            return first.name if first else None
        if self.scalar in INTEGER_TYPES:
            return 0
        if self.scalar in FLOAT_TYPES:
            return 0.0
        if self.scalar == "bool":
            return False
        if self.scalar in ("string", "bytes"):
            return ""
        return None


class MessageType:
    __slots__ = ("name", "full_name", "fields", "nested_messages", "nested_enums", "oneofs", "reserved_names",
                 "reserved_names_ordered", "reserved_ranges", "extension_ranges", "doc", "line", "options",
                 "extensions", "__weakref__")

    def __init__(self, name: str, full_name: str, fields: dict[str, Field] | None = None,
                 nested_messages: dict[str, MessageType] | None = None,
                 nested_enums: dict[str, EnumType] | None = None, oneofs: dict[str, list[str]] | None = None,
                 reserved_names: set[str] | None = None, reserved_names_ordered: list[str] | None = None,
                 reserved_ranges: list[tuple[int, int]] | None = None,
                 extension_ranges: list[tuple[int, int]] | None = None, doc: str = "", line: int = 0,
                 options: dict[str, object] | None = None, extensions: list[Field] | None = None):
        self.name = name  # short name, e.g. "LayerParameter"
        self.full_name = full_name  # e.g. "caffe.LayerParameter"
        self.fields = {} if fields is None else fields  # by name, in declaration order
        self.nested_messages = {} if nested_messages is None else nested_messages
        self.nested_enums = {} if nested_enums is None else nested_enums
        self.oneofs = {} if oneofs is None else oneofs  # oneof name -> field names
        self.reserved_names = set() if reserved_names is None else reserved_names
        # the same names, as declared
        self.reserved_names_ordered = [] if reserved_names_ordered is None else reserved_names_ordered
        self.reserved_ranges = [] if reserved_ranges is None else reserved_ranges  # inclusive
        self.extension_ranges = [] if extension_ranges is None else extension_ranges  # inclusive
        self.doc = doc
        self.line = line
        self.options = {} if options is None else options
        # declared in `extend` blocks inside this message
        self.extensions = [] if extensions is None else extensions

    @property
    def map_entry(self) -> bool:
        """True for the synthetic `XxxEntry` message protobuf makes for a `map<K, V> xxx` field."""
        return bool(self.options.get("map_entry"))

    def field_by_number(self, number: int) -> Field | None:
        for f in self.fields.values():
            if f.number == number:
                return f
        return None


class Schema:
    """A whole parsed and resolved .proto file."""

    __slots__ = ("path", "package", "syntax", "imports", "messages", "enums", "top_messages", "top_enums", "builtin",
                 "options", "extensions", "public_imports", "weak_imports", "dependencies", "from_runtime", "derived",
                 "__weakref__")

    def __init__(self, path: str, package: str = "", syntax: str = "proto2", imports: list[str] | None = None,
                 messages: dict[str, MessageType] | None = None, enums: dict[str, EnumType] | None = None,
                 top_messages: list[str] | None = None, top_enums: list[str] | None = None, builtin: bool = False,
                 options: dict[str, object] | None = None, extensions: list[Field] | None = None,
                 public_imports: list[int] | None = None, weak_imports: list[int] | None = None,
                 dependencies: dict[str, Schema] | None = None, from_runtime: bool = False,
                 derived: dict | None = None):
        self.path = path  # where it was read from ("<builtin>" path included), for messages
        self.package = package
        self.syntax = syntax
        self.imports = [] if imports is None else imports
        self.messages = {} if messages is None else messages  # every message, nested too, by full_name
        self.enums = {} if enums is None else enums  # every enum, nested too, by full_name
        self.top_messages = [] if top_messages is None else top_messages  # full names of top-level messages, in order
        self.top_enums = [] if top_enums is None else top_enums
        self.builtin = builtin  # protolint's own BVLC schema (not one given with --proto)
        self.options = {} if options is None else options  # file options, `option java_package = ...;`
        self.extensions = [] if extensions is None else extensions  # declared in file-level `extend` blocks
        self.public_imports = [] if public_imports is None else public_imports  # indexes into `imports`
        self.weak_imports = [] if weak_imports is None else weak_imports
        # The loaded imported files, by import name; their types are reachable from fields of this schema.
        self.dependencies = {} if dependencies is None else dependencies
        # True for a google/protobuf/*.proto built from the protobuf runtime rather than read from disk.
        self.from_runtime = from_runtime
        # Facts computed from the schema by the model (the layer types it implies, its Caffe version),
        # kept with it so they are worked out once per schema.
        self.derived = {} if derived is None else derived

    def message(self, name: str) -> MessageType:
        """Look a message up by full name or by its name inside the package (``NetParameter``)."""
        found = self.messages.get(name) or self.messages.get(f"{self.package}.{name}" if self.package else name)
        if found is None:
            raise KeyError(f"the schema {self.path} has no message {name!r}")
        return found

    def has_message(self, name: str) -> bool:
        try:
            self.message(name)
        except KeyError:
            return False
        return True

    def all_dependencies(self) -> Iterator[Schema]:
        """Every schema this one imports, directly or through other imports, each once."""
        seen: set[int] = set()
        stack = list(self.dependencies.values())
        while stack:
            dep = stack.pop()
            if id(dep) not in seen:
                seen.add(id(dep))
                yield dep
                stack.extend(dep.dependencies.values())
