"""S107 base-lr-missing: base_lr unset, 0 or negative."""

from __future__ import annotations

from protolint.rule import SolverRule


class BaseLrMissing(SolverRule):
    code = "S107"
    name = "base-lr-missing"
    severity = "warning"
    summary = "base_lr unset, 0 or negative"
    what_it_does = "Reports `base_lr` unset or 0 (nothing learns) and a negative `base_lr` (gradient ascent)."
    why_it_matters = (
        "base_lr has no default, so it reads 0. Every policy multiplies base_lr and each parameter's rate is that "
        "times its lr_mult, so with 0 no weight ever changes — for every solver type, AdaDelta included. Nothing "
        "checks the sign: a negative rate climbs the loss (gradient ascent) until the weights diverge."
    )
    example = 'net: "train_val.prototxt"\nlr_policy: "fixed"\nmax_iter: 10000'
    how_to_fix = (
        "Set a positive base_lr (0.01 is a common start for SGD, 0.001 for Adam, 1.0 for AdaDelta). base_lr 0 "
        "is only useful for the \"lr 0\" sanity check of the forward pass."
    )
    version_notes = "All Caffe versions."
    references = (
        "src/caffe/proto/caffe.proto:146 (SolverParameter.base_lr: no default)",
        "src/caffe/solvers/sgd_solver.cpp:30-65 (SGDSolver::GetLearningRate: every policy multiplies base_lr)",
        "src/caffe/solvers/sgd_solver.cpp:228 (SGDSolver::ComputeUpdateValue: local_rate = rate * lr_mult)",
    )

    def check_solver(self, solver, ctx):
        base_lr = solver.number("base_lr")
        if base_lr is None or base_lr > 0:
            return
        node = solver.field("base_lr")
        if base_lr == 0:
            state = "is not set (it defaults to 0)" if node is None else "is 0"
            ctx.report_value(node, f"base_lr {state}: every update is multiplied by 0, so no weight ever changes — set base_lr "
                   '(0 is only useful for the "lr 0" forward-pass sanity check)')
        else:
            ctx.report_value(node, f"base_lr {solver.written('base_lr')} is negative: every update climbs the loss (gradient ascent) and the "
                   "weights diverge — use a positive base_lr")
