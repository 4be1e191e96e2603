"""The schema model: messages, fields and enums of a caffe.proto, as the checker and the rules need them.

Built by `protolint.schema.loader` from a parsed .proto file; it knows nothing about text syntax.
Names are protobuf's: `full_name` is dotted without a leading dot (``caffe.LayerParameter``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field as dc_field

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


@dataclass(eq=False)
class EnumValue:
    name: str
    number: int
    doc: str = ""
    line: int = 0  # 1-based line in the .proto file, 0 when unknown
    deprecated: bool = False
    # Options as written, `[deprecated = true]` -> {"deprecated": True}; custom ones keyed "(name).sub".
    options: dict[str, object] = dc_field(default_factory=dict)


@dataclass(eq=False)
class EnumType:
    name: str  # short name, e.g. "PoolMethod"
    full_name: str  # e.g. "caffe.PoolingParameter.PoolMethod"
    values: dict[str, EnumValue] = dc_field(default_factory=dict)  # in declaration order
    doc: str = ""
    line: int = 0
    allow_alias: bool = False
    options: dict[str, object] = dc_field(default_factory=dict)
    reserved_names: set[str] = dc_field(default_factory=set)
    reserved_names_ordered: list[str] = dc_field(default_factory=list)  # the same names, as declared
    reserved_ranges: list[tuple[int, int]] = dc_field(default_factory=list)  # inclusive

    def value_by_number(self, number: int) -> EnumValue | None:
        for value in self.values.values():
            if value.number == number:
                return value
        return None


@dataclass(eq=False)
class Field:
    name: str
    number: int
    label: str  # "optional" | "required" | "repeated"
    type_name: str  # as written: a scalar keyword, or a (possibly dotted) message/enum name
    # Exactly one of: `scalar` (a SCALAR_TYPES keyword), `message`, `enum` is set once the schema is resolved.
    scalar: str | None = None
    message: MessageType | None = None
    enum: EnumType | None = None
    # The `[default = ...]` option as Python value: int, float, bool, str (string/bytes field or enum value name).
    # A bytes default is a str of one character per byte: `default.encode("latin-1")` gives the bytes.
    default: object = None
    has_default: bool = False
    packed: bool = False
    deprecated: bool = False
    oneof: str | None = None
    doc: str = ""
    line: int = 0
    containing: MessageType | None = dc_field(default=None, repr=False)
    # For an extension (a field declared in an `extend X { }` block), `containing` is the extended
    # message X and `extension_scope` the message the block sits in (None at file level).
    is_extension: bool = False
    extension_scope: MessageType | None = dc_field(default=None, repr=False)
    # A proto2 group: the text format names it by its message type (`MyGroup { }`), not by `name`.
    group: bool = False
    json_name: str = ""
    # Field options other than `default` and `json_name`, e.g. {"packed": True}; custom ones keyed "(name).sub".
    options: dict[str, object] = dc_field(default_factory=dict)

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


@dataclass(eq=False)
class MessageType:
    name: str  # short name, e.g. "LayerParameter"
    full_name: str  # e.g. "caffe.LayerParameter"
    fields: dict[str, Field] = dc_field(default_factory=dict)  # by name, in declaration order
    nested_messages: dict[str, MessageType] = dc_field(default_factory=dict)
    nested_enums: dict[str, EnumType] = dc_field(default_factory=dict)
    oneofs: dict[str, list[str]] = dc_field(default_factory=dict)  # oneof name -> field names
    reserved_names: set[str] = dc_field(default_factory=set)
    reserved_names_ordered: list[str] = dc_field(default_factory=list)  # the same names, as declared
    reserved_ranges: list[tuple[int, int]] = dc_field(default_factory=list)  # inclusive
    extension_ranges: list[tuple[int, int]] = dc_field(default_factory=list)  # inclusive
    doc: str = ""
    line: int = 0
    options: dict[str, object] = dc_field(default_factory=dict)
    extensions: list[Field] = dc_field(default_factory=list)  # declared in `extend` blocks inside this message

    @property
    def map_entry(self) -> bool:
        """True for the synthetic `XxxEntry` message protobuf makes for a `map<K, V> xxx` field."""
        return bool(self.options.get("map_entry"))

    def field_by_number(self, number: int) -> Field | None:
        for f in self.fields.values():
            if f.number == number:
                return f
        return None


@dataclass(eq=False)
class Schema:
    """A whole parsed and resolved .proto file."""

    path: str  # where it was read from ("<builtin>" path included), for messages
    package: str = ""
    syntax: str = "proto2"
    imports: list[str] = dc_field(default_factory=list)
    messages: dict[str, MessageType] = dc_field(default_factory=dict)  # every message, nested too, by full_name
    enums: dict[str, EnumType] = dc_field(default_factory=dict)  # every enum, nested too, by full_name
    top_messages: list[str] = dc_field(default_factory=list)  # full names of top-level messages, in order
    top_enums: list[str] = dc_field(default_factory=list)
    builtin: bool = False  # protolint's own BVLC schema (not one given with --proto)
    options: dict[str, object] = dc_field(default_factory=dict)  # file options, `option java_package = ...;`
    extensions: list[Field] = dc_field(default_factory=list)  # declared in file-level `extend` blocks
    public_imports: list[int] = dc_field(default_factory=list)  # indexes into `imports`
    weak_imports: list[int] = dc_field(default_factory=list)
    # The loaded imported files, by import name; their types are reachable from fields of this schema.
    dependencies: dict[str, Schema] = dc_field(default_factory=dict, repr=False)
    # True for a google/protobuf/*.proto built from the protobuf runtime rather than read from disk.
    from_runtime: bool = False
    # Facts computed from the schema by the model (the layer types it implies, its Caffe version),
    # kept with it so they are worked out once per schema.
    derived: dict = dc_field(default_factory=dict, repr=False, compare=False)

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
