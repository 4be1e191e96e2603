"""The prototxt parser: every feature of protobuf's text format, exact positions, and every
syntax error it reports (message text, 1-based line:column and end), with error recovery.

Positions are checked as a user sees them (line, column, end line, end column; columns count
characters, a tab is one column); trees are checked through names, spans and, where the value
matters, the values the schema checker types them to.
"""

from __future__ import annotations

import math
import random
import signal
import time
from contextlib import contextmanager

import pytest

from protolint.source import SourceText
from protolint.syntax.nodes import FLOAT, IDENT, INT, STRING, ListValue, Message, Scalar, walk_fields
from protolint.syntax.parser import parse


def doc(text: str | bytes, path: str = "t.prototxt"):
    data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogateescape")
    return parse(SourceText.from_bytes(path, data))


def pos(source: SourceText, start: int, end: int) -> tuple[int, int, int, int]:
    return (*source.position(start), *source.position(end))


def where(d) -> tuple[int, int, int, int]:
    return (d.line, d.column, d.end_line, d.end_column)


def errors(text: str | bytes) -> list[tuple[tuple[int, int, int, int], str]]:
    """The syntax errors of `text`: ((line, column, end_line, end_column), message), in order."""
    return [(where(d), d.message) for d in doc(text).diagnostics]


def one_error(text: str | bytes):
    found = errors(text)
    assert len(found) == 1, found
    return found[0]


def typed(lint_text, text: str, **options):
    """Lint `text` with the parser and schema checks only (the snippets are not whole nets); it must
    be free of errors; returns the typed root Message."""
    options.setdefault("select", ["P"])
    result = lint_text(text, **options)
    bad = [d for d in result.diagnostics if d.severity == "error"]
    assert not bad, [(d.line, d.column, d.message) for d in bad]
    return result.document.root


# ---------------------------------------------------------------------------------------------
# Structure and spans
# ---------------------------------------------------------------------------------------------


def test_fields_messages_and_their_spans():
    text = 'name: "net"\nlayer {\n  name: "a"\n  param < lr_mult: 1 >\n}\n'
    d = doc(text)
    assert d.diagnostics == []
    src = d.source
    name, layer = d.root.fields
    assert (name.name, name.name_kind) == ("name", "plain")
    assert pos(src, name.name_start, name.name_end) == (1, 1, 1, 5)
    assert pos(src, name.start, name.end) == (1, 1, 1, 12)
    assert text[name.colon] == ":" and src.position(name.colon) == (1, 5)
    assert isinstance(name.value, Scalar) and name.value.kind == STRING and name.value.text == '"net"'
    assert pos(src, name.value.start, name.value.end) == (1, 7, 1, 12)

    body = layer.value
    assert isinstance(body, Message) and body.open == "{" and body.closed
    assert layer.colon == -1
    assert pos(src, layer.start, layer.end) == (2, 1, 5, 2)
    assert pos(src, body.start, body.end) == (2, 7, 5, 2)
    inner_name, param = body.fields
    assert pos(src, inner_name.name_start, inner_name.name_end) == (3, 3, 3, 7)
    assert param.value.open == "<"
    assert pos(src, param.value.start, param.value.end) == (4, 9, 4, 23)
    (lr,) = param.value.fields
    assert (lr.name, lr.value.kind, lr.value.text) == ("lr_mult", INT, "1")
    # The root is the whole file, without braces.
    assert (d.root.start, d.root.end, d.root.open) == (0, len(text), "")


def test_colon_before_a_message_is_optional(lint_text):
    root = typed(lint_text, 'layer: { name: "a" }\nlayer { name: "b" }\nlayer: < name: "c" >\nlayer < name: "d" >')
    assert [f.message.first("name").scalar for f in root.fields] == ["a", "b", "c", "d"]
    assert [f.colon >= 0 for f in root.fields] == [True, False, True, False]
    assert [f.message.open for f in root.fields] == ["{", "{", "<", "<"]


def test_separators_after_fields():
    text = 'name: "a"; force_backward: true,\nlayer { name: "b", type: "c"; }, layer { };'
    d = doc(text)
    assert d.diagnostics == []
    name, backward, first, second = d.root.fields
    assert text[name.separator] == ";" and text[backward.separator] == ","
    assert text[first.separator] == "," and text[second.separator] == ";"
    inner = first.value.fields
    assert [text[f.separator] for f in inner] == [",", ";"]
    assert [f.name for f in inner] == ["name", "type"]


