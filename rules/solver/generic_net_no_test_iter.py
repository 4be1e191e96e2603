"""S137 generic-net-no-test-iter: A train_val net with TEST-phase layers, but the solver never tests it."""

from __future__ import annotations

from protolint.rule import SolverRule


def _mentions_test_phase(layer) -> bool:
    for rule in layer.includes + layer.excludes:
        phase = rule.last("phase")
        if phase is not None and phase.scalar == "TEST":
            return True
    return False


class GenericNetNoTestIter(SolverRule):
    code = "S137"
    name = "generic-net-no-test-iter"
    severity = "info"
    summary = "A train_val net with TEST-phase layers, but the solver never tests it"
    what_it_does = (
        "Reports a solver with a generic `net`/`net_param`, no `test_iter` and no `test_net`/`test_net_param`, "
        "when the net has a layer whose include/exclude rules name `phase: TEST` (evidence that testing was "
        "intended). When test_interval is set, test-iter-without-interval already reports the missing test net."
    )
    why_it_matters = (
        "Caffe creates one test copy of the generic net per test_iter entry: without "
        "test_iter there is no test net, the TEST data layer is never read and no accuracy is ever reported."
    )
    example = (
        'net_param {\n'
        '  layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 4 } } include { phase: TRAIN } }\n'
        '  layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 4 } } include { phase: TEST } }\n'
        '}\n'
        'base_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 1000\nsolver_mode: GPU'
    )
    how_to_fix = "Add `test_iter` (test set size / test batch size) and `test_interval`, or drop the TEST-phase layers."
    version_notes = "All Caffe versions."
    references = (
        "src/caffe/solver.cpp:164-176 (Solver::InitTestNets: one copy of the generic net per remaining test_iter "
        "entry)",
    )

    def check_solver(self, solver, ctx):
        root = solver.root
        generic = root.last("net") or root.last("net_param")
        if generic is None or root.has("test_iter") or root.has("test_net") or root.has("test_net_param"):
            return
        interval = solver.number("test_interval")
        if interval is not None and interval > 0:
            return  # test-iter-without-interval reports it
        for item in ctx.solver_nets(("train",)):
            if item.field is not generic:
                continue
            layer = next((layer for layer in item.net.layers if _mentions_test_phase(layer)), None)
            if layer is None:
                continue
            ctx.report_value(generic, f'{item.where} has TEST-phase layers (e.g. "{layer.name}") but the solver has no test_iter: '
                   "Caffe builds no test net and never tests — add test_iter and test_interval")
            return
