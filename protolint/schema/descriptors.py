"""protobuf descriptors built from a loaded Schema.

`to_file_descriptor` gives the FileDescriptorProto protoc would produce for the same .proto file
(without source info), and `message_classes` turns it into real protobuf message classes, so
protobuf's own `text_format.Parse` can check a prototxt against exactly the schema protolint uses.

Not carried over: services (the loader ignores them) and custom options (`(my.ext) = ...`),
which protoc stores as extension fields of the options messages.
"""

from __future__ import annotations

import math
import os
import struct

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

from protolint.schema.model import INT32_MAX, MAX_FIELD_NUMBER, EnumType, Field, MessageType, Schema

FDP = descriptor_pb2.FieldDescriptorProto

_LABELS = {"optional": FDP.LABEL_OPTIONAL, "required": FDP.LABEL_REQUIRED, "repeated": FDP.LABEL_REPEATED}
_SCALAR_TYPES = {
    "double": FDP.TYPE_DOUBLE, "float": FDP.TYPE_FLOAT, "int64": FDP.TYPE_INT64, "uint64": FDP.TYPE_UINT64,
    "int32": FDP.TYPE_INT32, "fixed64": FDP.TYPE_FIXED64, "fixed32": FDP.TYPE_FIXED32, "bool": FDP.TYPE_BOOL,
    "string": FDP.TYPE_STRING, "bytes": FDP.TYPE_BYTES, "uint32": FDP.TYPE_UINT32, "sfixed32": FDP.TYPE_SFIXED32,
    "sfixed64": FDP.TYPE_SFIXED64, "sint32": FDP.TYPE_SINT32, "sint64": FDP.TYPE_SINT64,
}  # fmt: skip


def to_file_descriptor(schema: Schema, name: str | None = None) -> descriptor_pb2.FileDescriptorProto:
    """The schema as a FileDescriptorProto; `name` defaults to the file's base name, as protoc names it."""
    file = descriptor_pb2.FileDescriptorProto()
    file.name = name if name is not None else os.path.basename(schema.path)
    if schema.package:
        file.package = schema.package
    file.dependency.extend(schema.imports)
    file.public_dependency.extend(schema.public_imports)
    file.weak_dependency.extend(schema.weak_imports)
    for full_name in schema.top_messages:
        _fill_message(file.message_type.add(), schema.messages[full_name])
    for full_name in schema.top_enums:
        _fill_enum(file.enum_type.add(), schema.enums[full_name])
    for extension in schema.extensions:
        _fill_field(file.extension.add(), extension, None)
    _fill_options(file, schema.options)
    if schema.syntax != "proto2":  # protoc leaves proto2 files without a syntax
        file.syntax = schema.syntax
    return file


def message_classes(schema: Schema) -> dict[str, type]:
    """A protobuf message class for every message of the schema, by full name.

    Built in a fresh DescriptorPool, so it never clashes with another caffe_pb2 in the process."""
    pool = descriptor_pool.DescriptorPool()
    added: set[str] = set()

    def add(file_schema: Schema, name: str) -> None:
        if name in added:
            return
        added.add(name)
        for import_name, dependency in file_schema.dependencies.items():
            add(dependency, import_name)
        if file_schema.from_runtime:
            proto = descriptor_pb2.FileDescriptorProto()
            descriptor_pool.Default().FindFileByName(name).CopyToProto(proto)
            pool.Add(proto)
        else:
            pool.Add(to_file_descriptor(file_schema, name))

    file_name = os.path.basename(schema.path)
    add(schema, file_name)
    return {
        full_name: message_factory.GetMessageClass(pool.FindMessageTypeByName(full_name))
        for full_name in schema.messages
    }


def _fill_message(proto: descriptor_pb2.DescriptorProto, message: MessageType) -> None:
    proto.name = message.name
    oneof_index = {name: index for index, name in enumerate(message.oneofs)}
    for field in message.fields.values():
        _fill_field(proto.field.add(), field, oneof_index)
    for nested in message.nested_messages.values():
        _fill_message(proto.nested_type.add(), nested)
    for enum in message.nested_enums.values():
        _fill_enum(proto.enum_type.add(), enum)
    # `extensions 100 to max` means up to the largest field number (2^31-1 for a message set).
    message_set = bool(message.options.get("message_set_wire_format"))
    for start, end in message.extension_ranges:
        extension_range = proto.extension_range.add(start=start, end=end + 1)
        if message_set and end == MAX_FIELD_NUMBER:
            extension_range.end = INT32_MAX
    for extension in message.extensions:
        _fill_field(proto.extension.add(), extension, None)
    _fill_options(proto, message.options)
    for name in message.oneofs:
        proto.oneof_decl.add(name=name)
    for start, end in message.reserved_ranges:
        proto.reserved_range.add(start=start, end=end + 1)  # exclusive end, as in descriptor.proto
    proto.reserved_name.extend(message.reserved_names_ordered)