def test_list_syntax_for_scalars_and_messages(lint_text):
    text = (
        "input_dim: [1, 2, 3]\n"
        'input: ["a", \'b\']\n'
        'layer [ { name: "x" }, < name: "y" > ]\n'
        'layer: [{ name: "z" }]\n'
        "input_dim: []\n"
        "layer []\n"
    )
    d = doc(text)
    assert d.diagnostics == []
    dims, inputs, layers, layers2, empty, empty_messages = d.root.fields
    assert isinstance(dims.value, ListValue) and [i.text for i in dims.value.items] == ["1", "2", "3"]
    assert pos(d.source, dims.value.start, dims.value.end) == (1, 12, 1, 21)
    assert all(isinstance(i, Message) for i in layers.value.items) and layers.colon == -1
    assert [i.open for i in layers.value.items] == ["{", "<"]
    assert layers2.colon >= 0 and len(layers2.value.items) == 1
    assert empty.value.items == [] and empty_messages.value.items == []

    root = typed(lint_text, text)
    assert [v.value for f in root.all("input_dim") for v in f.values()] == [1, 2, 3]
    assert [v.value for v in root.first("input").values()] == ["a", "b"]
    names = [m.first("name").scalar for f in root.all("layer") for m in f.values()]
    assert names == ["x", "y", "z"]


def test_extension_and_any_field_names():
    text = "[ext.pkg.value]: 1\n[ type.googleapis.com/caffe.Foo ] { }\n[ a . b ] < >"
    d = doc(text)
    assert d.diagnostics == []
    ext, any_, spaced = d.root.fields
    assert (ext.name, ext.name_kind) == ("ext.pkg.value", "extension")
    assert pos(d.source, ext.name_start, ext.name_end) == (1, 1, 1, 16)
    assert (any_.name, any_.name_kind) == ("type.googleapis.com/caffe.Foo", "any")
    assert pos(d.source, any_.name_start, any_.name_end) == (2, 1, 2, 34)
    assert isinstance(any_.value, Message)
    assert (spaced.name, spaced.name_kind) == ("a.b", "extension")


def test_comments_are_kept_with_spans():
    text = '# head\nname: "a#b"  # trailing\n  # indented "quoted"\nlayer { # in a block\n}\n#end'
    d = doc(text)
    assert d.diagnostics == []
    assert [c.text for c in d.comments] == ["# head", "# trailing", '# indented "quoted"', "# in a block", "#end"]
    assert [pos(d.source, c.start, c.end) for c in d.comments] == [
        (1, 1, 1, 7),
        (2, 14, 2, 24),
        (3, 3, 3, 22),
        (4, 9, 4, 21),
        (6, 1, 6, 5),
    ]
    # `#` inside a string is part of the string.
    assert d.root.first("name").value.text == '"a#b"'


# ---------------------------------------------------------------------------------------------
# Scalars: strings, escapes, numbers, identifiers
# ---------------------------------------------------------------------------------------------

ESCAPES = [
    (r'"\a\b\f\n\r\t\v"', b"\x07\x08\x0c\n\r\t\x0b"),
    (r'"\?\\\'\""', b"?\\'\""),
    (r"'\'\"\\'", b"'\"\\"),
    (r'"\123"', b"S"),
    (r'"\1234"', b"S4"),  # octal takes at most three digits
    (r'"\12"', b"\n"),
    (r'"\0"', b"\x00"),
    (r'"\08"', b"\x008"),
    (r'"\377"', b"\xff"),
    (r'"\x4F"', b"O"),
    (r'"\x4f1"', b"O1"),  # hex takes at most two digits
    (r'"\xA"', b"\n"),
    (r'"\u00e9"', "\u00e9".encode()),
    (r'"\U0001F600"', "\U0001f600".encode()),
    (r'"caf\303\251"', "caf\u00e9".encode()),
    ('"a" \'b\' "c"', b"abc"),  # adjacent literals concatenate
    ('"a"\n  "b"', b"ab"),
    ('""', b""),
    ('"tab\there"', b"tab\there"),
]


