"""The schema checks: unknown-field, invalid-value, duplicate-field (what protobuf's own parser
rejects, with better words), the typed values of accepted files, how the root message is chosen,
and the schema-level rules unknown-layer-type, mixed-layer-formats and deprecated-field."""

from __future__ import annotations

import math
import struct

import pytest
from google.protobuf import text_format

from protolint.api import default_options
from protolint.api import lint_bytes
from protolint.schema.descriptors import message_classes
from protolint.schema.loader import parse_schema

REJECTING = ("syntax-error", "unknown-field", "invalid-value", "duplicate-field")


def where(d) -> tuple[int, int, int, int]:
    return (d.line, d.column, d.end_line, d.end_column)


def findings(result, *rules: str):
    """(rule, position, message) of the diagnostics of the given rules (default: the rejecting ones)."""
    wanted = rules or REJECTING
    return [(d.rule, where(d), d.message) for d in result.diagnostics if d.rule in wanted]


def only(result, *rules: str):
    found = findings(result, *rules)
    assert len(found) == 1, found
    return found[0]


# ---------------------------------------------------------------------------------------------
# unknown-field
# ---------------------------------------------------------------------------------------------


def test_unknown_field_did_you_mean(lint_text):
    result = lint_text('layer {\n  name: "a"\n  tpye: "ReLU"\n}')
    assert only(result) == (
        "unknown-field",
        (3, 3, 3, 7),
        "unknown field `tpye` in LayerParameter; did you mean `type`?",
    )
    assert only(lint_text('layer { Name: "a" }'))[2] == "unknown field `Name` in LayerParameter; did you mean `name`?"


def test_unknown_field_that_belongs_in_a_parameter_block(lint_text):
    result = lint_text('layer {\n  name: "conv1"\n  type: "Convolution"\n  dilation: 2\n}')
    assert only(result) == (
        "unknown-field",
        (4, 3, 4, 11),
        "unknown field `dilation` in LayerParameter; `dilation` belongs inside `convolution_param { ... }`",
    )
    several = lint_text('layer { name: "c" kernel_size: 3 }')
    assert only(several) == (
        "unknown-field",
        (1, 19, 1, 30),
        "unknown field `kernel_size` in LayerParameter; `kernel_size` belongs inside one of "
        "`convolution_param`, `pooling_param`",
    )


def test_unknown_field_without_a_suggestion_mentions_forks(lint_text):
    assert only(lint_text("layer { xyzzy: 1 }")) == (
        "unknown-field",
        (1, 9, 1, 14),
        "unknown field `xyzzy` in LayerParameter; if your Caffe fork defines it, pass its caffe.proto with --proto",
    )


def test_unknown_field_is_reported_once_and_its_value_is_skipped(lint_text):
    # An unknown message field's body is not checked against anything (protobuf stops at the name).
    result = lint_text('layer { my_box_param { min_size: "not a number" foo: 1 } name: "p" }')
    assert findings(result) == [
        (
            "unknown-field",
            (1, 9, 1, 21),
            "unknown field `my_box_param` in LayerParameter; "
            "if your Caffe fork defines it, pass its caffe.proto with --proto",
        )
    ]
    assert result.document.root.first("layer").message.first("name").scalar == "p"


def test_extension_and_any_names_are_unknown(lint_text):
    result = lint_text("[caffe.my_ext]: 1\nlayer { [type.googleapis.com/caffe.Foo] { } }")
    assert findings(result) == [
        (
            "unknown-field",
            (1, 1, 1, 15),
            "`[caffe.my_ext]`: NetParameter has no extensions in this schema; "
            "if your Caffe fork defines it, pass its caffe.proto with --proto",
        ),
        (
            "unknown-field",
            (2, 9, 2, 40),
            "`[type.googleapis.com/caffe.Foo]`: LayerParameter has no extensions in this schema; "
            "if your Caffe fork defines it, pass its caffe.proto with --proto",
        ),
    ]


# ---------------------------------------------------------------------------------------------
# invalid-value
# ---------------------------------------------------------------------------------------------


