"""The .proto schema loader: grammar features, errors, caching, and protoc as the oracle.

The strongest checks compile the same .proto files with the real protoc (from grpc_tools) and
require our FileDescriptorProto to equal protoc's, message by message and field by field.
"""

from __future__ import annotations

import difflib
import math
import os
import pickle
import textwrap
from importlib import resources
from pathlib import Path

import pytest

from protolint.cache import cache_dir
from protolint.schema import loader, proto_parser
from protolint.schema.descriptors import default_text, message_classes, to_file_descriptor
from protolint.schema.loader import SchemaError, builtin_schema, load_schema, parse_schema
from protolint.schema.model import Schema

BUILTIN_PROTO = Path(str(resources.files("protolint.schema").joinpath("caffe.proto")))


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    """Each test gets its own disk cache and an empty in-process cache."""
    cache = tmp_path / "schema-cache"
    monkeypatch.setenv("PROTOLINT_CACHE_DIR", str(cache))
    loader.clear_memory_cache()
    yield cache
    loader.clear_memory_cache()


def parse(body: str, syntax: str = "proto2") -> Schema:
    return parse_schema(f'syntax = "{syntax}";\n' + textwrap.dedent(body), "test.proto")


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# Grammar features
# ---------------------------------------------------------------------------------------------


def test_syntax_package_and_top_level_order():
    schema = parse(
        """
        package caffe.sub;
        ;
        message B {}
        enum E { X = 0; }
        message A {}
        """
    )
    assert schema.syntax == "proto2"
    assert schema.package == "caffe.sub"
    assert schema.top_messages == ["caffe.sub.B", "caffe.sub.A"]
    assert schema.top_enums == ["caffe.sub.E"]
    assert schema.message("A") is schema.messages["caffe.sub.A"]


def test_file_without_syntax_statement_is_proto2():
    schema = parse_schema("message M { optional int32 a = 1; }")
    assert schema.syntax == "proto2"
    assert schema.message("M").fields["a"].scalar == "int32"


def test_imports_public_and_weak(tmp_path):
    write(tmp_path, "dep/base.proto", 'syntax = "proto2"; package base; message Base { optional int32 v = 1; }')
    write(tmp_path, "pub.proto", 'syntax = "proto2"; package pub; enum Color { RED = 1; }')
    main = write(
        tmp_path,
        "main.proto",
        """
        syntax = "proto2";
        import "dep/base.proto";
        import public "pub.proto";
        import weak "google/protobuf/descriptor.proto";
        message M {
          optional base.Base b = 1;
          optional pub.Color c = 2 [default = RED];
          optional google.protobuf.FieldOptions o = 3;
        }
        """,
    )
    schema = load_schema(main)
    assert schema.imports == ["dep/base.proto", "pub.proto", "google/protobuf/descriptor.proto"]
    assert schema.public_imports == [1]
    assert schema.weak_imports == [2]
    fields = schema.message("M").fields
    assert fields["b"].message is schema.dependencies["dep/base.proto"].messages["base.Base"]
    assert fields["c"].enum.full_name == "pub.Color" and fields["c"].default == "RED"
    assert fields["o"].message.full_name == "google.protobuf.FieldOptions"
    assert set(schema.messages) == {"M"}  # imported types stay in their own schema


def test_import_search_paths(tmp_path):
    write(tmp_path / "include", "lib.proto", 'syntax = "proto2"; message Lib {}')
    main = write(
        tmp_path / "src", "main.proto", 'syntax = "proto2"; import "lib.proto"; message M { optional Lib l = 1; }'
    )
    with pytest.raises(SchemaError, match='cannot find the imported file "lib.proto"'):
        load_schema(main)
    schema = load_schema(main, import_paths=[tmp_path / "include"])
    assert schema.message("M").fields["l"].message.name == "Lib"