@pytest.mark.parametrize("literal, expected", ESCAPES, ids=[e[0] for e in ESCAPES])
def test_string_escapes_give_the_right_bytes(lint_text, literal, expected):
    # Datum.data is a bytes field: the value is exactly the bytes the literal denotes.
    root = typed(lint_text, f"data: {literal}\n", root="Datum")
    assert root.first("data").scalar == expected


def test_string_field_values_are_decoded_text(lint_text):
    root = typed(lint_text, r'name: "caf\u00e9 \303\251 \U0001F600" ' + "'x'\n")
    assert root.first("name").scalar == "caf\u00e9 \u00e9 \U0001f600x"


def test_adjacent_literals_are_one_scalar():
    text = 'name: "a" \'b\'\n  "c" # comment\nlayer {}'
    d = doc(text)
    value = d.root.first("name").value
    assert value.kind == STRING
    assert value.text == "\"a\" 'b'\n  \"c\""
    assert pos(d.source, value.start, value.end) == (1, 7, 2, 6)
    assert [f.name for f in d.root.fields] == ["name", "layer"]


def test_integer_forms(lint_text):
    root = typed(
        lint_text,
        "layer { convolution_param { num_output: 010 pad: 0x1F pad: 0X1f kernel_size: 0 stride: 7 axis: -0x10 } }",
    )
    conv = root.first("layer").message.first("convolution_param").message
    assert conv.first("num_output").scalar == 8  # leading zero: octal
    assert [f.scalar for f in conv.all("pad")] == [31, 31]
    assert conv.first("kernel_size").scalar == 0
    assert conv.first("stride").scalar == 7
    assert conv.first("axis").scalar == -16
    assert conv.first("num_output").value.kind == INT


FLOAT_FORMS = [
    (".5", 0.5), ("5.", 5.0), ("1e-3", 0.001), ("10f", 10.0), ("1.5E+2F", 150.0),
    ("2", 2.0), ("-2", -2.0), ("- 3", -3.0), ("0", 0.0), ("0.0", 0.0),
    ("inf", math.inf), ("-inf", -math.inf), ("Infinity", math.inf), ("nan", math.nan), ("-NaN", math.nan),
    ("infinityf", math.inf), ("nanf", math.nan),
]  # fmt: skip


def test_float_forms(lint_text):
    text = "layer {\n" + "".join(f"  loss_weight: {written}\n" for written, _ in FLOAT_FORMS) + "}"
    fields = typed(lint_text, text).first("layer").message.all("loss_weight")
    assert len(fields) == len(FLOAT_FORMS)
    for field, (written, expected) in zip(fields, FLOAT_FORMS):
        got = field.scalar
        assert type(got) is float and ((math.isnan(got) and math.isnan(expected)) or got == expected), (written, got)
    kinds = [f.value.kind for f in fields]
    assert kinds[:5] == [FLOAT] * 5 and kinds[5] == INT and kinds[10] == IDENT


def test_sign_is_part_of_the_scalar_span():
    d = doc("a: -inf\nb: - 2\n")
    a, b = (f.value for f in d.root.fields)
    assert (a.kind, a.text, a.negative, a.source_text) == (IDENT, "inf", True, "-inf")
    assert pos(d.source, a.start, a.end) == (1, 4, 1, 8)
    assert (b.kind, b.text, b.negative) == (INT, "2", True)
    assert pos(d.source, b.start, b.end) == (2, 4, 2, 7)


def test_identifiers_as_enum_and_bool_values(lint_text):
    root = typed(
        lint_text,
        "force_backward: t\ndebug_info: False\nlayer { pooling_param { pool: AVE } include { phase: TEST } propagate_down: 1 propagate_down: false }",
    )
    assert root.first("force_backward").scalar is True
    assert root.first("debug_info").scalar is False
    layer = root.first("layer").message
    assert layer.first("pooling_param").message.first("pool").scalar == "AVE"
    assert layer.first("include").message.first("phase").scalar == "TEST"
    assert [f.scalar for f in layer.all("propagate_down")] == [True, False]


# ---------------------------------------------------------------------------------------------
# Files: line endings, tabs, BOM, empty, encodings
# ---------------------------------------------------------------------------------------------


