"""Loading a .proto file that protoc would reject: a SchemaError with a plain message and the right place."""

from __future__ import annotations

import pytest
from schema.kit import FEATURES_PROTO, write

from protolint.schema.loader import SchemaError, load_schema, parse_schema

pytestmark = pytest.mark.usefixtures("isolated_cache")


# ---------------------------------------------------------------------------------------------
# Errors: a SchemaError with a plain message and the right place
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("message M {\n  optional int32 a = 1\n}", 4, 'expected ";" or "[", found "}"'),
        ("message M {\n  optional int32 a = 1;", 3, 'a closing "}" is missing'),
        ("message M { }\n}", 3, 'this "}" closes nothing'),
        ("message M {\n  optional int32 a = 1; $\n}", 3, "unexpected character '$'"),
        ('message M {\n  optional string s = 1 [default = "abc];\n}', 3, "unterminated string"),
        ("message M {\n /* never closed\n}", 3, "unterminated /* comment"),
        ("message M {\n  int32 a = 1;\n}", 3, 'expected "optional", "required" or "repeated"'),
        ("message M {\n  optional Foo a = 1;\n}", 3, 'unknown type "Foo"'),
        ("message Param {}\nmessage M {\n  optional Parm p = 1;\n}", 4, 'did you mean "Param"?'),
        (
            "message C { message D {} }\nmessage O { message C {}\n  optional C.D d = 1; }",
            4,
            'looked up as "O.C.D", which is not defined',
        ),
        (
            "message M { optional int32 a = 1; }\nmessage N {\n  optional M.a x = 1; }",
            4,
            "is a field, not a message or enum type",
        ),
        ("message M {\n  optional int32 a = 1;\n  optional int32 a = 2;\n}", 4, '"a" is already defined in "M"'),
        (
            "message M {\n  optional int32 a = 1;\n  optional int32 b = 1;\n}",
            4,
            'field number 1 of "b" is already used by "a"',
        ),
        (
            "message M {\n  optional int32 a = 1 [default = 1.5];\n}",
            3,
            'the default of "a" (int32) must be an integer, not 1.5',
        ),
        ('message M {\n  optional float a = 1 [default = "1"];\n}', 3, "must be a number (or inf, nan)"),
        ("message M {\n  optional bool a = 1 [default = 1];\n}", 3, "must be true or false, not 1"),
        ("message M {\n  optional string a = 1 [default = 1];\n}", 3, "must be a quoted string"),
        ("message M {\n  optional uint32 a = 1 [default = -1];\n}", 3, "from 0 to 4294967295, not -1"),
        ("message M {\n  optional int32 a = 1 [default = 2147483648];\n}", 3, "from -2147483648 to 2147483647"),
        (
            "message M { enum E { FAST_MODE = 0; }\n  optional E e = 1 [default = FAST_MOD]; }",
            3,
            'must be a value of the enum "E", not FAST_MOD; did you mean "FAST_MODE"?',
        ),
        ("message M {\n  repeated int32 a = 1 [default = 1];\n}", 3, "a repeated field cannot have a default"),
        ("message M {\n  optional M a = 1 [default = 1];\n}", 3, "a message field cannot have a default"),
        ("message M {\n  optional string s = 1 [packed = true];\n}", 3, "[packed = true] is only for repeated"),
        ('message M {\n  optional string s = 1 [default = "\\q"];\n}', 3, "unknown escape sequence \\q"),
        ("message M {\n  optional int32 a = 0;\n}", 3, "field numbers must be between 1 and 536870911"),
        ("message M {\n  optional int32 a = 19500;\n}", 3, "reserved for protobuf itself"),
        ("message M { reserved 5;\n  optional int32 a = 5; }", 3, 'the field "a" uses the reserved number 5'),
        ('message M { reserved "a";\n  optional int32 a = 1; }', 3, 'the field name "a" is reserved'),
        ("message M { extensions 10 to 20;\n  optional int32 a = 15; }", 3, "in the extension range 10 to 20"),
        ("message M { reserved 1 to 10;\n  extensions 5 to 20; }", 3, "overlaps the reserved range 1 to 10"),
        ("enum E {\n  A = 0;\n  B = 0;\n}", 4, 'same number 0 as "A"'),
        ("enum E {\n  option allow_alias = true;\n  A = 0; }", 2, "sets allow_alias but no two values share a number"),
        ("enum E { }", 2, "has no values"),
        ("message M { enum E { A = 0; }\n  enum F { A = 1; } }", 3, "enum values are siblings of their enum type"),
        ("message M { oneof o {\n  optional int32 a = 1; } }", 3, "a field inside a oneof takes no label"),
        ("message M {\n  optional int32 a = 1 [foo = true];\n}", 3, 'unknown option "foo"'),
        ('option java_pakage = "x";', 2, 'unknown option "java_pakage"; did you mean "java_package"?'),
        ("message M {\n  optional group foo = 1 {} }", 3, "a group name must start with a capital letter"),
        ("message M {\n  map<float, int32> m = 1; }", 3, "a map key must be an integer, bool or string type"),
        ('syntax = "proto4";', 2, 'unknown syntax "proto4"'),
        ("package a;\npackage b;", 3, "only one package statement"),
        (
            "message M { extensions 1 to 10; }\nextend M { optional int32 x = 20; }",
            3,
            "does not declare 20 as an extension number",
        ),
        ("enum E { A = 0; }\nextend E { optional int32 x = 2; }", 3, "only messages can be extended"),
        ('import "missing.proto";', 2, 'cannot find the imported file "missing.proto"'),
        ("message Req {}\nservice S {\n  rpc Call (Req) returns (Rep); }", 4, 'unknown type "Rep"'),
        ("service S {\n  option deprecatd = true; }", 3, 'unknown option "deprecatd"; did you mean "deprecated"?'),
    ],
)
def test_errors_have_place_and_plain_message(body, line, message):
    with pytest.raises(SchemaError) as caught:
        parse_schema('syntax = "proto2";\n' + body, "bad.proto")
    error = caught.value
    assert message in error.message
    assert error.line == line and error.column >= 1
    assert str(error) == f"bad.proto:{error.line}:{error.column}: {error.message}"
    assert isinstance(error, Exception)


def test_error_columns_point_at_the_problem():
    with pytest.raises(SchemaError) as caught:
        parse_schema('syntax = "proto2";\nmessage M {\n  optional Foo a = 1;\n}', "x.proto")
    assert (caught.value.line, caught.value.column) == (3, 12)


def test_no_lark_exception_escapes_on_any_truncation():
    text = FEATURES_PROTO
    text = text.replace('import "dep.proto";', "").replace('import public "pub.proto";', "")
    for end in range(0, len(text), 11):
        try:
            parse_schema(text[:end], "cut.proto")
        except SchemaError as error:
            assert error.line >= 0 and error.message


def test_unreadable_file_is_a_schema_error(tmp_path):
    with pytest.raises(SchemaError, match="cannot read the schema file"):
        load_schema(tmp_path / "nope.proto")
    bad = tmp_path / "latin1.proto"
    bad.write_bytes(b"// caf\xe9\nmessage M {}")
    with pytest.raises(SchemaError, match="not valid UTF-8") as caught:
        load_schema(bad)
    assert caught.value.line == 1


def test_import_cycle_is_reported(tmp_path):
    write(tmp_path, "a.proto", 'syntax = "proto2"; import "b.proto"; message A {}')
    write(tmp_path, "b.proto", 'syntax = "proto2"; import "a.proto"; message B {}')
    with pytest.raises(SchemaError, match="imports itself"):
        load_schema(tmp_path / "a.proto")