def conv(value: str, field: str = "num_output") -> str:
    return f"layer {{ convolution_param {{ {field}: {value} }} }}"


VALUE_COLUMN = len("layer { convolution_param { num_output: ") + 1


@pytest.mark.parametrize(
    "text, column, message",
    [
        # uint32
        (conv("4294967296"), VALUE_COLUMN, "invalid value `4294967296` for `num_output`: integer out of range for uint32 (0 to 4294967295)"),
        (conv("-1"), VALUE_COLUMN, "invalid value `-1` for `num_output`: uint32 cannot be negative"),
        (conv("0x100000000"), VALUE_COLUMN, "invalid value `0x100000000` for `num_output`: integer out of range for uint32 (0 to 4294967295)"),
        (conv("2.0"), VALUE_COLUMN, "invalid value `2.0` for `num_output`: expected an integer (uint32), not a fractional or exponent number"),
        (conv("1e3"), VALUE_COLUMN, "invalid value `1e3` for `num_output`: expected an integer (uint32), not a fractional or exponent number"),
        (conv("ten"), VALUE_COLUMN, "invalid value `ten` for `num_output`: expected an integer (uint32)"),
        (conv('"10"'), VALUE_COLUMN, "invalid value `\"10\"` for `num_output`: expected an integer (uint32)"),
        (conv("09"), VALUE_COLUMN, "invalid value `09` for `num_output`: a number with a leading zero is octal and may only use digits 0-7"),
        # int32
        (conv("2147483648", "axis"), 35, "invalid value `2147483648` for `axis`: integer out of range for int32 (-2147483648 to 2147483647)"),
        (conv("-2147483649", "axis"), 35, "invalid value `-2147483649` for `axis`: integer out of range for int32 (-2147483648 to 2147483647)"),
        # int64
        ("random_seed: 9223372036854775808", 14, "invalid value `9223372036854775808` for `random_seed`: integer out of range for int64 (-9223372036854775808 to 9223372036854775807)"),
        # float
        ("layer { loss_weight: 0x10 }", 22, "invalid value `0x10` for `loss_weight`: hexadecimal is not allowed for a floating-point field"),
        ("layer { loss_weight: 010 }", 22, "invalid value `010` for `loss_weight`: a number may not start with 0 followed by digits (that is octal, not allowed for floats)"),
        ("layer { loss_weight: 01.5 }", 22, "invalid value `01.5` for `loss_weight`: a number may not start with 0 followed by digits (that is octal, not allowed for floats)"),
        ("layer { loss_weight: high }", 22, "invalid value `high` for `loss_weight`: expected a number"),
        ('layer { loss_weight: "1" }', 22, "invalid value `\"1\"` for `loss_weight`: expected a number"),
        # bool
        ("force_backward: yes", 17, "invalid value `yes` for `force_backward`: expected true or false"),
        ("force_backward: 2", 17, "invalid value `2` for `force_backward`: expected true or false"),
        ("force_backward: TRUE", 17, "invalid value `TRUE` for `force_backward`: expected true or false"),
        ('force_backward: "true"', 17, "invalid value `\"true\"` for `force_backward`: expected true or false"),
        # string
        ("name: LeNet", 7, "invalid value `LeNet` for `name`: expected a string in quotes"),
        ("name: 42", 7, "invalid value `42` for `name`: expected a string in quotes"),
        ('name: "\\xff\\xfe"', 7, "invalid value `\"\\xff\\xfe\"` for `name`: the string is not valid UTF-8 text; save the file as UTF-8"),
        # enum
        ("layer { pooling_param { pool: max } }", 31, "invalid value `max` for `pool`: PoolMethod has no value `max`; did you mean `MAX`?"),
        ("layer { pooling_param { pool: MEDIAN } }", 31, "invalid value `MEDIAN` for `pool`: PoolMethod has no value `MEDIAN`; expected one of MAX, AVE, STOCHASTIC"),
        ("layer { pooling_param { pool: 7 } }", 31, "invalid value `7` for `pool`: PoolMethod has no value numbered 7; expected one of MAX, AVE, STOCHASTIC"),
        ("layer { pooling_param { pool: -1 } }", 31, "invalid value `-1` for `pool`: PoolMethod has no value numbered -1; expected one of MAX, AVE, STOCHASTIC"),
        ("layer { pooling_param { pool: 1.0 } }", 31, "invalid value `1.0` for `pool`: expected one of MAX, AVE, STOCHASTIC"),
        ('layer { pooling_param { pool: "MAX" } }', 31, "invalid value `\"MAX\"` for `pool`: PoolMethod values are written without quotes: `MAX`"),
        ('layer { pooling_param { pool: "ave" } }', 31, "invalid value `\"ave\"` for `pool`: PoolMethod values are written without quotes: `AVE`"),
        (
            'layers { type: "Softmax" }',
            16,
            "invalid value `\"Softmax\"` for `type`: V1 `layers` blocks take an enum name without quotes (`type: SOFTMAX`); "
            "a quoted type string belongs in the current `layer` format",
        ),
        (
            'layers { type: "InnerProduct" }',
            16,
            "invalid value `\"InnerProduct\"` for `type`: V1 `layers` blocks take an enum name without quotes "
            "(`type: INNER_PRODUCT`); a quoted type string belongs in the current `layer` format",
        ),
    ],
)
def test_invalid_values(lint_text, text, column, message):
    rule, position, found = only(lint_text(text))
    assert rule == "invalid-value"
    assert position[:3] == (1, column, 1)
    assert found == message