def test_crlf_file(lint_text):
    text = b'name: "x"\r\n# note\r\nlayer {\r\n  name: "a"\r\n  type "ReLU"\r\n}\r\n'
    d = doc(text)
    assert [c.text for c in d.comments] == ["# note"]  # the CR is the line ending, not comment text
    assert errors(text) == [
        ((5, 8, 5, 14), "missing ':' between field name `type` and its value `\"ReLU\"`; write `type: \"ReLU\"`")
    ]
    assert d.root.first("layer").message.first("type").value.text == '"ReLU"'
    root = typed(lint_text, text.replace(b"type ", b"type: "))
    assert root.first("layer").message.first("name").scalar == "a"


def test_crlf_unterminated_string_ends_before_the_cr():
    assert errors(b'name: "ab\r\nlayer {}\r\n') == [
        ((1, 7, 1, 10), 'unterminated string: add the closing " on this line (strings cannot span lines)')
    ]


def test_tabs_count_as_one_column():
    assert errors('layer {\n\tname "x"\n}') == [
        ((2, 7, 2, 10), "missing ':' between field name `name` and its value `\"x\"`; write `name: \"x\"`")
    ]


def test_utf8_bom_is_reported_and_the_rest_parsed():
    data = b'\xef\xbb\xbfname: "x"\nlayer "y"\n'
    d = doc(data)
    assert [(where(x), x.message) for x in d.diagnostics] == [
        (
            (1, 1, 1, 1),
            "the file starts with a UTF-8 byte order mark, which Caffe's text parser does not accept; "
            "save it as UTF-8 without BOM",
        ),
        # Positions after the BOM are not shifted by it.
        ((2, 7, 2, 10), "missing ':' between field name `layer` and its value `\"y\"`; write `layer: \"y\"`"),
    ]
    assert d.root.first("name").value.text == '"x"'
    assert d.source.encode() == data


@pytest.mark.parametrize("text", ["", "\n\n", "   \t ", "# only a comment", "# a\n\n# b\n"])
def test_empty_files(text):
    d = doc(text)
    assert d.diagnostics == [] and d.root.fields == []
    assert len(d.comments) == text.count("#")


def test_non_utf8_bytes_in_comments_are_fine():
    data = b'# \xd6\xd0\xce\xc4\xd7\xa2\xca\xcd\nname: "x" # \xb2\xe3\nlayer { name: "a" }\n'
    d = doc(data)
    assert d.diagnostics == []
    assert [pos(d.source, c.start, c.end) for c in d.comments] == [(1, 1, 1, 10), (2, 11, 2, 15)]
    assert d.comments[1].text == "# \udcb2\udce3"  # undecodable bytes kept as surrogate escapes
    assert d.source.encode() == data  # the bytes survive unchanged
    assert [f.name for f in d.root.fields] == ["name", "layer"]


def test_non_utf8_bytes_outside_comments_are_reported():
    assert errors(b'name: "x" \xd6\xd0\nlayer { name: "a" }') == [
        ((1, 11, 1, 13), "byte 0xD6 is not UTF-8 text; non-UTF-8 bytes may only appear inside `#` comments")
    ]
    assert errors(b'layer { name: "a" }\n\xff') == [
        ((2, 1, 2, 2), "byte 0xFF is not UTF-8 text; non-UTF-8 bytes may only appear inside `#` comments")
    ]


def test_non_utf8_bytes_inside_a_string(lint_text):
    result = lint_text(b'name: "\xd6\xd0"\n')
    [d] = result.diagnostics
    assert (d.rule, where(d)) == ("invalid-value", (1, 7, 1, 11))
    assert d.message.endswith("the string is not valid UTF-8 text; save the file as UTF-8")
    # In a bytes field the raw bytes are the value.
    root = typed(lint_text, b'data: "\xd6\xd0"\n', root="Datum")
    assert root.first("data").scalar == b"\xd6\xd0"


# ---------------------------------------------------------------------------------------------
# Syntax errors: every message, at its exact place
# ---------------------------------------------------------------------------------------------


