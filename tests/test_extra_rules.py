"""Filler (F405-F418), BatchNorm/MVN (B506-B511) and further solver rules (S131, S137, S138) of
rules/extra_pack.py: each fires on a small bad file at the right line with the right message and
severity, stays silent once the file is corrected, and has complete documentation whose example
triggers it; the reference models raise no error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from dataclasses import replace

from protolint.api import default_options
from protolint.api import lint_bytes
from protolint.linter import LintOptions
from protolint.project import Input, lint_inputs
from protolint.registry import Registry
from protolint.rule import DOC_SECTIONS
from protolint.rules import BUILTIN_RULES
from _packs import EXTRA_RULES
from protolint.schema.loader import builtin_schema

NAMES = {rule.name for rule in EXTRA_RULES}


@pytest.fixture(scope="module")
def registry():
    return Registry(BUILTIN_RULES + [rule for rule in EXTRA_RULES if rule not in BUILTIN_RULES])


def options(registry, **kwargs):
    return default_options(schema=builtin_schema(), registry=registry, **kwargs)


def lint(text: str, registry, path: str = "net.prototxt", **kwargs):
    return lint_bytes(path, text.encode(), options(registry, **kwargs)).diagnostics


def hits(text, registry, rule, **kwargs):
    return [d for d in lint(text, registry, **kwargs) if d.rule == rule]


def one(text, registry, rule, **kwargs):
    found = hits(text, registry, rule, **kwargs)
    assert len(found) == 1, [(d.rule, d.line, d.message) for d in lint(text, registry, **kwargs) if d.rule in NAMES]
    return found[0]


def silent(text, registry, rule, **kwargs):
    return not hits(text, registry, rule, **kwargs)


# ---------------------------------------------------------------------------------------------
# Net fixtures: one layer per line. IN is line 1.

IN = ('layer { name: "in" type: "Input" top: "data" top: "label" '
      'input_param { shape { dim: 8 dim: 3 dim: 8 dim: 8 } shape { dim: 8 } } }\n')
RELU = 'layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }\n'
LOSS = 'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }\n'


def conv(params: str, extra: str = "", name: str = "conv1", kind: str = "Convolution") -> str:
    return (f'layer {{ name: "{name}" type: "{kind}" bottom: "data" top: "conv1" {extra}'
            f'convolution_param {{ num_output: 16 kernel_size: 3 {params} }} }}\n')


def fc(params: str, extra: str = "") -> str:
    return (f'layer {{ name: "fc" type: "InnerProduct" bottom: "conv1" top: "fc" {extra}'
            f'inner_product_param {{ num_output: 10 {params} }} }}\n')


XAVIER = 'weight_filler { type: "xavier" }'
MSRA = 'weight_filler { type: "msra" }'


def trained_conv(params: str, extra: str = "") -> str:
    """conv1 (line 2, a hidden layer) -> relu -> fc (line 4, the head) -> loss."""
    return IN + conv(params, extra) + RELU + fc(XAVIER) + LOSS


def trained_fc(params: str, extra: str = "") -> str:
    """The head fc is on line 4."""
    return IN + conv(MSRA) + RELU + fc(params, extra) + LOSS


def deploy_fc(params: str) -> str:
    return IN + conv(MSRA) + RELU + fc(params)


# Deconvolution fixtures: score (21 channels, line 2) -> up (line 3) -> loss.
SEG_IN = ('layer { name: "in" type: "Input" top: "data" top: "label" '
          'input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } shape { dim: 1 dim: 1 dim: 16 dim: 16 } } }\n')
SCORE = ('layer { name: "score" type: "Convolution" bottom: "data" top: "score" '
         'convolution_param { num_output: 21 kernel_size: 1 weight_filler { type: "xavier" } } }\n')
SEG_LOSS = 'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "up" bottom: "label" top: "loss" }\n'


def upsample(params: str, extra: str = 'param { lr_mult: 0 } ') -> str:
    return (SEG_IN + SCORE + f'layer {{ name: "up" type: "Deconvolution" bottom: "score" top: "up" {extra}'
            f'convolution_param {{ num_output: 21 stride: 2 bias_term: false {params} }} }}\n' + SEG_LOSS)


BILINEAR = 'weight_filler { type: "bilinear" }'

# BatchNorm fixtures: conv (line 2) -> bn1 (line 3) -> [line 4] -> relu -> fc -> loss.
CONV_NB = ('layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param '
           '{ num_output: 16 kernel_size: 3 bias_term: false weight_filler { type: "msra" } } }\n')


def bn_net(bn: str, after: str = "", loss: bool = True) -> str:
    tail = RELU + fc(XAVIER) + (LOSS if loss else "")
    return IN + CONV_NB + f'layer {{ name: "bn1" type: "BatchNorm" bottom: "conv1" top: "conv1" {bn}}}\n' + after + tail


def scale(params: str, extra: str = "") -> str:
    return f'layer {{ name: "scale1" type: "Scale" bottom: "conv1" top: "conv1" {extra}scale_param {{ {params} }} }}\n'


THREE = "param { lr_mult: 0 } param { lr_mult: 0 } param { lr_mult: 0 } "

# Solver fixtures.
S_HEAD = 'net: "train_val.prototxt"\nsolver_mode: GPU\n'
S_LR = 'lr_policy: "fixed"\nmax_iter: 1000\n'
BN_NET_PARAM = (
    'net_param {\n'
    '  layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 4 } shape { dim: 8 } } }\n'
    '  layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 4 weight_filler { type: "xavier" } } }\n'
    '  layer { name: "bn" type: "BatchNorm" bottom: "fc" top: "fc" }\n'
    '  layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }\n'
    '}\n'
)  # lines 1-6
TEST_NET_PARAM = (
    'net_param {\n'
    '  layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 4 } } include { phase: TRAIN } }\n'
    '  layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 4 } } include { phase: TEST } }\n'
    '}\n'
)

# (rule, severity, bad text, line, key phrase, corrected text, lint kwargs)
CASES = [
    ("uniform-filler-default-range", "warning", trained_conv('weight_filler { type: "uniform" }'), 2,
     "the default range is [0, 1]", trained_conv('weight_filler { type: "uniform" min: -0.05 max: 0.05 }'), {}),
    ("uniform-filler-min-gt-max", "error", deploy_fc('weight_filler { type: "uniform" min: 0.1 max: -0.1 }'), 4,
     '"Check failed: a <= b"', deploy_fc('weight_filler { type: "uniform" min: -0.1 max: 0.1 }'), {}),
    ("constant-weight-filler", "warning", trained_conv('weight_filler { type: "constant" value: 0.1 }'), 2,
     "initialises its weights to the constant 0.1", trained_conv(MSRA), {}),
    ("filler-unknown-type", "error", deploy_fc('weight_filler { type: "Xavier" }'), 4,
     '"Unknown filler name: Xavier"; did you mean "xavier"?', deploy_fc(XAVIER), {}),
    ("filler-sparse-invalid", "error", trained_fc('weight_filler { type: "xavier" sparse: 15 }'), 4,
     '"Sparsity not supported by this Filler."', trained_fc('weight_filler { type: "gaussian" std: 0.01 sparse: 5 }'), {}),
    ("filler-ignored-fields", "info", trained_fc('weight_filler { type: "xavier" std: 0.1 }'), 4,
     "ignores std", trained_fc(XAVIER), {}),
    ("fan-filler-on-bias", "info", trained_fc(XAVIER + ' bias_filler { type: "xavier" }'), 4,
     "U(-1.73, 1.73)", trained_fc(XAVIER + ' bias_filler { type: "constant" value: 0 }'), {}),
    ("bias-filler-large", "info", trained_fc(XAVIER + ' bias_filler { type: "constant" value: 5 }'), 4,
     "starts its bias at 5", trained_fc(XAVIER + ' bias_filler { type: "constant" value: 0.1 }'), {}),
    ("bilinear-nonsquare", "error", upsample('group: 21 kernel_h: 4 kernel_w: 2 ' + BILINEAR), 3,
     '"Filter must be square"', upsample('group: 21 kernel_size: 4 ' + BILINEAR), {}),
    ("bilinear-not-depthwise", "warning", upsample('kernel_size: 4 ' + BILINEAR), 3,
     "group 1, num_output 21, input channels 21", upsample('group: 21 kernel_size: 4 ' + BILINEAR), {}),
    ("bilinear-learnable", "info", upsample('group: 21 kernel_size: 4 ' + BILINEAR, extra=""), 3,
     "is learnable (lr_mult 1)", upsample('group: 21 kernel_size: 4 ' + BILINEAR), {}),
    ("bilinear-on-conv", "warning", trained_conv('weight_filler { type: "bilinear" }'), 2,
     "only makes sense for a Deconvolution", trained_conv(MSRA), {}),
    ("scale-filler-override", "warning", bn_net("", scale('bias_term: true filler { type: "gaussian" std: 1 }')), 4,
     'after BatchNorm "bn1" overrides the default unit scale with a gaussian filler', bn_net("", scale("bias_term: true")), {}),
    ("scale-zero-filler", "warning", bn_net("", scale("bias_term: true filler {}")), 4,
     "an empty filler {} is constant 0", bn_net("", scale("bias_term: true")), {}),
    ("batchnorm-legacy-params", "info", bn_net(THREE, scale("bias_term: true")), 3,
     "declares three param blocks (pre-rc4 style)", bn_net("", scale("bias_term: true")), {}),
    ("batchnorm-batch-stats-in-test", "warning", bn_net("batch_norm_param { use_global_stats: false } ", scale("bias_term: true"),
                                                        loss=False), 3,
     "normalises with the current batch in TEST", bn_net("", scale("bias_term: true"), loss=False), {}),
    ("batchnorm-tiny-batch", "warning",
     'layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 1 dim: 16 } shape { dim: 1 } } }\n'
     'layer { name: "fc1" type: "InnerProduct" bottom: "data" top: "fc1" inner_product_param { num_output: 8 weight_filler { type: "xavier" } } }\n'
     'layer { name: "bn1" type: "BatchNorm" bottom: "fc1" top: "fc1" }\n'
     'layer { name: "fc" type: "InnerProduct" bottom: "fc1" top: "fc" inner_product_param { num_output: 2 weight_filler { type: "xavier" } } }\n'
     + LOSS, 3, 'its input from InnerProduct "fc1" is 1x1',
     'layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 32 dim: 16 } shape { dim: 32 } } }\n'
     'layer { name: "fc1" type: "InnerProduct" bottom: "data" top: "fc1" inner_product_param { num_output: 8 weight_filler { type: "xavier" } } }\n'
     'layer { name: "bn1" type: "BatchNorm" bottom: "fc1" top: "fc1" }\n'
     'layer { name: "fc" type: "InnerProduct" bottom: "fc1" top: "fc" inner_product_param { num_output: 2 weight_filler { type: "xavier" } } }\n'
     + LOSS, {}),
    ("batchnorm-test-initialization", "info", BN_NET_PARAM + 'test_iter: 10\ntest_interval: 100\nbase_lr: 0.01\n' + S_LR
     + 'solver_mode: GPU\n', 1, "the first test loss/accuracy is meaningless",
     BN_NET_PARAM + 'test_iter: 10\ntest_interval: 100\ntest_initialization: false\nbase_lr: 0.01\n' + S_LR + 'solver_mode: GPU\n',
     {"root": "solver"}),
    ("batchnorm-gpu-powx-nan", "info", BN_NET_PARAM + 'base_lr: 0.01\n' + S_LR + 'solver_mode: GPU\n', 10,
     "fixed by PR #5136 in 1.0", BN_NET_PARAM + 'base_lr: 0.01\n' + S_LR + 'solver_mode: CPU\n',
     {"root": "solver", "caffe_version": "rc5"}),
    ("mvn-eps-nonpositive", "error", IN + 'layer { name: "mvn" type: "MVN" bottom: "data" top: "mvn" mvn_param { eps: 0 } }\n', 2,
     "divides 0/0 = NaN", IN + 'layer { name: "mvn" type: "MVN" bottom: "data" top: "mvn" mvn_param { } }\n', {}),
    ("base-lr-high", "info", S_HEAD + 'base_lr: 0.1\ntype: "Adam"\nmomentum: 0.9\n' + S_LR, 3, "is high for Adam (above 0.01)",
     S_HEAD + 'base_lr: 0.001\ntype: "Adam"\nmomentum: 0.9\n' + S_LR, {"root": "solver"}),
    ("generic-net-no-test-iter", "info", TEST_NET_PARAM + 'base_lr: 0.01\n' + S_LR + 'solver_mode: GPU\n', 1,
     "has TEST-phase layers", TEST_NET_PARAM + 'test_iter: 1\ntest_interval: 100\nbase_lr: 0.01\n' + S_LR + 'solver_mode: GPU\n',
     {"root": "solver"}),
]
# snapshot-prefix-dir-missing needs a solver file on disk: test_snapshot_prefix_dir_missing.


def test_cases_cover_every_rule():
    assert sorted([c[0] for c in CASES] + ["snapshot-prefix-dir-missing"]) == sorted(NAMES)


@pytest.mark.parametrize("rule, severity, bad, line, phrase, good, kwargs", CASES, ids=[c[0] for c in CASES])
def test_rule_fires(registry, rule, severity, bad, line, phrase, good, kwargs):
    hit = one(bad, registry, rule, **kwargs)
    assert (hit.line, hit.severity, hit.code) == (line, severity, registry.lookup(rule).code)
    assert phrase in hit.message, hit.message


@pytest.mark.parametrize("rule, severity, bad, line, phrase, good, kwargs", CASES, ids=[c[0] for c in CASES])
def test_corrected_file_is_clean(registry, rule, severity, bad, line, phrase, good, kwargs):
    found = [(d.rule, d.line, d.message) for d in lint(good, registry, **kwargs) if d.rule in NAMES]
    assert found == []


# ---------------------------------------------------------------------------------------------
# Fillers: which layers and states count


def test_trained_only_rules_skip_deploy_nets(registry):
    deploy = IN + conv('weight_filler { type: "uniform" }') + RELU + fc(XAVIER)
    assert silent(deploy, registry, "uniform-filler-default-range")
    deploy = IN + conv('weight_filler { type: "constant" value: 0.1 }') + RELU + fc(XAVIER)
    assert silent(deploy, registry, "constant-weight-filler")


def test_frozen_or_shared_weights_are_skipped(registry):
    frozen = trained_conv('weight_filler { type: "uniform" }', extra="param { lr_mult: 0 } ")
    assert silent(frozen, registry, "uniform-filler-default-range")
    # conv2 borrows conv1's weights through the shared param name: its filler is never used.
    shared = (IN + conv(MSRA, extra='param { name: "w" } ')
              + conv('weight_filler { type: "constant" value: 0.1 }', extra='param { name: "w" } ', name="conv2")
              .replace('top: "conv1"', 'top: "conv2"')
              + 'layer { name: "fc" type: "InnerProduct" bottom: "conv2" top: "fc" inner_product_param { num_output: 10 weight_filler { type: "xavier" } } }\n'
              + LOSS)
    assert silent(shared, registry, "constant-weight-filler")


def test_constant_weight_filler_variants(registry):
    # A head layer learns from zero weights (its gradient is top_diff * x).
    assert silent(trained_fc('weight_filler { type: "constant" }'), registry, "constant-weight-filler")
    # An empty weight_filler is constant 0, too.
    hit = one(trained_conv("weight_filler { }"), registry, "constant-weight-filler")
    assert "constant 0 (the default)" in hit.message and "block the gradient below a ReLU" in hit.message
    # Weights loaded from a .caffemodel.
    opts = replace(options(registry), pretrained=True)
    result = lint_bytes("net.prototxt", trained_conv('weight_filler { type: "constant" value: 0.1 }').encode(), opts)
    assert not [d for d in result.diagnostics if d.rule == "constant-weight-filler"]


def test_uniform_min_alone_above_default_max(registry):
    hit = one(deploy_fc('weight_filler { type: "uniform" min: 2 }'), registry, "uniform-filler-min-gt-max")
    assert "min 2 > max 1" in hit.message


def test_filler_unknown_type_fix_and_aliases(registry):
    hit = one(deploy_fc('weight_filler { type: "Xavier" }'), registry, "filler-unknown-type")
    (fix,) = hit.fixes
    assert fix.safe and [e.new_text for e in fix.edits] == ['"xavier"']
    hit = one(deploy_fc('weight_filler { type: "he" }'), registry, "filler-unknown-type")
    assert 'did you mean "msra"?' in hit.message and not hit.fixes
    # Every filler Caffe creates is checked, DummyData's too; a filler of a blob that is never created is not.
    dummy = 'layer { name: "d" type: "DummyData" top: "x" dummy_data_param { shape { dim: 1 } data_filler { type: "normal" } } }\n'
    assert 'did you mean "gaussian"?' in one(dummy, registry, "filler-unknown-type").message
    no_bias = deploy_fc(XAVIER + ' bias_term: false bias_filler { type: "zeros" }')
    assert silent(no_bias, registry, "filler-unknown-type")


def test_filler_sparse_invalid_variants(registry):
    hit = one(trained_fc('weight_filler { type: "gaussian" std: 0.01 sparse: 15 }'), registry, "filler-sparse-invalid")
    assert "sparse 15 > 10 outputs" in hit.message
    hit = one(trained_fc('weight_filler { type: "gaussian" std: 0.01 sparse: -2 }'), registry, "filler-sparse-invalid")
    assert "must be >= -1" in hit.message
    assert silent(trained_fc('weight_filler { type: "xavier" sparse: -1 }'), registry, "filler-sparse-invalid")


def test_filler_ignored_fields_fix_removes_them(registry):
    text = IN + conv(MSRA) + RELU + (
        'layer { name: "fc" type: "InnerProduct" bottom: "conv1" top: "fc" inner_product_param { num_output: 10\n'
        '    weight_filler {\n      type: "xavier"\n      std: 0.1\n      mean: 0\n    } } }\n') + LOSS
    hit = one(text, registry, "filler-ignored-fields")
    assert hit.line == 7 and "ignores std, mean" in hit.message
    (fix,) = hit.fixes
    fixed = text
    for edit in sorted(fix.edits, key=lambda e: e.start, reverse=True):
        fixed = fixed[: edit.start] + edit.new_text + fixed[edit.end:]
    assert "std" not in fixed and "mean" not in fixed and 'type: "xavier"\n    } } }' in fixed
    assert silent(fixed, registry, "filler-ignored-fields")


def test_fan_filler_on_bias_respects_variance_norm(registry):
    hit = one(trained_fc(XAVIER + ' bias_filler { type: "msra" }'), registry, "fan-filler-on-bias")
    assert "N(0, 2)" in hit.message
    assert silent(trained_fc(XAVIER + ' bias_filler { type: "xavier" variance_norm: FAN_OUT }'), registry, "fan-filler-on-bias")


def test_bilinear_variants(registry):
    hit = one(deploy_fc('weight_filler { type: "bilinear" }'), registry, "bilinear-nonsquare")
    assert '"Blob must be 4 dim."' in hit.message
    hit = one(upsample('group: 21 kernel_size: 4 kernel_size: 2 ' + BILINEAR), registry, "bilinear-nonsquare")
    assert "4x2" in hit.message
    # group == num_output, but the input has a different channel count.
    text = upsample('group: 21 kernel_size: 4 ' + BILINEAR).replace("num_output: 21 kernel_size: 1", "num_output: 42 kernel_size: 1")
    assert "input channels 42" in one(text, registry, "bilinear-not-depthwise").message
    # A frozen bilinear Deconvolution is the recipe: not "learnable".
    assert silent(upsample('group: 21 kernel_size: 4 ' + BILINEAR), registry, "bilinear-learnable")
    hit = one(upsample('group: 21 kernel_size: 4 ' + BILINEAR, extra=""), registry, "bilinear-learnable")
    assert hit.fixes and not hit.fixes[0].safe


def test_scale_fillers(registry):
    # Not after a BatchNorm: a random scale filler is a choice, not an override of BN's identity start.
    text = IN + conv(MSRA) + scale('filler { type: "gaussian" std: 0.1 }') + RELU + fc(XAVIER) + LOSS
    assert silent(text, registry, "scale-filler-override")
    # value: 0 on a frozen scale blocks the gradient for good.
    hit = one(bn_net("", scale("filler { value: 0 }", extra="param { lr_mult: 0 } ")), registry, "scale-zero-filler")
    assert "permanently" in hit.message and "constant 0)" in hit.message
    # An explicit unit filler is fine.
    assert silent(bn_net("", scale("filler { value: 1 }")), registry, "scale-filler-override")
    assert silent(bn_net("", scale("filler { value: 1 }")), registry, "scale-zero-filler")


# ---------------------------------------------------------------------------------------------
# BatchNorm / MVN


def test_batchnorm_legacy_params_variants(registry):
    text = bn_net("param { lr_mult: 0 } param { lr_mult: 1 } param { lr_mult: 0 } ", scale("bias_term: true"))
    hit = one(text, registry, "batchnorm-legacy-params")
    assert "ignoring your lr_mult 1" in hit.message and hit.fixes and hit.fixes[0].safe
    fixed = text
    for edit in sorted(hit.fixes[0].edits, key=lambda e: e.start, reverse=True):
        fixed = fixed[: edit.start] + edit.new_text + fixed[edit.end:]
    assert ' param {' not in fixed and 'top: "conv1" }\n' in fixed and silent(fixed, registry, "batchnorm-legacy-params")
    named = bn_net('param { name: "m" lr_mult: 0 } param { lr_mult: 0 } param { lr_mult: 0 } ', scale("bias_term: true"))
    assert not one(named, registry, "batchnorm-legacy-params").fixes
    # rc3 needs the three blocks; inline solver nets are not upgraded.
    assert silent(bn_net(THREE, scale("bias_term: true")), registry, "batchnorm-legacy-params", caffe_version="rc3")
    inline = "net_param {\n" + bn_net(THREE, scale("bias_term: true")) + "}\n" + 'base_lr: 0.01\n' + S_LR + "solver_mode: GPU\n"
    assert silent(inline, registry, "batchnorm-legacy-params", root="solver")


def test_batchnorm_batch_stats_in_test_variants(registry):
    # phase: TRAIN on the layer forces batch statistics in the TEST net.
    hit = one(bn_net("phase: TRAIN ", scale("bias_term: true")), registry, "batchnorm-batch-stats-in-test")
    assert "its `phase: TRAIN`" in hit.message and not hit.fixes
    # A BatchNorm copy only included in TRAIN is never in a TEST net.
    text = bn_net("include { phase: TRAIN } batch_norm_param { use_global_stats: false } ", scale("bias_term: true"))
    assert silent(text, registry, "batchnorm-batch-stats-in-test")
    hit = one(bn_net("batch_norm_param { use_global_stats: false } ", scale("bias_term: true")), registry,
              "batchnorm-batch-stats-in-test")
    assert hit.fixes and not hit.fixes[0].safe


def test_batchnorm_tiny_batch_variants(registry):
    base = ('layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } shape { dim: 1 } } }\n'
            + CONV_NB + 'layer { name: "bn1" type: "BatchNorm" bottom: "conv1" top: "conv1" }\n' + RELU + fc(XAVIER) + LOSS)
    assert silent(base, registry, "batchnorm-tiny-batch")  # 8x8 values per channel
    pooled = base.replace(
        'layer { name: "bn1" type: "BatchNorm" bottom: "conv1" top: "conv1" }\n',
        'layer { name: "gap" type: "Pooling" bottom: "conv1" top: "gap" pooling_param { pool: AVE global_pooling: true } }\n'
        'layer { name: "r" type: "ReLU" bottom: "gap" top: "gap" }\n'
        'layer { name: "bn1" type: "BatchNorm" bottom: "gap" top: "conv1x" }\n')
    hit = one(pooled, registry, "batchnorm-tiny-batch")
    assert 'Pooling "gap"' in hit.message
    assert silent(pooled.replace('top: "conv1x" }', 'top: "conv1x" batch_norm_param { use_global_stats: true } }'),
                  registry, "batchnorm-tiny-batch")


def test_mvn_without_variance_normalisation(registry):
    text = IN + 'layer { name: "mvn" type: "MVN" bottom: "data" top: "mvn" mvn_param { normalize_variance: false eps: 0 } }\n'
    assert silent(text, registry, "mvn-eps-nonpositive")


def test_batchnorm_pre_1_0_needs_explicit_gpu_and_old_caffe(registry):
    text = BN_NET_PARAM + 'base_lr: 0.01\n' + S_LR + 'solver_mode: GPU\n'
    assert silent(text, registry, "batchnorm-gpu-powx-nan", root="solver")  # master
    assert silent(BN_NET_PARAM + 'base_lr: 0.01\n' + S_LR, registry, "batchnorm-gpu-powx-nan", root="solver", caffe_version="rc5")


# ---------------------------------------------------------------------------------------------
# Solver rules and solver+net rules across files


def test_base_lr_high_per_type(registry):
    assert silent(S_HEAD + "base_lr: 0.1\n" + S_LR, registry, "base-lr-high", root="solver")  # SGD: ResNet's 0.1
    assert one(S_HEAD + "base_lr: 0.2\n" + S_LR, registry, "base-lr-high", root="solver").line == 3
    assert silent(S_HEAD + 'base_lr: 1.0\ntype: "AdaDelta"\nmomentum: 0.95\n' + S_LR, registry, "base-lr-high", root="solver")


def lint_files(registry, paths, **kwargs):
    inputs = [Input(str(p), Path(p).read_bytes(), str(p)) for p in paths]
    return {r.path: r for r in lint_inputs(inputs, lambda _: options(registry, **kwargs))}


BN_FILE = (
    'layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 4 } shape { dim: 8 } } }\n'
    'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 4 weight_filler { type: "xavier" } } }\n'
    'layer { name: "bn" type: "BatchNorm" bottom: "fc" top: "fc" }\n'
    'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }\n'
)


def test_test_initialization_reads_net_files(registry, tmp_path):
    (tmp_path / "net.prototxt").write_text(BN_FILE)
    solver = tmp_path / "solver.prototxt"
    solver.write_text('net: "net.prototxt"\ntest_iter: 10\ntest_interval: 100\ntest_initialization: true\nbase_lr: 0.01\n'
                      + S_LR + "solver_mode: GPU\n")
    results = lint_files(registry, [solver])
    (hit,) = [d for d in results[str(solver)].diagnostics if d.rule == "batchnorm-test-initialization"]
    assert hit.line == 4 and 'BatchNorm "bn" in net file "net.prototxt"' in hit.message
    assert hit.fixes and [e.new_text for e in hit.fixes[0].edits] == ["false"]
    # The same, with the solver linted on its own (the net file is found next to it).
    alone = lint_bytes(str(solver), solver.read_bytes(), options(registry)).diagnostics
    assert [d.line for d in alone if d.rule == "batchnorm-test-initialization"] == [4]
    # use_global_stats: false in the test net: the statistics are not used.
    (tmp_path / "net.prototxt").write_text(BN_FILE.replace('top: "fc" }\nlayer { name: "loss"',
                                                           'top: "fc" batch_norm_param { use_global_stats: false } }\nlayer { name: "loss"'))
    results = lint_files(registry, [solver])
    assert not [d for d in results[str(solver)].diagnostics if d.rule == "batchnorm-test-initialization"]


def test_generic_net_no_test_iter_reads_net_files(registry, tmp_path):
    net = tmp_path / "train_val.prototxt"
    net.write_text(
        'layer { name: "d" type: "Input" top: "data" input_param { shape { dim: 1 dim: 4 } } include { phase: TRAIN } }\n'
        'layer { name: "dt" type: "Input" top: "data" input_param { shape { dim: 1 dim: 4 } } include { phase: TEST } }\n')
    solver = tmp_path / "solver.prototxt"
    solver.write_text('base_lr: 0.01\nnet: "train_val.prototxt"\n' + S_LR + "solver_mode: GPU\n")
    results = lint_files(registry, [solver])
    (hit,) = [d for d in results[str(solver)].diagnostics if d.rule == "generic-net-no-test-iter"]
    assert hit.line == 2 and 'net file "train_val.prototxt" has TEST-phase layers (e.g. "dt")' in hit.message
    # test_interval set: test-iter-without-interval already says "nothing is ever tested".
    solver.write_text('base_lr: 0.01\nnet: "train_val.prototxt"\ntest_interval: 10\n' + S_LR + "solver_mode: GPU\n")
    rules = {d.rule for d in lint_files(registry, [solver])[str(solver)].diagnostics}
    assert "test-iter-without-interval" in rules and "generic-net-no-test-iter" not in rules


def test_snapshot_prefix_dir_missing(registry, tmp_path):
    work = tmp_path / "repo" / "models" / "m"
    work.mkdir(parents=True)
    solver = work / "solver.prototxt"
    text = S_HEAD + "base_lr: 0.01\n" + S_LR + 'snapshot: 100\nsnapshot_prefix: "no_such_dir/model"\n'
    solver.write_text(text)
    (hit,) = [d for d in lint(text, registry, path=str(solver)) if d.rule == "snapshot-prefix-dir-missing"]
    assert (hit.line, hit.severity) == (7, "info") and '"Cannot write to snapshot prefix"' in hit.message
    # Caffe's examples name paths relative to the repository root, a directory above the solver.
    (tmp_path / "repo" / "no_such_dir").mkdir()
    assert silent(text, registry, "snapshot-prefix-dir-missing", path=str(solver))
    # A solver that is not a file on disk is not checked; nor is a prefix without a directory.
    text2 = text.replace("no_such_dir/model", "other_dir/model")
    assert hits(text2, registry, "snapshot-prefix-dir-missing", path=str(solver))
    assert silent(text2, registry, "snapshot-prefix-dir-missing", path="not/on/disk/solver.prototxt")
    assert silent(text.replace("no_such_dir/model", "model"), registry, "snapshot-prefix-dir-missing", path=str(solver))
    # snapshot 0: nothing is checked at construction, but the final snapshot fails after training.
    hit = one(text2.replace("snapshot: 100\n", ""), registry, "snapshot-prefix-dir-missing", path=str(solver))
    assert "the trained weights are lost" in hit.message
    # No snapshot at all: snapshot 0 and snapshot_after_train false.
    text3 = text2.replace("snapshot: 100\n", "snapshot_after_train: false\n")
    assert silent(text3, registry, "snapshot-prefix-dir-missing", path=str(solver))


def test_net_files_are_parsed_once_and_shared_with_the_solver(registry, tmp_path, monkeypatch):
    import protolint.project as project

    (tmp_path / "net.prototxt").write_text(BN_FILE)
    solver = tmp_path / "solver.prototxt"
    solver.write_text('net: "net.prototxt"\ntest_iter: 10\ntest_interval: 100\nbase_lr: 0.01\n' + S_LR + "solver_mode: GPU\n")
    prepared = []
    real_prepare = project.prepare
    monkeypatch.setattr(project, "prepare", lambda *args: prepared.append(args[0]) or real_prepare(*args))
    seen = {}
    real_run = project.run
    monkeypatch.setattr(project, "run", lambda p, links=None, net=None: seen.setdefault(p.path, (links, net)) and real_run(p, links, net))
    project.lint_inputs([project.Input(str(solver), solver.read_bytes(), str(solver))], lambda _path: options(registry))
    assert len(prepared) == 2  # the solver, and its net file once
    solver_links, _ = seen[str(solver)]
    _, net_model = [v for k, v in seen.items() if k != str(solver)][0]
    assert [link.net for link in solver_links.net_files] == [net_model, net_model]  # train and test: one model


# ---------------------------------------------------------------------------------------------
# Registration and documentation


def test_codes_names_and_order(registry):
    got = [(rule.code, rule.name) for rule in EXTRA_RULES]
    assert got[:3] == [("S131", "base-lr-high"), ("S137", "generic-net-no-test-iter"), ("S138", "snapshot-prefix-dir-missing")]
    assert [code for code, _ in got][3:17] == [f"F{405 + i}" for i in range(14)]
    assert [code for code, _ in got][17:] == [f"B{506 + i}" for i in range(6)]
    for rule in EXTRA_RULES:
        assert registry.lookup(rule.code) is rule and registry.lookup(rule.name) is rule


@pytest.mark.parametrize("rule", EXTRA_RULES, ids=lambda r: r.name)
def test_docs_complete_and_example_triggers(registry, rule, tmp_path):
    for section in DOC_SECTIONS + ("summary",):
        assert getattr(rule, section).strip(), f"{rule.name}: empty {section}"
    assert rule.name in rule.documentation()
    path = "example.prototxt"
    if rule.code == "S138":  # needs the solver on disk
        path = str(tmp_path / "solver.prototxt")
        Path(path).write_text(rule.example)
    version = "rc5" if rule.code == "B510" else None
    found = [d for d in lint(rule.example, registry, path=path, caffe_version=version) if d.rule == rule.name]
    assert found, f"{rule.name}: its example does not trigger it"


# ---------------------------------------------------------------------------------------------
# The reference corpus: models known to train raise no error from these rules.

CORPUS = Path(os.environ.get("PROTOLINT_CORPUS", "/work/shared/corpus"))
REFERENCE = ["BVLC__caffe/models", "KaimingHe__deep-residual-networks", "forresti__SqueezeNet", "shicai__MobileNet-Caffe"]


@pytest.mark.skipif(not (CORPUS / REFERENCE[0]).is_dir(), reason="the reference corpus is not available")
def test_reference_models_have_no_errors(registry):
    paths = sorted(p for folder in REFERENCE for p in (CORPUS / folder).rglob("*.prototxt"))
    assert len(paths) >= 20
    results = lint_files(registry, paths)
    errors = [f"{path}:{d.line} {d.rule}: {d.message}" for path, r in results.items() for d in r.diagnostics
              if d.rule in NAMES and d.severity in ("error", "warning")]
    assert errors == []