@pytest.mark.parametrize(
    "literal, start, end, message",
    [
        (r'"a\q"', 9, 11, "invalid escape `\\q` in a string; write `\\\\` for a backslash"),
        (r'"C:\data"', 10, 12, "invalid escape `\\d` in a string; write `\\\\` for a backslash"),
        (r'"\8"', 8, 10, "invalid escape `\\8` in a string; write `\\\\` for a backslash"),
        (r'"\x"', 8, 10, "invalid escape `\\x` in a string; write `\\\\` for a backslash"),
        (r'"\u12"', 8, 10, "invalid escape `\\u` in a string; write `\\\\` for a backslash"),
        (r'"\U00110000"', 8, 10, "invalid escape `\\U` in a string; write `\\\\` for a backslash"),
        (r'"ok" "\400"', 13, 15, "octal escape \\400 is larger than one byte"),
        (r'"\ud800"', 8, 10, "escape \\ud800 is a lone UTF-16 surrogate, not a character"),
    ],
)
def test_bad_escapes_point_at_the_escape(lint_text, literal, start, end, message):
    rule, position, found = only(lint_text(f"name: {literal}"))
    assert (rule, position, found) == ("invalid-value", (1, start, 1, end), message)


def test_list_syntax_on_a_single_field(lint_text):
    assert only(lint_text('name: ["a", "b"]')) == (
        "invalid-value",
        (1, 7, 1, 17),
        "`name` takes one value, so the list syntax `[...]` is not allowed; write `name: value` "
        "(only repeated fields take lists)",
    )
    assert only(lint_text("layer { convolution_param [ { } ] }"))[:2] == ("invalid-value", (1, 27, 1, 34))


def test_message_given_a_scalar_and_scalar_given_a_message(lint_text):
    assert only(lint_text('layer: "conv1"')) == (
        "invalid-value",
        (1, 8, 1, 15),
        "`layer` is a LayerParameter message, not a single value; write `layer { ... }`",
    )
    assert only(lint_text("name { }")) == (
        "invalid-value",
        (1, 6, 1, 7),
        "`name` takes a string in quotes, not a message in braces",
    )
    assert only(lint_text("layer { pooling_param { pool < > } }")) == (
        "invalid-value",
        (1, 30, 1, 31),
        "`pool` takes a PoolMethod value, not a message in braces",
    )
    assert only(lint_text('layer { top: ["a", { }] }'))[:2] == ("invalid-value", (1, 20, 1, 21))


# ---------------------------------------------------------------------------------------------
# duplicate-field
# ---------------------------------------------------------------------------------------------