def test_missing_colon_is_inserted_and_the_value_kept(lint_text):
    text = 'layer {\n  name "conv1"\n  convolution_param { num_output 64 }\n}'
    assert errors(text) == [
        ((2, 8, 2, 15), "missing ':' between field name `name` and its value `\"conv1\"`; write `name: \"conv1\"`"),
        ((3, 34, 3, 36), "missing ':' between field name `num_output` and its value `64`; write `num_output: 64`"),
    ]
    result = lint_text(text)
    layer = result.document.root.first("layer").message
    assert layer.first("name").scalar == "conv1" and layer.first("name").colon == -1
    assert layer.first("convolution_param").message.first("num_output").scalar == 64
    assert {d.rule for d in result.diagnostics} == {"syntax-error"}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("force_backward true", ((1, 16, 1, 20), "missing ':' between field name `force_backward` and its value `true`; write `force_backward: true`")),
        ("layer { loss_weight -1 }", ((1, 21, 1, 23), "missing ':' between field name `loss_weight` and its value `-1`; write `loss_weight: -1`")),
        ("layer { loss_weight - inf }", ((1, 21, 1, 26), "missing ':' between field name `loss_weight` and its value `- inf`; write `loss_weight: - inf`")),
        ("base_lr 0.5", ((1, 9, 1, 12), "missing ':' between field name `base_lr` and its value `0.5`; write `base_lr: 0.5`")),
    ],
)
def test_missing_colon_before_other_values(text, expected):
    assert one_error(text) == expected


def test_did_you_forget_the_opening_brace():
    text = 'layer {\n  name: "c"\n  convolution_param\n    num_output: 4\n  }\n}\n'
    found = errors(text)
    assert found[0] == (
        (3, 3, 3, 20),
        "expected ':' or '{' after field name `convolution_param`; `num_output` starts another field "
        "— did you forget '{' after `convolution_param`?",
    )
    # The stray '}' that was meant to close the block is reported too, at its place.
    assert found[1:] == [((6, 1, 6, 2), "unmatched '}': nothing is open here; remove it")]


def test_missing_closing_brace_at_end_of_file_points_at_the_opener():
    text = 'name: "n"\nlayer {\n  name: "a"\n  param { lr_mult: 1 }\n'
    d = doc(text)
    [e] = d.diagnostics
    assert where(e) == (4, 23, 4, 23)  # the end of the file: just after its last token
    assert e.message == "missing '}' to close the '{' opened at line 2 for `layer`; the file ends first"
    [related] = e.related
    assert (related.line, related.column, related.message) == (2, 7, "'{' opened here")
    layer = d.root.first("layer")
    assert not layer.value.closed and layer.value.first("param").value.closed
    assert layer.value.first("name").value.text == '"a"'


def test_every_unclosed_level_is_reported():
    text = "layer <\n  param {\n    lr_mult: [1, 2\n"
    found = [(where(d), d.message, [(r.line, r.column) for r in d.related]) for d in doc(text).diagnostics]
    assert found == [
        ((3, 19, 3, 19), "missing ']' to close the '[' opened at line 3 for `lr_mult`; the file ends first", [(3, 14)]),
        ((3, 19, 3, 19), "missing '}' to close the '{' opened at line 2 for `param`; the file ends first", [(2, 9)]),
        ((3, 19, 3, 19), "missing '>' to close the '<' opened at line 1 for `layer`; the file ends first", [(1, 7)]),
    ]


def test_mismatched_closer_is_repaired():
    text = 'layer {\n  name: "a"\n>\nlayer < name: "b" }\nname: "n"'
    d = doc(text)
    found = [(where(x), x.message, [(r.line, r.column) for r in x.related]) for x in d.diagnostics]
    assert found == [
        ((3, 1, 3, 2), "'>' does not match the '{' opened at line 1 for `layer`; close it with '}'", [(1, 7)]),
        ((4, 19, 4, 20), "'}' does not match the '<' opened at line 4 for `layer`; close it with '>'", [(4, 7)]),
    ]
    # Both layers and the field after them are in the tree.
    assert [f.name for f in d.root.fields] == ["layer", "layer", "name"]
    assert [f.value.first("name").value.text for f in d.root.all("layer")] == ['"a"', '"b"']


@pytest.mark.parametrize(
    "text, expected",
    [
        ('layer { name: "a" }\n}\n', ((2, 1, 2, 2), "unmatched '}': nothing is open here; remove it")),
        ('name: "a" >', ((1, 11, 1, 12), "unmatched '>': nothing is open here; remove it")),
        ('name: "a" ]', ((1, 11, 1, 12), "unmatched ']': nothing is open here; remove it")),
    ],
)
def test_unmatched_closers(text, expected):
    assert one_error(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ('name: "a",, force_backward: true', ((1, 11, 1, 12), "unexpected ',': a separator may only follow a field, once; remove it")),
        (';name: "a"', ((1, 1, 1, 2), "unexpected ';': a separator may only follow a field, once; remove it")),
        ('layer { ; name: "a" }', ((1, 9, 1, 10), "unexpected ';': a separator may only follow a field, once; remove it")),
        ('layer { name: "a"; ; }', ((1, 20, 1, 21), "unexpected ';': a separator may only follow a field, once; remove it")),
    ],
)
def test_separator_misuse(text, expected):
    assert one_error(text) == expected


