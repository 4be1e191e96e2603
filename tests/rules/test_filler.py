"""Filler rules (F4xx), what their fixtures cannot show: fixes, a linter option set by the host,
codes, and the reference models."""

from __future__ import annotations

from protolint.api import lint_bytes
from protolint.rules.builtin import BUILTIN_RULES
from tests.rules.kit import apply, codes, hits, one, options, reference_findings

IN = ('layer { name: "in" type: "Input" top: "data" top: "label" '
      'input_param { shape { dim: 8 dim: 3 dim: 8 dim: 8 } shape { dim: 8 } } }\n')
RELU = 'layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }\n'
LOSS = 'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }\n'
CONV = ('layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" '
        'convolution_param { num_output: 16 kernel_size: 3 %s } }\n')
FC = 'layer { name: "fc" type: "InnerProduct" bottom: "conv1" top: "fc" inner_product_param { num_output: 10 %s } }\n'
MSRA = 'weight_filler { type: "msra" }'


def test_constant_weight_filler_of_pretrained_weights():
    # Weights loaded from a .caffemodel (the `pretrained` setting says so): the filler is used only
    # for a layer the .caffemodel lacks, so the finding is an info that says why.
    text = IN + CONV % 'weight_filler { type: "constant" value: 0.1 }' + RELU + FC % 'weight_filler { type: "xavier" }' + LOSS
    assert one(text, "constant-weight-filler").severity == "warning"
    result = lint_bytes("net.prototxt", text.encode(), options(pretrained=True))
    (hit,) = [d for d in result.diagnostics if d.rule == "constant-weight-filler"]
    assert hit.severity == "info" and "the `pretrained` setting" in hit.message


def test_filler_unknown_type_fixes_only_the_case():
    deploy = IN + CONV % MSRA + RELU + FC
    (fix,) = one(deploy % 'weight_filler { type: "Xavier" }', "filler-unknown-type").fixes
    assert fix.safe and [e.new_text for e in fix.edits] == ['"xavier"']
    assert not one(deploy % 'weight_filler { type: "he" }', "filler-unknown-type").fixes


def test_filler_ignored_fields_fix_removes_them():
    text = IN + CONV % MSRA + RELU + (
        'layer { name: "fc" type: "InnerProduct" bottom: "conv1" top: "fc" inner_product_param { num_output: 10\n'
        '    weight_filler {\n      type: "xavier"\n      std: 0.1\n      mean: 0\n    } } }\n') + LOSS
    (fix,) = one(text, "filler-ignored-fields").fixes
    fixed = apply(text, fix)
    assert "std" not in fixed and "mean" not in fixed and 'type: "xavier"\n    } } }' in fixed
    assert hits(fixed, "filler-ignored-fields") == []


def test_bilinear_learnable_fix_is_unsafe():
    text = ('layer { name: "in" type: "Input" top: "data" top: "label" '
            'input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } shape { dim: 1 dim: 1 dim: 16 dim: 16 } } }\n'
            'layer { name: "score" type: "Convolution" bottom: "data" top: "score" '
            'convolution_param { num_output: 21 kernel_size: 1 weight_filler { type: "xavier" } } }\n'
            'layer { name: "up" type: "Deconvolution" bottom: "score" top: "up" convolution_param { num_output: 21 stride: 2 '
            'bias_term: false group: 21 kernel_size: 4 weight_filler { type: "bilinear" } } }\n'
            'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "up" bottom: "label" top: "loss" }\n')
    hit = one(text, "bilinear-learnable")
    assert hit.fixes and not hit.fixes[0].safe


def test_codes():
    assert sorted(r.code for r in BUILTIN_RULES if r.code.startswith("F")) == \
        ["F401", "F402", "F403"] + [f"F{405 + i}" for i in range(14)]  # F404 is not a rule


def test_reference_models_have_no_errors_or_warnings():
    assert reference_findings(codes("F405", "F418")) == []