def test_duplicate_singular_field(lint_text):
    text = 'layer {\n  name: "a"\n  convolution_param {\n    num_output: 64\n    num_output: 128\n  }\n}'
    result = lint_text(text)
    [d] = [d for d in result.diagnostics if d.rule in REJECTING]
    assert (d.rule, where(d)) == ("duplicate-field", (5, 5, 5, 15))
    assert d.message == (
        "`num_output` is set twice in ConvolutionParameter (first at line 4) but takes one value: "
        "`caffe` aborts while parsing (pycaffe's text_format.Merge would silently keep the last one); keep one"
    )
    [related] = d.related
    assert (related.line, related.column, related.message) == (4, 5, "first `num_output` here")


def test_duplicate_message_field_and_repeated_fields(lint_text):
    result = lint_text('layer { pooling_param { pool: MAX } pooling_param { pool: AVE } top: "a" top: "b" }')
    found = findings(result)
    assert [(rule, pos[:2]) for rule, pos, _ in found] == [("duplicate-field", (1, 37))]
    assert "`pooling_param` is set twice in LayerParameter (first at line 1)" in found[0][2]
    # A third occurrence is reported too, each pointing back at the first.
    triple = lint_text("force_backward: true\nforce_backward: true\nforce_backward: false")
    assert [(d.line, d.related[0].line) for d in triple.diagnostics if d.rule == "duplicate-field"] == [(2, 1), (3, 1)]


# ---------------------------------------------------------------------------------------------
# Typed values of an accepted file
# ---------------------------------------------------------------------------------------------

NET = """name: "tiny"
layer {
  name: "data" type: "Input" top: "data"
  input_param { shape { dim: 1 dim: 3 dim: 0x20 dim: 32 } }
}
layer {
  name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
  param { lr_mult: 1 decay_mult: 1 } param { lr_mult: 2 decay_mult: 0 }
  convolution_param {
    num_output: 16 bias_term: false pad: 1 kernel_size: 3 stride: [1, 1]
    weight_filler { type: "gaussian" std: 0.01 } engine: CUDNN
  }
  propagate_down: true
}
layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1"
        pooling_param { pool: 1 kernel_size: 2 stride: 2 } loss_weight: 1e-2 }
"""


def test_values_are_typed(lint_text):
    result = lint_text(NET, select=["P"])  # the fixture is about typing; it is not a sound net (two params, no bias)
    assert [d for d in result.diagnostics if d.severity == "error"] == []
    root = result.document.root
    assert root.schema.name == "NetParameter" and root.first("name").scalar == "tiny"
    data, conv1, pool1 = (f.message for f in root.all("layer"))
    assert all(layer.schema.name == "LayerParameter" for layer in (data, conv1, pool1))
    shape = data.first("input_param").message.first("shape").message
    assert shape.schema.name == "BlobShape"
    assert [f.scalar for f in shape.all("dim")] == [1, 3, 32, 32]
    assert all(type(f.scalar) is int for f in shape.all("dim"))
    params = [(p.message.first("lr_mult").scalar, p.message.first("decay_mult").scalar) for p in conv1.all("param")]
    assert params == [(1.0, 1.0), (2.0, 0.0)] and all(type(v) is float for pair in params for v in pair)
    conv = conv1.first("convolution_param").message
    assert conv.first("bias_term").scalar is False
    assert [v.value for v in conv.first("stride").values()] == [1, 1]
    assert conv.first("engine").scalar == "CUDNN"
    assert conv.first("weight_filler").message.first("std").scalar == 0.01
    assert conv1.first("propagate_down").scalar is True
    assert pool1.first("pooling_param").message.first("pool").scalar == "AVE"  # enum by number
    assert pool1.first("loss_weight").scalar == 0.01
    assert conv1.first("convolution_param").schema.name == "convolution_param"
    assert all(s.typed for f in (conv.first("num_output"), conv.first("engine")) for s in f.values())


