"""The .proto schema loader: what it builds from each construct of the grammar, and the built-in caffe.proto."""

from __future__ import annotations

import math

import pytest
from schema.kit import BUILTIN_PROTO, parse, write

from protolint.schema.loader import SchemaError, builtin_schema, load_schema, parse_schema

pytestmark = pytest.mark.usefixtures("isolated_cache")


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
# The built-in schema
# ---------------------------------------------------------------------------------------------


@pytest.mark.skipif(not BUILTIN_PROTO.is_file(), reason="protolint/schema/caffe.proto is not written yet")
def test_builtin_schema_loads_once():
    schema = builtin_schema()
    assert builtin_schema() is schema
    assert schema.package == "caffe"
    assert schema.has_message("NetParameter") and schema.has_message("LayerParameter")
    assert schema.message("NetParameter").fields["layer"].message is schema.message("LayerParameter")
