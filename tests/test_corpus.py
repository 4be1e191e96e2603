"""protolint against protobuf's own text parser, on a corpus of real prototxt files and on a fork schema.

For every file of the corpus (PROTOLINT_CORPUS, else ../shared/corpus; skipped without it, failed
without it under PROTOLINT_REQUIRE_CORPUS=1, see tests/corpus_location.py):
- linting never raises;
- protolint rejects the file (an error of syntax-error / unknown-field / invalid-value /
  duplicate-field) exactly when `google.protobuf.text_format.Parse` rejects it, parsed into the
  message class of the root type protolint chose, built from the same schema;
- when both reject, protolint's earliest such error is on the line protobuf names;
- when protobuf accepts, protolint's typed tree holds exactly protobuf's values: every field, in
  order, with message presence (`foo {}` sets foo) and float fields compared as 32-bit floats.

The fork tests check a caffe.proto given with --proto (tests/fixtures/fork_caffe.proto) the same way.
"""

from __future__ import annotations

import math
import struct
from functools import lru_cache
from pathlib import Path

import pytest
from google.protobuf import text_format
from google.protobuf.descriptor import FieldDescriptor

from protolint.api import default_options
from protolint.api import lint_bytes
from protolint.linter import LintOptions
from protolint.schema.descriptors import message_classes
from protolint.schema.loader import builtin_schema, load_schema
from protolint.syntax.nodes import Message
from tests.corpus_location import corpus_file, corpus_params, need_corpus

REJECTING = {"syntax-error", "unknown-field", "invalid-value", "duplicate-field"}
FORK_PROTO = Path(__file__).parent / "fixtures" / "fork_caffe.proto"
CORPUS_FILES = corpus_params()


def test_corpus_folder():
    need_corpus()  # (fails, instead of skipping, under PROTOLINT_REQUIRE_CORPUS=1)


# ---------------------------------------------------------------------------------------------
# Both parsers on one text
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def builtin():
    # fork-schema-needed folds a fork's unknown names into one finding per file; the parser's own
    # verdicts are compared here, so it is off.
    schema = builtin_schema()
    return default_options(schema=schema).with_ignored(["fork-schema-needed"]), message_classes(schema)


@lru_cache(maxsize=None)
def fork():
    schema = load_schema(FORK_PROTO)
    return default_options(schema=schema), message_classes(schema)


class Outcome:
    """protolint's and protobuf's verdicts on one text."""

    def __init__(self, path: str, data: bytes, options: LintOptions, classes: dict):
        self.result = lint_bytes(path, data, options)
        self.errors = sorted(
            (d for d in self.result.diagnostics if d.severity == "error" and d.rule in REJECTING),
            key=lambda d: (d.start, d.end),
        )
        self.message = classes[self.result.document.root_type.full_name]()
        self.protobuf_error: Exception | None = None
        try:
            text_format.Parse(data.decode("utf-8", "surrogateescape"), self.message)
        except Exception as error:  # ParseError, or an error from the C extension on odd text
            self.protobuf_error = error

    @property
    def protobuf_line(self) -> int | None:
        error = self.protobuf_error
        return error.GetLine() if isinstance(error, text_format.ParseError) else None

    def describe(self) -> str:
        ours = [(d.line, d.column, d.rule, d.message) for d in self.errors[:3]]
        return f"protobuf: {self.protobuf_error}\nprotolint: {ours}"


@lru_cache(maxsize=None)
def corpus_outcome(path: Path) -> Outcome:
    options, classes = builtin()
    return Outcome(str(path), path.read_bytes(), options, classes)


# ---------------------------------------------------------------------------------------------
# Typed tree <-> protobuf message
# ---------------------------------------------------------------------------------------------


def float32(value: float) -> float:
    try:
        return struct.unpack("<f", struct.pack("<f", value))[0]
    except OverflowError:  # beyond the float range: the C cast gives infinity
        return math.copysign(math.inf, value)


def tree_values(message: Message) -> dict:
    """protolint's typed tree as {field name: value or [values]}; messages nest as dicts."""
    out: dict = {}
    for field in message.fields:
        schema_field = field.schema
        assert schema_field is not None, f"field `{field.name}` left untyped in an accepted file"
        values = []
        for value in field.values():
            if isinstance(value, Message):
                assert value.schema is schema_field.message
                values.append(tree_values(value))
            else:
                assert value.typed, f"value of `{field.name}` left untyped in an accepted file"
                values.append(float32(value.value) if schema_field.scalar == "float" else value.value)
        if schema_field.repeated:
            out.setdefault(field.name, []).extend(values)
        else:
            assert field.name not in out and len(values) == 1
            out[field.name] = values[0]
    return out


