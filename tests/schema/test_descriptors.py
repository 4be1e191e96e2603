"""protoc as the oracle: the descriptors built from a loaded schema equal the ones protoc builds.

The strongest checks compile the same .proto files with the real protoc (from grpc_tools) and
require our FileDescriptorProto to equal protoc's, message by message and field by field.
"""

from __future__ import annotations

import difflib
from importlib import resources
from pathlib import Path

import pytest
from schema.kit import BUILTIN_PROTO, FEATURES_PROTO, parse, write

from protolint.schema.descriptors import default_text, message_classes, to_file_descriptor
from protolint.schema.loader import builtin_schema, load_schema

pytestmark = pytest.mark.usefixtures("isolated_cache")


# ---------------------------------------------------------------------------------------------
# protoc as the oracle
# ---------------------------------------------------------------------------------------------

DEP_PROTO = """\
syntax = "proto2";
package other.pkg;
message Shared { optional int32 v = 1; extensions 100 to 200; }
enum Color { RED = 1; GREEN = 2; }
"""

PUB_PROTO = """\
syntax = "proto2";
package pub;
message Pub { optional string s = 1; }
"""

SCOPING_PROTO = """\
syntax = "proto2";
package a.b.c;

message X { optional int32 v = 1; }

message Outer {
  message X { optional string inner = 1; }
  optional X inner_x = 1;
  optional .a.b.c.X top_x = 2;
  optional c.X via_c = 3;
  optional b.c.X via_b = 4;
  optional a.b.c.Outer.X via_a = 5;
  message Middle {
    optional X x = 1;
    optional Middle self = 2;
    optional Outer.X outer_x = 3;
    message X { optional bool deepest = 1; }
    optional X deepest = 4;
    optional Kind kind = 5 [default = SECOND];
  }
  enum Kind { FIRST = 1; SECOND = 2; }
  optional .a.b.c.Middle.Kind2 k2 = 6;
  optional Kind kind = 7 [default = FIRST];
  optional int32 Field = 8;
  message Y { optional Field.Z z = 1; }
}

message Middle { enum Kind2 { Z = 0; } }
message Field { message Z {} }
"""

PROTO3_PROTO = """\
syntax = "proto3";
package p3;
message A {
  string s = 1;
  repeated int32 r = 2;
  B b = 3;
  enum E { Z = 0; O = 1; }
  E e = 4;
  oneof pick { int32 i = 5; string t = 6; }
}
message B { map<string, A> m = 1; }
"""

NO_PACKAGE_PROTO = """\
message Solo {
  optional Solo next = 1;
  optional Kind kind = 2 [default = B];
  enum Kind { A = 3; B = 4; }
}
"""


def _grpc_include_dir() -> str:
    return str(resources.files("grpc_tools").joinpath("_proto"))


def compile_with_protoc(directory: Path, name: str):
    """protoc's FileDescriptorProto for directory/name, without source info."""
    from google.protobuf import descriptor_pb2
    from grpc_tools import protoc

    out = directory / (name + ".pb")
    status = protoc.main(
        ["protoc", f"-I{directory}", f"-I{_grpc_include_dir()}", f"--descriptor_set_out={out}", str(directory / name)]
    )
    assert status == 0, f"protoc rejected {name}"
    descriptor_set = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())
    (file_proto,) = [f for f in descriptor_set.file if f.name == name]
    file_proto.ClearField("source_code_info")
    # We parse services but do not model them, and do not encode custom option values.
    file_proto.ClearField("service")
    file_proto.DiscardUnknownFields()
    return file_proto


def _text(message) -> list[str]:
    from google.protobuf import text_format

    return text_format.MessageToString(message).splitlines()


def _flatten_messages(messages, prefix: str = "") -> dict:
    """Each message (nested ones too) with its nested messages cut off, by dotted path."""
    flat = {}
    for message in messages:
        path = prefix + message.name
        own = type(message)()
        own.CopyFrom(message)
        own.ClearField("nested_type")
        flat[path] = own
        flat.update(_flatten_messages(message.nested_type, path + "."))
    return flat