# The integer, float, bool, string, bytes and enum rules against protobuf's own parser, on a schema
# that has every scalar type.
TYPES_PROTO = """
syntax = "proto2";
package t;
message Types {
  enum Color { RED = 0; GREEN = 1; BLUE = 5; }
  optional int32 i32 = 1;
  optional uint32 u32 = 2;
  optional int64 i64 = 3;
  optional uint64 u64 = 4;
  optional sint32 s32 = 5;
  optional fixed32 fx32 = 6;
  optional sfixed64 sfx64 = 7;
  optional fixed64 fx64 = 8;
  optional float f = 9;
  optional double d = 10;
  optional bool b = 11;
  optional string s = 12;
  optional bytes y = 13;
  optional Color c = 14;
  repeated int32 many = 15;
  optional Types child = 16;
  oneof choice { int32 one = 17; string other = 18; }
}
"""

CASES = {
    "i32": "0 -0 7 017 0x7fffffff 0X7FFFFFFF 2147483647 -2147483648 -0x80000000 2147483648 -2147483649 0x80000000 "
           "08 1.0 1e2 1f true t abc \"1\"",
    "u32": "0 4294967295 0xFFFFFFFF 037777777777 4294967296 -1 -5 1.5 inf",
    "i64": "9223372036854775807 -9223372036854775808 9223372036854775808 -9223372036854775809 0x7FFFFFFFFFFFFFFF",
    "u64": "18446744073709551615 0xFFFFFFFFFFFFFFFF 18446744073709551616 -1",
    "s32": "-2147483648 2147483647 2147483648",
    "fx32": "4294967295 4294967296 -1",
    "sfx64": "-9223372036854775808 -9223372036854775809",
    "fx64": "18446744073709551615 -1",
    "f": "1 -1 1.5 .5 5. 1e-3 1E+3 10f 1.5F 0 0.0 inf -inf Infinity INF nan -nan NaN infinityf nanf 1e39 -1e39 "
         "3.4028235e38 1e-50 0x10 010 00.5 abc infinite true \"1\"",
    "d": "1 1.5 1e308 1e309 -inf nan 0x1 07 abc",
    "b": "true false True False t f 1 0 2 -1 TRUE yes 01 0x1 \"true\" 1.0",
    "s": "\"x\" 'y' \"a\"'b' \"\" \"\\303\\251\" \"\\u00e9\" abc 1 \"\\xff\" \"\\377\\376\"",
    "y": "\"x\" \"\\xff\\x00\" \"\\377\" '\\'' abc 1",
    "c": "RED GREEN BLUE 0 1 5 2 -1 red Red \"RED\" 1.0 -RED",
}


def _f32(value: float) -> float:
    try:
        return struct.unpack("<f", struct.pack("<f", value))[0]
    except OverflowError:
        return math.copysign(math.inf, value)


@pytest.fixture(scope="module")
def types_schema():
    schema = parse_schema(TYPES_PROTO, "types.proto")
    return schema, message_classes(schema)["t.Types"]


@pytest.mark.parametrize(
    "field, value", [(field, value) for field, values in CASES.items() for value in values.split()]
)
def test_scalar_rules_agree_with_protobuf(types_schema, field, value):
    schema, cls = types_schema
    text = f"{field}: {value}\n"
    result = lint_bytes("t.prototxt", text.encode(), default_options(schema=schema, root="Types"))
    ours = findings(result)
    message = cls()
    try:
        text_format.Parse(text, message)
        theirs = None
    except text_format.ParseError as error:
        theirs = error
    assert (theirs is None) == (not ours), (ours, theirs)
    if theirs is not None:
        assert [(rule, pos[:2]) for rule, pos, _ in ours] == [("invalid-value", (1, len(field) + 3))]
        return
    got = result.document.root.first(field).scalar
    expected = getattr(message, field)
    if field == "c":
        expected = message.DESCRIPTOR.fields_by_name["c"].enum_type.values_by_number[expected].name
    if field == "f":
        got = _f32(got)
    if isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(got)
    else:
        assert got == expected and type(got) is type(expected), (got, expected)


def test_oneof_members_are_exclusive(types_schema):
    schema, _ = types_schema
    result = lint_bytes("t", b'one: 1\nother: "x"\n', default_options(schema=schema, root="Types"))
    [d] = [d for d in result.diagnostics if d.rule in REJECTING]
    assert (d.rule, where(d)) == ("invalid-value", (2, 1, 2, 6))
    assert d.message == "`other` and `one` (line 1) are both members of oneof `choice` in Types; keep only one"
    assert [(r.line, r.column) for r in d.related] == [(1, 1)]