def protobuf_values(message) -> dict:
    """The same shape from a protobuf message. A direct walk over ListFields, not json_format:
    MessageToDict turns 64-bit integers into strings, bytes into base64 and floats into shortest
    text, which would blur exactly the differences this comparison is for."""
    out: dict = {}
    for descriptor, value in message.ListFields():

        def convert(item):
            if descriptor.type in (FieldDescriptor.TYPE_MESSAGE, FieldDescriptor.TYPE_GROUP):
                return protobuf_values(item)
            if descriptor.type == FieldDescriptor.TYPE_ENUM:
                return descriptor.enum_type.values_by_number[item].name
            return item

        out[descriptor.name] = [convert(v) for v in value] if descriptor.is_repeated else convert(value)
    return out


def first_difference(ours, theirs, path: str = "") -> str | None:
    if isinstance(theirs, dict):
        if not isinstance(ours, dict):
            return f"{path}: protolint has {ours!r}, protobuf a message"
        if ours.keys() != theirs.keys():
            return f"{path or 'root'}: fields {sorted(ours)} (protolint) vs {sorted(theirs)} (protobuf)"
        for key in theirs:
            found = first_difference(ours[key], theirs[key], f"{path}.{key}" if path else key)
            if found:
                return found
        return None
    if isinstance(theirs, list):
        if not isinstance(ours, list) or len(ours) != len(theirs):
            return f"{path}: {len(ours) if isinstance(ours, list) else ours!r} values (protolint) vs {len(theirs)} (protobuf)"
        for index, (a, b) in enumerate(zip(ours, theirs)):
            found = first_difference(a, b, f"{path}[{index}]")
            if found:
                return found
        return None
    if isinstance(theirs, float) and isinstance(ours, float) and math.isnan(theirs) and math.isnan(ours):
        return None
    if type(ours) is not type(theirs) or ours != theirs:
        return f"{path}: {ours!r} (protolint) vs {theirs!r} (protobuf)"
    return None


def test_the_comparison_sees_differences():
    # The converter and comparison must be able to fail: a value, an order, a presence, a float.
    a = {"layer": [{"name": "a", "loss_weight": [float32(0.1)]}, {"name": "b"}], "force_backward": False}
    assert first_difference(a, a) is None
    assert first_difference(a, {**a, "force_backward": True})
    assert first_difference(a, {**a, "layer": list(reversed(a["layer"]))})
    assert first_difference(a, {"layer": a["layer"]})  # presence of a field set to its default
    assert first_difference({"x": 0.1}, {"x": float32(0.1)})
    assert first_difference({"x": 1}, {"x": 1.0})  # an int is not a float
    assert first_difference({"x": math.nan}, {"x": math.nan}) is None
    assert first_difference({"m": {}}, {}) is not None  # `m {}` sets m


# ---------------------------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", CORPUS_FILES)
def test_corpus_file_agrees_with_protobuf(path):
    outcome = corpus_outcome(corpus_file(path))  # lint_bytes raising fails here
    rejected_by_us = bool(outcome.errors)
    rejected_by_protobuf = outcome.protobuf_error is not None
    assert rejected_by_us == rejected_by_protobuf, outcome.describe()
    if rejected_by_protobuf:
        if outcome.protobuf_line is not None:
            assert outcome.errors[0].line == outcome.protobuf_line, outcome.describe()
        return
    # Accepted by both: the same values.
    assert outcome.result.document.root.schema is outcome.result.document.root_type
    difference = first_difference(tree_values(outcome.result.document.root), protobuf_values(outcome.message))
    assert difference is None, difference


def test_corpus_fork_fields_are_rejected_by_default():
    """SSD-style files (`ceil_mode`, `permute_param`) are not BVLC Caffe: rejected, like protobuf does."""
    root = need_corpus()
    users = [p for p in sorted(root.rglob("*.prototxt")) if b"ceil_mode" in p.read_bytes() or b"permute_param" in p.read_bytes()]
    if not users:
        pytest.skip("no corpus file uses ceil_mode or permute_param")
    for path in users:
        outcome = corpus_outcome(path)
        assert outcome.protobuf_error is not None, path
        unknown = [d for d in outcome.errors if d.rule == "unknown-field"]
        assert any(
            d.message.startswith(("unknown field `ceil_mode` in PoolingParameter", "unknown field `permute_param` in LayerParameter"))
            for d in unknown
        ), (path, outcome.describe())


# ---------------------------------------------------------------------------------------------
# A fork's caffe.proto
# ---------------------------------------------------------------------------------------------