def test_options_at_every_level():
    schema = parse(
        """
        option java_package = "org.caffe";
        option optimize_for = CODE_SIZE;
        option (my.file_opt).sub = 5;
        message M {
          option deprecated = true;
          option (msg_opt) = { a: 1 b: "x" };
          optional int32 a = 1 [deprecated = true, (my.field_opt) = -inf, ctype = CORD];
          enum E {
            option allow_alias = true;
            option deprecated = true;
            A = 0;
            B = 0 [deprecated = true, (v_opt) = "s"];
          }
        }
        """
    )
    assert schema.options == {"java_package": "org.caffe", "optimize_for": "CODE_SIZE", "(my.file_opt).sub": 5}
    message = schema.message("M")
    assert message.options["deprecated"] is True
    assert message.options["(msg_opt)"].replace(" ", "") == '{a:1b:"x"}'  # kept as written
    field = message.fields["a"]
    assert field.deprecated and field.options["ctype"] == "CORD"
    assert field.options["(my.field_opt)"] == -math.inf
    enum = message.nested_enums["E"]
    assert enum.allow_alias and enum.options["deprecated"] is True
    assert enum.values["B"].deprecated and enum.values["B"].options["(v_opt)"] == "s"


def test_nested_messages_and_containing():
    schema = parse(
        """
        package p;
        message Outer {
          message Inner {
            message Deepest { optional int32 x = 1; }
            optional Deepest d = 1;
          }
          enum Kind { A = 0; }
          optional Inner inner = 1;
        }
        """
    )
    assert set(schema.messages) == {"p.Outer", "p.Outer.Inner", "p.Outer.Inner.Deepest"}
    assert set(schema.enums) == {"p.Outer.Kind"}
    outer = schema.messages["p.Outer"]
    assert list(outer.nested_messages) == ["Inner"] and list(outer.nested_enums) == ["Kind"]
    inner = outer.fields["inner"]
    assert inner.containing is outer and inner.message is outer.nested_messages["Inner"]
    assert inner.kind == "message"
    deepest = schema.messages["p.Outer.Inner.Deepest"]
    assert deepest.fields["x"].containing is deepest


def test_enums_values_numbers_and_alias():
    schema = parse(
        """
        enum E {
          option allow_alias = true;
          ZERO = 0;
          NEG = -5;
          HEX = 0x10;
          OCT = 010;
          ALIAS = 0;
        }
        """
    )
    enum = schema.enums["E"]
    assert [(v.name, v.number) for v in enum.values.values()] == [
        ("ZERO", 0), ("NEG", -5), ("HEX", 16), ("OCT", 8), ("ALIAS", 0)
    ]  # fmt: skip
    assert enum.allow_alias
    assert enum.value_by_number(0).name == "ZERO"


def test_labels_and_scalar_types():
    types = ["double", "float", "int32", "int64", "uint32", "uint64", "sint32", "sint64",
             "fixed32", "fixed64", "sfixed32", "sfixed64", "bool", "string", "bytes"]  # fmt: skip
    body = "\n".join(f"  {label} {t} f_{t} = {i + 1};" for i, (t, label) in
                     enumerate(zip(types, ["optional", "required", "repeated"] * 5, strict=True)))  # fmt: skip
    message = parse(f"message M {{\n{body}\n}}").message("M")
    for t in types:
        field = message.fields[f"f_{t}"]
        assert field.scalar == t and field.kind == "scalar"
    assert message.fields["f_double"].label == "optional"
    assert message.fields["f_float"].required
    assert message.fields["f_int32"].repeated


def test_field_numbers_in_decimal_hex_and_octal():
    message = parse("message M { optional int32 a = 10; optional int32 b = 0x1F; optional int32 c = 017; }").message(
        "M"
    )
    assert [f.number for f in message.fields.values()] == [10, 31, 15]
    assert message.field_by_number(31).name == "b"


def test_type_names_resolve_innermost_first():
    schema = parse(
        """
        package a.b;
        message X { optional int32 top = 1; }
        message Outer {
          message X { optional int32 inner = 1; }
          optional X near = 1;
          optional .a.b.X absolute = 2;
          optional b.X via_package = 3;
          optional Outer.X dotted = 4;
          message Middle { optional X x = 1; }
        }
        """
    )
    fields = schema.messages["a.b.Outer"].fields
    assert fields["near"].message.full_name == "a.b.Outer.X"
    assert fields["absolute"].message.full_name == "a.b.X"
    assert fields["via_package"].message.full_name == "a.b.X"
    assert fields["dotted"].message.full_name == "a.b.Outer.X"
    assert schema.messages["a.b.Outer.Middle"].fields["x"].message.full_name == "a.b.Outer.X"