def _fill_enum(proto: descriptor_pb2.EnumDescriptorProto, enum: EnumType) -> None:
    proto.name = enum.name
    for value in enum.values.values():
        value_proto = proto.value.add(name=value.name, number=value.number)
        _fill_options(value_proto, value.options)
    _fill_options(proto, enum.options)
    for start, end in enum.reserved_ranges:
        proto.reserved_range.add(start=start, end=end)  # enum ranges keep an inclusive end
    proto.reserved_name.extend(enum.reserved_names_ordered)


def _fill_field(proto: FDP, field: Field, oneof_index: dict[str, int] | None) -> None:
    proto.name = field.name
    proto.number = field.number
    proto.label = _LABELS[field.label]
    if field.scalar is not None:
        proto.type = _SCALAR_TYPES[field.scalar]
    elif field.message is not None:
        proto.type = FDP.TYPE_GROUP if field.group else FDP.TYPE_MESSAGE
        proto.type_name = "." + field.message.full_name
    elif field.enum is not None:
        proto.type = FDP.TYPE_ENUM
        proto.type_name = "." + field.enum.full_name
    if field.is_extension and field.containing is not None:
        proto.extendee = "." + field.containing.full_name
    if field.has_default:
        proto.default_value = default_text(field)
    if field.oneof is not None and oneof_index is not None:
        proto.oneof_index = oneof_index[field.oneof]
    proto.json_name = field.json_name
    _fill_options(proto, field.options)


def default_text(field: Field) -> str:
    """A field's default in the textual form of FieldDescriptorProto.default_value, as protoc writes it."""
    value = field.default
    if field.enum is not None:
        return str(value)
    if field.scalar == "bool":
        return "true" if value else "false"
    if field.scalar == "string":
        return str(value)
    if field.scalar == "bytes":
        return _c_escape(str(value).encode("latin-1"))
    if field.scalar in ("float", "double"):
        sign = "-" if math.copysign(1.0, value) < 0 else ""
        magnitude = abs(value)
        return sign + (_simple_ftoa(magnitude) if field.scalar == "float" else _simple_dtoa(magnitude))
    return str(value)


def _simple_dtoa(value: float) -> str:
    # protoc's SimpleDtoa: 15 significant digits, or 17 when 15 do not read back as the same double.
    if math.isinf(value) or math.isnan(value):
        return "inf" if math.isinf(value) else "nan"
    text = f"{value:.15g}"
    return text if float(text) == value else f"{value:.17g}"


def _simple_ftoa(value: float) -> str:
    # protoc's SimpleFtoa on the value cast to float: 6 significant digits, or 9 when needed.
    value = float32(value)
    if math.isinf(value) or math.isnan(value):
        return "inf" if math.isinf(value) else "nan"
    text = f"{value:.6g}"
    return text if float32(float(text)) == value else f"{value:.9g}"


def float32(value: float) -> float:
    """The nearest 32-bit float, as C's (float) cast gives it (inf when out of range)."""
    try:
        return struct.unpack("<f", struct.pack("<f", value))[0]
    except OverflowError:
        return math.copysign(math.inf, value)


def _c_escape(data: bytes) -> str:
    """absl::CEscape, which protoc applies to bytes defaults."""
    special = {
        ord("\n"): "\\n",
        ord("\r"): "\\r",
        ord("\t"): "\\t",
        ord('"'): '\\"',
        ord("'"): "\\'",
        ord("\\"): "\\\\",
    }
    return "".join(special.get(byte) or (chr(byte) if 0x20 <= byte < 0x7F else f"\\{byte:03o}") for byte in data)


def _fill_options(proto, options: dict[str, object]) -> None:
    """Copy built-in options into proto.options; custom `(ext)` options are left out (see module doc)."""
    built_in = {name: value for name, value in options.items() if not name.startswith("(")}
    if not built_in:
        return
    target = proto.options
    for name, value in built_in.items():
        option = target.DESCRIPTOR.fields_by_name[name]
        if option.enum_type is not None:
            value = option.enum_type.values_by_name[value].number
        setattr(target, name, value)