SSD_NET = """name: "ssd-ish"
input: "data"
layer {
  name: "pool1" type: "Pooling" bottom: "data" top: "pool1"
  pooling_param { pool: MAX kernel_size: 3 stride: 2 ceil_mode: false }
}
layer {
  name: "conv_loc" type: "Convolution" bottom: "pool1" top: "conv_loc"
  convolution_param { num_output: 12 kernel_size: 3 pad: 1 bias_term: true }
}
layer {
  name: "conv_loc_perm" type: "Permute" bottom: "conv_loc" top: "conv_loc_perm"
  permute_param { order: 0 order: 2 order: 3 order: 1 }
}
layer {
  name: "priors" type: "PriorBox" bottom: "pool1" bottom: "data" top: "priors"
  prior_box_param {
    min_size: 60.0 max_size: 111.0 aspect_ratio: [2, 3] flip: true clip: false
    variance: 0.1 variance: 0.1 variance: 0.2 variance: 0.2 step: 16 offset: 0.5 code_type: CENTER_SIZE
  }
}
"""

LABEL_MAP = """item {
  name: "none_of_the_above"
  label: 0
  display_name: "background"
}
item { name: "car" label: 1 display_name: "car" }
"""


def test_fork_fields_are_known_with_the_fork_schema():
    options, classes = fork()
    outcome = Outcome("ssd.prototxt", SSD_NET.encode(), options, classes)
    assert outcome.result.kind == "net"
    assert outcome.errors == [] and outcome.protobuf_error is None, outcome.describe()
    assert [d for d in outcome.result.diagnostics if d.rule == "unknown-layer-type"] == []  # Permute, PriorBox
    difference = first_difference(tree_values(outcome.result.document.root), protobuf_values(outcome.message))
    assert difference is None, difference
    pool = outcome.result.document.root.first("layer").message.first("pooling_param").message
    assert pool.first("ceil_mode").scalar is False


def test_fork_fields_are_unknown_without_it():
    options, classes = builtin()
    outcome = Outcome("ssd.prototxt", SSD_NET.encode(), options, classes)
    unknown = [(d.line, d.message.split(";")[0]) for d in outcome.errors if d.rule == "unknown-field"]
    assert unknown == [
        (5, "unknown field `ceil_mode` in PoolingParameter"),
        (13, "unknown field `permute_param` in LayerParameter"),
        (17, "unknown field `prior_box_param` in LayerParameter"),
    ]
    assert outcome.protobuf_line == 5
    assert [d.line for d in outcome.result.diagnostics if d.rule == "unknown-layer-type"] == [12, 16]


def test_fork_label_map_is_its_own_root():
    options, classes = fork()
    outcome = Outcome("labelmap.prototxt", LABEL_MAP.encode(), options, classes)
    assert outcome.result.kind == "LabelMap"
    assert outcome.result.document.root_type.full_name == "caffe.LabelMap"
    assert outcome.errors == [] and outcome.protobuf_error is None, outcome.describe()
    assert protobuf_values(outcome.message)["item"][1] == {"name": "car", "label": 1, "display_name": "car"}
    assert first_difference(tree_values(outcome.result.document.root), protobuf_values(outcome.message)) is None


FORK_MISTAKES = [
    ("a misspelt fork field", SSD_NET.replace("ceil_mode: false", "ceil_mod: false"), 5, "unknown field `ceil_mod` in PoolingParameter; did you mean `ceil_mode`?"),
    ("a BVLC field the fork lacks", SSD_NET.replace("bias_term: true", "dilation: 2"), 9, "unknown field `dilation` in ConvolutionParameter"),
    ("a field one level too high", SSD_NET.replace("  permute_param { order: 0", "  order: 0 permute_param { order: 0"), 13, "unknown field `order` in LayerParameter; `order` belongs inside `permute_param { ... }`"),
    ("an unknown top-level field", "force_backward: true\n" + SSD_NET, 1, "unknown field `force_backward` in NetParameter"),
    ("a bad enum value", SSD_NET.replace("CENTER_SIZE", "CENTER"), 19, "invalid value `CENTER` for `code_type`: CodeType has no value `CENTER`"),
    ("a list on a single field", SSD_NET.replace("step: 16", "step: [16, 32]"), 19, "`step` takes one value, so the list syntax `[...]` is not allowed"),
    ("a duplicate fork field", SSD_NET.replace("clip: false", "clip: false clip: true"), 18, "`clip` is set twice in PriorBoxParameter (first at line 18)"),
    ("a label map with a typo", LABEL_MAP.replace("display_name: \"car\"", "displayname: \"car\""), 6, "unknown field `displayname` in LabelMapItem; did you mean `display_name`?"),
]


@pytest.mark.parametrize("text, line, message", [m[1:] for m in FORK_MISTAKES], ids=[m[0] for m in FORK_MISTAKES])
def test_fork_mistakes_match_protobuf(text, line, message):
    options, classes = fork()
    outcome = Outcome("fork.prototxt", text.encode(), options, classes)
    assert outcome.protobuf_error is not None
    assert len(outcome.errors) == 1, outcome.describe()
    [error] = outcome.errors
    assert error.line == line == outcome.protobuf_line, outcome.describe()
    assert error.message.startswith(message), error.message
