"""S131 base-lr-high: base_lr above the usual range for the solver type."""

from __future__ import annotations

from protolint.rule import SolverRule


HIGH_LR = {"SGD": 0.1, "Nesterov": 0.1, "AdaGrad": 0.1, "Adam": 0.01, "RMSProp": 0.01}  # AdaDelta: never


class BaseLrHigh(SolverRule):
    code = "S131"
    name = "base-lr-high"
    severity = "info"
    summary = "base_lr above the usual range for the solver type"
    what_it_does = (
        "Reports `base_lr` above 0.1 for SGD, Nesterov and AdaGrad, and above 0.01 for Adam and RMSProp. "
        "Never for AdaDelta, whose examples use base_lr 1.0."
    )
    why_it_matters = (
        "Nothing in Caffe bounds the rate; the update is rate x lr_mult x gradient. Too "
        "high a rate with unnormalised inputs or large initial weights is the most common cause of \"loss = nan\" "
        "(or a loss stuck at 87.3365) in the first iterations, as the recurring reports on the Caffe tracker show "
        "(issues #399, #409, #4449)."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.1\nlr_policy: "fixed"\ntype: "Adam"\nmomentum: 0.9\nmax_iter: 1000\nsolver_mode: GPU'
    how_to_fix = "Try a 10x smaller base_lr (0.01 is a common start for SGD, 0.001 for Adam); raise it again once training is stable."
    version_notes = "All Caffe versions. A heuristic: some recipes (e.g. ResNet's SGD 0.1, warm restarts) are fine right at the limit."
    references = (
        "src/caffe/solvers/sgd_solver.cpp:223-254 (SGDSolver::ComputeUpdateValue)",
    )

    def check_solver(self, solver, ctx):
        base_lr, limit = solver.number("base_lr"), HIGH_LR.get(solver.type)
        if base_lr is None or limit is None or base_lr <= limit or not solver.has("base_lr"):
            return
        ctx.report_value(solver.field("base_lr"), f"base_lr {solver.written('base_lr')} is high for {solver.type} (above {limit:g}): with "
               "unnormalised inputs or large initial weights this is the most common cause of \"loss = nan\" in the first "
               "iterations — try 10x smaller")
