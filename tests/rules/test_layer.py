"""Layer rules (L3xx), what their fixtures cannot show: fixes (what they write, whether they are
safe, that the fixed net is clean and still parses), codes and names, and the reference models."""

from __future__ import annotations

import pytest

from protolint.rules.builtin import BUILTIN_RULES
from tests.rules.kit import REGISTRY, apply, codes, hits, lint, one, reference_findings


# Nets are written one layer per line.
def net(*layers: str) -> str:
    return "\n".join(layers) + "\n"


IN = ('layer { name: "in" type: "Input" top: "data" top: "label" '
      'input_param { shape { dim: 8 dim: 3 dim: 8 dim: 8 } shape { dim: 8 } } }')
FC = ('layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" '
      'inner_product_param { num_output: 10 weight_filler { type: "xavier" } } }')


def fc(n, name="fc", bottom="data"):
    return (f'layer {{ name: "{name}" type: "InnerProduct" bottom: "{bottom}" top: "{name}" '
            f'inner_product_param {{ num_output: {n} weight_filler {{ type: "xavier" }} }} }}')


def loss(bottom="fc", kind="SoftmaxWithLoss", extra=""):
    return f'layer {{ name: "loss" type: "{kind}" bottom: "{bottom}" bottom: "label" top: "loss" {extra}}}'


def layer(name, kind, bottom="data", top=None, extra=""):
    return f'layer {{ name: "{name}" type: "{kind}" bottom: "{bottom}" top: "{top or name}" {extra}}}'


def conv(params, name="conv1", bottom="data"):
    return layer(name, "Convolution", bottom, extra=f"convolution_param {{ {params} }} ")


def eltwise(params, bottoms=("a", "b")):
    b = " ".join(f'bottom: "{x}"' for x in bottoms)
    return f'layer {{ name: "e" type: "Eltwise" {b} top: "e" eltwise_param {{ {params} }} }}'


AB = (layer("a", "ReLU"), layer("b", "Sigmoid"))
SOLVER_HEAD = 'base_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 100\nsolver_mode: GPU\n'


def only_fix(text, rule):
    (fix,) = one(text, rule).fixes
    return fix


# --- what each fix writes


def test_multinomial_logistic_fix_switches_to_softmax_loss():
    fix = only_fix(net(IN, FC, loss("fc", "MultinomialLogisticLoss")), "multinomial-logistic-without-softmax")
    assert not fix.safe and [e.new_text for e in fix.edits] == ['"SoftmaxWithLoss"']


def test_conv_cudnn_dilation_fix_removes_the_engine():
    fix = only_fix(net(IN, conv("num_output: 8 kernel_size: 3 dilation: 2 engine: CUDNN")), "conv-cudnn-dilation")
    assert not fix.safe and [e.new_text for e in fix.edits] == [""]


def test_infogain_normalize_fix():
    text = net(IN, FC, loss(kind="InfogainLoss", extra='infogain_loss_param { source: "H" } loss_param { normalize: false } '))
    fix = only_fix(text, "infogain-normalize-field")
    assert fix.safe and [e.new_text for e in fix.edits] == ["normalization: BATCH_SIZE"]
    both = net(IN, FC, loss(kind="InfogainLoss", extra='infogain_loss_param { source: "H" } loss_param { normalize: false '
                                                   "normalization: VALID } "))
    assert one(both, "infogain-normalize-field").fixes == []  # which of the two was meant is unknown


def test_accuracy_fixes():
    text = net(IN, FC, loss(), layer("acc", "Accuracy", "fc", extra='bottom: "label" loss_weight: 1 include { phase: TEST } '))
    assert not only_fix(text, "accuracy-loss-weight").safe
    fix = only_fix(net(IN, FC, loss(), layer("acc", "Accuracy", "fc", extra='bottom: "label" ')), "accuracy-in-train")
    assert not fix.safe and [e.new_text for e in fix.edits] == [" include { phase: TEST }"]


def test_eltwise_and_concat_fixes():
    fix = only_fix(net(IN, *AB, eltwise("operation: MAX coeff: 0.5 coeff: 0.5")), "eltwise-coeff-with-max")
    assert fix.safe and len(fix.edits) == 2
    concat = 'layer { name: "c" type: "Concat" bottom: "a" bottom: "b" top: "c" concat_param { axis: 1 concat_dim: 1 } }'
    assert only_fix(net(IN, *AB, concat), "concat-axis-and-concat-dim").safe
    slice_ = 'layer { name: "s" type: "Slice" bottom: "data" top: "s1" top: "s2" slice_param { axis: 0 slice_dim: 1 } }'
    assert one(net(IN, slice_), "slice-axis-and-slice-dim").fixes == []  # different axes: which one was meant is unknown