def test_recursive_schema_deep_nesting_does_not_overflow(types_schema):
    # Once a RecursionError: the checker recursed once per nesting level.
    schema, _ = types_schema
    depth = 20_000
    text = "child { " * depth + "i32: 1 wrong: 2 " + "} " * depth
    result = lint_bytes("t", text.encode(), default_options(schema=schema, root="Types"))
    [d] = [d for d in result.diagnostics if d.rule in REJECTING]
    assert d.message.startswith("unknown field `wrong` in Types")
    message = result.document.root
    for _ in range(depth):
        message = message.first("child").message
    assert message.first("i32").scalar == 1 and message.schema.name == "Types"


# ---------------------------------------------------------------------------------------------
# The root message
# ---------------------------------------------------------------------------------------------

SOLVER = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "step"\nmax_iter: 1000\nsolver_mode: GPU\n'


def test_root_from_content(lint_text):
    assert lint_text(SOLVER).kind == "solver"
    assert lint_text(SOLVER).document.root_type.full_name == "caffe.SolverParameter"
    assert lint_text(NET).kind == "net"
    assert lint_text(NET).document.root_type.full_name == "caffe.NetParameter"
    # Nothing to go by: the file name decides for an empty solver, else a net.
    assert lint_text("", path="models/solver.prototxt").kind == "solver"
    assert lint_text("# nothing\n", path="deploy.prototxt").kind == "net"


def test_root_from_header_comment(lint_text):
    result = lint_text('# proto-message: SolverParameter\nname: "not a solver field"\n')
    assert result.kind == "solver"
    assert only(result)[:2] == ("unknown-field", (2, 1, 2, 5))
    assert lint_text("# proto-message: caffe.NetParameter\nbase_lr: 1\n").kind == "net"
    datum = lint_text("# proto-message: Datum\nchannels: 3 data: '\\x01'\n")
    assert datum.kind == "Datum" and findings(datum) == []


def test_root_from_options(lint_text):
    result = lint_text('name: "x"\n', root="solver")
    assert result.kind == "solver"
    assert only(result)[2].startswith("unknown field `name` in SolverParameter")
    assert lint_text(SOLVER, root="net").document.root_type.name == "NetParameter"
    # The option wins over a header.
    assert lint_text("# proto-message: NetParameter\n" + SOLVER, root="solver").kind == "solver"


def test_nets_inside_a_solver_are_checked_as_nets(lint_text):
    text = (
        SOLVER
        + 'net_param {\n  name: "inner"\n  layer { name: "a" type: "ReLU" nme: "x" }\n}\n'
        + 'train_net_param { layer { name: "b" type: "ReLU" kernel_size: 3 } }\n'
        + "test_net_param { layers { type: RELU } }\n"
        + 'test_net_param { layer { name: "c" type: "Relu" } }\n'
    )
    result = lint_text(text)
    assert result.kind == "solver"
    assert findings(result) == [
        ("unknown-field", (8, 34, 8, 37), "unknown field `nme` in LayerParameter; did you mean `name`?"),
        (
            "unknown-field",
            (10, 50, 10, 61),
            "unknown field `kernel_size` in LayerParameter; `kernel_size` belongs inside one of "
            "`convolution_param`, `pooling_param`",
        ),
    ]
    net = result.document.root.first("net_param").message
    assert net.schema.name == "NetParameter" and net.first("name").scalar == "inner"
    assert [d.line for d in result.diagnostics if d.rule == "unknown-layer-type"] == [12]
    assert [d.line for d in result.diagnostics if d.rule == "legacy-v1-syntax"] == []  # inline: not upgraded at all
    assert [d.line for d in result.diagnostics if d.rule == "inline-net-legacy-syntax"] == [11]


# ---------------------------------------------------------------------------------------------
# unknown-layer-type, mixed-layer-formats, deprecated-field
# ---------------------------------------------------------------------------------------------


