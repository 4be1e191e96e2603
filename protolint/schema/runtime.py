"""The well-known google/protobuf/*.proto files, taken from the protobuf runtime.

A schema may import `google/protobuf/descriptor.proto` (for custom options) or another of
protobuf's own files without having a copy of it on disk; protoc finds them in its include
directory. protolint finds them in the installed protobuf package instead: each such file is
compiled into a `*_pb2` module whose descriptor describes it, and that descriptor is turned into
a `Schema` here. The protobuf runtime is imported only when a schema imports one of these files,
and each file is built once per process.
"""

from __future__ import annotations

from typing import Any

from protolint.schema.model import (
    DESCRIPTOR_TYPE_NAMES,
    FLOAT_TYPES,
    INTEGER_TYPES,
    EnumType,
    EnumValue,
    Field,
    MessageType,
    Schema,
)

_runtime_schemas: dict[str, Schema] = {}

# FieldDescriptorProto.Label numbers.
_RUNTIME_LABELS = {1: "optional", 2: "required", 3: "repeated"}


def runtime_schema(name: str) -> Schema | None:
    """A well-known google/protobuf/*.proto as a Schema, from the descriptors protobuf ships."""
    if name in _runtime_schemas:
        return _runtime_schemas[name]
    import importlib

    from google.protobuf import descriptor_pb2, descriptor_pool

    module = "google.protobuf." + name[len("google/protobuf/") :].removesuffix(".proto").replace("/", ".") + "_pb2"
    try:
        importlib.import_module(module)
        proto = descriptor_pb2.FileDescriptorProto()
        descriptor_pool.Default().FindFileByName(name).CopyToProto(proto)
    except (ImportError, KeyError):
        return None
    schema = Schema(path=name, package=proto.package, from_runtime=True)
    _runtime_schemas[name] = schema
    for dep_name in proto.dependency:
        dep_schema = runtime_schema(dep_name)
        if dep_schema is not None:
            schema.imports.append(dep_name)
            schema.dependencies[dep_name] = dep_schema
    fields: list[tuple[Field, Any]] = []

    def add_enum(enum_proto: Any, scope: str) -> EnumType:
        enum = EnumType(name=enum_proto.name, full_name=f"{scope}.{enum_proto.name}" if scope else enum_proto.name)
        for value in enum_proto.value:
            enum.values[value.name] = EnumValue(name=value.name, number=value.number)
        schema.enums[enum.full_name] = enum
        return enum

    def add_message(message_proto: Any, scope: str) -> MessageType:
        full_name = f"{scope}.{message_proto.name}" if scope else message_proto.name
        message = MessageType(name=message_proto.name, full_name=full_name)
        schema.messages[full_name] = message
        for nested in message_proto.nested_type:
            message.nested_messages[nested.name] = add_message(nested, full_name)
        for nested_enum in message_proto.enum_type:
            message.nested_enums[nested_enum.name] = add_enum(nested_enum, full_name)
        message.extension_ranges = [(r.start, r.end - 1) for r in message_proto.extension_range]
        message.options["map_entry"] = message_proto.options.map_entry or None
        if not message.options["map_entry"]:
            del message.options["map_entry"]
        oneof_names = [oneof.name for oneof in message_proto.oneof_decl]
        for oneof_name in oneof_names:
            message.oneofs[oneof_name] = []
        for field_proto in message_proto.field:
            field = Field(
                name=field_proto.name, number=field_proto.number, label=_RUNTIME_LABELS[field_proto.label],
                type_name=field_proto.type_name or DESCRIPTOR_TYPE_NAMES.get(field_proto.type, ""),
                containing=message, json_name=field_proto.json_name,
            )  # fmt: skip
            if field_proto.HasField("oneof_index"):
                field.oneof = oneof_names[field_proto.oneof_index]
                message.oneofs[field.oneof].append(field.name)
            message.fields[field.name] = field
            fields.append((field, field_proto))
        return message

    for message_proto in proto.message_type:
        schema.top_messages.append(add_message(message_proto, proto.package).full_name)
    for enum_proto in proto.enum_type:
        schema.top_enums.append(add_enum(enum_proto, proto.package).full_name)
    # Types last, once every message and enum of the file exists.
    for field, field_proto in fields:
        if field_proto.type_name:
            full_name = field_proto.type_name.lstrip(".")
            field.message = _runtime_lookup(schema, full_name, "messages")
            field.enum = _runtime_lookup(schema, full_name, "enums")
            field.group = field_proto.type == field_proto.TYPE_GROUP
        else:
            field.scalar = field.type_name
        if field_proto.HasField("default_value"):
            field.has_default = True
            text = field_proto.default_value
            if field.scalar in INTEGER_TYPES:
                field.default = int(text)
            elif field.scalar in FLOAT_TYPES:
                field.default = float(text)
            elif field.scalar == "bool":
                field.default = text == "true"
            else:
                field.default = text
    return schema


def _runtime_lookup(schema: Schema, full_name: str, kind: str) -> Any:
    """The message or enum (`kind`: "messages" or "enums") of that full name in the schema or its imports."""
    for candidate in (schema, *schema.all_dependencies()):
        found = getattr(candidate, kind).get(full_name)
        if found is not None:
            return found
    return None
