"""S112 adaptive-delta-zero: delta <= 0 with AdaGrad, RMSProp, AdaDelta or Adam."""

from __future__ import annotations

from protolint.rule import SolverRule


ADAPTIVE_TYPES = ("AdaGrad", "RMSProp", "AdaDelta", "Adam")


class AdaptiveDeltaZero(SolverRule):
    code = "S112"
    name = "adaptive-delta-zero"
    severity = "error"
    summary = "delta <= 0 with AdaGrad, RMSProp, AdaDelta or Adam"
    what_it_does = "Reports `delta` of 0 or less for the adaptive solvers (SGD and Nesterov do not read it)."
    why_it_matters = (
        "delta (default 1e-8) keeps the adaptive update's denominator away from 0: AdaGrad and RMSProp divide by "
        "sqrt(history) + delta, AdaDelta by E[g^2] + delta, Adam by sqrt(v) + delta. With 0, any parameter whose "
        "gradient is 0 — dead ReLUs, unused branches, the first iteration of AdaDelta — computes 0/0 = NaN "
        "(reproduced by running Caffe for all four)."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"\ntype: "RMSProp"\nrms_decay: 0.98\ndelta: 0'
    how_to_fix = "Remove `delta` (default 1e-8) or use a small positive value such as 1e-8 (AdaDelta examples use 1e-6)."
    version_notes = "AdaGrad reads delta in all versions; RMSProp, AdaDelta and Adam exist since rc3 (2015)."
    references = (
        "src/caffe/solvers/adagrad_solver.cpp:33-43 (AdaGradSolver::ComputeUpdateValue: sqrt(history) + delta)",
        "src/caffe/solvers/rmsprop_solver.cpp:36-45 (RMSPropSolver::ComputeUpdateValue: sqrt(history) + delta)",
        "src/caffe/solvers/adadelta_solver.cpp:45-63 (AdaDeltaSolver::ComputeUpdateValue: E[g^2] + delta)",
        "src/caffe/solvers/adam_solver.cpp:61-69 (AdamSolver::ComputeUpdateValue: sqrt(v) + delta)",
    )

    def check_solver(self, solver, ctx):
        delta = solver.number("delta")
        if solver.type in ADAPTIVE_TYPES and delta is not None and delta <= 0:
            ctx.report_value(solver.field("delta"), f"delta {solver.written('delta')} with {solver.type}: the update divides by "
                   "sqrt(history)+delta, so any parameter with a zero gradient gets 0/0 = NaN — use a small positive "
                   "delta (default 1e-8)")
