"""Net files a solver names are parsed once per version of the file (the cache of the loader the
solver rules share)."""

from __future__ import annotations

from protolint.linter import LintOptions, lint_bytes
from protolint.registry import Registry
from protolint.rules import BUILTIN_RULES
from protolint.schema.loader import builtin_schema

BN_FILE = (
    'layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 4 } shape { dim: 8 } } }\n'
    'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 4 weight_filler { type: "xavier" } } }\n'
    'layer { name: "bn" type: "BatchNorm" bottom: "fc" top: "fc" }\n'
    'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }\n'
)


def test_net_files_are_parsed_once_per_version(tmp_path):
    from protolint.rules import solver_extra

    options = LintOptions(schema=builtin_schema(), registry=Registry(list(BUILTIN_RULES)))
    (tmp_path / "net.prototxt").write_text(BN_FILE)
    solver = tmp_path / "solver.prototxt"
    solver.write_text('net: "net.prototxt"\ntest_iter: 10\ntest_interval: 100\nbase_lr: 0.01\nlr_policy: "fixed"\n'
                      'max_iter: 1000\nsolver_mode: GPU\n')
    lint_bytes(str(solver), solver.read_bytes(), options)
    cached = dict(solver_extra._CACHE)
    lint_bytes(str(solver), solver.read_bytes(), options)
    assert [id(v) for v in solver_extra._CACHE.values()] == [id(v) for v in cached.values()]
