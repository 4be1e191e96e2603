"""Layer-parameter rules L305-L377 (rules/layers_*.py, aggregated in rules/layer_pack.py): each rule
fires on a small bad net at the right line with the right severity and message, and stays silent on
the corrected net; the other branches of rules with several conditions; fixes; docs and examples;
the reference models raise no error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from protolint.api import default_options
from protolint.api import lint_bytes
from protolint.linter import LintOptions
from protolint.registry import Registry
from protolint.rule import DOC_SECTIONS
from protolint.rules import BUILTIN_RULES
from _packs import LAYER_RULES
from protolint.schema.loader import builtin_schema

RULE_NAMES = {rule.name for rule in LAYER_RULES}


@pytest.fixture(scope="module")
def registry():
    # Works before and after the layer rules are registered among the built-in rules.
    return Registry(BUILTIN_RULES + [rule for rule in LAYER_RULES if rule not in BUILTIN_RULES])


def lint(text: str, registry: Registry, *, version: str | None = None, root: str | None = None,
         path: str = "net.prototxt"):
    options = default_options(schema=builtin_schema(), registry=registry, root=root, caffe_version=version)
    return lint_bytes(path, text.encode(), options).diagnostics


def hits(text, registry, rule, **kwargs):
    return [d for d in lint(text, registry, **kwargs) if d.rule == rule]


def one(text, registry, rule, **kwargs):
    found = hits(text, registry, rule, **kwargs)
    assert len(found) == 1, [(d.rule, d.line, d.message) for d in lint(text, registry, **kwargs)]
    return found[0]


def none_of(text, registry, rule, **kwargs):
    found = hits(text, registry, rule, **kwargs)
    assert found == [], [(d.line, d.message) for d in found]
    return True


# Nets are written one layer per line, so a layer's line is its position.
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


def pool(params, name="pool1", bottom="data"):
    return layer(name, "Pooling", bottom, extra=f"pooling_param {{ {params} }} ")


def lrn(params):
    return layer("norm1", "LRN", extra=f"lrn_param {{ {params} }} ")


def eltwise(params, bottoms=("a", "b")):
    b = " ".join(f'bottom: "{x}"' for x in bottoms)
    return f'layer {{ name: "e" type: "Eltwise" {b} top: "e" eltwise_param {{ {params} }} }}'


AB = (layer("a", "ReLU"), layer("b", "Sigmoid"))
DATA_LABEL = 'layer { name: "d" type: "Data" top: "data" top: "label" data_param { source: "lmdb" backend: LMDB batch_size: 8 } }'
HDF5 = 'layer { name: "d" type: "HDF5Data" top: "data" top: "label" hdf5_data_param { source: "list.txt" batch_size: 8 } }'

# (rule, severity, bad net, line, key phrase, corrected net, caffe version)
CASES = [
    ("dropout-ratio-range", "error",
     net(IN, FC, layer("drop", "Dropout", "fc", "fc", "dropout_param { dropout_ratio: 1.0 } "), loss()), 3,
     "1/(1−1) = inf, so every output is NaN",
     net(IN, FC, layer("drop", "Dropout", "fc", "fc", "dropout_param { dropout_ratio: 0.5 } "), loss()), None),
    ("lrn-local-size-even", "error", net(IN, lrn("local_size: 4")), 2, '"LRN only supports odd values for local_size"',
     net(IN, lrn("local_size: 5")), None),
    ("softmax-loss-on-probabilities", "warning", net(IN, FC, layer("prob", "Softmax", "fc"), loss("prob")), 4,
     'the output of Softmax "prob": it applies softmax again',
     net(IN, FC, loss("fc"), layer("prob", "Softmax", "fc", extra="include { phase: TEST } ")), None),
    ("multinomial-logistic-without-softmax", "error", net(IN, FC, loss("fc", "MultinomialLogisticLoss")), 3,
     'reads raw values from InnerProduct "fc" but expects probabilities',
     net(IN, FC, layer("prob", "Softmax", "fc"), loss("prob", "MultinomialLogisticLoss")), None),
    ("conv-num-output-missing", "error", net(IN, conv("kernel_size: 3")), 2, '"Check failed: num_output_ > 0 (0 vs. 0)"',
     net(IN, conv("num_output: 8 kernel_size: 3")), None),
    ("conv-kernel-missing", "error", net(IN, conv("num_output: 8 kernel_h: 3")), 2, '"Filter dimensions must be nonzero."',
     net(IN, conv("num_output: 8 kernel_h: 3 kernel_w: 1")), None),
    ("conv-kernel-and-kernel-hw", "error", net(IN, conv("num_output: 8 kernel_size: 3 kernel_h: 3 kernel_w: 3")), 2,
     '"Either kernel_size or kernel_h/w should be specified; not both."', net(IN, conv("num_output: 8 kernel_size: 3")), None),
    ("conv-zero-kernel-or-stride", "error", net(IN, conv("num_output: 8 kernel_size: 3 stride: 0")), 2,
     '"Stride dimensions must be nonzero."', net(IN, conv("num_output: 8 kernel_size: 3 stride: 1")), None),
    ("conv-dilation-zero", "warning", net(IN, conv("num_output: 8 kernel_size: 3 dilation: 0")), 2,
     "a 3×3 kernel samples one pixel 9 times", net(IN, conv("num_output: 8 kernel_size: 3 dilation: 2")), None),
    ("conv-group-divisibility", "error", net(IN, conv("num_output: 10 group: 4 kernel_size: 3")), 2,
     "num_output 10 is not a multiple of group 4",
     net(IN, conv("num_output: 8 kernel_size: 1", "c0"), conv("num_output: 12 group: 4 kernel_size: 3", bottom="c0")), None),
    ("conv-pad-ge-kernel-extent", "info", net(IN, conv("num_output: 8 kernel_size: 3 pad: 3")), 2,
     "pads 3 ≥ its kernel extent 3", net(IN, conv("num_output: 8 kernel_size: 3 pad: 1")), None),
    ("conv-cudnn-dilation", "error", net(IN, conv("num_output: 8 kernel_size: 3 dilation: 2 engine: CUDNN")), 2,
     "CuDNN doesn't support the dilated convolution at Layer conv1", net(IN, conv("num_output: 8 kernel_size: 3 dilation: 2")),
     None),
    ("ip-num-output-missing", "error",
     net(IN, layer("fc", "InnerProduct", extra='inner_product_param { weight_filler { type: "xavier" } } ')), 2,
     '"Check failed: data_"', net(IN, FC), None),
    ("pooling-kernel-missing", "error", net(IN, pool("pool: MAX stride: 2")), 2,
     '"Filter size is kernel_size OR kernel_h and kernel_w; not both"', net(IN, pool("pool: MAX kernel_size: 2 stride: 2")), None),
    ("pooling-spec-partial", "error", net(IN, pool("kernel_size: 3 pad_h: 1")), 2,
     '"pad is pad OR pad_h and pad_w are required."', net(IN, pool("kernel_size: 3 pad_h: 1 pad_w: 1")), None),
    ("pooling-stride-zero", "error", net(IN, pool("kernel_size: 2 stride: 0")), 2, "(-2147483647 vs. 0)",
     net(IN, pool("kernel_size: 2 stride: 2")), None),
    ("pooling-pad-stochastic", "error", net(IN, pool("pool: STOCHASTIC kernel_size: 3 stride: 2 pad: 1")), 2,
     '"Padding implemented only for average and max pooling."', net(IN, pool("pool: STOCHASTIC kernel_size: 3 stride: 2")),
     None),
    ("pooling-stochastic-cpu", "info", net(IN, pool("pool: STOCHASTIC kernel_size: 3 stride: 2")), 2,
     '"Not Implemented Yet"', net(IN, pool("pool: MAX kernel_size: 3 stride: 2")), None),
    ("lrn-k-nonpositive", "error", net(IN, lrn("k: 0")), 2, "0^−β = inf", net(IN, lrn("k: 2")), None),
    ("lrn-alpha-negative", "warning", net(IN, lrn("alpha: -0.0001")), 2, "its fractional power is NaN",
     net(IN, lrn("alpha: 0.0001")), None),
    ("lrn-cudnn-limits", "warning", net(IN, lrn("beta: 0.001 engine: CUDNN")), 2, "CUDNN_STATUS_BAD_PARAM",
     net(IN, lrn("beta: 0.75 engine: CUDNN")), None),
    ("softmax-loss-two-tops", "error",
     net(IN, FC, 'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" top: "prob" }'), 3,
     "(2 vs. 1)", net(IN, FC, loss(), layer("prob", "Softmax", "fc")), None),
    ("softmax-loss-single-class", "error", net(IN, fc(1), loss()), 3, "normalises over 1 class",
     net(IN, fc(2), loss()), None),
    ("multinomial-logistic-prefer-softmax-loss", "info",
     net(IN, FC, layer("prob", "Softmax", "fc"), loss("prob", "MultinomialLogisticLoss")), 4,
     "numerically weaker than SoftmaxWithLoss", net(IN, FC, loss()), None),
    ("infogain-normalize-field", "error",
     net(IN, FC, loss(kind="InfogainLoss", extra='infogain_loss_param { source: "H.binaryproto" } loss_param { normalize: true } ')),
     3, 'write normalization: VALID',
     net(IN, FC, loss(kind="InfogainLoss", extra='infogain_loss_param { source: "H.binaryproto" } loss_param { normalization: VALID } ')),
     None),
    ("infogain-missing-source", "error", net(IN, FC, loss(kind="InfogainLoss")), 3,
     '"Infogain matrix source must be specified."',
     net(IN, FC, loss(kind="InfogainLoss", extra='infogain_loss_param { source: "H.binaryproto" } ')), None),
    ("sigmoid-ce-on-sigmoid", "warning", net(IN, FC, layer("sig", "Sigmoid", "fc"), loss("sig", "SigmoidCrossEntropyLoss")), 4,
     'reads the output of Sigmoid "sig"', net(IN, FC, loss("fc", "SigmoidCrossEntropyLoss")), None),
    ("sigmoid-ce-normalization-default", "info",
     net(IN, FC, loss(kind="SigmoidCrossEntropyLoss", extra="loss_param { ignore_label: 255 } ")), 3, "defaults to BATCH_SIZE",
     net(IN, FC, loss(kind="SigmoidCrossEntropyLoss", extra="loss_param { ignore_label: 255 normalization: VALID } ")), None),
    ("euclidean-large-output", "info", net(IN, fc(4096), loss(kind="EuclideanLoss")), 3, "over 4096 values per sample",
     net(IN, fc(4), loss(kind="EuclideanLoss")), None),
    ("euclidean-on-integer-labels", "info", net(DATA_LABEL, fc(1), loss(kind="EuclideanLoss")), 3,
     'regresses onto the integer class label "label"', net(HDF5, fc(1), loss(kind="EuclideanLoss")), None),
    ("contrastive-large-margin", "info",
     net(IN, layer("loss", "ContrastiveLoss", extra='bottom: "data" bottom: "label" contrastive_loss_param { margin: 100 } ')), 2,
     "gradients up to margin·1e4",
     net(IN, layer("loss", "ContrastiveLoss", extra='bottom: "data" bottom: "label" contrastive_loss_param { margin: 1 } ')), None),
    ("ignore-label-missing-for-segmentation", "info", net(IN, conv("num_output: 21 kernel_size: 1", "score"), loss("score")), 3,
     "set loss_param { ignore_label: 255 }",
     net(IN, conv("num_output: 21 kernel_size: 1", "score"), loss("score", extra="loss_param { ignore_label: 255 } ")), None),
    ("valid-normalization-old-caffe", "warning",
     net(IN, conv("num_output: 21 kernel_size: 1", "score"), loss("score", extra="loss_param { ignore_label: 255 } ")), 3,
     "0/0 = NaN",
     net(IN, conv("num_output: 21 kernel_size: 1", "score"), loss("score", extra="loss_param { ignore_label: 255 normalize: false } ")),
     "rc2"),
    ("loss-weight-zero-on-loss", "info", net(IN, fc(1), loss(kind="EuclideanLoss", extra="loss_weight: 0 ")), 3,
     "does not train anything", net(IN, fc(1), loss(kind="EuclideanLoss")), None),
    ("accuracy-loss-weight", "error",
     net(IN, FC, loss(), layer("acc", "Accuracy", "fc", extra='bottom: "label" loss_weight: 1 ')), 4, '"Not Implemented Yet"',
     net(IN, FC, loss(), layer("acc", "Accuracy", "fc", extra='bottom: "label" include { phase: TEST } ')), None),
    ("accuracy-top-k-gt-classes", "error",
     net(IN, fc(3), layer("acc", "Accuracy", "fc", extra='bottom: "label" accuracy_param { top_k: 5 } ')), 3,
     "top_k 5 exceeds the 3 classes",
     net(IN, fc(1000), layer("acc", "Accuracy", "fc", extra='bottom: "label" accuracy_param { top_k: 5 } ')), None),
    ("accuracy-ignore-label-mismatch", "warning",
     net(IN, FC, loss(extra="loss_param { ignore_label: 255 } "),
         layer("acc", "Accuracy", "fc", extra='bottom: "label" include { phase: TEST } ')), 4,
     "the loss ignores label 255 but Accuracy",
     net(IN, FC, loss(extra="loss_param { ignore_label: 255 } "),
         layer("acc", "Accuracy", "fc", extra='bottom: "label" accuracy_param { ignore_label: 255 } include { phase: TEST } ')), None),
    ("accuracy-in-train", "info", net(IN, FC, loss(), layer("acc", "Accuracy", "fc", extra='bottom: "label" ')), 4,
     "also runs in the TRAIN net",
     net(IN, FC, loss(), layer("acc", "Accuracy", "fc", extra='bottom: "label" include { phase: TEST } ')), None),
    ("eltwise-coeff-count", "error", net(IN, *AB, eltwise("operation: SUM coeff: 1")), 4,
     '"Eltwise Layer takes one coefficient per bottom blob."', net(IN, *AB, eltwise("operation: SUM coeff: 1 coeff: -1")), None),
    ("eltwise-coeff-with-prod", "error", net(IN, *AB, eltwise("operation: PROD coeff: 1 coeff: 1")), 4,
     '"Eltwise layer only takes coefficients for summation."', net(IN, *AB, eltwise("operation: PROD")), None),
    ("eltwise-coeff-with-max", "warning", net(IN, *AB, eltwise("operation: MAX coeff: 0.5 coeff: 0.5")), 4,
     "silently ignores them", net(IN, *AB, eltwise("operation: MAX")), None),
    ("eltwise-unstable-prod-grad", "warning",
     net(IN, fc(4, "a"), fc(4, "b"), eltwise("operation: PROD stable_prod_grad: false"), loss("e", "EuclideanLoss")), 4,
     "0/0 = NaN", net(IN, fc(4, "a"), fc(4, "b"), eltwise("operation: PROD"), loss("e", "EuclideanLoss")), None),
    ("concat-axis-and-concat-dim", "error",
     net(IN, *AB, 'layer { name: "c" type: "Concat" bottom: "a" bottom: "b" top: "c" concat_param { axis: 1 concat_dim: 1 } }'),
     4, '"Either axis or concat_dim should be specified; not both."',
     net(IN, *AB, 'layer { name: "c" type: "Concat" bottom: "a" bottom: "b" top: "c" concat_param { axis: 1 } }'), None),
    ("slice-axis-and-slice-dim", "error",
     net(IN, 'layer { name: "s" type: "Slice" bottom: "data" top: "s1" top: "s2" slice_param { axis: 1 slice_dim: 1 } }'), 2,
     '"Either axis or slice_dim should be specified; not both."',
     net(IN, 'layer { name: "s" type: "Slice" bottom: "data" top: "s1" top: "s2" slice_param { axis: 1 } }'), None),
    ("slice-point-count", "error",
     net(IN, 'layer { name: "s" type: "Slice" bottom: "data" top: "s1" top: "s2" top: "s3" slice_param { slice_point: 1 } }'), 2,
     "has 1 slice_point values for 3 tops",
     net(IN, 'layer { name: "s" type: "Slice" bottom: "data" top: "s1" top: "s2" top: "s3" slice_param { slice_point: 1 slice_point: 2 } }'),
     None),
    ("slice-point-order", "error",
     net(IN, 'layer { name: "s" type: "Slice" bottom: "data" top: "s1" top: "s2" top: "s3" slice_param { slice_point: 2 slice_point: 1 } }'),
     2, '"Check failed: slice_point_[i] > prev"',
     net(IN, 'layer { name: "s" type: "Slice" bottom: "data" top: "s1" top: "s2" top: "s3" slice_param { slice_point: 1 slice_point: 2 } }'),
     None),
    ("reshape-multiple-minus-one", "error",
     net(IN, layer("r", "Reshape", extra="reshape_param { shape { dim: 0 dim: -1 dim: -1 } } ")), 2, "has 2 dims of -1",
     net(IN, layer("r", "Reshape", extra="reshape_param { shape { dim: 0 dim: -1 } } ")), None),
    ("reshape-num-axes-invalid", "error",
     net(IN, layer("r", "Reshape", extra="reshape_param { num_axes: -2 shape { dim: -1 } } ")), 2,
     '"num_axes must be >= 0, or -1 for all"',
     net(IN, layer("r", "Reshape", extra="reshape_param { num_axes: -1 shape { dim: -1 } } ")), None),
    ("tile-tiles-missing", "error", net(IN, layer("t", "Tile", extra="tile_param { axis: 1 } ")), 2,
     '"Number of tiles must be specified"', net(IN, layer("t", "Tile", extra="tile_param { axis: 1 tiles: 4 } ")), None),
    ("argmax-top-k-zero", "error", net(IN, layer("am", "ArgMax", extra="argmax_param { top_k: 0 } ")), 2,
     '"top k must not be less than 1."', net(IN, layer("am", "ArgMax", extra="argmax_param { top_k: 1 } ")), None),
    ("log-base-invalid", "error", net(IN, layer("log", "Log", extra="log_param { base: 1 } ")), 2, "1/log(1) = inf",
     net(IN, layer("log", "Log", extra="log_param { base: 10 } ")), None),
    ("log-unbounded-input", "warning", net(IN, FC, layer("log", "Log", "fc")), 3, "which can be ≤ 0",
     net(IN, FC, layer("prob", "Softmax", "fc"), layer("log", "Log", "prob")), None),
    ("exp-base-invalid", "error", net(IN, layer("exp", "Exp", extra="exp_param { base: 0 } ")), 2,
     '"base must be strictly positive."', net(IN, layer("exp", "Exp", extra="exp_param { base: 2 } ")), None),
    ("exp-base-one", "warning", net(IN, layer("exp", "Exp", extra="exp_param { base: 1 } ")), 2, "passes no gradient",
     net(IN, layer("exp", "Exp", extra="exp_param { base: -1 } ")), None),
    ("exp-unbounded-input", "info", net(IN, FC, layer("exp", "Exp", "fc")), 3, "overflow float to inf",
     net(IN, FC, layer("t", "TanH", "fc"), layer("exp", "Exp", "t")), None),
    ("power-fractional-on-signed-input", "warning",
     net(IN, FC, layer("pw", "Power", "fc", extra="power_param { power: 0.5 } ")), 3, "negative bases give NaN",
     net(IN, FC, layer("abs", "AbsVal", "fc"), layer("pw", "Power", "abs", extra="power_param { power: 0.5 shift: 1e-6 } ")), None),
    ("power-gradient-at-zero", "warning",
     net(IN, FC, layer("relu", "ReLU", "fc", "fc"), layer("pw", "Power", "fc", extra="power_param { power: 0.5 } "),
         loss("pw", "EuclideanLoss")), 4, "the gradient is 0/0 = NaN",
     net(IN, FC, layer("relu", "ReLU", "fc", "fc"), layer("pw", "Power", "fc", extra="power_param { power: 0.5 shift: 1e-8 } "),
         loss("pw", "EuclideanLoss")), None),
    ("clip-min-gt-max", "warning", net(IN, layer("clip", "Clip", extra="clip_param { min: 1 max: 0 } ")), 2, "min 1 > max 0",
     net(IN, layer("clip", "Clip", extra="clip_param { min: 0 max: 6 } ")), None),
    ("prelu-slope-decay", "info", net(IN, FC, layer("prelu", "PReLU", "fc", "fc"), loss()), 3, "add param { decay_mult: 0 }",
     net(IN, FC, layer("prelu", "PReLU", "fc", "fc", "param { decay_mult: 0 } "), loss()), None),
    ("embed-dims-missing", "error", net(IN, layer("embed", "Embed", "label", extra="embed_param { num_output: 128 } ")), 2,
     '"EmbedLayer input_dim must be positive."',
     net(IN, layer("embed", "Embed", "label", extra="embed_param { num_output: 128 input_dim: 10000 } ")), None),
    ("embed-input-not-index", "warning",
     net(IN, FC, layer("embed", "Embed", "fc", extra="embed_param { num_output: 8 input_dim: 100 } ")), 3,
     "does not produce integer indices",
     net(HDF5, layer("embed", "Embed", "data", extra="embed_param { num_output: 8 input_dim: 100 } ")), None),
    ("recurrent-num-output-missing", "error",
     net(IN, layer("lstm", "LSTM", extra='bottom: "label" recurrent_param { weight_filler { type: "uniform" } } ')), 2,
     '"num_output must be positive"',
     net(IN, layer("lstm", "LSTM", extra='bottom: "label" recurrent_param { num_output: 16 weight_filler { type: "uniform" } } ')),
     None),
    ("python-layer-missing-module", "error",
     net(IN, FC, 'layer { name: "loss" type: "Python" bottom: "fc" bottom: "label" top: "loss" python_param { layer: "MyLoss" } }'),
     3, "has no module",
     net(IN, FC, 'layer { name: "loss" type: "Python" bottom: "fc" bottom: "label" top: "loss" loss_weight: 1 '
         'python_param { module: "my_layers" layer: "MyLoss" } }'), None),
    ("python-loss-without-loss-weight", "warning",
     net(IN, FC, 'layer { name: "loss" type: "Python" bottom: "fc" bottom: "label" top: "loss" '
         'python_param { module: "losses" layer: "DiceLoss" } }'), 3, "their loss weight is 0",
     net(IN, FC, 'layer { name: "loss" type: "Python" bottom: "fc" bottom: "label" top: "loss" loss_weight: 1 '
         'python_param { module: "losses" layer: "DiceLoss" } }'), None),
    ("scale-bias-num-axes-invalid", "error", net(IN, layer("scale", "Scale", "data", "data", "scale_param { num_axes: -2 } ")), 2,
     '"num_axes must be non-negative, or -1 to extend to the end of bottom[0]"',
     net(IN, layer("scale", "Scale", "data", "data", "scale_param { num_axes: 1 } ")), None),
]

# Rules whose cases need a solver: tested below.
SOLVER_CASES = {"recurrent-no-clip", "python-layer-multigpu"}


def test_cases_cover_every_rule():
    assert sorted(case[0] for case in CASES) == sorted(RULE_NAMES - SOLVER_CASES)


@pytest.mark.parametrize("rule, severity, bad, line, phrase, good, version", CASES, ids=[c[0] for c in CASES])
def test_rule_fires(registry, rule, severity, bad, line, phrase, good, version):
    hit = one(bad, registry, rule, version=version)
    assert (hit.line, hit.severity, hit.code) == (line, severity, registry.lookup(rule).code)
    assert phrase in hit.message


@pytest.mark.parametrize("rule, severity, bad, line, phrase, good, version", CASES, ids=[c[0] for c in CASES])
def test_corrected_net_is_clean(registry, rule, severity, bad, line, phrase, good, version):
    assert none_of(good, registry, rule, version=version)


# --- solver-dependent rules


SOLVER_HEAD = 'base_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 100\nsolver_mode: GPU\n'
LSTM_NET = (
    '  layer { name: "in" type: "Input" top: "x" top: "cont" top: "y" input_param { shape { dim: 10 dim: 4 dim: 8 } '
    "shape { dim: 10 dim: 4 } shape { dim: 10 dim: 4 dim: 16 } } }\n"
    '  layer { name: "lstm" type: "LSTM" bottom: "x" bottom: "cont" top: "h" recurrent_param { num_output: 16 } }\n'
    '  layer { name: "loss" type: "EuclideanLoss" bottom: "h" bottom: "y" top: "loss" }\n'
)


def test_recurrent_no_clip(registry):
    text = SOLVER_HEAD + "net_param {\n" + LSTM_NET + "}\n"
    hit = one(text, registry, "recurrent-no-clip")
    assert (hit.line, hit.severity) == (7, "info") and "without gradient clipping" in hit.message
    assert none_of(SOLVER_HEAD + "clip_gradients: 10\nnet_param {\n" + LSTM_NET + "}\n", registry, "recurrent-no-clip")
    # A test net is not trained; a net file alone gives no solver values.
    assert none_of(SOLVER_HEAD + 'train_net: "t.prototxt"\ntest_iter: 1\ntest_interval: 10\ntest_net_param {\n' + LSTM_NET + "}\n",
                   registry, "recurrent-no-clip")
    assert none_of(LSTM_NET, registry, "recurrent-no-clip")


PYTHON_NET = (
    '  layer { name: "data" type: "Python" top: "data" top: "label" python_param { module: "readers" layer: "Reader" } }\n'
    '  layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 2 '
    'weight_filler { type: "xavier" } } }\n'
    '  layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }\n'
)


def test_python_layer_multigpu(registry):
    hit = one(SOLVER_HEAD + "train_net_param {\n" + PYTHON_NET + "}\n", registry, "python-layer-multigpu")
    assert (hit.line, hit.severity) == (6, "info") and "PythonLayer does not support CLI Multi-GPU" in hit.message
    assert none_of(SOLVER_HEAD + 'train_net: "t.prototxt"\ntest_iter: 1\ntest_interval: 10\ntest_net_param {\n' + PYTHON_NET + "}\n",
                   registry, "python-layer-multigpu")
    assert none_of(PYTHON_NET, registry, "python-layer-multigpu")  # no solver trains it
    shared = SOLVER_HEAD + "train_net_param {\n" + PYTHON_NET.replace('layer: "Reader"', 'layer: "Reader" share_in_parallel: true') + "}\n"
    assert none_of(shared, registry, "python-layer-multigpu", version="rc3")  # rc3 honours share_in_parallel
    assert "use train.py" in one(shared, registry, "python-layer-multigpu").message  # rc4+ ignores it


def test_python_layer_multigpu_in_linked_net_file(registry, tmp_path):
    from protolint.project import Input, lint_inputs

    (tmp_path / "train.prototxt").write_text(PYTHON_NET)
    (tmp_path / "solver.prototxt").write_text('net: "train.prototxt"\n' + SOLVER_HEAD)
    options = default_options(schema=builtin_schema(), registry=registry)
    paths = [tmp_path / "solver.prototxt", tmp_path / "train.prototxt"]
    results = lint_inputs([Input(str(p), p.read_bytes(), str(p)) for p in paths], lambda _: options)
    found = [d for r in results for d in r.diagnostics if d.rule == "python-layer-multigpu"]
    assert [(Path(d.path).name, d.line) for d in found] == [("train.prototxt", 1)]


STOCHASTIC_NET = (
    'net_param {\n  layer { name: "in" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } } }\n'
    '  layer { name: "pool1" type: "Pooling" bottom: "data" top: "pool1" pooling_param { pool: STOCHASTIC kernel_size: 3 stride: 2 } }\n}\n'
)


def test_pooling_stochastic_cpu_severity_follows_solver_mode(registry):
    head = 'base_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 100\n'
    assert one(head + "solver_mode: CPU\n" + STOCHASTIC_NET, registry, "pooling-stochastic-cpu").severity == "error"
    hit = one(head + STOCHASTIC_NET, registry, "pooling-stochastic-cpu")
    assert hit.severity == "warning" and "sets no solver_mode" in hit.message
    assert none_of(head + "solver_mode: GPU\n" + STOCHASTIC_NET, registry, "pooling-stochastic-cpu")


# --- variants: the other branches


def drop(ratio, extra=""):
    return layer("drop", "Dropout", "fc", "fc", f"dropout_param {{ dropout_ratio: {ratio} }} {extra}")


def test_dropout_variants(registry):
    hit = one(net(IN, FC, drop(1.5), loss()), registry, "dropout-ratio-range")
    assert hit.severity == "error" and "caffe_rng_bernoulli" in hit.message
    hit = one(net(IN, FC, drop(-0.5), loss()), registry, "dropout-ratio-range")
    assert hit.severity == "error"
    hit = one(net(IN, FC, drop(0), loss()), registry, "dropout-ratio-range")
    assert hit.severity == "info" and "dropout is disabled" in hit.message
    hit = one(net(IN, FC, drop(0.95), loss()), registry, "dropout-ratio-range")
    assert hit.severity == "info" and "very aggressive" in hit.message
    # TEST is the identity: TEST-only layers, deploy nets and `phase: TEST` layers are fine.
    assert none_of(net(IN, FC, drop(1.0, "include { phase: TEST } "), loss()), registry, "dropout-ratio-range")
    assert none_of(net(IN, FC, drop(1.0)), registry, "dropout-ratio-range")
    assert none_of(net(IN, FC, drop(1.0, "phase: TEST "), loss()), registry, "dropout-ratio-range")
    # `phase: TRAIN` makes it drop even in a deploy net.
    assert one(net(IN, FC, drop(1.0, "phase: TRAIN ")), registry, "dropout-ratio-range").severity == "error"


def test_dropout_v1_and_embedded_nets(registry):
    v1 = (
        'layers { name: "d" type: DATA top: "data" top: "label" data_param { source: "lmdb" backend: LMDB batch_size: 8 } }\n'
        'layers { name: "fc" type: INNER_PRODUCT bottom: "data" top: "fc" inner_product_param { num_output: 10 } }\n'
        'layers { name: "drop" type: DROPOUT bottom: "fc" top: "fc" dropout_param { dropout_ratio: 1 } }\n'
        'layers { name: "loss" type: SOFTMAX_LOSS bottom: "fc" bottom: "label" top: "loss" }\n'
    )
    assert one(v1, registry, "dropout-ratio-range").line == 3
    solver = SOLVER_HEAD + "net_param {\n" + net(IN, FC, drop(1.0), loss()) + "}\n"
    assert one(solver, registry, "dropout-ratio-range").line == 8
    # A solver's test_net_param is never trained.
    solver = (SOLVER_HEAD + 'train_net: "t.prototxt"\ntest_iter: 1\ntest_interval: 10\ntest_net_param {\n'
              + net(IN, FC, drop(1.0), loss()) + "}\n")
    assert none_of(solver, registry, "dropout-ratio-range")


def test_invalid_values_are_left_to_the_schema(registry):
    text = net(IN, conv("num_output: cls3x kernel_size: 3"), layer("fc", "InnerProduct", extra="inner_product_param { num_output: -1 } "))
    rules = {d.rule for d in lint(text, registry)}
    assert "invalid-value" in rules
    assert not rules & {"conv-num-output-missing", "ip-num-output-missing"}


def test_softmax_in_parallel_branch_is_fine(registry):
    text = net(IN, FC, layer("prob", "Softmax", "fc"), loss("fc"))
    assert none_of(text, registry, "softmax-loss-on-probabilities")
    # Pass-through layers are followed: Softmax -> Flatten -> Dropout -> loss.
    text = net(IN, FC, layer("prob", "Softmax", "fc"), layer("flat", "Flatten", "prob"),
               layer("drop", "Dropout", "flat", "flat"), loss("flat"))
    assert one(text, registry, "softmax-loss-on-probabilities").line == 6


def test_multinomial_logistic_fix_and_sources(registry):
    hit = one(net(IN, FC, loss("fc", "MultinomialLogisticLoss")), registry, "multinomial-logistic-without-softmax")
    (fix,) = hit.fixes
    assert not fix.safe and [e.new_text for e in fix.edits] == ['"SoftmaxWithLoss"']
    # Pre-computed probabilities from a data layer, and Sigmoid outputs, are fine.
    assert none_of(net(IN, loss("data", "MultinomialLogisticLoss")), registry, "multinomial-logistic-without-softmax")
    assert none_of(net(IN, FC, layer("s", "Sigmoid", "fc"), loss("s", "MultinomialLogisticLoss")), registry,
                   "multinomial-logistic-without-softmax")
    # ReLU in place on the scores is still raw.
    text = net(IN, FC, layer("relu", "ReLU", "fc", "fc"), loss("fc", "MultinomialLogisticLoss"))
    assert 'from ReLU "relu"' in one(text, registry, "multinomial-logistic-without-softmax").message


def test_conv_kernel_variants(registry):
    hit = one(net(IN, conv("num_output: 8")), registry, "conv-kernel-missing")
    assert "kernel_size specified 0 times; 2 spatial dims" in hit.message
    hit = one(net(IN, layer("im", "Im2col", extra="convolution_param { stride: 2 } ")), registry, "conv-kernel-missing")
    assert hit.message.startswith('Im2col "im"')
    hit = one(net(IN, conv("num_output: 8 kernel_size: 3 stride: 2 stride_h: 2")), registry, "conv-kernel-and-kernel-hw")
    assert "Either stride or stride_h/w" in hit.message
    hit = one(net(IN, conv("num_output: 8 kernel_size: 3 stride_h: 2")), registry, "conv-zero-kernel-or-stride")
    assert "sets only stride_h" in hit.message
    hit = one(net(IN, conv("num_output: 8 kernel_h: 0 kernel_w: 3")), registry, "conv-zero-kernel-or-stride")
    assert "a kernel of 0" in hit.message
    assert none_of(net(IN, conv("num_output: 8 kernel_size: 3 stride_h: 2 stride_w: 1")), registry, "conv-zero-kernel-or-stride")


def test_conv_group_variants(registry):
    hit = one(net(IN, conv("num_output: 8 kernel_size: 3 group: 0")), registry, "conv-group-divisibility")
    assert "integer division by zero" in hit.message
    # The 3 input channels come from the Input shape.
    hit = one(net(IN, conv("num_output: 4 kernel_size: 3 group: 2")), registry, "conv-group-divisibility")
    assert "the 3 input channels are not a multiple of group 2" in hit.message
    # Depthwise convolution after conv -> BatchNorm -> ReLU: 32 channels, group 32.
    text = net(IN, conv("num_output: 32 kernel_size: 3", "c1"), layer("bn", "BatchNorm", "c1", "c1"),
               layer("relu", "ReLU", "c1", "c1"), conv("num_output: 32 kernel_size: 3 group: 32", "dw", "c1"))
    assert none_of(text, registry, "conv-group-divisibility")


def test_conv_pad_and_cudnn_variants(registry):
    assert none_of(net(IN, conv("num_output: 8 kernel_size: 3 dilation: 2 pad: 2")), registry, "conv-pad-ge-kernel-extent")
    hit = one(net(IN, conv("num_output: 8 kernel_h: 1 kernel_w: 5 pad: 1")), registry, "conv-pad-ge-kernel-extent")
    assert "pads 1 ≥ its kernel extent 1" in hit.message
    hit = one(net(IN, conv("num_output: 8 kernel_size: 3 dilation: 2 engine: CUDNN")), registry, "conv-cudnn-dilation")
    (fix,) = hit.fixes
    assert not fix.safe and [e.new_text for e in fix.edits] == [""]
    assert none_of(net(IN, conv("num_output: 8 kernel_size: 3 engine: CUDNN")), registry, "conv-cudnn-dilation")


def test_pooling_variants(registry):
    hit = one(net(IN, pool("kernel_h: 3 stride: 2")), registry, "pooling-kernel-missing")
    assert "has only kernel_h" in hit.message
    hit = one(net(IN, pool("kernel_size: 0")), registry, "pooling-kernel-missing")
    assert '"Filter dimensions cannot be zero."' in hit.message
    assert none_of(net(IN, pool("kernel_size: 3 kernel_h: 2")), registry, "pooling-kernel-missing")
    assert none_of(net(IN, pool("pool: AVE global_pooling: true")), registry, "pooling-kernel-missing")
    hit = one(net(IN, pool("kernel_size: 3 stride: 2 stride_h: 2 stride_w: 2")), registry, "pooling-spec-partial")
    assert "mixes stride and stride_h" in hit.message
    hit = one(net(IN, pool("kernel_size: 3 kernel_h: 3 kernel_w: 3")), registry, "pooling-spec-partial")
    assert "mixes kernel_size and kernel_h/kernel_w" in hit.message
    assert one(net(IN, pool("kernel_size: 2 stride_h: 0 stride_w: 2")), registry, "pooling-stride-zero").line == 2
    assert none_of(net(IN, pool("pool: STOCHASTIC kernel_size: 3 pad: 0")), registry, "pooling-pad-stochastic")


def test_lrn_variants(registry):
    assert one(net(IN, lrn("local_size: 0")), registry, "lrn-local-size-even").severity == "error"
    assert none_of(net(IN, lrn("k: 0 norm_region: WITHIN_CHANNEL")), registry, "lrn-k-nonpositive")
    # Windows above 16 use Caffe's own layer even with engine: CUDNN.
    assert none_of(net(IN, lrn("local_size: 17 beta: 0.001 engine: CUDNN")), registry, "lrn-cudnn-limits")
    assert none_of(net(IN, lrn("beta: 0.001")), registry, "lrn-cudnn-limits")  # the build is not known to use cuDNN


def test_infogain_normalize_versions_and_fix(registry):
    text = net(IN, FC, loss(kind="InfogainLoss", extra='infogain_loss_param { source: "H" } loss_param { normalize: false } '))
    hit = one(text, registry, "infogain-normalize-field")
    (fix,) = hit.fixes
    assert fix.safe and [e.new_text for e in fix.edits] == ["normalization: BATCH_SIZE"]
    assert none_of(text, registry, "infogain-normalize-field", version="rc5")
    both = net(IN, FC, loss(kind="InfogainLoss", extra='infogain_loss_param { source: "H" } loss_param { normalize: false '
                                                   "normalization: VALID } "))
    assert one(both, registry, "infogain-normalize-field").fixes == []
    # Three bottoms: H comes from the net, no source needed.
    three = net(IN, FC, 'layer { name: "loss" type: "InfogainLoss" bottom: "fc" bottom: "label" bottom: "data" top: "loss" }')
    assert none_of(three, registry, "infogain-missing-source")


def test_loss_param_versions(registry):
    text = net(IN, FC, loss(kind="SigmoidCrossEntropyLoss", extra="loss_param { ignore_label: 255 } "))
    assert none_of(text, registry, "sigmoid-ce-normalization-default", version="rc3")
    seg = net(IN, conv("num_output: 21 kernel_size: 1", "score"), loss("score", extra="loss_param { ignore_label: 255 } "))
    assert none_of(seg, registry, "valid-normalization-old-caffe")  # master clamps the normaliser
    # Classification scores are not per-pixel.
    assert none_of(net(IN, FC, loss()), registry, "ignore-label-missing-for-segmentation")
    glob = net(IN, conv("num_output: 10 kernel_size: 1", "score"), pool("pool: AVE global_pooling: true", "gp", "score"), loss("gp"))
    assert none_of(glob, registry, "ignore-label-missing-for-segmentation")


def test_euclidean_large_output_needs_training_and_lr(registry):
    assert none_of(net(IN, fc(4096), loss(kind="EuclideanLoss", extra="loss_weight: 0.001 ")), registry, "euclidean-large-output")
    solver = ('base_lr: 0.0001\nlr_policy: "fixed"\nmax_iter: 10\nsolver_mode: GPU\nnet_param {\n'
              + net(IN, fc(4096), loss(kind="EuclideanLoss")) + "}\n")
    assert none_of(solver, registry, "euclidean-large-output")
    hit = one(solver.replace("0.0001", "0.01"), registry, "euclidean-large-output")
    assert "base_lr 0.01 may diverge" in hit.message


def test_accuracy_loss_weight_warning_without_backward(registry):
    # Only in TEST: the loss weight just adds the accuracy to the reported loss.
    text = net(IN, FC, loss(), layer("acc", "Accuracy", "fc", extra='bottom: "label" loss_weight: 1 include { phase: TEST } '))
    hit = one(text, registry, "accuracy-loss-weight")
    assert hit.severity == "warning"
    (fix,) = hit.fixes
    assert not fix.safe
    # Reading data that needs no gradient: Backward never reaches it.
    text = net(IN, FC, loss(), layer("acc", "Accuracy", "data", extra='bottom: "label" loss_weight: 1 '))
    assert one(text, registry, "accuracy-loss-weight").severity == "warning"
    # force_backward makes every layer propagate.
    text = "force_backward: true\n" + net(IN, FC, loss(), layer("acc", "Accuracy", "data", extra='bottom: "label" loss_weight: 1 '))
    assert one(text, registry, "accuracy-loss-weight").severity == "error"


def test_accuracy_ignore_label_on_loss_param(registry):
    text = net(IN, FC, loss(), layer("acc", "Accuracy", "fc", extra='bottom: "label" loss_param { ignore_label: 255 } '
                                                            "include { phase: TEST } "))
    hit = one(text, registry, "accuracy-ignore-label-mismatch")
    assert "which Accuracy does not read" in hit.message
    text = net(IN, FC, loss(extra="loss_param { ignore_label: 255 } "),
               layer("acc", "Accuracy", "fc", extra='bottom: "label" loss_param { ignore_label: 255 } include { phase: TEST } '))
    assert "(Accuracy reads accuracy_param.ignore_label, not loss_param)" in one(text, registry,
                                                                                 "accuracy-ignore-label-mismatch").message


def test_accuracy_in_train_fix_and_deploy(registry):
    hit = one(net(IN, FC, loss(), layer("acc", "Accuracy", "fc", extra='bottom: "label" ')), registry, "accuracy-in-train")
    (fix,) = hit.fixes
    assert not fix.safe and [e.new_text for e in fix.edits] == [" include { phase: TEST }"]
    assert none_of(net(IN, FC, layer("acc", "Accuracy", "fc", extra='bottom: "label" ')), registry, "accuracy-in-train")


def test_eltwise_fixes_and_prod_gradient(registry):
    hit = one(net(IN, *AB, eltwise("operation: MAX coeff: 0.5 coeff: 0.5")), registry, "eltwise-coeff-with-max")
    (fix,) = hit.fixes
    assert fix.safe and len(fix.edits) == 2
    # A PROD with wrong coefficients is one finding (the coefficients), not two.
    text = net(IN, *AB, eltwise("operation: PROD coeff: 1"))
    assert one(text, registry, "eltwise-coeff-with-prod") and none_of(text, registry, "eltwise-coeff-count")
    # Deploy nets never run Backward.
    assert none_of(net(IN, fc(4, "a"), fc(4, "b"), eltwise("operation: PROD stable_prod_grad: false")), registry,
                   "eltwise-unstable-prod-grad")


def test_concat_and_slice_fixes(registry):
    hit = one(net(IN, *AB, 'layer { name: "c" type: "Concat" bottom: "a" bottom: "b" top: "c" concat_param { axis: 1 concat_dim: 1 } }'),
              registry, "concat-axis-and-concat-dim")
    (fix,) = hit.fixes
    assert fix.safe
    hit = one(net(IN, 'layer { name: "s" type: "Slice" bottom: "data" top: "s1" top: "s2" slice_param { axis: 0 slice_dim: 1 } }'),
              registry, "slice-axis-and-slice-dim")
    assert hit.fixes == []  # different axes: which one was meant is unknown


def test_tile_and_log_variants(registry):
    hit = one(net(IN, layer("t", "Tile", extra="tile_param { tiles: 0 } ")), registry, "tile-tiles-missing")
    assert '"Number of tiles must be positive."' in hit.message
    hit = one(net(IN, layer("log", "Log", extra="log_param { base: -2 } ")), registry, "log-base-invalid")
    assert '"base must be strictly positive."' in hit.message
    text = net(IN, FC, layer("relu", "ReLU", "fc", "fc"), layer("log", "Log", "fc", extra="log_param { shift: 1 } "))
    assert none_of(text, registry, "log-unbounded-input")
    text = net(IN, FC, layer("relu", "ReLU", "fc", "fc"), layer("log", "Log", "fc"))
    assert one(text, registry, "log-unbounded-input")  # ReLU outputs 0: log(0) = -inf


def test_power_gradient_needs_backward(registry):
    # Deploy net: no Backward.
    assert none_of(net(IN, FC, layer("pw", "Power", "fc", extra="power_param { power: 0.5 } ")), registry, "power-gradient-at-zero")
    # Input data needs no gradient.
    text = net(IN, layer("pw", "Power", extra="power_param { power: 3 } "), FC.replace('"data"', '"pw"'), loss())
    assert none_of(text, registry, "power-gradient-at-zero")
    # Power 2 has its own gradient formula.
    text = net(IN, FC, layer("pw", "Power", "fc", extra="power_param { power: 2 } "), loss("pw", "EuclideanLoss"))
    assert none_of(text, registry, "power-gradient-at-zero")


def test_prelu_decay_variants_and_fix(registry):
    hit = one(net(IN, FC, layer("prelu", "PReLU", "fc", "fc"), loss()), registry, "prelu-slope-decay")
    (fix,) = hit.fixes
    assert [e.new_text for e in fix.edits] == [" param { decay_mult: 0 }"]
    assert none_of(net(IN, FC, layer("prelu", "PReLU", "fc", "fc", "param { lr_mult: 0 } "), loss()), registry, "prelu-slope-decay")
    assert none_of(net(IN, FC, layer("prelu", "PReLU", "fc", "fc")), registry, "prelu-slope-decay")  # deploy
    solver = SOLVER_HEAD + "net_param {\n" + net(IN, FC, layer("prelu", "PReLU", "fc", "fc"), loss()) + "}\n"
    assert none_of(solver, registry, "prelu-slope-decay")  # weight_decay 0
    assert one(solver.replace("max_iter: 100\n", "max_iter: 100\nweight_decay: 0.0005\n"), registry, "prelu-slope-decay")


def test_embed_index_sources(registry):
    for source in (IN, DATA_LABEL):
        text = net(source, layer("embed", "Embed", "label", extra="embed_param { num_output: 8 input_dim: 100 } "))
        assert none_of(text, registry, "embed-input-not-index")
    text = net(DATA_LABEL, layer("embed", "Embed", "data", extra="embed_param { num_output: 8 input_dim: 100 } "))
    assert 'from Data "d"' in one(text, registry, "embed-input-not-index").message
    # Layers Caffe does not know are not judged.
    text = net(IN, layer("x", "MyLayer"), layer("embed", "Embed", "x", extra="embed_param { num_output: 8 input_dim: 100 } "))
    assert none_of(text, registry, "embed-input-not-index")


def test_python_loss_variants_and_fix(registry):
    text = net(IN, FC, 'layer { name: "loss" type: "Python" bottom: "fc" bottom: "label" top: "loss" '
                       'python_param { module: "losses" layer: "DiceLoss" } }')
    hit = one(text, registry, "python-loss-without-loss-weight")
    (fix,) = hit.fixes
    assert not fix.safe and [e.new_text for e in fix.edits] == [" loss_weight: 1"]
    # A Python layer that is not named like a loss, in a net no solver trains: not judged.
    text = net(IN, FC, 'layer { name: "out" type: "Python" bottom: "fc" top: "out" python_param { module: "m" layer: "Writer" } }')
    assert none_of(text, registry, "python-loss-without-loss-weight")
    # In a solver's train net without another loss, an unread Python output is the loss.
    solver = SOLVER_HEAD + "net_param {\n" + text + "}\n"
    assert one(solver, registry, "python-loss-without-loss-weight").line == 8


def test_scale_bias_with_two_bottoms(registry):
    text = net(IN, 'layer { name: "s" type: "Scale" bottom: "data" bottom: "label" top: "s" scale_param { num_axes: -2 } }')
    assert none_of(text, registry, "scale-bias-num-axes-invalid")
    assert one(net(IN, layer("b", "Bias", "data", "data", "bias_param { num_axes: -3 } ")), registry, "scale-bias-num-axes-invalid")


def apply(text, fix):
    for edit in sorted(fix.edits, key=lambda e: e.start, reverse=True):
        text = text[: edit.start] + edit.new_text + text[edit.end :]
    return text


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
def test_fix_resolves_the_finding(registry, rule, text):
    (fix,) = one(text, registry, rule).fixes
    fixed = apply(text, fix)
    assert none_of(fixed, registry, rule)
    assert not [d for d in lint(fixed, registry) if d.rule in ("syntax-error", "unknown-field", "invalid-value")], fixed


# --- registration and documentation


def test_codes_names_and_order(registry):
    contract = [("L305", "dropout-ratio-range"), ("L306", "lrn-local-size-even"),
                ("L307", "softmax-loss-on-probabilities"), ("L308", "multinomial-logistic-without-softmax")]
    got = [(rule.code, rule.name) for rule in LAYER_RULES]
    assert got[:4] == contract
    assert [code for code, _ in got] == sorted(code for code, _ in got)
    codes = {code for code, _ in got}
    # Shape-inference rules and rules existing elsewhere (L319 in L303, L340 in P007) are not here.
    assert codes == {f"L{n}" for n in range(305, 378)} - {"L319", "L323", "L325", "L340", "L343", "L360"}
    assert all("net" in rule.applies_to for rule in LAYER_RULES)
    assert registry.lookup("L305").name == "dropout-ratio-range"


@pytest.mark.parametrize("rule", LAYER_RULES, ids=lambda r: r.name)
def test_docs_complete_and_example_triggers(registry, rule):
    for section in DOC_SECTIONS + ("summary",):
        assert getattr(rule, section).strip(), f"{rule.name}: empty {section}"
    assert rule.name in rule.documentation()
    version = "rc2" if rule.name == "valid-normalization-old-caffe" else None  # its version_notes say so
    found = hits(rule.example, registry, rule.name, version=version)
    assert found, f"{rule.name}: its example does not trigger it"


# --- the reference corpus

REFERENCE = ("BVLC__caffe/models", "KaimingHe__deep-residual-networks", "forresti__SqueezeNet", "shicai__MobileNet-Caffe")


def corpus_root() -> Path | None:
    folder = os.environ.get("PROTOLINT_CORPUS")
    if not folder:
        return None
    root = Path(folder)
    return root.parent if root.name == "BVLC__caffe" else root


@pytest.mark.skipif(not os.environ.get("PROTOLINT_CORPUS"), reason="PROTOLINT_CORPUS is not set")
def test_reference_models_have_no_errors(registry):
    from protolint.project import Input, lint_inputs

    root = corpus_root()
    folders = [root / sub for sub in REFERENCE if (root / sub).is_dir()]
    if not folders:
        pytest.skip(f"none of {', '.join(REFERENCE)} under {root}")
    paths = sorted(p for folder in folders for p in folder.rglob("*.prototxt"))
    assert len(paths) >= 10, paths
    options = default_options(schema=builtin_schema(), registry=registry)
    results = lint_inputs([Input(str(p), p.read_bytes(), str(p)) for p in paths], lambda _: options)
    errors = [f"{r.path}:{d.line} {d.rule}: {d.message}" for r in results for d in r.diagnostics
              if d.rule in RULE_NAMES and d.severity == "error"]
    assert errors == []