def test_dotted_name_whose_first_part_is_a_field_keeps_looking_outward():
    # protoc skips a first part that is not a message/enum/package ("B" is a field in A).
    schema = parse("message A { optional int32 B = 1; message X { optional B.C c = 1; } } message B { message C {} }")
    assert schema.messages["A.X"].fields["c"].message.full_name == "B.C"


def test_keywords_are_plain_names_where_a_name_is_expected():
    message = parse(
        """
        message message {
          optional float max = 1;
          optional float min = 2;
          optional int32 to = 3;
          optional int32 option = 4;
          optional int32 group = 5;
          optional int32 map = 6;
          optional message optional = 7;
          optional int32 syntax = 8;
        }
        """
    ).message("message")
    assert list(message.fields) == ["max", "min", "to", "option", "group", "map", "optional", "syntax"]
    assert message.fields["optional"].message is message


@pytest.mark.parametrize(
    ("field_type", "literal", "expected"),
    [
        ("int32", "-17", -17),
        ("int32", "0x10", 16),
        ("int32", "-0x10", -16),
        ("int64", "-9223372036854775808", -(2**63)),
        ("uint64", "18446744073709551615", 2**64 - 1),
        ("uint32", "017", 15),
        ("float", "0.5", 0.5),
        ("float", "-1.5e-3", -1.5e-3),
        ("float", "1E5", 1e5),
        ("float", ".25", 0.25),
        ("float", "5.", 5.0),
        ("float", "3", 3.0),
        ("double", "inf", math.inf),
        ("double", "-inf", -math.inf),
        ("bool", "true", True),
        ("bool", "false", False),
        ("string", '"plain"', "plain"),
        ("string", '"tab\\there"', "tab\there"),
        ("string", r'"\x41\101\u00e9\"\'\\"', "AA\u00e9\"'\\"),
        ("string", '"con" \'cat\' "enated"', "concatenated"),
        ("string", '""', ""),
        ("bytes", r'"\000\377a"', "\x00\xffa"),
    ],
)
def test_default_values_become_python_values(field_type, literal, expected):
    field = parse(f"message M {{ optional {field_type} f = 1 [default = {literal}]; }}").message("M").fields["f"]
    assert field.has_default
    assert field.default == expected and type(field.default) is type(expected)
    assert field.effective_default() == expected


def test_nan_default():
    field = parse("message M { optional float f = 1 [default = nan]; }").message("M").fields["f"]
    assert math.isnan(field.default)


def test_enum_default_is_the_value_name():
    message = parse("message M { enum E { A = 1; B = 2; } optional E e = 1 [default = B]; optional E f = 2; }").message(
        "M"
    )
    assert message.fields["e"].default == "B"
    assert not message.fields["f"].has_default and message.fields["f"].effective_default() == "A"


def test_packed_and_deprecated():
    message = parse(
        "message M { repeated float a = 1 [packed = true]; optional int32 b = 2 [deprecated = true];"
        " repeated int32 c = 3 [packed = false]; optional bytes d = 4 [packed = false]; }"
    ).message("M")
    assert message.fields["a"].packed and not message.fields["a"].deprecated
    assert message.fields["b"].deprecated and not message.fields["b"].packed
    assert not message.fields["c"].packed


def test_oneof():
    message = parse(
        """
        message M {
          optional int32 before = 1;
          oneof choice {
            int32 number = 2;
            string text = 3;
            group Pick = 4 { optional int32 x = 1; }
          }
        }
        """
    ).message("M")
    assert message.oneofs == {"choice": ["number", "text", "pick"]}
    assert message.fields["text"].oneof == "choice" and message.fields["text"].label == "optional"
    assert message.fields["before"].oneof is None


def test_reserved_and_extension_ranges():
    schema = parse(
        """
        message M {
          reserved 2, 15, 9 to 11, 40 to 50;
          reserved "foo", "bar";
          extensions 100 to 199, 300;
          extensions 1000 to max;
          optional int32 a = 1;
        }
        enum E { A = 0; reserved -3 to -1, 7, 10 to max; reserved "OLD"; }
        """
    )
    message = schema.message("M")
    assert message.reserved_ranges == [(2, 2), (15, 15), (9, 11), (40, 50)]
    assert message.reserved_names == {"foo", "bar"} and message.reserved_names_ordered == ["foo", "bar"]
    assert message.extension_ranges == [(100, 199), (300, 300), (1000, 2**29 - 1)]
    assert parse("message R { reserved 7 to max; }").message("R").reserved_ranges == [(7, 2**29 - 1)]
    enum = schema.enums["E"]
    assert enum.reserved_ranges == [(-3, -1), (7, 7), (10, 2**31 - 1)] and enum.reserved_names == {"OLD"}


