"""S114 gamma-negative: gamma < 0 with step, exp, inv, multistep or sigmoid."""

from __future__ import annotations

from protolint.rule import SolverRule


GAMMA_CHECK_LINE = {"step": 35, "exp": 39, "inv": 42, "multistep": 53, "sigmoid": 61}  # CHECK_GE(gamma, 0)


class GammaNegative(SolverRule):
    code = "S114"
    name = "gamma-negative"
    severity = "error"
    summary = "gamma < 0 with step, exp, inv, multistep or sigmoid"
    what_it_does = "Reports a negative `gamma` with a policy that reads it."
    why_it_matters = (
        "Each of these policies checks `CHECK_GE(this->param_.gamma(), 0)` at the first update, so Caffe aborts with "
        "\"Check failed: this->param_.gamma() >= 0\" after the nets were built and one forward/backward ran."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "exp"\ngamma: -0.99'
    how_to_fix = "Use 0 < gamma < 1 for a decay (e.g. 0.1 for step, 0.9999 for exp)."
    version_notes = "All Caffe versions."
    references = (
        "src/caffe/solvers/sgd_solver.cpp:35, 39, 42, 53, 61 (SGDSolver::GetLearningRate: CHECK_GE(gamma, 0) per "
        "policy)",
    )

    def check_solver(self, solver, ctx):
        lr_policy, gamma = solver.policy, solver.number("gamma")
        if lr_policy in GAMMA_CHECK_LINE and gamma is not None and gamma < 0:
            ctx.report_value(solver.field("gamma"), f'gamma {solver.written("gamma")} is negative: lr_policy "{lr_policy}" aborts at the first '
                   f'update with "Check failed: this->param_.gamma() >= 0" (sgd_solver.cpp:{GAMMA_CHECK_LINE[lr_policy]}) '
                   "— use 0 < gamma < 1 for a decay")
