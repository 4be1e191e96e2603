"""Net structure rules N207-N227 (rules/net_pack.py NET_RULES): each fires on a small bad file at the
right line, with the right severity and message, and stays silent once the file is corrected; the
backward inference mirrors net.cpp; the layer facts table matches Caffe's headers; docs are complete
and every example triggers its rule; the reference models raise no error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from protolint.api import default_options
from protolint.api import lint_bytes
from protolint.model import facts
from protolint.model.net import TRAIN, Net
from protolint.model.usage import net_alone
from protolint.project import Input, lint_inputs
from protolint.registry import Registry
from rulekit import hits, lint, one, options
from protolint.rule import DOC_SECTIONS
from protolint.rules import BUILTIN_RULES
from protolint.model import backward as nb
from protolint.rules import BUILTIN_RULES as _ALL
from _packs import DATA_RULES, NET_RULES

NAMES = {rule.name for rule in NET_RULES}


@pytest.fixture(scope="module")
def registry():
    return Registry(BUILTIN_RULES + [rule for rule in NET_RULES + DATA_RULES if rule not in BUILTIN_RULES])


def mine(text, registry, **kwargs):
    return [d for d in lint(text, registry, **kwargs) if d.rule in NAMES]


def project(tmp_path, files: dict[str, str], registry, **kwargs):
    """Lint files together (a solver brings its nets): {name: diagnostics of our rules}."""
    inputs = []
    for name, text in files.items():
        path = tmp_path / name
        path.write_text(text)
        inputs.append(Input(str(path), text.encode(), str(path)))
    results = lint_inputs(inputs, lambda _: options(registry, **kwargs))
    return {Path(r.path).name: [d for d in r.diagnostics if d.rule in NAMES] for r in results}


# Shared pieces. IN: data and labels; LOSS: a loss on "fc" (so the net is trained).
IN = ('layer { name: "in" type: "Input" top: "data" top: "label" '
      'input_param { shape { dim: 8 dim: 4 } shape { dim: 8 } } }\n')
FC = 'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 2 } }\n'
LOSS = 'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }\n'
LR = 'base_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 100\nsolver_mode: CPU\n'

# (rule, severity, bad file, line, key phrase, corrected file)
CASES = [
    ("legacy-v1-syntax", "info",
     'layers {\n  name: "in"\n  type: DUMMY_DATA\n  top: "x"\n  dummy_data_param { shape { dim: 1 } }\n}\n'
     'layers {\n  name: "r"\n  type: RELU\n  bottom: "x"\n  top: "x"\n}\n', 1, 'DUMMY_DATA → "DummyData"',
     'layer {\n  name: "in"\n  type: "DummyData"\n  top: "x"\n  dummy_data_param { shape { dim: 1 } }\n}\n'),
    ("legacy-v0-syntax", "info",
     'layers {\n  layer { name: "relu" type: "relu" }\n  bottom: "x"\n  top: "x"\n}\n', 2, "upgrade_net_proto_text",
     IN),
    ("layer-blob-count", "error",
     IN + FC + 'layer {\n  name: "acc"\n  type: "Accuracy"\n  bottom: "fc"\n  bottom: "label"\n}\n', 4,
     '"Accuracy Layer produces at least 1 top blob(s) as output."',
     IN + FC + 'layer {\n  name: "acc"\n  type: "Accuracy"\n  bottom: "fc"\n  bottom: "label"\n  top: "acc"\n}\n' + LOSS),
    ("include-and-exclude", "error",
     IN + 'layer {\n  name: "drop"\n  type: "Dropout"\n  bottom: "data"\n  top: "data"\n  include { phase: TRAIN }\n'
     '  exclude { stage: "deploy" }\n}\n', 8, '"Specify either include rules or exclude rules; not both."',
     IN + 'layer {\n  name: "drop"\n  type: "Dropout"\n  bottom: "data"\n  top: "data"\n'
     '  include { phase: TRAIN not_stage: "deploy" }\n}\n'),
    ("empty-phase-net", "warning",
     'layer { name: "in" type: "Input" top: "data" input_param { shape { dim: 1 } } include { phase: TRAIN } }\n', 1,
     "no layers after include/exclude filtering",
     'layer { name: "in" type: "Input" top: "data" input_param { shape { dim: 1 } } }\n'),
    ("inplace-not-allowed", "error",
     IN + 'layer {\n  name: "flat"\n  type: "Flatten"\n  bottom: "data"\n  top: "data"\n}\n', 6,
     '"Flatten Layer does not allow in-place computation."',
     IN + 'layer {\n  name: "flat"\n  type: "Flatten"\n  bottom: "data"\n  top: "flat"\n}\n'),
    ("propagate-down-count", "error",
     IN + FC + 'layer {\n  name: "loss"\n  type: "SoftmaxWithLoss"\n  bottom: "fc"\n  bottom: "label"\n  top: "loss"\n'
     '  propagate_down: true\n}\n', 9, '"propagate_down param must be specified either 0 or bottom_size times"',
     IN + FC + 'layer {\n  name: "loss"\n  type: "SoftmaxWithLoss"\n  bottom: "fc"\n  bottom: "label"\n  top: "loss"\n'
     '  propagate_down: true\n  propagate_down: false\n}\n'),
    ("loss-weight-count", "error",
     IN + FC + 'layer {\n  name: "loss"\n  type: "EuclideanLoss"\n  bottom: "fc"\n  bottom: "fc"\n  top: "loss"\n'
     '  loss_weight: 1\n  loss_weight: 0\n}\n', 9, "has 2 loss_weight value(s) for 1 top(s)",
     IN + FC + 'layer {\n  name: "loss"\n  type: "EuclideanLoss"\n  bottom: "fc"\n  bottom: "fc"\n  top: "loss"\n'
     '  loss_weight: 1\n}\n'),
    ("force-backward-nondifferentiable", "error",
     "force_backward: true\n" + IN + FC + 'layer {\n  name: "acc"\n  type: "Accuracy"\n  bottom: "fc"\n  bottom: "label"\n'
     '  top: "acc"\n}\n' + LOSS, 5, '"Not Implemented Yet"',
     "force_backward: true\n" + IN + FC + 'layer {\n  name: "acc"\n  type: "Accuracy"\n  bottom: "fc"\n  bottom: "label"\n'
     '  top: "acc"\n  include { phase: TEST }\n}\n' + LOSS),
    ("nondifferentiable-in-loss-path", "error",
     IN + 'layer { name: "fc1" type: "InnerProduct" bottom: "data" top: "fc1" inner_product_param { num_output: 4 } }\n'
     'layer {\n  name: "thr"\n  type: "Threshold"\n  bottom: "fc1"\n  top: "thr"\n}\n'
     'layer { name: "fc" type: "InnerProduct" bottom: "thr" top: "fc" inner_product_param { num_output: 2 } }\n' + LOSS,
     4, '"fc1" above it has learnable parameters and it feeds the loss "loss"',
     IN + 'layer {\n  name: "thr"\n  type: "Threshold"\n  bottom: "data"\n  top: "thr"\n}\n'
     'layer { name: "fc" type: "InnerProduct" bottom: "thr" top: "fc" inner_product_param { num_output: 2 } }\n' + LOSS),
    ("too-many-param-specs", "error",
     IN + 'layer {\n  name: "relu"\n  type: "ReLU"\n  bottom: "data"\n  top: "data"\n  param { lr_mult: 0 }\n}\n', 7,
     '"Too many params specified for layer relu"',
     IN + 'layer {\n  name: "relu"\n  type: "ReLU"\n  bottom: "data"\n  top: "data"\n}\n'),
    ("shared-param-mismatch", "error",
     IN + 'layer { name: "a" type: "InnerProduct" bottom: "data" top: "a" param { name: "w" lr_mult: 1 } '
     'inner_product_param { num_output: 2 } }\n'
     'layer { name: "b" type: "InnerProduct" bottom: "data" top: "b"\n  param { name: "w" lr_mult: 2 }\n'
     '  inner_product_param { num_output: 2 } }\n', 4, "\"Shared param 'w' has mismatched lr_mult.\"",
     IN + 'layer { name: "a" type: "InnerProduct" bottom: "data" top: "a" param { name: "w" lr_mult: 1 } '
     'inner_product_param { num_output: 2 } }\n'
     'layer { name: "b" type: "InnerProduct" bottom: "data" top: "b"\n  param { name: "w" }\n'
     '  inner_product_param { num_output: 2 } }\n'),
    ("lr-mult-negative", "warning",
     IN + 'layer {\n  name: "fc"\n  type: "InnerProduct"\n  bottom: "data"\n  top: "fc"\n  param { lr_mult: -1 }\n'
     '  inner_product_param { num_output: 2 }\n}\n' + LOSS, 7, "gradient ascent",
     IN + 'layer {\n  name: "fc"\n  type: "InnerProduct"\n  bottom: "data"\n  top: "fc"\n  param { lr_mult: 0.5 }\n'
     '  inner_product_param { num_output: 2 }\n}\n' + LOSS),
    ("layer-frozen", "info",
     IN + 'layer {\n  name: "fc"\n  type: "InnerProduct"\n  bottom: "data"\n  top: "fc"\n  param { lr_mult: 0 }\n'
     '  param { lr_mult: 0 }\n  inner_product_param { num_output: 2 }\n}\n' + LOSS, 3, "the layer is frozen",
     IN + 'layer {\n  name: "fc"\n  type: "InnerProduct"\n  bottom: "data"\n  top: "fc"\n  param { lr_mult: 0 }\n'
     '  param { lr_mult: 1 }\n  inner_product_param { num_output: 2 }\n}\n' + LOSS),
]


def test_cases_cover_the_single_file_rules():
    solver_only = {"inline-net-legacy-syntax", "net-state-in-file", "no-loss-in-train-net", "train-test-param-mismatch",
                   "test-layer-not-in-train", "field-requires-newer-caffe"}
    assert sorted(c[0] for c in CASES) == sorted(NAMES - solver_only)


@pytest.mark.parametrize("rule, severity, bad, line, phrase, good", CASES, ids=[c[0] for c in CASES])
def test_rule_fires(registry, rule, severity, bad, line, phrase, good):
    hit = one(bad, registry, rule)
    assert (hit.line, hit.severity, hit.code) == (line, severity, registry.lookup(rule).code), hit.message
    assert phrase in hit.message


@pytest.mark.parametrize("rule, severity, bad, line, phrase, good", CASES, ids=[c[0] for c in CASES])
def test_corrected_file_is_clean(registry, rule, severity, bad, line, phrase, good):
    # Not only this rule: the corrected files raise nothing from any rule of the pack.
    assert [(d.rule, d.message) for d in mine(good, registry)] == []


# --- N207 inline-net-legacy-syntax (solver)

INLINE_V1 = ('net_param {\n  layers {\n    name: "ip"\n    type: INNER_PRODUCT\n    bottom: "data"\n    top: "ip"\n'
             '    inner_product_param { num_output: 10 }\n  }\n}\n')
INLINE_V2 = ('net_param {\n  layer { name: "in" type: "Input" top: "data" input_param { shape { dim: 1 dim: 4 } } }\n'
             '  layer { name: "ip" type: "InnerProduct" bottom: "data" top: "ip" inner_product_param { num_output: 10 } }\n'
             '  layer { name: "loss" type: "EuclideanLoss" bottom: "ip" bottom: "ip" top: "loss" }\n}\n')


def test_inline_v1_net(registry):
    hit = one(INLINE_V1 + LR, registry, "inline-net-legacy-syntax", path="solver.prototxt")
    assert (hit.line, hit.severity, hit.code) == (2, "error", "N207")
    assert "(-1 vs. 0)" in hit.message and hit.message.startswith("net_param is embedded")
    # The empty net is explained once, by N207 (empty-phase-net and no-loss-in-train-net stay quiet).
    assert [d.rule for d in mine(INLINE_V1 + LR, registry, path="solver.prototxt")] == ["inline-net-legacy-syntax"]
    assert mine(INLINE_V2 + LR, registry, path="solver.prototxt") == []


def test_inline_legacy_inputs_and_batchnorm(registry):
    text = ('train_net_param {\n  input: "data"\n  input_dim: 1\n  input_dim: 4\n'
            '  layer { name: "ip" type: "InnerProduct" bottom: "data" top: "ip" inner_product_param { num_output: 1 } }\n}\n')
    hit = one(text + LR, registry, "inline-net-legacy-syntax", path="solver.prototxt")
    assert hit.line == 2 and 'layers reading "data" fail with "Unknown bottom blob"' in hit.message
    text = ('net_param {\n  layer { name: "in" type: "Input" top: "x" input_param { shape { dim: 1 dim: 4 } } }\n'
            '  layer { name: "bn" type: "BatchNorm" bottom: "x" top: "x"\n    param { lr_mult: 1 } param { lr_mult: 1 } '
            'param { lr_mult: 1 } }\n}\n')
    hit = one(text + LR, registry, "inline-net-legacy-syntax", path="solver.prototxt")
    assert hit.line == 3 and 'BatchNorm "bn" keeps its non-zero lr_mult' in hit.message
    # V1 next to V2 entries: the V2 ones are built, the V1 ones silently dropped.
    text = INLINE_V2.replace("}\n}\n", '}\n  layers { name: "r" type: RELU bottom: "ip" top: "ip" }\n}\n')
    hit = one(text + LR, registry, "inline-net-legacy-syntax", path="solver.prototxt")
    assert "ignored — only the \"layer\" entries are built" in hit.message


def test_v1_net_file_is_not_inline(registry):
    assert hits(INLINE_V1.replace("net_param {", "").rstrip("}\n") + "\n", registry, "inline-net-legacy-syntax") == []


# --- N213, N214, N218, N225, N226: nets as a solver uses them


TRAIN_VAL = (
    'layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 4 } shape { dim: 8 } } '
    'include { phase: TRAIN } }\n'
    'layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 4 } shape { dim: 8 } } '
    'include { phase: TEST } }\n'
)


def test_net_state_in_file(tmp_path, registry):
    net = 'state { phase: TEST }\n' + IN + FC + LOSS
    found = project(tmp_path, {"solver.prototxt": 'net: "net.prototxt"\n' + LR, "net.prototxt": net}, registry)
    (hit,) = [d for d in found["net.prototxt"] if d.rule == "net-state-in-file"]
    assert (hit.line, hit.severity, hit.code) == (1, "warning", "N213") and "the train net is built in phase TEST" in hit.message
    # Alone (no solver) the block is the caller's business.
    assert hits(net, registry, "net-state-in-file") == []
    found = project(tmp_path, {"solver.prototxt": 'net: "net.prototxt"\n' + LR, "net.prototxt": IN + FC + LOSS}, registry)
    assert [d for d in found["net.prototxt"] if d.rule == "net-state-in-file"] == []
    # A test net that forces TRAIN.
    solver = 'train_net: "t.prototxt"\ntest_net: "net.prototxt"\ntest_iter: 1\ntest_interval: 10\n' + LR
    found = project(tmp_path, {"solver.prototxt": solver, "t.prototxt": IN + FC + LOSS,
                               "net.prototxt": 'state { phase: TRAIN }\n' + IN + FC + LOSS}, registry)
    (hit,) = [d for d in found["net.prototxt"] if d.rule == "net-state-in-file"]
    assert "the test net is built in phase TRAIN" in hit.message


def test_empty_phase_net_with_solver_is_an_error(tmp_path, registry):
    solver = 'net: "net.prototxt"\ntest_iter: 1\ntest_interval: 10\n' + LR
    train_only = "include { phase: TRAIN } }\n"
    net = "".join(part[: -len("}\n")] + train_only for part in (IN, FC, LOSS))
    assert net.count("include { phase: TRAIN }") == 3
    found = project(tmp_path, {"solver.prototxt": solver, "net.prototxt": net}, registry)
    (hit,) = [d for d in found["net.prototxt"] if d.rule == "empty-phase-net"]
    assert hit.severity == "error" and "TEST #1 net" in hit.message
    # Used only as a train net: fine.
    found = project(tmp_path, {"solver.prototxt": 'net: "net.prototxt"\n' + LR, "net.prototxt": net}, registry)
    assert [d for d in found["net.prototxt"] if d.rule == "empty-phase-net"] == []


def test_no_loss_in_train_net(tmp_path, registry):
    found = project(tmp_path, {"solver.prototxt": 'net: "net.prototxt"\n' + LR, "net.prototxt": IN + FC}, registry)
    (hit,) = [d for d in found["net.prototxt"] if d.rule == "no-loss-in-train-net"]
    assert (hit.line, hit.severity, hit.code) == (1, "warning", "N218") and "solver.prototxt" in hit.message
    found = project(tmp_path, {"solver.prototxt": 'net: "net.prototxt"\n' + LR, "net.prototxt": IN + FC + LOSS}, registry)
    assert found["net.prototxt"] == []
    # A deploy net linted alone has no loss and that is fine.
    assert hits(IN + FC, registry, "no-loss-in-train-net") == []
    # A Python "loss" without loss_weight is python-loss-without-loss-weight's business; so is a fork's loss layer.
    python = IN + FC + 'layer { name: "loss" type: "Python" bottom: "fc" top: "loss" python_param { module: "m" layer: "L" } }\n'
    found = project(tmp_path, {"solver.prototxt": 'net: "net.prototxt"\n' + LR, "net.prototxt": python}, registry)
    assert [d for d in found["net.prototxt"] if d.rule == "no-loss-in-train-net"] == []
    fork = IN + FC + 'layer { name: "loss" type: "WeightedEuclideanLoss" bottom: "fc" bottom: "label" top: "loss" }\n'
    found = project(tmp_path, {"solver.prototxt": 'net: "net.prototxt"\n' + LR, "net.prototxt": fork}, registry)
    assert [d for d in found["net.prototxt"] if d.rule == "no-loss-in-train-net"] == []
    # Loss only in TEST.
    net = IN + FC + LOSS.replace(" }\n", " include { phase: TEST } }\n")
    found = project(tmp_path, {"solver.prototxt": 'net: "net.prototxt"\n' + LR, "net.prototxt": net}, registry)
    assert [d.rule for d in found["net.prototxt"]] == ["no-loss-in-train-net"]


def test_no_loss_in_embedded_train_net(registry):
    hit = one(NB_EXAMPLE(), registry, "no-loss-in-train-net", path="solver.prototxt")
    assert hit.line == 1 and hit.message.startswith("train_net_param is trained")


def NB_EXAMPLE():
    return [r for r in _ALL if r.code == "N218"][0].example


FC_TRAIN = 'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 10 } include { phase: TRAIN } }\n'
FC_TEST = 'layer {\n  name: "fc"\n  type: "InnerProduct"\n  bottom: "data"\n  top: "fc"\n  inner_product_param { num_output: 5 }\n  include { phase: TEST }\n}\n'


def test_train_test_param_mismatch(tmp_path, registry):
    net = TRAIN_VAL + FC_TRAIN + FC_TEST + LOSS
    solver = 'net: "net.prototxt"\ntest_iter: 1\ntest_interval: 10\n' + LR
    found = project(tmp_path, {"solver.prototxt": solver, "net.prototxt": net}, registry)
    (hit,) = [d for d in found["net.prototxt"] if d.rule == "train-test-param-mismatch"]
    assert (hit.line, hit.severity, hit.code) == (5, "error", "N225")
    assert "num_output 10 vs 5" in hit.message and "shape mismatch" in hit.message
    # bias_term differs: blob counts differ.
    net = TRAIN_VAL + FC_TRAIN + FC_TEST.replace("num_output: 5", "num_output: 10 bias_term: false") + LOSS
    found = project(tmp_path, {"solver.prototxt": solver, "net.prototxt": net}, registry)
    (hit,) = [d for d in found["net.prototxt"] if d.rule == "train-test-param-mismatch"]
    assert '"Incompatible number of blobs for layer fc"' in hit.message
    # Identical definitions: fine; alone, a train_val file gets a warning only.
    net = TRAIN_VAL + FC_TRAIN + FC_TEST.replace("num_output: 5", "num_output: 10") + LOSS
    found = project(tmp_path, {"solver.prototxt": solver, "net.prototxt": net}, registry)
    assert found["net.prototxt"] == []
    hit = one(TRAIN_VAL + FC_TRAIN + FC_TEST + LOSS, registry, "train-test-param-mismatch")
    assert hit.severity == "warning"


def test_test_layer_not_in_train(tmp_path, registry):
    net = TRAIN_VAL + FC_TRAIN + FC_TEST.replace('name: "fc"', 'name: "fc_test"') + LOSS
    solver = 'net: "net.prototxt"\ntest_iter: 1\ntest_interval: 10\n' + LR
    found = project(tmp_path, {"solver.prototxt": solver, "net.prototxt": net}, registry)
    (hit,) = [d for d in found["net.prototxt"] if d.rule == "test-layer-not-in-train"]
    assert (hit.line, hit.severity, hit.code) == (5, "warning", "N226") and "freshly initialised" in hit.message
    assert one(net, registry, "test-layer-not-in-train").severity == "info"
    # Layers without weights (the TEST data layer) do not count.
    found = project(tmp_path, {"solver.prototxt": solver, "net.prototxt": TRAIN_VAL + FC + LOSS}, registry)
    assert found["net.prototxt"] == []


def test_embedded_train_and_test_nets_are_compared(registry):
    def inline(field, num_output):
        return (f'{field} {{\n  layer {{ name: "in" type: "Input" top: "data" top: "label" input_param {{ shape {{ dim: 8 dim: 4 }} '
                f'shape {{ dim: 8 }} }} }}\n  layer {{ name: "fc" type: "InnerProduct" bottom: "data" top: "fc" '
                f'inner_product_param {{ num_output: {num_output} }} }}\n  ' + LOSS + '}\n')
    text = inline("train_net_param", 10) + inline("test_net_param", 5) + "test_iter: 1\ntest_interval: 10\n" + LR
    hit = one(text, registry, "train-test-param-mismatch", path="solver.prototxt")
    assert hit.severity == "error" and hit.line == 8
    text = inline("train_net_param", 10) + inline("test_net_param", 10) + "test_iter: 1\ntest_interval: 10\n" + LR
    assert mine(text, registry, path="solver.prototxt") == []


# --- N227 field-requires-newer-caffe


def test_field_requires_newer_caffe(registry):
    net = IN + 'layer {\n  name: "p"\n  type: "Pooling"\n  bottom: "data"\n  top: "p"\n  pooling_param { kernel_size: 2 round_mode: FLOOR }\n}\n'
    hit = one(net, registry, "field-requires-newer-caffe", caffe_version="1.0")
    assert (hit.line, hit.severity, hit.code) == (7, "error", "N227") and "configured target 1.0" in hit.message
    assert hits(net, registry, "field-requires-newer-caffe") == []  # master (the schema's own release)
    assert hits(net, registry, "field-requires-newer-caffe", caffe_version="master") == []
    hit = one(IN, registry, "field-requires-newer-caffe", caffe_version="rc3")
    assert '"Unknown layer type: Input"' in hit.message and hit.line == 1
    assert hits(IN, registry, "field-requires-newer-caffe", caffe_version="rc4") == []
    solver = 'net: "n"\ntype: "Adam"\nweights: "a.caffemodel"\n' + LR
    found = hits(solver, registry, "field-requires-newer-caffe", caffe_version="rc5", path="solver.prototxt")
    assert [d.line for d in found] == [3]
    found = hits(solver, registry, "field-requires-newer-caffe", caffe_version="rc2", path="solver.prototxt")
    assert [d.line for d in found] == [2, 3]


# --- variants of the single-file rules


def test_blob_counts_variants(registry):
    # Loss layers get their top automatically; Python layers are exempt.
    assert hits(IN + FC + 'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" }\n', registry,
                "layer-blob-count") == []
    assert hits(IN + 'layer { name: "py" type: "Python" bottom: "data" python_param { module: "m" layer: "L" } }\n', registry,
                "layer-blob-count") == []
    hit = one(IN + 'layer { name: "e" type: "Eltwise" bottom: "data" top: "e" }\n', registry, "layer-blob-count")
    assert '"Eltwise Layer takes at least 2 bottom blob(s) as input."' in hit.message
    hit = one(IN + 'layer { name: "p" type: "Pooling" bottom: "data" top: "p" top: "mask" '
              'pooling_param { pool: AVE kernel_size: 2 } }\n', registry, "layer-blob-count")
    assert "at most 1 top" in hit.message
    assert hits(IN + 'layer { name: "p" type: "Pooling" bottom: "data" top: "p" top: "mask" pooling_param { kernel_size: 2 } }\n',
                registry, "layer-blob-count") == []
    hit = one(IN + 'layer { name: "c" type: "Convolution" bottom: "data" bottom: "label" top: "c" '
              'convolution_param { num_output: 1 kernel_size: 1 } }\n', registry, "layer-blob-count")
    assert "one top per bottom" in hit.message
    hit = one(IN + 'layer { name: "f" type: "Filter" bottom: "data" bottom: "label" top: "a" top: "b" }\n', registry,
              "layer-blob-count")
    assert "#tops = #bottoms - 1" in hit.message
    lstm = IN + ('layer { name: "lstm" type: "LSTM" bottom: "data" bottom: "label" top: "h" top: "c_T" top: "h_T" '
                 'recurrent_param { num_output: 4 %s } }\n')
    assert "Layer produces 1 top blob(s)" in one(lstm % "", registry, "layer-blob-count").message
    assert "takes at least 4 bottom" in one(lstm % "expose_hidden: true", registry, "layer-blob-count").message


def test_loss_weight_count_infogain_fix(registry):
    bad = IN + FC + ('layer {\n  name: "loss"\n  type: "InfogainLoss"\n  bottom: "fc"\n  bottom: "label"\n  top: "loss"\n'
                     '  top: "prob"\n  infogain_loss_param { source: "H.binaryproto" }\n}\n')
    hit = one(bad, registry, "loss-weight-count")
    assert hit.line == 9 and "has 2 tops but no loss_weight" in hit.message
    (fix,) = hit.fixes
    assert fix.safe
    (edit,) = fix.edits
    fixed = bad[: edit.start] + edit.new_text + bad[edit.end:]
    assert '  top: "prob"\n  loss_weight: 1\n  loss_weight: 0\n' in fixed
    assert hits(fixed, registry, "loss-weight-count") == []
    # SoftmaxWithLoss with two tops is softmax-loss-two-tops' business.
    text = IN + FC + 'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" top: "prob" }\n'
    assert hits(text, registry, "loss-weight-count") == []
    # A loss layer without a written top: one automatic top, so one loss_weight.
    assert hits(IN + FC + 'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" loss_weight: 1 }\n',
                registry, "loss-weight-count") == []


def test_force_backward_only_where_backward_runs(registry):
    # A deploy net with force_backward (saliency maps): its TEST state counts.
    hit = one("force_backward: true\n" + IN + 'layer { name: "am" type: "ArgMax" bottom: "data" top: "am" }\n',
              registry, "force-backward-nondifferentiable")
    assert hit.line == 3 and "ArgMax" in hit.message
    # Embed's index input aborts; loss labels are exempt (AllowForceBackward), propagate_down does not help Embed.
    text = ("force_backward: true\n" + IN + 'layer { name: "emb" type: "Embed" bottom: "label" top: "emb" propagate_down: false '
            'embed_param { num_output: 4 input_dim: 10 } }\n' + FC + LOSS)
    hit = one(text, registry, "force-backward-nondifferentiable")
    assert "Can't backpropagate to EmbedLayer input." in hit.message
    assert hits("force_backward: true\n" + IN + FC + LOSS, registry, "force-backward-nondifferentiable") == []
    # InfogainLoss with the H matrix as third bottom: not exempt.
    text = ("force_backward: true\n" + IN + FC + 'layer { name: "loss" type: "InfogainLoss" bottom: "fc" bottom: "label" '
            'bottom: "data" top: "loss" }\n')
    assert "infogain inputs" in one(text, registry, "force-backward-nondifferentiable").message


def test_nondifferentiable_variants(registry):
    # The label of a loss computed by a learnable layer.
    text = IN + FC + ('layer { name: "lab" type: "InnerProduct" bottom: "data" top: "lab" inner_product_param { num_output: 1 } }\n'
                      'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "lab" top: "loss" }\n')
    hit = one(text, registry, "nondifferentiable-in-loss-path")
    assert 'bottom 1 ("lab")' in hit.message and "cannot backpropagate to label inputs" in hit.message
    fixed = text.replace('top: "loss" }', 'top: "loss" propagate_down: true propagate_down: false }')
    assert hits(fixed, registry, "nondifferentiable-in-loss-path") == []
    # ArgMax whose output is not on the loss path: nothing needs its backward.
    text = IN + FC + 'layer { name: "am" type: "ArgMax" bottom: "fc" top: "am" }\n' + LOSS
    assert hits(text, registry, "nondifferentiable-in-loss-path") == []
    # ArgMax on the path, cut by propagate_down on its reader: Caffe skips it.
    path = IN + FC + ('layer { name: "am" type: "ArgMax" bottom: "fc" top: "am" }\n'
                      'layer { name: "loss" type: "EuclideanLoss" bottom: "am" bottom: "label" top: "loss"%s }\n')
    assert one(path % "", registry, "nondifferentiable-in-loss-path").line == 3
    assert hits(path % " propagate_down: false propagate_down: false", registry, "nondifferentiable-in-loss-path") == []
    # A deploy net never runs backward.
    assert hits(IN + FC + 'layer { name: "t" type: "Threshold" bottom: "fc" top: "t" }\n', registry,
                "nondifferentiable-in-loss-path") == []
    # Accuracy with a loss_weight is accuracy-loss-weight's business.
    text = IN + FC + 'layer { name: "acc" type: "Accuracy" bottom: "fc" bottom: "label" top: "acc" loss_weight: 1 }\n' + LOSS
    assert hits(text, registry, "nondifferentiable-in-loss-path") == []


def test_too_many_param_specs_variants(registry):
    text = IN + ('layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" param { lr_mult: 1 } param { lr_mult: 2 } '
                 'inner_product_param { num_output: 2 bias_term: false } }\n')
    assert "with bias_term: false has 1 parameter blob" in one(text, registry, "too-many-param-specs").message
    bn = IN + 'layer { name: "bn" type: "BatchNorm" bottom: "data" top: "data" %s }\n'
    assert hits(bn % ("param { lr_mult: 0 } " * 3), registry, "too-many-param-specs") == []
    assert one(bn % ("param { lr_mult: 0 } " * 4), registry, "too-many-param-specs")
    scale = IN + 'layer { name: "s" type: "Scale" bottom: "data" top: "data" param { lr_mult: 1 } param { lr_mult: 1 } %s }\n'
    assert hits(scale % "scale_param { bias_term: true }", registry, "too-many-param-specs") == []
    assert "bias_term: false" in one(scale % "", registry, "too-many-param-specs").message
    # V1: blobs_lr entries are the param specs.
    v1 = ('layers { name: "in" type: DUMMY_DATA top: "data" dummy_data_param { shape { dim: 1 dim: 4 } } }\n'
          'layers { name: "r" type: RELU bottom: "data" top: "data"\n  blobs_lr: 1\n}\n')
    assert one(v1, registry, "too-many-param-specs").line == 3


def test_shared_param_shape_and_v1(registry):
    text = IN + ('layer { name: "a" type: "InnerProduct" bottom: "data" top: "a" param { name: "w" } inner_product_param { num_output: 2 } }\n'
                 'layer { name: "b" type: "InnerProduct" bottom: "data" top: "b" param { name: "w" } inner_product_param { num_output: 3 } }\n')
    hit = one(text, registry, "shared-param-mismatch")
    assert "num_output 2 vs 3" in hit.message and "shape mismatch" in hit.message and hit.line == 3
    assert hits(text.replace("num_output: 3", "num_output: 2"), registry, "shared-param-mismatch") == []
    permissive = text.replace('param { name: "w" } inner_product_param { num_output: 3 }',
                              'param { name: "w" share_mode: PERMISSIVE } inner_product_param { num_output: 3 }')
    assert hits(permissive, registry, "shared-param-mismatch") == []
    # decay_mult.
    text = IN + ('layer { name: "a" type: "InnerProduct" bottom: "data" top: "a" param { name: "w" decay_mult: 1 } inner_product_param { num_output: 2 } }\n'
                 'layer { name: "b" type: "InnerProduct" bottom: "data" top: "b" param { name: "w" decay_mult: 0 } inner_product_param { num_output: 2 } }\n')
    assert "decay_mult differ (1 vs 0)" in one(text, registry, "shared-param-mismatch").message
    # V1 nets: blobs_lr is explicit after the upgrade.
    v1 = ('layers { name: "in" type: DUMMY_DATA top: "a" top: "b" dummy_data_param { shape { dim: 1 dim: 4 } } }\n'
          'layers { name: "a" type: INNER_PRODUCT bottom: "a" top: "fa" blobs_lr: 1 param: "w" inner_product_param { num_output: 2 } }\n'
          'layers { name: "b" type: INNER_PRODUCT bottom: "b" top: "fb" blobs_lr: 0 param: "w" inner_product_param { num_output: 2 } }\n')
    assert one(v1, registry, "shared-param-mismatch").line == 3


def test_frozen_and_negative_lr_need_a_trained_net(registry):
    frozen = IN + 'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" param { lr_mult: 0 } param { lr_mult: 0 } inner_product_param { num_output: 2 } }\n'
    assert hits(frozen, registry, "layer-frozen") == []  # deploy net
    assert hits(frozen.replace("lr_mult: 0", "lr_mult: -1"), registry, "lr-mult-negative") == []
    # A layer with fewer param blocks than blobs still learns its bias; BatchNorm is never "frozen".
    partly = IN + 'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" param { lr_mult: 0 } inner_product_param { num_output: 2 } }\n' + LOSS
    assert hits(partly, registry, "layer-frozen") == []
    bn = IN + 'layer { name: "bn" type: "BatchNorm" bottom: "data" top: "data" param { lr_mult: 0 } param { lr_mult: 0 } param { lr_mult: 0 } }\n' + FC + LOSS
    assert hits(bn, registry, "layer-frozen") == []
    # A fixed bilinear upsampling is deliberate.
    deconv = IN + ('layer { name: "up" type: "Deconvolution" bottom: "data" top: "up" param { lr_mult: 0 } '
                   'convolution_param { num_output: 4 group: 4 kernel_size: 4 stride: 2 bias_term: false weight_filler { type: "bilinear" } } }\n'
                   + FC + LOSS)
    assert hits(deconv, registry, "layer-frozen") == []


def test_frozen_layers_in_a_solver_that_loads_weights(registry):
    net = ('train_net_param {\n  ' + IN + '  layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" param { lr_mult: 0 } '
           'param { lr_mult: 0 } inner_product_param { num_output: 2 } }\n  ' + LOSS + '}\n' + LR)
    assert one(net, registry, "layer-frozen", path="solver.prototxt").line == 3
    assert hits(net + 'weights: "pretrained.caffemodel"\n', registry, "layer-frozen", path="solver.prototxt") == []


def test_empty_phase_net_negative_when_layers_remain(registry):
    assert hits(TRAIN_VAL + FC + LOSS, registry, "empty-phase-net") == []
    assert hits('name: "empty"\n', registry, "empty-phase-net") == []


# --- backward inference and the facts table


def _net(text, registry):
    result = lint_bytes("net.prototxt", text.encode(), options(registry))
    return net_alone(result.document.root)


def test_backward_inference_mirrors_caffe(registry):
    net = _net(IN + ('layer { name: "bn" type: "BatchNorm" bottom: "data" top: "data" }\n'
                     'layer { name: "relu" type: "ReLU" bottom: "data" top: "data" }\n' + FC + LOSS
                     + 'layer { name: "acc" type: "Accuracy" bottom: "fc" bottom: "label" top: "acc" }\n'), registry)
    result = nb.backward(net, TRAIN)
    need = {layer.name: result.need[layer] for layer in net.layers}
    # BatchNorm without param blocks counts as learnable for need_backward (net.cpp uses the net's ParamSpec).
    assert need == {"in": False, "bn": True, "relu": True, "fc": True, "loss": True, "acc": False}
    loss = net.layers[4]
    assert result.pd[loss] == [True, False]
    assert result.contributes[net.layers[5]] is False
    forced = nb.backward(net, TRAIN, forced=True)
    assert forced.need[net.layers[5]] and forced.pd[net.layers[5]] == [True, True]
    assert forced.pd[loss] == [True, False]  # labels stay exempt
    assert [a.layer.name for a in nb.aborts(forced)] == ["acc"]


def test_layer_facts_table(registry):
    net = _net(IN + 'layer { name: "c" type: "Convolution" bottom: "data" top: "c" convolution_param { num_output: 1 kernel_size: 1 bias_term: false } }\n'
               'layer { name: "s" type: "Scale" bottom: "c" bottom: "data" top: "s" scale_param { bias_term: true } }\n'
               'layer { name: "l" type: "LSTM" bottom: "c" bottom: "label" bottom: "data" top: "h" recurrent_param { num_output: 2 } }\n'
               'layer { name: "py" type: "Python" bottom: "c" top: "py" }\n'
               'layer { name: "x" type: "NotACaffeLayer" bottom: "c" top: "x" }\n', registry)
    layers = {layer.name: layer for layer in net.layers}
    assert [facts.param_blob_count(layers[n]) for n in "csl"] == [1, 1, 4]
    assert facts.param_blob_count(layers["py"]) is None and facts.blob_counts(layers["x"]) is None
    assert facts.blob_counts(layers["in"]).violation("Input", 0, 2) is None
    assert facts.nondiff_bottoms(layers["l"]) == {1: "Check failed: !propagate_down[1] Cannot backpropagate to sequence indicators."}
    assert facts.force_backward_excluded(layers["l"]) == {1}
    assert facts.whole_layer_nondiff("Threshold") and not facts.whole_layer_nondiff("ReLU")
    assert facts.is_loss_type("InfogainLoss") and not facts.is_loss_type("Accuracy")
    assert facts.BlobCounts(exact_bottoms=2, exact_tops=1, auto_tops=True).effective_tops(0) == 1


# --- registration and documentation


def test_codes_and_names(registry):
    expected = [
        ("N207", "inline-net-legacy-syntax"), ("N208", "legacy-v1-syntax"), ("N209", "legacy-v0-syntax"),
        ("N211", "layer-blob-count"), ("N212", "include-and-exclude"), ("N213", "net-state-in-file"),
        ("N214", "empty-phase-net"), ("N215", "inplace-not-allowed"), ("N216", "propagate-down-count"),
        ("N217", "loss-weight-count"), ("N218", "no-loss-in-train-net"), ("N219", "force-backward-nondifferentiable"),
        ("N220", "nondifferentiable-in-loss-path"), ("N221", "too-many-param-specs"), ("N222", "shared-param-mismatch"),
        ("N223", "lr-mult-negative"), ("N224", "layer-frozen"), ("N225", "train-test-param-mismatch"),
        ("N226", "test-layer-not-in-train"), ("N227", "field-requires-newer-caffe"),
    ]
    assert [(rule.code, rule.name) for rule in NET_RULES] == expected
    for rule in NET_RULES:
        assert registry.lookup(rule.code) is rule and registry.lookup(rule.name) is rule


@pytest.mark.parametrize("rule", NET_RULES, ids=lambda r: r.name)
def test_docs_complete_and_example_triggers(registry, rule):
    for section in DOC_SECTIONS + ("summary",):
        assert getattr(rule, section).strip(), f"{rule.name}: empty {section}"
    assert rule.name in rule.documentation()
    found = [d for d in lint(rule.example, registry, path="example.prototxt", caffe_version=rule.example_caffe_version)
             if d.rule == rule.name]
    assert found, f"{rule.name}: its example does not trigger it"


# --- the reference corpus: models known to train raise no error

CORPUS = Path(os.environ.get("PROTOLINT_CORPUS", "/work/shared/corpus"))
REFERENCE = ["BVLC__caffe/models", "KaimingHe__deep-residual-networks", "forresti__SqueezeNet", "shicai__MobileNet-Caffe"]


def lint_folder(registry, folders):
    paths = sorted(p for folder in folders for p in (CORPUS / folder).rglob("*.prototxt"))
    inputs = [Input(str(p), p.read_bytes(), str(p)) for p in paths]
    return paths, lint_inputs(inputs, lambda _: options(registry))


@pytest.mark.skipif(not (CORPUS / REFERENCE[0]).is_dir(), reason="the reference corpus is not available")
def test_reference_models_have_no_errors(registry):
    paths, results = lint_folder(registry, REFERENCE)
    assert len(paths) >= 20
    errors = [f"{r.path}:{d.line} {d.rule}: {d.message}" for r in results for d in r.diagnostics
              if d.rule in NAMES and d.severity in ("error", "warning")]
    assert errors == []


@pytest.mark.skipif(not (CORPUS / "BVLC__caffe").is_dir(), reason="the reference corpus is not available")
def test_bvlc_consolidated_solver_cannot_train(registry):
    # Spec 10.2 (16): BVLC's own lenet_consolidated_solver embeds a V1 net, which Caffe does not upgrade.
    path = CORPUS / "BVLC__caffe/examples/mnist/lenet_consolidated_solver.prototxt"
    found = [d for d in lint_bytes(str(path), path.read_bytes(), options(registry)).diagnostics if d.rule in NAMES]
    assert [d.rule for d in found] == ["inline-net-legacy-syntax"]


def test_blob_graph_split_points_and_versions():
    from protolint.api import lint_bytes
    from protolint.linter import LintOptions
    from protolint.model.net import TRAIN, Net
    from protolint.model.usage import net_alone
    from protolint.schema.loader import builtin_schema

    text = (
        'layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 4 } } }\n'
        'layer { name: "ip" type: "InnerProduct" bottom: "data" top: "ip" inner_product_param { num_output: 2 } }\n'
        'layer { name: "relu" type: "ReLU" bottom: "ip" top: "ip" }\n'  # in place: version 1 of "ip"
        'layer { name: "a" type: "Sigmoid" bottom: "ip" top: "a" }\n'
        'layer { name: "b" type: "TanH" bottom: "ip" top: "b" loss_weight: 1 }\n'
        'layer { name: "c" type: "Sigmoid" bottom: "b" top: "c" }\n'
    )
    result = lint_bytes("n.prototxt", text.encode(), default_options(schema=builtin_schema(), select=["P"]))
    graph = net_alone(result.document.root).graph(TRAIN)
    assert graph.versions == {"data": 0, "ip": 1, "a": 0, "b": 0, "c": 0}
    relu = graph.layers[2]
    assert [(u.layer.name, u.in_place) for u in graph.consumers[("ip", 0)]] == [("relu", True)]
    splits = {(top.node.scalar, top.version): sorted(r.layer.name for r in readers) for top, readers in graph.split_points()}
    # "ip" v1 is read by a and b; "b" is read by c and carries a loss weight: both get a Split.
    assert splits == {("ip", 1): ["a", "b"], ("b", 0): ["c"]}
    assert graph.producer_of(graph.consumers[("ip", 1)][0]).layer is relu


def test_v0_layers_are_upgraded_in_the_model():
    from protolint.api import lint_bytes
    from protolint.linter import LintOptions
    from protolint.model.net import TRAIN, Net
    from protolint.model.usage import net_alone
    from protolint.schema.loader import builtin_schema

    text = (
        'layers { layer { name: "data" type: "data" source: "db" batchsize: 8 } top: "data" top: "label" }\n'
        'layers { layer { name: "pad1" type: "padding" pad: 1 } bottom: "data" top: "pad1" }\n'
        'layers { layer { name: "conv1" type: "conv" num_output: 4 kernelsize: 3 } bottom: "pad1" top: "conv1" }\n'
        'layers { layer { name: "loss" type: "softmax_loss" } bottom: "conv1" bottom: "label" }\n'
    )
    result = lint_bytes("v0.prototxt", text.encode(), default_options(schema=builtin_schema(), select=["P"]))
    assert [d for d in result.diagnostics if d.severity == "error"] == []
    net = net_alone(result.document.root)
    assert [(layer.name, layer.type) for layer in net.layers] == [
        ("data", "Data"), ("pad1", ""), ("conv1", "Convolution"), ("loss", "SoftmaxWithLoss"),
    ]
    assert net.graph(TRAIN).unknown_bottoms == [] and net.trained
