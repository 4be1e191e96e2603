"""B509 batchnorm-test-initialization: the test pass before iteration 0 runs BatchNorm with empty global statistics."""

from __future__ import annotations

from protolint.diagnostics import Fix, TextEdit
from protolint.model.facts import batchnorm_global_stats
from protolint.rule import SolverRule
from protolint.syntax.nodes import Scalar


def _global_stats_batchnorm(net, state):
    for layer in net.layers_in(state):
        if layer.type == "BatchNorm" and batchnorm_global_stats(layer, state.phase)[0] is True:
            return layer
    return None


class BatchNormTestInitialization(SolverRule):
    code = "B509"
    name = "batchnorm-test-initialization"
    severity = "info"
    fixable = True
    summary = "The test pass before iteration 0 runs BatchNorm with empty global statistics"
    what_it_does = (
        "Reports a solver that creates test nets with `test_initialization` true (the default) when a test net "
        "contains a BatchNorm that uses global statistics (the default in TEST). It reads the net files the solver "
        "names, and nets embedded in the solver."
    )
    why_it_matters = (
        "Solver::Solve runs a full test pass before the first training iteration when test_initialization is "
        "true. From scratch the BatchNorm statistics are all 0 and the layer multiplies its input by 1/sqrt(eps), "
        "about 316: the first reported test loss and accuracy are meaningless, possibly inf/NaN (reproduced by "
        "running Caffe)."
    )
    example = (
        'net_param {\n'
        '  layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 4 } shape { dim: 8 } } }\n'
        '  layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 4 weight_filler { type: "xavier" } } }\n'
        '  layer { name: "bn" type: "BatchNorm" bottom: "fc" top: "fc" }\n'
        '  layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }\n'
        '}\n'
        'test_iter: 10\ntest_interval: 100\nbase_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 1000\nsolver_mode: GPU'
    )
    how_to_fix = "Set `test_initialization: false` to skip the test pass before training (the suggested fix)."
    version_notes = "test_initialization exists since rc2; BatchNorm since rc3."
    references = (
        "src/caffe/solver.cpp:212-221 (Solver::Step: a test pass at iteration 0 when test_initialization is true)",
        "src/caffe/layers/batch_norm_layer.cpp:98-105 (BatchNormLayer::Forward_cpu: the stored statistics, all 0 "
        "before training)",
    )

    def check_solver(self, solver, ctx):
        instances = solver.test_net_instances()
        if not instances or solver.get("test_initialization") is not True:
            return
        for item in ctx.solver_nets(("test",)):
            layer = _global_stats_batchnorm(item.net, item.state)
            if layer is None:
                continue
            node = solver.field("test_initialization")
            fixes = None
            if node is not None and isinstance(node.value, Scalar):
                fixes = [Fix("Set test_initialization: false", [TextEdit(node.value.start, node.value.end, "false")], safe=False)]
            where = f'in net file "{item.field.scalar}"' if item.path else f"in `{item.field.name}`"
            message = (f"test_initialization is on and the test net ({item.state.describe()}) uses BatchNorm \"{layer.name}\" {where} "
                       "with global statistics: the test pass before iteration 0 runs with empty statistics (output x316 per "
                       "BatchNorm layer), so the first test loss/accuracy is meaningless (possibly inf/NaN) — set "
                       "test_initialization: false to skip it")
            if node is not None:
                ctx.report_value(node, message, fixes=fixes)
            else:
                ctx.report(0, 0, message)
            return