def test_separator_misuse_keeps_the_fields():
    d = doc('name: "a",, force_backward: true')
    assert [f.name for f in d.root.fields] == ["name", "force_backward"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ('name: "a" // a C++ comment\nlayer {}', ((1, 11, 1, 27), "`//` comments are not allowed in prototxt; start the comment with `#`")),
        ('/* block\n comment */ name: "a"', ((1, 1, 1, 3), "`/* */` comments are not allowed in prototxt; use `#` at the start of each line")),
        ('name: "a"\n/* never closed\nlayer {}', ((2, 1, 2, 3), "`/* */` comments are not allowed in prototxt; use `#` at the start of each line")),
    ],
)
def test_c_style_comments(text, expected):
    assert one_error(text) == expected


def test_c_style_comments_are_skipped_like_comments():
    d = doc('name: "a" // note\nlayer { /* x */ name: "b" }')
    assert [f.name for f in d.root.fields] == ["name", "layer"]
    assert d.root.first("layer").value.first("name").value.text == '"b"'


@pytest.mark.parametrize(
    "text, expected",
    [
        ('layer {\n  name: "conv1\n}', ((2, 9, 2, 15), 'unterminated string: add the closing " on this line (strings cannot span lines)')),
        ("name: 'abc", ((1, 7, 1, 11), "unterminated string: add the closing ' on this line (strings cannot span lines)")),
        ('name: "ends with backslash\\', ((1, 7, 1, 28), 'unterminated string: add the closing " on this line (strings cannot span lines)')),
    ],
)
def test_unterminated_string(text, expected):
    assert one_error(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("layer { convolution_param { num_output: 10bar } }", ((1, 41, 1, 46), "malformed number `10bar`: a number must be separated from a following name by a space")),
        ("base_lr: 0.5e", ((1, 10, 1, 14), "malformed number `0.5e`: a number must be separated from a following name by a space")),
        ("max_iter: 1.2.3", ((1, 11, 1, 16), "malformed number `1.2.3`: a number must be separated from a following name by a space")),
    ],
)
def test_malformed_numbers(text, expected):
    assert one_error(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ('name = "a"', [((1, 6, 1, 7), "unexpected '=': fields are written `name: value`"),
                        ((1, 8, 1, 11), "missing ':' between field name `name` and its value `\"a\"`; write `name: \"a\"`")]),
        ('name: "a" @@@\nlayer {}', [((1, 11, 1, 14), "unexpected character '@' (U+0040); remove it")]),
        ('name: "a"\n\u00a7 layer {}', [((2, 1, 2, 2), "unexpected character '\u00a7' (U+00A7); remove it")]),
        # A NUL byte: the file is not text (protolint.syntax.encoding), one finding for the whole file.
        ('name: "a"\x00', [((1, 10, 1, 11), "the file is not text: it has a NUL byte here, which no prototxt has — is it a "
                                             ".caffemodel, a .binaryproto or an image? protolint checks prototxt text")]),
    ],
)
def test_stray_characters(text, expected):
    assert errors(text) == expected