def assert_same_descriptor(theirs, ours) -> None:
    """Compare message by message and field by field, with a readable diff on failure."""
    problems: list[str] = []

    def diff(label: str, a, b) -> None:
        lines = difflib.unified_diff(_text(a), _text(b), f"protoc {label}", f"protolint {label}", lineterm="")
        problems.append("\n".join(lines))

    their_messages = _flatten_messages(theirs.message_type)
    our_messages = _flatten_messages(ours.message_type)
    if list(their_messages) != list(our_messages):
        problems.append(f"messages differ:\n  protoc:    {list(their_messages)}\n  protolint: {list(our_messages)}")
    for path in their_messages.keys() & our_messages.keys():
        theirs_message, ours_message = their_messages[path], our_messages[path]
        their_fields = {f.name: f for f in theirs_message.field}
        our_fields = {f.name: f for f in ours_message.field}
        if list(their_fields) != list(our_fields):
            problems.append(f"{path}: fields differ: protoc {list(their_fields)} protolint {list(our_fields)}")
        for name in their_fields.keys() & our_fields.keys():
            if their_fields[name] != our_fields[name]:
                diff(f"{path}.{name}", their_fields[name], our_fields[name])
        theirs_message.ClearField("field")
        ours_message.ClearField("field")
        if theirs_message != ours_message:
            diff(path, theirs_message, ours_message)
    their_rest, our_rest = type(theirs)(), type(ours)()
    their_rest.CopyFrom(theirs)
    our_rest.CopyFrom(ours)
    their_rest.ClearField("message_type")
    our_rest.ClearField("message_type")
    if their_rest != our_rest:
        diff("file", their_rest, our_rest)
    if not problems and theirs != ours:  # ordering of something the per-part comparison missed
        diff("whole file", theirs, ours)
    assert not problems, "\n\n".join(problems)


@pytest.mark.parametrize(
    "name, text",
    [
        ("features.proto", FEATURES_PROTO),
        ("scoping.proto", SCOPING_PROTO),
        ("proto3.proto", PROTO3_PROTO),
        ("no_package.proto", NO_PACKAGE_PROTO),
    ],
)
def test_descriptor_equals_protoc(tmp_path, name, text):
    pytest.importorskip("grpc_tools")
    write(tmp_path, "dep.proto", DEP_PROTO)
    write(tmp_path, "pub.proto", PUB_PROTO)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    schema = load_schema(path)
    assert_same_descriptor(compile_with_protoc(tmp_path, name), to_file_descriptor(schema))
    message_classes(schema)  # and protobuf accepts it


@pytest.mark.skipif(not BUILTIN_PROTO.is_file(), reason="protolint/schema/caffe.proto is not written yet")
def test_builtin_caffe_proto_descriptor_equals_protoc(tmp_path):
    pytest.importorskip("grpc_tools")
    (tmp_path / "caffe.proto").write_bytes(BUILTIN_PROTO.read_bytes())
    assert_same_descriptor(compile_with_protoc(tmp_path, "caffe.proto"), to_file_descriptor(builtin_schema()))


@pytest.mark.skipif(not BUILTIN_PROTO.is_file(), reason="protolint/schema/caffe.proto is not written yet")
def test_message_classes_parse_prototxt_with_protobuf_text_format():
    from google.protobuf import text_format

    classes = message_classes(builtin_schema())
    net = text_format.Parse(
        'name: "tiny" layer { name: "data" type: "Input" top: "data" }',
        classes["caffe.NetParameter"](),
    )
    assert net.layer[0].type == "Input"
    with pytest.raises(text_format.ParseError):
        text_format.Parse("no_such_field: 1", classes["caffe.NetParameter"]())


def test_default_text_matches_protoc_forms():
    message = parse(
        """
        message M {
          optional float f = 1 [default = 0.1];
          optional double d = 2 [default = 123456789];
          optional float inf_f = 3 [default = -inf];
          optional bytes b = 4 [default = "a\\001\\n"];
          optional bool t = 5 [default = true];
        }
        """
    ).message("M")
    texts = {name: default_text(field) for name, field in message.fields.items()}
    assert texts == {"f": "0.1", "d": "123456789", "inf_f": "-inf", "b": "a\\001\\n", "t": "true"}