def test_unknown_layer_type(lint_text):
    result = lint_text(
        'layer { name: "r" type: "Relu" }\n'
        'layer { name: "c" type: "Convolutoin" }\n'
        'layer { name: "m" type: "MyCustomThing" }\n'
        'layer { name: "ok" type: "ReLU" }\n'
    )
    assert findings(result, "unknown-layer-type") == [
        (
            "unknown-layer-type",
            (1, 25, 1, 31),
            'unknown layer type "Relu": Caffe aborts with `Unknown layer type` when it builds the net; did you mean "ReLU"?',
        ),
        (
            "unknown-layer-type",
            (2, 25, 2, 38),
            'unknown layer type "Convolutoin": Caffe aborts with `Unknown layer type` when it builds the net; '
            'did you mean "Convolution"?',
        ),
        (
            "unknown-layer-type",
            (3, 25, 3, 40),
            'unknown layer type "MyCustomThing": Caffe aborts with `Unknown layer type` when it builds the net; '
            "if it is a custom or fork layer, add it to `extra-layer-types` in the configuration",
        ),
    ]
    assert all(d.severity == "error" for d in result.diagnostics if d.rule == "unknown-layer-type")


def test_extra_layer_types_option(lint_text):
    text = 'layer { name: "m" type: "MyCustomThing" }\nlayer { name: "p" type: "MyOtherThing" }'
    result = lint_text(text, extra_layer_types=frozenset({"MyCustomThing"}))
    assert [d.line for d in result.diagnostics if d.rule == "unknown-layer-type"] == [2]


def test_mixed_layer_formats(lint_text):
    result = lint_text('layers { name: "a" type: RELU }\nlayer { name: "b" type: "ReLU" }\nlayer { name: "c" type: "ReLU" }')
    [d] = [d for d in result.diagnostics if d.rule == "mixed-layer-formats"]
    assert (d.severity, where(d)) == ("error", (2, 1, 2, 6))
    assert d.message == (
        "`layer` after `layers` (line 1): a net may use V1 `layers` or `layer` blocks, not both — "
        "Caffe refuses to upgrade it; convert the `layers` blocks"
    )
    assert [(r.line, r.column, r.message) for r in d.related] == [(1, 1, "first `layers` here")]
    assert not [d for d in lint_text(NET).diagnostics if d.rule == "mixed-layer-formats"]


def test_deprecated_fields_are_info(lint_text):
    result = lint_text(
        'input: "data"\ninput_dim: 1\ninput_dim: 3\n'
        'layer { name: "cat" type: "Concat" bottom: "a" bottom: "b" top: "c" concat_param { concat_dim: 1 } }\n'
    )
    found = [(d.severity, d.line, d.column, d.message) for d in result.diagnostics if d.rule == "deprecated-field"]
    assert found == [
        ("info", 4, 84, "`concat_dim` is deprecated; write `axis` (which also accepts negative values)"),
    ]
    # The legacy input fields have a rule of their own, which says what Caffe turns them into.
    assert [d.line for d in result.diagnostics if d.rule == "legacy-input-fields"] == [1]
    solver = lint_text(SOLVER + "solver_type: NESTEROV\n")
    assert [(d.severity, d.line) for d in solver.diagnostics if d.rule == "deprecated-field"] == [("info", 6)]


def test_did_you_mean_never_renames_a_block_into_an_unrelated_message(lint_text):
    # bn_param's block has fields `param` (ParamSpec) does not take; a scalar typo still gets its hint.
    text = ('layer { name: "bn" type: "BatchNorm" bn_param { slope_filler { type: "constant" } frozen: true } }\n'
            'layer { name: "c" type: "Convolution" convolutoin_param { num_output: 2 } }\n'
            'layer { name: "d" type: "Convolution" convolution_param { num_output: 2 kernal_size: 3 } }')
    result = lint_text(text, ignore=("fork-schema-needed",))
    messages = [d.message for d in result.diagnostics if d.rule == "unknown-field"]
    assert "did you mean" not in messages[0]
    assert "did you mean `convolution_param`?" in messages[1]
    assert "did you mean `kernel_size`?" in messages[2]
