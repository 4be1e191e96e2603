"""The existing net rules (N201-N205, L301-L304, F401-F403, B501-B505), suppressions (X001, X002),
net-file-not-found (S139) with cross-file solver -> net linting, and P005-P007: positive and negative
cases from the rule spec (/work/notes/rule-spec.md, Appendix A fixtures), asserting rule, line and
the key phrases of the message.

Cases where the current implementation departs from the spec are `xfail(strict=True)` with the
reason: they document the difference and start failing (XPASS) once it is fixed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from protolint.api import default_options
from protolint.api import lint_bytes
from protolint.linter import LintOptions
from protolint.project import Input, lint_inputs
from protolint.registry import Registry
from protolint.rules import BUILTIN_RULES
from protolint.schema.loader import builtin_schema


@pytest.fixture(scope="module")
def registry():
    return Registry(list(BUILTIN_RULES))


def options(registry, **kwargs):
    return default_options(schema=builtin_schema(), registry=registry, **kwargs)


def lint(text: str, registry, path: str = "net.prototxt", **kwargs):
    return lint_bytes(path, text.encode(), options(registry, **kwargs)).diagnostics


def found(text, registry, rule, **kwargs):
    return [d for d in lint(text, registry, **kwargs) if d.rule == rule]


def one(text, registry, rule, **kwargs):
    hits = found(text, registry, rule, **kwargs)
    assert len(hits) == 1, [(d.rule, d.line, d.message) for d in lint(text, registry, **kwargs)]
    return hits[0]


def silent(text, registry, rule, **kwargs):
    return not found(text, registry, rule, **kwargs)


def lint_files(registry, paths, **kwargs):
    inputs = [Input(str(p), Path(p).read_bytes(), str(p)) for p in paths]
    return {r.path: r for r in lint_inputs(inputs, lambda _: options(registry, **kwargs))}


# Shared pieces of the Appendix A fixtures; every layer on one line, IN is line 1.
IN = ('layer { name: "in" type: "Input" top: "data" top: "label" '
      'input_param { shape { dim: 8 dim: 3 dim: 8 dim: 8 } shape { dim: 8 } } }\n')
FC_XAVIER = ('layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" '
             'inner_product_param { num_output: 10 weight_filler { type: "xavier" } } }\n')
LOSS = 'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }\n'
SMALL_IN = 'layer { name: "in" type: "Input" top: "data" input_param { shape { dim: 1 dim: 4 } } }\n'


# ---------------------------------------------------------------------------------------------
# N201 unknown-bottom (A.1)

A1_TRAIN_DATA = ('layer { name: "mnist" type: "Data" top: "data" top: "label" include { phase: TRAIN } '
                 'transform_param { scale: 0.00390625 } data_param { source: "train_lmdb" backend: LMDB batch_size: 64 } }\n')
A1_TEST_DATA = ('layer { name: "mnist" type: "Data" top: "data" top: "label" include { phase: TEST } '
                'transform_param { scale: 0.00390625 } data_param { source: "test_lmdb" backend: LMDB batch_size: 100 } }\n')
A1_BODY = ('layer { name: "ip" type: "InnerProduct" bottom: "data" top: "ip" '
           'inner_product_param { num_output: 10 weight_filler { type: "xavier" } } }\n'
           'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "ip" bottom: "label" top: "loss" }\n')
A1_SOLVER = 'net: "a1.prototxt"\ntest_iter: 10\ntest_interval: 100\nbase_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 1000\nsolver_mode: CPU\n'


def test_unknown_bottom_plain(registry):
    text = SMALL_IN + 'layer { name: "r" type: "ReLU" bottom: "dta" top: "r" }\n'
    hit = one(text, registry, "unknown-bottom")
    assert (hit.line, hit.severity, hit.code) == (2, "error", "N201")
    assert 'bottom "dta" of layer "r"' in hit.message and "`Unknown bottom blob`" in hit.message
    assert silent(text.replace('"dta"', '"data"'), registry, "unknown-bottom")


def test_unknown_bottom_later_producer(registry):
    # Caffe does not reorder layers: a producer further down does not count.
    text = ('layer { name: "r" type: "ReLU" bottom: "data" top: "r" }\n' + SMALL_IN)
    assert one(text, registry, "unknown-bottom").line == 1


def test_unknown_bottom_in_solver_test_net(registry, tmp_path):
    (tmp_path / "a1.prototxt").write_text(A1_TRAIN_DATA + A1_BODY)
    solver = tmp_path / "solver.prototxt"
    solver.write_text(A1_SOLVER)
    results = lint_files(registry, [solver])
    net = [r for path, r in results.items() if path.endswith("a1.prototxt")][0]
    hits = [d for d in net.diagnostics if d.rule == "unknown-bottom"]
    assert [(d.line, d.message.split(" of ")[0]) for d in hits] == [(2, 'bottom "data"'), (3, 'bottom "label"')]
    assert all("TEST" in d.message for d in hits)
    assert not [d for d in results[str(solver)].diagnostics if d.rule == "unknown-bottom"]
    # The negative fixture: a TEST data layer too — and the two "mnist" layers are no duplicates.
    (tmp_path / "a1.prototxt").write_text(A1_TRAIN_DATA + A1_TEST_DATA + A1_BODY)
    results = lint_files(registry, [solver])
    net = [r for path, r in results.items() if path.endswith("a1.prototxt")][0]
    assert not [d for d in net.diagnostics if d.rule in ("unknown-bottom", "duplicate-layer-name")]


def test_unknown_bottom_stand_alone_train_only_file(registry):
    # Without a solver, a file whose only data layer is TRAIN-only is checked as a TRAIN net.
    assert silent(A1_TRAIN_DATA + A1_BODY, registry, "unknown-bottom")


def test_unknown_bottom_names_the_excluded_producer(registry, tmp_path):
    (tmp_path / "a1.prototxt").write_text(A1_TRAIN_DATA + A1_BODY)
    solver = tmp_path / "solver.prototxt"
    solver.write_text(A1_SOLVER)
    results = lint_files(registry, [solver])
    net = [r for path, r in results.items() if path.endswith("a1.prototxt")][0]
    assert any('"mnist"' in d.message and "excluded" in d.message for d in net.diagnostics if d.rule == "unknown-bottom")


# ---------------------------------------------------------------------------------------------
# N202 duplicate-top (A.2)

A2 = ('layer { name: "in" type: "Input" top: "x" input_param { shape { dim: 1 dim: 4 } } }\n'
      'layer { name: "a" type: "ReLU" bottom: "x" top: "y" }\n'
      'layer { name: "b" type: "Sigmoid" bottom: "x" top: "y" }\n')


def test_duplicate_top(registry):
    hit = one(A2, registry, "duplicate-top")
    assert (hit.line, hit.severity, hit.code) == (3, "error", "N202")
    assert 'top "y" is already produced by layer "a" (line 2)' in hit.message and "produced by multiple sources" in hit.message
    assert hit.related and hit.related[0].line == 2
    renamed = A2.replace('"b" type: "Sigmoid" bottom: "x" top: "y"', '"b" type: "Sigmoid" bottom: "x" top: "z"')
    assert silent(renamed, registry, "duplicate-top")
    # In place (bottom i == top i) is a rewrite, not a duplicate.
    in_place = A2.replace('"b" type: "Sigmoid" bottom: "x" top: "y"', '"b" type: "Sigmoid" bottom: "y" top: "y"')
    assert silent(in_place, registry, "duplicate-top")


# ---------------------------------------------------------------------------------------------
# N203 inplace-on-shared-blob (A.3)

A3_HEAD = ('layer { name: "in" type: "Input" top: "data" input_param { shape { dim: 1 dim: 4 } } }\n'
           'layer { name: "ip1" type: "InnerProduct" bottom: "data" top: "x" inner_product_param { num_output: 8 } }\n')
A3_IP2 = 'layer { name: "ip2" type: "InnerProduct" bottom: "x" top: "y" inner_product_param { num_output: 8 } }\n'
A3_RELU = 'layer { name: "relu" type: "ReLU" bottom: "x" top: "x" }\n'


def test_inplace_on_shared_blob(registry):
    hit = one(A3_HEAD + A3_IP2 + A3_RELU, registry, "inplace-on-shared-blob")
    assert (hit.line, hit.severity, hit.code) == (4, "error", "N203")
    assert 'layer "relu" rewrites "x" in place while "ip2" also reads it' in hit.message
    # ReLU first, ip2 reads the rectified blob (the GoogLeNet pattern).
    assert silent(A3_HEAD + A3_RELU + A3_IP2, registry, "inplace-on-shared-blob")


def test_inplace_layer_reading_the_blob_twice(registry):
    text = A3_HEAD + 'layer { name: "sum" type: "Eltwise" bottom: "x" bottom: "x" top: "x" }\n'
    assert one(text, registry, "inplace-on-shared-blob").line == 3


def test_inplace_after_loss_weighted_top(registry):
    text = (A3_HEAD.replace('top: "x" inner_product_param', 'top: "x" loss_weight: 1 inner_product_param') + A3_RELU)
    assert found(text, registry, "inplace-on-shared-blob")


# ---------------------------------------------------------------------------------------------
# N204 duplicate-layer-name (A.4)

A4 = (SMALL_IN
      + 'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc1" inner_product_param { num_output: 8 } }\n'
      + 'layer { name: "fc" type: "InnerProduct" bottom: "fc1" top: "fc2" inner_product_param { num_output: 2 } }\n')


def test_duplicate_layer_name(registry):
    hit = one(A4, registry, "duplicate-layer-name")
    assert (hit.line, hit.column, hit.severity, hit.code) == (3, 15, "warning", "N204")
    assert 'layer name "fc" is already used at line 2' in hit.message and "weights" in hit.message
    assert silent(A4.replace('name: "fc" type: "InnerProduct" bottom: "fc1"', 'name: "fc2" type: "InnerProduct" bottom: "fc1"'),
                  registry, "duplicate-layer-name")


def test_duplicate_name_in_disjoint_phases_is_fine(registry):
    text = (A1_TRAIN_DATA + A1_TEST_DATA + A1_BODY)
    assert silent(text, registry, "duplicate-layer-name")


def test_duplicate_name_of_layers_without_weights(registry):
    # A deliberate departure from the spec: names only matter for matching weights (loading a
    # .caffemodel, sharing train -> test), so two weightless layers with one name are not reported.
    text = SMALL_IN + ('layer { name: "r" type: "ReLU" bottom: "data" top: "a" }\n'
                       'layer { name: "r" type: "ReLU" bottom: "a" top: "b" }\n')
    assert silent(text, registry, "duplicate-layer-name")


# ---------------------------------------------------------------------------------------------
# N205 layer-phase-field (A.5)

A5 = SMALL_IN + 'layer { name: "drop" type: "Dropout" bottom: "data" top: "data" phase: TRAIN }\n'


def test_layer_phase_field(registry):
    hit = one(A5, registry, "layer-phase-field")
    assert (hit.line, hit.severity, hit.code) == (2, "warning", "N205")
    assert "`phase: TRAIN` on a layer does not remove it from the other phase" in hit.message
    assert "include { phase: TRAIN }" in hit.message
    assert silent(A5.replace("phase: TRAIN", "include { phase: TRAIN }"), registry, "layer-phase-field")


def test_layer_phase_field_without_effect_is_info(registry):
    text = SMALL_IN + 'layer { name: "drop" type: "Dropout" bottom: "data" top: "data" phase: TRAIN include { phase: TRAIN } }\n'
    assert one(text, registry, "layer-phase-field").severity == "info"


# ---------------------------------------------------------------------------------------------
# L301-L304 pooling and InfogainLoss


def pool(params: str) -> str:
    # An HDF5 input: its size is not known statically, which is when this rule speaks.
    return ('layer { name: "in" type: "HDF5Data" top: "data" hdf5_data_param { source: "list.txt" batch_size: 1 } }\n'
            f'layer {{ name: "pool1" type: "Pooling" bottom: "data" top: "pool1" pooling_param {{ {params} }} }}\n')


def test_pooling_stride_exceeds_kernel_defers_to_shapes(registry):
    known = SMALL_IN.replace("dim: 1 dim: 4", "dim: 1 dim: 3 dim: 8 dim: 8") + \
        'layer { name: "pool1" type: "Pooling" bottom: "data" top: "pool1" pooling_param { pool: AVE kernel_size: 1 stride: 2 } }\n'
    assert silent(known, registry, "pooling-stride-exceeds-kernel")
    assert one(known, registry, "pooling-empty-window").severity == "error"  # 8 = 1 + 2*3 + 1: the last window is out


def test_pooling_stride_exceeds_kernel(registry):
    hit = one(pool("pool: AVE kernel_size: 1 stride: 2"), registry, "pooling-stride-exceeds-kernel")
    assert (hit.line, hit.severity, hit.code) == (2, "warning", "L301")
    assert "stride 2 > kernel 1" in hit.message and "NaN (0/0)" in hit.message
    hit = one(pool("pool: MAX kernel_size: 2 stride: 3"), registry, "pooling-stride-exceeds-kernel")
    assert "-3.4e38" in hit.message
    assert silent(pool("pool: MAX kernel_size: 3 stride: 2"), registry, "pooling-stride-exceeds-kernel")
    assert silent(pool("pool: AVE kernel_size: 1 stride: 1"), registry, "pooling-stride-exceeds-kernel")
    assert silent(pool("pool: AVE kernel_size: 2 stride: 3 pad: 1"), registry, "pooling-stride-exceeds-kernel")


def test_pooling_stride_exceeds_kernel_floor_is_fine(registry):
    assert silent(pool("pool: AVE kernel_size: 1 stride: 2 round_mode: FLOOR"), registry, "pooling-stride-exceeds-kernel")


def test_pooling_stride_exceeds_kernel_other_axis_padded(registry):
    text = pool("pool: AVE kernel_h: 1 kernel_w: 3 stride_h: 2 stride_w: 1 pad_h: 0 pad_w: 1")
    assert silent(text, registry, "pooling-stride-exceeds-kernel")


def test_pooling_pad_ge_kernel(registry):
    hit = one(pool("pool: MAX kernel_size: 2 stride: 2 pad: 2"), registry, "pooling-pad-ge-kernel")
    assert (hit.line, hit.severity, hit.code) == (2, "error", "L302")
    assert "pooling pad 2 >= kernel 2" in hit.message and "Check failed: pad < kernel" in hit.message
    assert silent(pool("pool: MAX kernel_size: 3 stride: 2 pad: 1"), registry, "pooling-pad-ge-kernel")


def test_pooling_global_with_kernel(registry):
    hit = one(pool("pool: AVE global_pooling: true kernel_size: 7"), registry, "pooling-global-with-kernel")
    assert (hit.line, hit.severity, hit.code) == (2, "error", "L303")
    assert "`kernel_size` with `global_pooling: true`" in hit.message and "Filter size cannot specified" in hit.message
    assert silent(pool("pool: AVE global_pooling: true"), registry, "pooling-global-with-kernel")
    hit = one(pool("pool: AVE global_pooling: true stride: 2"), registry, "pooling-global-with-kernel")
    assert "`stride` must be 1" in hit.message


A8_FC = ('layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" '
         'inner_product_param { num_output: 10 weight_filler { type: "xavier" } } }\n')
A8_PROB = 'layer { name: "prob" type: "Softmax" bottom: "fc" top: "prob" }\n'


def infogain(bottom: str) -> str:
    return (f'layer {{ name: "loss" type: "InfogainLoss" bottom: "{bottom}" bottom: "label" top: "loss" '
            'infogain_loss_param { source: "H.binaryproto" } }\n')


def test_infogain_input_master(registry):
    hit = one(IN + A8_FC + A8_PROB + infogain("prob"), registry, "infogain-input")
    assert (hit.line, hit.severity, hit.code) == (4, "warning", "L304")
    assert 'takes "prob" from Softmax "prob"' in hit.message and "applies softmax itself" in hit.message
    assert silent(IN + A8_FC + infogain("fc"), registry, "infogain-input")


def test_infogain_input_follows_caffe_version(registry):
    # Before 1.0 the layer expects probabilities: raw scores are the error, a Softmax input is right.
    hit = one(IN + A8_FC + infogain("fc"), registry, "infogain-input", caffe_version="rc5")
    assert (hit.line, hit.severity) == (3, "error") and "Caffe rc5 (before 1.0) expects probabilities" in hit.message
    assert silent(IN + A8_FC + A8_PROB + infogain("prob"), registry, "infogain-input", caffe_version="rc5")


def test_infogain_input_through_reshape(registry):
    text = (IN + A8_FC + A8_PROB + 'layer { name: "flat" type: "Flatten" bottom: "prob" top: "flat" }\n' + infogain("flat"))
    assert found(text, registry, "infogain-input")


# ---------------------------------------------------------------------------------------------
# F401-F403 fillers (A.9)

A9_CONV = ('layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" '
           'convolution_param { num_output: 16 kernel_size: 3 pad: 1 } }\n')
A9_RELU = 'layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }\n'
A9_FC = ('layer { name: "fc" type: "InnerProduct" bottom: "conv1" top: "fc" '
         'inner_product_param { num_output: 10 weight_filler { type: "xavier" } } }\n')
A9 = IN + A9_CONV + A9_RELU + A9_FC + LOSS


def test_missing_weight_filler(registry):
    hit = one(A9, registry, "missing-weight-filler")
    assert (hit.line, hit.severity, hit.code) == (2, "warning", "F401")
    assert 'layer "conv1" (Convolution) has no weight_filler' in hit.message and "weights start at 0" in hit.message
    fixed = A9.replace("kernel_size: 3 pad: 1", 'kernel_size: 3 pad: 1 weight_filler { type: "msra" }')
    assert silent(fixed, registry, "missing-weight-filler")


def test_missing_weight_filler_skips_deploy_and_frozen(registry):
    assert silent(IN + A9_CONV + A9_RELU + A9_FC, registry, "missing-weight-filler")  # no loss: deploy
    frozen = A9.replace('top: "conv1" convolution_param', 'top: "conv1" param { lr_mult: 0 } param { lr_mult: 0 } convolution_param')
    assert silent(frozen, registry, "missing-weight-filler")


def test_missing_weight_filler_skips_head_layer(registry):
    text = IN + A9_CONV.replace("pad: 1", 'pad: 1 weight_filler { type: "msra" }') + A9_RELU + \
        A9_FC.replace(' weight_filler { type: "xavier" }', "") + LOSS
    assert silent(text, registry, "missing-weight-filler")


def test_missing_weight_filler_everywhere_is_one_info(registry):
    text = IN + A9_CONV + A9_RELU + A9_FC.replace(' weight_filler { type: "xavier" }', "") + LOSS
    hits = found(text, registry, "missing-weight-filler")
    assert len(hits) == 1 and hits[0].severity == "info"


def test_missing_bias_filler(registry):
    hits = found(A9, registry, "missing-bias-filler")
    assert any(h.line == 4 and 'layer "fc" (InnerProduct) has a bias but no bias_filler' in h.message for h in hits)
    assert all(h.severity == "info" and h.code == "F402" for h in hits)
    fixed = A9.replace('weight_filler { type: "xavier" } }', 'weight_filler { type: "xavier" } bias_filler { type: "constant" } }')
    assert not [h for h in found(fixed, registry, "missing-bias-filler") if h.line == 4]
    no_bias = A9.replace('num_output: 10 weight_filler', 'num_output: 10 bias_term: false weight_filler')
    assert not [h for h in found(no_bias, registry, "missing-bias-filler") if h.line == 4]


def test_missing_bias_filler_not_next_to_missing_weight_filler(registry):
    assert [h.line for h in found(A9, registry, "missing-bias-filler")] == [4]


def test_gaussian_filler_std(registry):
    text = IN + A9_FC.replace('"xavier"', '"gaussian"').replace('bottom: "conv1"', 'bottom: "data"') + LOSS
    hit = one(text, registry, "gaussian-filler-std")
    assert (hit.line, hit.severity, hit.code) == (2, "warning", "F403")
    assert "gaussian filler without `std`: Caffe uses std 1" in hit.message
    hit = one(text.replace('"gaussian"', '"gaussian" std: 2'), registry, "gaussian-filler-std")
    assert "std 2 is very large" in hit.message
    hit = one(text.replace('"gaussian"', '"gaussian" std: 0'), registry, "gaussian-filler-std")
    assert hit.severity == "error" and "Check failed: sigma > 0" in hit.message
    assert silent(text.replace('"gaussian"', '"gaussian" std: 0.01'), registry, "gaussian-filler-std")
    # mnist autoencoder: std 1 with sparse 15 (fan-in 15).
    assert silent(text.replace('"gaussian"', '"gaussian" std: 1 sparse: 15'), registry, "gaussian-filler-std")


def test_gaussian_filler_std_not_on_dummy_data(registry):
    text = 'layer { name: "d" type: "DummyData" top: "x" dummy_data_param { shape { dim: 1 } data_filler { type: "gaussian" } } }\n'
    assert silent(text, registry, "gaussian-filler-std")


def test_gaussian_std_message_names_caffes_check(registry):
    text = IN + A9_FC.replace('"xavier"', '"gaussian" std: 0').replace('bottom: "conv1"', 'bottom: "data"') + LOSS
    assert "sigma > 0" in one(text, registry, "gaussian-filler-std").message


# ---------------------------------------------------------------------------------------------
# B501-B505 BatchNorm (A.10)

A10_CONV = ('layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" '
            'convolution_param { num_output: 16 kernel_size: 3 bias_term: false weight_filler { type: "msra" } } }\n')


def a10(bn: str, after: str = "", loss: bool = True) -> str:
    return (IN + A10_CONV + f'layer {{ name: "bn1" type: "BatchNorm" bottom: "conv1" top: "conv1" {bn}}}\n' + after
            + A9_RELU + A9_FC + (LOSS if loss else ""))


SCALE = 'layer { name: "scale1" type: "Scale" bottom: "conv1" top: "conv1" scale_param { bias_term: true } }\n'


def test_batchnorm_global_stats_in_train(registry):
    hit = one(a10("batch_norm_param { use_global_stats: true } "), registry, "batchnorm-global-stats-in-train")
    assert (hit.line, hit.severity, hit.code) == (3, "warning", "B501")
    assert 'BatchNorm "bn1" uses global statistics while training' in hit.message
    assert silent(a10("", SCALE), registry, "batchnorm-global-stats-in-train")
    # A deploy net may use global statistics.
    assert silent(a10("batch_norm_param { use_global_stats: true } ", loss=False), registry, "batchnorm-global-stats-in-train")


def test_batchnorm_global_stats_from_layer_phase(registry):
    assert found(a10("phase: TEST "), registry, "batchnorm-global-stats-in-train")


def test_batchnorm_param_lr_nonzero(registry):
    hit = one(a10("param { lr_mult: 1 } "), registry, "batchnorm-param-lr-nonzero")
    assert (hit.line, hit.severity, hit.code) == (3, "error", "B502")
    assert "Cannot configure batch normalization statistics as layer parameters" in hit.message
    assert silent(a10(""), registry, "batchnorm-param-lr-nonzero")
    assert silent(a10("param { lr_mult: 0 } "), registry, "batchnorm-param-lr-nonzero")
    # Three blocks in a net file are rewritten to lr_mult 0 on load: not this rule (batchnorm-legacy-params says so).
    assert silent(a10("param { lr_mult: 1 } param { lr_mult: 0 } param { lr_mult: 0 } "), registry, "batchnorm-param-lr-nonzero")
    # ... but not in a net embedded in a solver.
    inline = ("net_param {\n" + a10("param { lr_mult: 1 } param { lr_mult: 0 } param { lr_mult: 0 } ") + "}\n"
              'base_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 10\nsolver_mode: CPU\n')
    hit = one(inline, registry, "batchnorm-param-lr-nonzero", root="solver")
    assert hit.severity == "error" and hit.line == 4


def test_batchnorm_param_without_lr_mult_is_lr_1(registry):
    hit = one(a10("param { decay_mult: 0 } "), registry, "batchnorm-param-lr-nonzero")
    assert hit.severity == "error"


def test_batchnorm_param_lr_nonzero_rc3_is_warning(registry):
    hit = one(a10("param { lr_mult: 1 } "), registry, "batchnorm-param-lr-nonzero", caffe_version="rc3")
    assert hit.severity == "warning" and "Caffe rc3 lets the solver update the running mean and variance" in hit.message


def test_batchnorm_without_params_rc3_is_warning(registry):
    hit = one(a10(""), registry, "batchnorm-param-lr-nonzero", caffe_version="rc3")
    assert hit.severity == "warning"


def test_batchnorm_eps_nonpositive(registry):
    hit = one(a10("batch_norm_param { eps: 0 } ", SCALE), registry, "batchnorm-eps-nonpositive")
    assert (hit.line, hit.severity, hit.code) == (3, "error", "B503")
    assert 'BatchNorm "bn1" eps 0' in hit.message and "0/0 = NaN" in hit.message
    assert silent(a10("batch_norm_param { eps: 1e-5 } ", SCALE), registry, "batchnorm-eps-nonpositive")


def test_batchnorm_moving_average_fraction(registry):
    hit = one(a10("batch_norm_param { moving_average_fraction: 1.5 } ", SCALE), registry, "batchnorm-moving-average-fraction")
    assert (hit.line, hit.severity, hit.code) == (3, "error", "B504")
    assert "moving_average_fraction 1.5 is outside [0, 1]" in hit.message
    for good in ("0.99", "1", "0"):
        assert silent(a10(f"batch_norm_param {{ moving_average_fraction: {good} }} ", SCALE), registry,
                      "batchnorm-moving-average-fraction")


def test_batchnorm_without_scale(registry):
    hit = one(a10(""), registry, "batchnorm-without-scale")
    assert (hit.line, hit.severity, hit.code) == (3, "info", "B505")
    assert 'BatchNorm "bn1" is not followed by a Scale layer' in hit.message
    assert silent(a10("", SCALE), registry, "batchnorm-without-scale")


# ---------------------------------------------------------------------------------------------
# X001 / X002 suppressions


def test_suppression_same_line_next_line_and_file(registry):
    lines = A2.splitlines(keepends=True)
    # A directive on another line does not cover the finding.
    other = lines[0] + lines[1].rstrip("\n") + "  # protolint: disable=duplicate-top\n" + lines[2]
    assert one(other, registry, "duplicate-top").line == 3
    assert one(other, registry, "unused-suppression").line == 2
    same = lines[0] + lines[1] + lines[2].rstrip("\n") + "  # protolint: disable=N202 -- by code\n"
    assert silent(same, registry, "duplicate-top")
    assert silent(same, registry, "unused-suppression")
    nxt = lines[0] + lines[1] + "# protolint: disable-next-line=duplicate-top\n" + lines[2]
    assert silent(nxt, registry, "duplicate-top")
    whole = "# protolint: disable-file=duplicate-top -- generated file\n" + A2
    assert silent(whole, registry, "duplicate-top")


def test_unused_suppression(registry):
    text = SMALL_IN.rstrip("\n") + "  # protolint: disable=duplicate-top -- nothing here\n"
    hit = one(text, registry, "unused-suppression")
    assert (hit.line, hit.severity, hit.code) == (1, "info", "X001")
    assert "`duplicate-top` is suppressed here but reports nothing" in hit.message


def test_invalid_suppression(registry):
    text = SMALL_IN.rstrip("\n") + "  # protolint: disable=dupliate-top -- misspelt\n"
    hit = one(text, registry, "invalid-suppression")
    assert (hit.line, hit.severity, hit.code) == (1, "warning", "X002")
    assert "`dupliate-top` is not a protolint rule name or code" in hit.message
    hit = one("# protolint: disabel=duplicate-top\n" + SMALL_IN, registry, "invalid-suppression")
    assert hit.line == 1 and "malformed protolint directive" in hit.message
    assert silent("# protolint: disable-file=N202 -- ok\n" + A2, registry, "invalid-suppression")


def test_disabled_rule_in_directive_is_not_unused(registry):
    text = SMALL_IN.rstrip("\n") + "  # protolint: disable=duplicate-top\n"
    assert silent(text, registry, "unused-suppression", ignore=["duplicate-top"])


# ---------------------------------------------------------------------------------------------
# S139 net-file-not-found and cross-file solver -> net linting

STAGED_NET = (
    'layer { name: "d" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 4 } shape { dim: 8 } } '
    'include { phase: TRAIN stage: "train-stage" } }\n'
    'layer { name: "dt" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 4 } shape { dim: 8 } } '
    'include { phase: TEST stage: "test-stage" } }\n'
    'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 2 weight_filler { type: "xavier" } } }\n'
    'layer { name: "probe" type: "ReLU" bottom: "nowhere" top: "p" include { stage: "extra" } }\n'
    'layer { name: "bn" type: "BatchNorm" bottom: "fc" top: "fc" batch_norm_param { use_global_stats: true } include { stage: "extra" } }\n'
    'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }\n'
)


def staged_solver(train_stages: str, test_stages: str) -> str:
    return ('train_net: "nets/net.prototxt"\ntest_net: "nets/net.prototxt"\ntest_iter: 5\ntest_interval: 10\n'
            f'train_state {{ {train_stages} }}\ntest_state {{ {test_stages} }}\n'
            'base_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 100\nsolver_mode: CPU\n')


def test_net_is_checked_in_the_solvers_states(registry, tmp_path):
    (tmp_path / "nets").mkdir()
    net = tmp_path / "nets" / "net.prototxt"
    net.write_text(STAGED_NET)
    # On its own, the net is checked in TRAIN (train-stage) and TEST (test-stage): "probe" and "bn" are in neither.
    alone = lint_bytes(str(net), net.read_bytes(), options(registry)).diagnostics
    assert not [d for d in alone if d.rule in ("unknown-bottom", "batchnorm-global-stats-in-train")]
    # The solver adds stage "extra" to the TEST state only: the unknown bottom shows, reported in the net file.
    solver = tmp_path / "solver.prototxt"
    solver.write_text(staged_solver('stage: "train-stage"', 'stage: "test-stage" stage: "extra"'))
    results = lint_files(registry, [solver])
    assert len(results) == 2  # the solver and its net file (named twice, linted once)
    net_result = next(r for p, r in results.items() if p.endswith("net.prototxt"))
    (hit,) = [d for d in net_result.diagnostics if d.rule == "unknown-bottom"]
    assert hit.line == 4 and 'bottom "nowhere" of layer "probe"' in hit.message and "stage test-stage, extra" in hit.message
    assert not [d for d in results[str(solver)].diagnostics if d.rule in ("unknown-bottom", "net-file-not-found")]
    # B501 looks at the TRAIN state; with "extra" in train_state the TRAIN net gets the global-stats BatchNorm.
    assert not [d for d in net_result.diagnostics if d.rule == "batchnorm-global-stats-in-train"]
    solver.write_text(staged_solver('stage: "train-stage" stage: "extra"', 'stage: "test-stage"'))
    net_result = next(r for p, r in lint_files(registry, [solver]).items() if p.endswith("net.prototxt"))
    unknown = [d for d in net_result.diagnostics if d.rule == "unknown-bottom"]
    assert [d.line for d in unknown] == [4] and "TRAIN" in unknown[0].message


def test_batchnorm_global_stats_in_solver_train_state(registry, tmp_path):
    (tmp_path / "nets").mkdir()
    (tmp_path / "nets" / "net.prototxt").write_text(STAGED_NET)
    solver = tmp_path / "solver.prototxt"
    solver.write_text(staged_solver('stage: "train-stage" stage: "extra"', 'stage: "test-stage"'))
    net_result = next(r for p, r in lint_files(registry, [solver]).items() if p.endswith("net.prototxt"))
    assert [d for d in net_result.diagnostics if d.rule == "batchnorm-global-stats-in-train"]


def test_net_file_not_found(registry, tmp_path):
    solver = tmp_path / "solver.prototxt"
    solver.write_text('base_lr: 0.01\nnet: "models/missing/train_val.prototxt"\nlr_policy: "fixed"\nmax_iter: 100\nsolver_mode: CPU\n')
    results = lint_files(registry, [solver])
    (hit,) = [d for d in results[str(solver)].diagnostics if d.rule == "net-file-not-found"]
    assert (hit.line, hit.column, hit.severity, hit.code) == (2, 6, "info", "S139")
    assert 'net file "models/missing/train_val.prototxt" not found' in hit.message
    (tmp_path / "models" / "missing").mkdir(parents=True)
    (tmp_path / "models" / "missing" / "train_val.prototxt").write_text(A1_TRAIN_DATA + A1_TEST_DATA + A1_BODY)
    results = lint_files(registry, [solver])
    assert not [d for d in results[str(solver)].diagnostics if d.rule == "net-file-not-found"]
    assert len(results) == 2  # the net file was found and linted too


def test_net_file_not_found_once_per_field(registry, tmp_path):
    # `net:` is used for the train net and for each test_iter copy: one finding.
    solver = tmp_path / "solver.prototxt"
    solver.write_text('net: "nope.prototxt"\ntest_iter: 1\ntest_iter: 2\ntest_interval: 5\nbase_lr: 0.01\nlr_policy: "fixed"\n'
                      'max_iter: 100\nsolver_mode: CPU\n')
    hits = [d for d in lint_files(registry, [solver])[str(solver)].diagnostics if d.rule == "net-file-not-found"]
    assert [d.line for d in hits] == [1]


# ---------------------------------------------------------------------------------------------
# P005-P007


def test_unknown_layer_type(registry):
    hit = one(SMALL_IN + 'layer { name: "relu1" type: "Relu" bottom: "data" top: "data" }\n', registry, "unknown-layer-type")
    assert (hit.line, hit.column, hit.severity, hit.code) == (2, 29, "error", "P005")
    assert 'unknown layer type "Relu"' in hit.message and 'did you mean "ReLU"?' in hit.message
    assert silent(SMALL_IN + 'layer { name: "relu1" type: "ReLU" bottom: "data" top: "data" }\n', registry, "unknown-layer-type")
    hit = one(SMALL_IN + 'layer { name: "pb" type: "PriorBox" bottom: "data" top: "pb" }\n', registry, "unknown-layer-type")
    assert "extra-layer-types" in hit.message
    assert silent(SMALL_IN + 'layer { name: "pb" type: "PriorBox" bottom: "data" top: "pb" }\n', registry, "unknown-layer-type",
                  extra_layer_types=frozenset({"PriorBox"}))


def test_mixed_layer_formats(registry):
    text = ('layers { name: "data" type: DATA top: "data" }\n'
            'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" }\n')
    hit = one(text, registry, "mixed-layer-formats")
    assert (hit.line, hit.severity, hit.code) == (2, "error", "P006")
    assert "`layer` after `layers` (line 1)" in hit.message and "Caffe refuses to upgrade it" in hit.message
    assert silent(text.replace("layers {", "layer {").replace("DATA", '"Data"'), registry, "mixed-layer-formats")


def test_deprecated_field(registry):
    text = 'layer { name: "c" type: "Concat" bottom: "a" bottom: "b" top: "c" concat_param { concat_dim: 1 } }\n'
    hits = found(text, registry, "deprecated-field")
    assert [(h.line, h.severity, h.code) for h in hits] == [(1, "info", "P007")]
    assert "`concat_dim` is deprecated; write `axis`" in hits[0].message
    legacy = 'input: "data"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 224\ninput_dim: 224\n'
    assert silent(legacy, registry, "deprecated-field")  # legacy-input-fields reports these, once
    alone = found(legacy, registry, "deprecated-field", select=["deprecated-field"])  # ... unless it is off
    assert [(h.line, h.severity) for h in alone] == [(1, "info"), (2, "info")]
    assert "`input_dim` is deprecated; write an `Input` layer" in alone[1].message
    solver = 'net: "n.prototxt"\nsolver_type: NESTEROV\nbase_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 10\nsolver_mode: CPU\n'
    hit = one(solver, registry, "deprecated-field", root="solver")
    assert hit.line == 2 and "`solver_type` is deprecated" in hit.message
    assert silent(solver.replace("solver_type: NESTEROV", 'type: "Nesterov"'), registry, "deprecated-field", root="solver")
    v1 = 'layers { name: "data" type: DATA top: "data" }\nlayers { name: "r" type: RELU bottom: "data" top: "data" }\n'
    assert silent(v1, registry, "deprecated-field")  # legacy-v1-syntax reports V1 nets
    assert [h.line for h in found(v1, registry, "deprecated-field", select=["P"])] == [1]  # once per message


def test_a_solver_with_weights_marks_its_train_net_pretrained(registry, tmp_path):
    net = tmp_path / "net.prototxt"
    net.write_text(a10("batch_norm_param { use_global_stats: true } "))
    solver = tmp_path / "solver.prototxt"
    body = 'net: "net.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 100\nsolver_mode: CPU\n'
    solver.write_text(body)
    hit = [d for d in lint_files(registry, [solver])[str(net)].diagnostics if d.rule == "batchnorm-global-stats-in-train"]
    assert [d.severity for d in hit] == ["warning"]
    solver.write_text(body + 'weights: "pretrained.caffemodel"\n')
    hit = [d for d in lint_files(registry, [solver])[str(net)].diagnostics if d.rule == "batchnorm-global-stats-in-train"]
    assert [d.severity for d in hit] == ["info"] and "pretrained" in hit[0].message