def test_extend_blocks():
    schema = parse(
        """
        package p;
        message Base { extensions 100 to max; optional int32 a = 1; }
        extend Base { optional string note = 100; }
        message Holder {
          extend Base { repeated int32 more = 101; }
        }
        """
    )
    base = schema.messages["p.Base"]
    (note,) = schema.extensions
    assert note.is_extension and note.containing is base and note.extension_scope is None
    (more,) = schema.messages["p.Holder"].extensions
    assert more.containing is base and more.extension_scope is schema.messages["p.Holder"]
    assert list(base.fields) == ["a"]  # extensions are not ordinary fields of the message


def test_groups():
    message = parse(
        """
        message SearchResponse {
          repeated group Result = 1 {
            required string url = 2;
          }
        }
        """
    ).message("SearchResponse")
    field = message.fields["result"]
    assert field.group and field.repeated and field.type_name == "Result"
    assert field.message is message.nested_messages["Result"]
    assert field.message.fields["url"].required


def test_map_fields_become_repeated_entry_messages():
    message = parse("message M { enum E { A = 0; } map<string, E> by_name = 1; map<int64, M> children = 2; }").message(
        "M"
    )
    field = message.fields["by_name"]
    assert field.repeated and field.message.name == "ByNameEntry" and field.message.map_entry
    assert field.message.fields["key"].scalar == "string"
    assert field.message.fields["value"].enum is message.nested_enums["E"]
    assert message.fields["children"].message.fields["value"].message is message


def test_services_are_parsed_and_ignored():
    schema = parse(
        """
        message Req {}
        service Solver {
          option deprecated = true;
          rpc Step (Req) returns (stream Req);
          rpc Run (stream .Req) returns (Req) { option deprecated = true; }
          ;
        }
        """
    )
    assert list(schema.messages) == ["Req"]


def test_proto3_fields_without_labels():
    schema = parse("message A { string s = 1; repeated int32 r = 2; map<string, int32> m = 3; }", syntax="proto3")
    assert schema.syntax == "proto3"
    assert schema.message("A").fields["s"].label == "optional"


def test_comments_become_docs():
    schema = parse(
        """
        // Describes M.
        message M {
          // Leading line one.
          // Leading line two.
          optional int32 a = 1;  // Trailing.

          // Separated by a blank line: not a's doc, and not b's either.

          optional int32 b = 2;
          /* Block
           * comment. */
          optional int32 c = 3 [default = 1]; /* trailing block */
          optional int32 d = 4; // about d
          optional int32 e = 5;
        }
        enum E {
          // The first.
          FIRST = 0;  // Really.
        }
        """
    )
    message = schema.message("M")
    assert message.doc == "Describes M."
    assert message.fields["a"].doc == "Leading line one.\nLeading line two.\nTrailing."
    assert message.fields["b"].doc == ""
    assert message.fields["c"].doc == "Block\ncomment.\ntrailing block"
    assert message.fields["d"].doc == "about d"
    assert message.fields["e"].doc == ""  # d's trailing comment is not e's leading one
    assert schema.enums["E"].values["FIRST"].doc == "The first.\nReally."


def test_comment_markers_inside_strings_are_not_comments():
    field = parse('message M { optional string s = 1 [default = "a // b /* c */"]; }').message("M").fields["s"]
    assert field.default == "a // b /* c */"


def test_json_names():
    message = parse(
        'message M { optional int32 foo_bar_baz = 1; optional int32 x = 2 [json_name = "Custom"]; }'
    ).message("M")
    assert message.fields["foo_bar_baz"].json_name == "fooBarBaz"
    assert message.fields["x"].json_name == "Custom"


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


# ---------------------------------------------------------------------------------------------
# Caching
# ---------------------------------------------------------------------------------------------


def test_memory_cache_returns_the_same_schema_until_the_file_changes(tmp_path):
    path = write(tmp_path, "m.proto", 'syntax = "proto2"; message M { optional int32 a = 1; }')
    first = load_schema(path)
    assert load_schema(str(path)) is first
    path.write_text('syntax = "proto2"; message M { optional int32 a = 1; optional int32 b = 2; }')
    os.utime(path, ns=(1, 1))  # a different mtime even on coarse clocks
    assert list(load_schema(path).message("M").fields) == ["a", "b"]