def test_prelu_and_python_loss_fixes():
    fix = only_fix(net(IN, FC, layer("prelu", "PReLU", "fc", "fc"), loss()), "prelu-slope-decay")
    assert [e.new_text for e in fix.edits] == [" param { decay_mult: 0 }"]
    text = net(IN, FC, 'layer { name: "loss" type: "Python" bottom: "fc" bottom: "label" top: "loss" '
                       'python_param { module: "losses" layer: "DiceLoss" } }')
    fix = only_fix(text, "python-loss-without-loss-weight")
    assert not fix.safe and [e.new_text for e in fix.edits] == [" loss_weight: 1"]


FIXED = [
    ("eltwise-coeff-with-max", net(IN, *AB, eltwise("operation: MAX coeff: 0.5 coeff: 0.5"))),
    ("eltwise-coeff-with-prod", net(IN, *AB, eltwise("operation: PROD coeff: 1 coeff: 1"))),
    ("concat-axis-and-concat-dim",
     net(IN, *AB, 'layer { name: "c" type: "Concat" bottom: "a" bottom: "b" top: "c" concat_param { axis: 1 concat_dim: 1 } }')),
    ("infogain-normalize-field",
     net(IN, FC, loss(kind="InfogainLoss", extra='infogain_loss_param { source: "H" } loss_param { normalize: true } '))),
    ("accuracy-in-train", net(IN, FC, loss(), layer("acc", "Accuracy", "fc", extra='bottom: "label" '))),
    ("accuracy-loss-weight", net(IN, FC, loss(), layer("acc", "Accuracy", "fc", extra='bottom: "label" loss_weight: 1 '))),
    ("prelu-slope-decay", net(IN, FC, layer("prelu", "PReLU", "fc", "fc"), loss())),
    ("conv-cudnn-dilation", net(IN, conv("num_output: 8 kernel_size: 3 dilation: 2 engine: CUDNN"))),
    ("multinomial-logistic-without-softmax", net(IN, FC, loss("fc", "MultinomialLogisticLoss"))),
    ("python-loss-without-loss-weight",
     "layer {\n  name: \"loss\"\n  type: \"Python\"\n  bottom: \"data\"\n  top: \"loss\"\n"
     "  python_param { module: \"losses\" layer: \"L\" }\n}\n"),
    ("eltwise-unstable-prod-grad",
     net(IN, fc(4, "a"), fc(4, "b"), eltwise("operation: PROD\n  stable_prod_grad: false\n"), loss("e", "EuclideanLoss"))),
]


@pytest.mark.parametrize("rule, text", FIXED, ids=[f[0] for f in FIXED])
def test_fix_resolves_the_finding(rule, text):
    (fix,) = one(text, rule).fixes
    fixed = apply(text, fix)
    assert hits(fixed, rule) == []
    assert not [d for d in lint(fixed) if d.rule in ("syntax-error", "unknown-field", "invalid-value")], fixed


# --- codes and names


def test_codes_and_names():
    contract = [("L305", "dropout-ratio-range"), ("L306", "lrn-local-size-even"),
                ("L307", "softmax-loss-on-probabilities"), ("L308", "multinomial-logistic-without-softmax"),
                ("L323", "pooling-empty-window"), ("L325", "pooling-non-4d"), ("L343", "loss-input-shape-mismatch"),
                ("L360", "layer-shape-mismatch")]
    for code, name in contract:
        assert REGISTRY.lookup(code).name == name and REGISTRY.lookup(name).code == code
    layer_rules = [r for r in BUILTIN_RULES if r.code.startswith("L")]
    # L319 is covered by pooling-global-with-kernel, L340 by deprecated-field: neither is a rule.
    assert {r.code for r in layer_rules} == {f"L{n}" for n in range(301, 380)} - {"L319", "L340"}
    assert all("net" in r.applies_to for r in layer_rules)


def test_reference_models_have_no_errors():
    shape = {"pooling-empty-window", "pooling-non-4d", "loss-input-shape-mismatch", "layer-shape-mismatch"}
    assert reference_findings(codes("L305", "L377") - shape, severities=("error",)) == []
