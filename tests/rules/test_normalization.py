"""BatchNorm and MVN rules (B5xx), what their fixtures cannot show: fixes, a solver linted on its own,
codes, and the reference models."""

from __future__ import annotations

from protolint.rules.builtin import BUILTIN_RULES
from tests.rules.kit import apply, codes, hits, one, reference_findings

IN = ('layer { name: "in" type: "Input" top: "data" top: "label" '
      'input_param { shape { dim: 8 dim: 3 dim: 8 dim: 8 } shape { dim: 8 } } }\n')
CONV = ('layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param '
        '{ num_output: 16 kernel_size: 3 bias_term: false weight_filler { type: "msra" } } }\n')
SCALE = 'layer { name: "scale1" type: "Scale" bottom: "conv1" top: "conv1" scale_param { bias_term: true } }\n'
TAIL = ('layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "conv1" top: "fc" inner_product_param { num_output: 10 '
        'weight_filler { type: "xavier" } } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }\n')


def bn_net(bn: str) -> str:
    return IN + CONV + f'layer {{ name: "bn1" type: "BatchNorm" bottom: "conv1" top: "conv1" {bn}}}\n' + SCALE + TAIL


def test_batchnorm_legacy_params_fix_removes_the_blocks():
    text = bn_net("param { lr_mult: 0 } param { lr_mult: 1 } param { lr_mult: 0 } ")
    (fix,) = one(text, "batchnorm-legacy-params").fixes
    assert fix.safe
    fixed = apply(text, fix)
    assert " param {" not in fixed and 'top: "conv1" }\n' in fixed and hits(fixed, "batchnorm-legacy-params") == []
    named = bn_net('param { name: "m" lr_mult: 1 } param { lr_mult: 0 } param { lr_mult: 0 } ')
    assert not one(named, "batchnorm-legacy-params").fixes  # shared statistics: keep the names


def test_batchnorm_batch_stats_in_test_fixes():
    assert not one(bn_net("phase: TRAIN "), "batchnorm-batch-stats-in-test").fixes
    hit = one(bn_net("batch_norm_param { use_global_stats: false } "), "batchnorm-batch-stats-in-test")
    assert hit.fixes and not hit.fixes[0].safe


BN_FILE = (
    'layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 4 } shape { dim: 8 } } }\n'
    'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 4 weight_filler { type: "xavier" } } }\n'
    'layer { name: "bn" type: "BatchNorm" bottom: "fc" top: "fc" }\n'
    'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }\n'
)


def test_test_initialization_fix_and_a_solver_linted_alone(tmp_path):
    (tmp_path / "net.prototxt").write_text(BN_FILE)
    solver = tmp_path / "solver.prototxt"
    text = ('net: "net.prototxt"\ntest_iter: 10\ntest_interval: 100\ntest_initialization: true\nbase_lr: 0.01\n'
            'lr_policy: "fixed"\nmax_iter: 1000\nsolver_mode: GPU\n')
    solver.write_text(text)
    # Linted on its own, the solver still finds the net file next to it.
    hit = one(text, "batchnorm-test-initialization", path=str(solver))
    assert hit.line == 4
    assert hit.fixes and [e.new_text for e in hit.fixes[0].edits] == ["false"]


def test_codes():
    assert sorted(r.code for r in BUILTIN_RULES if r.code.startswith("B")) == [f"B{501 + i}" for i in range(11)]


def test_reference_models_have_no_errors_or_warnings():
    assert reference_findings(codes("B506", "B511")) == []