def test_disk_cache_is_used_without_parsing(tmp_path, isolated_cache, monkeypatch):
    path = write(tmp_path, "m.proto", 'syntax = "proto2"; message M { optional int32 a = 1 [default = 3]; }')
    load_schema(path)
    assert len(list(isolated_cache.glob("schema-*.pickle"))) == 1
    loader.clear_memory_cache()

    def no_parsing():
        raise AssertionError("the disk cache should have made parsing unnecessary")

    monkeypatch.setattr(proto_parser, "get_parser", no_parsing)
    schema = load_schema(path)
    assert schema.message("M").fields["a"].default == 3
    assert schema.message("M").fields["a"].containing is schema.message("M")
    # The same bytes elsewhere share the entry, but report their own path.
    copy = write(tmp_path / "other", "copy.proto", path.read_text())
    assert load_schema(copy).path == str(copy)


def test_bad_pickle_in_the_cache_is_ignored(tmp_path, isolated_cache):
    path = write(tmp_path, "m.proto", 'syntax = "proto2"; message M {}')
    load_schema(path)
    (entry,) = isolated_cache.glob("schema-*.pickle")
    entry.write_bytes(b"not a pickle")
    loader.clear_memory_cache()
    assert load_schema(path).has_message("M")
    entry.write_bytes(pickle.dumps({"schema": "wrong type"}))
    loader.clear_memory_cache()
    assert load_schema(path).has_message("M")