def test_unexpected_token_after_a_value():
    assert one_error('name: "a" 1\nlayer {}') == (
        (1, 11, 1, 12),
        "unexpected `1` after the value of `name`: expected a field name, ',', ';' or the end of the file; "
        'a field takes one value: repeat the field or write `name: ["a", 1]`',
    )
    assert one_error("layer { top: \"a\" \"b\" : }") == (
        (1, 22, 1, 23),
        "unexpected ':' after the value of `top`: expected a field name, ',', ';' or '}'",
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        ("layer { name: }", ((1, 15, 1, 16), "missing value after `name:`: found '}'")),
        ("name:", ((1, 6, 1, 6), "missing value after `name:`: found the end of the file")),
        ("name: : 1", ((1, 7, 1, 8), "missing value after `name:`: found ':'")),
    ],
)
def test_missing_value(text, expected):
    assert one_error(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        (": 1", ((1, 1, 1, 2), "expected a field name, ',', ';' or the end of the file, found ':'")),
        ("1: 2", ((1, 1, 1, 2), "expected a field name, ',', ';' or the end of the file, found `1`")),
        ("layer { : }", ((1, 9, 1, 10), "expected a field name, ',', ';' or '}' in the value of `layer`, found ':'")),
        ("layer < 5 >", ((1, 9, 1, 10), "expected a field name, ',', ';' or '>' in the value of `layer`, found `5`")),
        ('layer { bottom: [ "a", ] }', ((1, 24, 1, 25), "expected a value, '{' or '<' in the value of `bottom`, found ']'")),
        ("layer { name: - }", ((1, 17, 1, 18), "expected a value in the value of `name`, found '}'")),
        ("[a.] { }", ((1, 4, 1, 5), "expected a name, found ']'")),
        ("[a/b/c] { }", ((1, 5, 1, 6), "expected ']', found '/'")),
        ('layer { [ext] }', ((1, 15, 1, 16), "expected ':', '{', '<' or '[' in the value of `layer`, found '}'")),
        ("[ext]", ((1, 6, 1, 6), "expected ':', '{', '<' or '[', found the end of the file")),
    ],
)
def test_expected_something_else(text, expected):
    assert errors(text)[0] == expected


def test_extension_name_cut_off_by_the_end_of_the_file():
    # Once hung the parser: closing the '[' at the end of the file left a name without a value.
    assert errors("[a /") == [
        ((1, 5, 1, 5), "missing ']' to close the '[' opened at line 1; the file ends first"),
        ((1, 5, 1, 5), "expected ':', '{', '<' or '[', found the end of the file"),
    ]
    assert errors('layer { [type.googleapis.com/x.Y/* comment */ ] { } }') == [(
        (1, 33, 1, 35),
        "`/* */` comments are not allowed in prototxt; use `#` at the start of each line",
    )]


def test_recovery_reports_every_error_and_keeps_the_good_fields():
    text = (
        'name: "net"\n'  # 1
        "layer {\n"  # 2
        '  name "conv1"\n'  # 3: missing ':'
        '  type: "Convolution" // C++ comment\n'  # 4
        "  convolution_param { num_output: 64 kernel_size: 3x }\n"  # 5: malformed number
        "}\n"  # 6
        "layer {\n"  # 7
        '  name: "relu1" = \n'  # 8: stray '='
        '  type: "ReLU"\n'  # 9
        "  bottom: \"conv1\" top: 'conv1\n"  # 10: unterminated string
        "}\n"  # 11
        "}\n"  # 12: unmatched
        'layer { name: "last" type: "Softmax" }\n'  # 13
    )
    d = doc(text)
    assert [(x.line, x.column) for x in d.diagnostics] == [(3, 8), (4, 23), (5, 51), (8, 17), (10, 24), (12, 1)]
    layers = d.root.all("layer")
    assert [layer.value.first("name").value.text for layer in layers] == ['"conv1"', '"relu1"', '"last"']
    assert layers[1].value.first("type").value.text == '"ReLU"'


# ---------------------------------------------------------------------------------------------
# Robustness: random damage never crashes; pathological input never hangs
# ---------------------------------------------------------------------------------------------

SNIPPETS = [
    b"""name: "LeNet"
layer {
  name: "mnist"
  type: "Data"
  top: "data"
  include { phase: TRAIN }
  transform_param { scale: 0.00390625 mirror: true mean_value: [104, 117, 123] }
  data_param { source: "examples/mnist_lmdb" batch_size: 64 backend: LMDB }
}
layer < name: 'conv1' type: "Convolution" bottom: "data" top: "conv1"
  param { lr_mult: 1 } param: { lr_mult: 2 decay_mult: 0 };
  convolution_param { num_output: 0x14 kernel_size: 5 stride: 1 weight_filler { type: "xavier" } }
>
""",
    b"""# solver
net: "train_val.prototxt"
test_iter: 100 test_interval: 500
base_lr: 1e-2 momentum: .9 weight_decay: 5e-4f
lr_policy: "inv" gamma: 0.0001 power: 0.75
solver_mode: GPU
net_param { layer [ { name: "a" type: "ReLU" }, { name: "b" } ] }
""",
    b"layers {\r\n  type: SOFTMAX_LOSS\r\n  blobs_lr: 1\r\n  bottom: \"fc8\" bottom: \"label\"\r\n}\r\n"
    b"# \xd6\xd0\xce\xc4\r\ninput_dim: -1 input_shape { dim: [1, 3, 224, 224] }\r\n",
    b"""layer { name: "x\\n\\x4F\\u00e9\\101" type: 'Python' python_param { module: "m" layer: "L" param_str: "{'a': 1}" }
  loss_weight: inf loss_weight: -nan [ext.foo]: 1 [type.googleapis.com/caffe.X] { } }
""",
]
PIECES = [b"{", b"}", b"<", b">", b"[", b"]", b":", b",", b";", b'"', b"'", b"\\", b"#", b"\n", b"\r", b"/", b"*",
          b"-", b".", b"e", b"x", b"0", b"\xff", b"\xef\xbb\xbf", b"=", b"\t", b"\x00", b"layer", b"/*", b"//", b"[a/"]