def test_unwritable_cache_dir_means_no_cache(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("PROTOLINT_CACHE_DIR", str(blocker / "cache"))  # cannot be created under a file
    path = write(tmp_path, "m.proto", 'syntax = "proto2"; message M {}')
    assert load_schema(path).has_message("M")


def test_cache_dir_follows_xdg_then_home(tmp_path, monkeypatch):
    monkeypatch.delenv("PROTOLINT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "protolint"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "protolint"


def test_cached_load_in_a_fresh_process_imports_neither_lark_nor_protobuf(tmp_path, isolated_cache):
    import subprocess
    import sys

    path = write(tmp_path, "m.proto", 'syntax = "proto2"; message M { optional int32 a = 1 [default = 3]; }')
    load_schema(path)  # fills the disk cache
    script = (
        "import sys; from protolint.schema.loader import load_schema; "
        f"s = load_schema({str(path)!r}); assert s.message('M').fields['a'].default == 3; "
        "print(sorted(m for m in ('lark', 'google.protobuf') if m in sys.modules))"
    )
    env = {**os.environ, "PROTOLINT_CACHE_DIR": str(isolated_cache)}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == "[]"


def test_changed_import_invalidates_the_disk_cache(tmp_path):
    dep = write(tmp_path, "dep.proto", 'syntax = "proto2"; message D { optional int32 a = 1; }')
    main = write(tmp_path, "main.proto", 'syntax = "proto2"; import "dep.proto"; message M { optional D d = 1; }')
    assert list(load_schema(main).message("M").fields["d"].message.fields) == ["a"]
    dep.write_text('syntax = "proto2"; message D { optional int32 a = 1; optional int32 b = 2; }')
    loader.clear_memory_cache()
    assert list(load_schema(main).message("M").fields["d"].message.fields) == ["a", "b"]


# ---------------------------------------------------------------------------------------------
# The built-in schema
# ---------------------------------------------------------------------------------------------


@pytest.mark.skipif(not BUILTIN_PROTO.is_file(), reason="protolint/schema/caffe.proto is not written yet")
def test_builtin_schema_loads_once():
    schema = builtin_schema()
    assert builtin_schema() is schema
    assert schema.package == "caffe"
    assert schema.has_message("NetParameter") and schema.has_message("LayerParameter")
    assert schema.message("NetParameter").fields["layer"].message is schema.message("LayerParameter")


# ---------------------------------------------------------------------------------------------
# protoc as the oracle
# ---------------------------------------------------------------------------------------------

FEATURES_PROTO = """\
// Every construct the loader knows, for comparison with protoc.
syntax = "proto2";

package test.features;

import "dep.proto";
import public "pub.proto";
import weak "google/protobuf/descriptor.proto";

option java_package = "org.example.test";
option optimize_for = CODE_SIZE;
option cc_enable_arenas = true;
;

/* A block comment
 * on a message. */
message Outer {
  option deprecated = true;
  // Leading comment
  required int32 id = 1; // trailing
  optional string name = 0x2 [default = "a\\tb\\x41\\101\\u00e9" 'cd'];
  repeated float values = 03 [packed = true];
  optional double d = 4 [default = -1.5e-3, deprecated = true];
  optional float f = 5 [default = -inf];
  optional float g = 6 [default = nan];
  optional bool b = 7 [default = true];
  optional bytes raw = 8 [default = "\\000\\377xyz\\n\\"'"];
  optional int64 big = 9 [default = -9223372036854775808];
  optional uint64 ubig = 10 [default = 0xFFFFFFFFFFFFFFFF];
  optional sint32 s32 = 11 [default = -17];
  optional sint64 s64 = 12;
  optional fixed32 fx32 = 13 [default = 7];
  optional fixed64 fx64 = 14;
  optional sfixed32 sfx32 = 15 [default = -3];
  optional sfixed64 sfx64 = 16;
  optional uint32 u32 = 17 [default = 4294967295];
  optional Mode mode = 18 [default = FAST];
  optional Inner inner = 19;
  optional .test.features.Outer.Inner inner_abs = 20;
  optional other.pkg.Shared shared = 21;
  optional other.pkg.Color color = 22 [default = GREEN];
  optional pub.Pub pubmsg = 23;
  optional string json = 24 [json_name = "customJson"];
  optional string cord = 25 [ctype = CORD];
  optional float max = 26 [default = 1];
  optional int32 message = 27;
  optional Top top = 28;
  optional double exp = 29 [default = 1E10];
  optional float dot = 30 [default = .25];
  optional float trailing_dot = 31 [default = 5.];
  repeated Mode modes = 32 [packed = true];
  optional string empty = 33 [default = ""];
  optional float third = 34 [default = 0.3333333333];
  optional double sum = 35 [default = 0.30000000000000004];
  optional float huge = 36 [default = 1.5e300];
  optional float tiny = 37 [default = 1e-50];
  optional double small = 38 [default = 1e-8];
  optional double precise = 39 [default = 0.000123456789];
  optional double neg_zero = 46 [default = -0.0];
  optional float f_hex = 47 [default = 0x10];
  optional double million = 48 [default = 1000000];
  optional float near_max = 49 [default = 3.4028235e38];
  optional double x_y_z = 50;

  enum Mode {
    option allow_alias = true;
    SLOW = 0;
    FAST = 1;
    QUICK = 1 [deprecated = true];
    NEG = -5;
    HEX = 0x10;
  }
  message Inner {
    optional Mode mode = 1;
    optional Inner child = 2;
    optional Deeper deeper = 3;
    message Deeper { optional Outer.Mode m = 1; optional Inner back = 2; }
  }
  oneof choice {
    int32 choice_int = 40;
    string choice_str = 41;
    group ChoiceGroup = 42 { optional int32 x = 1; }
  }
  optional group Result = 43 {
    required string url = 1;
    repeated int32 hits = 2;
  }
  map<string, Inner> inner_map = 44;
  map<int32, Mode> mode_map = 45;
  reserved 100, 101 to 105, 1000 to max;
  reserved "old_name", "older";
  extensions 200 to 299, 300;
  extend other.pkg.Shared {
    optional int32 shared_ext = 150;
  }
  ;
}

message Top {
  extensions 10 to max;
  optional int32 a = 1;
}

extend Top {
  optional string top_ext = 10;
  repeated group TopGroup = 11 { optional int32 y = 1; }
}

extend google.protobuf.FieldOptions {
  optional string my_field_opt = 50001;
}

enum TopEnum {
  ZERO = 0;
  ONE = 1;
  reserved 5, 10 to 20, 40 to max;
  reserved "GONE";
}

message Empty {}

message MessageSet {
  option message_set_wire_format = true;
  extensions 4 to max;
}

service Svc {
  option deprecated = true;
  rpc Call (Top) returns (stream Outer);
  rpc Other (stream .test.features.Top) returns (Top) { option deprecated = true; }
  ;
}
"""

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