def _mutate(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        at = rng.randint(0, len(out))
        choice = rng.random()
        if choice < 0.3 and out:
            del out[at : at + rng.randint(1, 4)]
        elif choice < 0.6:
            out[at:at] = rng.choice(PIECES)
        elif choice < 0.8 and out:
            out[min(at, len(out) - 1)] = rng.randrange(256)
        else:  # duplicate a stretch somewhere else
            a = rng.randint(0, len(out))
            out[at:at] = out[a : a + rng.randint(0, 40)]
    return bytes(out)


def test_random_damage_never_raises_and_positions_stay_in_the_text(lint_text):
    rng = random.Random(20240601)
    for case in range(3000):
        data = _mutate(rng, rng.choice(SNIPPETS))
        try:
            result = lint_text(data)
        except Exception as error:  # pragma: no cover - the failure report
            raise AssertionError(f"case {case}: lint_bytes raised {error!r} on {data!r}") from error
        source = result.document.source
        size = len(source.text)
        for d in result.diagnostics:
            assert 0 <= d.start <= d.end <= size, (case, data, d)
            assert (d.line, d.column) == source.position(d.start), (case, data, d)
            assert (d.end_line, d.end_column) == source.position(d.end), (case, data, d)
            assert 1 <= d.line <= d.end_line <= source.line_count and d.column >= 1, (case, data, d)
            assert d.message and d.severity in ("error", "warning", "info"), (case, data, d)
            for related in d.related:
                assert 0 <= related.start <= related.end <= size, (case, data, d)
        for field, _ in walk_fields(result.document.root):
            assert 0 <= field.start <= field.name_start < field.name_end <= field.end <= size, (case, data)


@contextmanager
def deadline(seconds: float):
    """Fail (instead of hanging the test run) if the block takes longer than `seconds`."""

    def expired(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    if not hasattr(signal, "setitimer"):  # no interval timers (Windows): just run it
        yield
        return
    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


MB = 1 << 20


@pytest.mark.parametrize(
    "name, text",
    [
        ("5000 nested levels", "layer { " * 5000 + "} " * 5000),
        ("5000 levels left open", "a { " * 5000),
        ("50000 levels left open", "a{" * 50000),
        ("1 MB of '{'", "{" * MB),
        ("1 MB of '<'", "<" * MB),
        ("1 MB of '['", "[" * (MB // 8)),
        ("100k unmatched '}'", "}" * 100_000),
        ("a long line of junk", "".join(random.Random(7).choice("@$%^&*()=+|?~`!") for _ in range(MB))),
        ("a long line of broken fields", "a: 1 b 2 ] [ ; , : { < > " * 20000),
        ("1 MB string without its end", '"' + "x" * MB),
        ("1 MB of '/*'", "/*" * (MB // 2)),
        ("1 MB of digits and dots", "1." * (MB // 2)),
    ],
)
def test_pathological_input_never_hangs(lint_text, name, text):
    started = time.monotonic()
    with deadline(30):
        result = lint_text(text)
    assert time.monotonic() - started < 30
    assert result.diagnostics  # every one of these is broken somewhere


def test_deep_nesting_builds_the_whole_tree():
    d = doc("a { " * 5000 + "b: 1 " + "} " * 5000)
    assert d.diagnostics == []
    message, depth = d.root, 0
    while message.first("a") is not None:
        message, depth = message.first("a").value, depth + 1
    assert depth == 5000 and message.first("b").value.text == "1"
