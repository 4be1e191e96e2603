"""S111 momentum-out-of-range: momentum (SGD/Nesterov/Adam beta1/AdaDelta rho) or Adam's momentum2 outside [0, 1)."""

from __future__ import annotations

import math

from protolint.rule import SolverRule

from ._helpers import FLT_MAX


class MomentumOutOfRange(SolverRule):
    code = "S111"
    name = "momentum-out-of-range"
    severity = "error"
    summary = "momentum (SGD/Nesterov/Adam beta1/AdaDelta rho) or Adam's momentum2 outside [0, 1)"
    what_it_does = (
        "Checks `momentum` for SGD, Nesterov, Adam (beta1) and AdaDelta (rho), and `momentum2` (beta2) for Adam. "
        "error: momentum > 1, Adam momentum == 1, Adam momentum2 > 1. warning: SGD/Nesterov/AdaDelta momentum "
        "== 1, any momentum < 0, Adam momentum2 == 1 or < 0. info: SGD/Nesterov momentum in (0.99, 1)."
    )
    why_it_matters = (
        "SGD keeps a velocity h = momentum*h + lr*g: with momentum 1 it sums every past gradient, above 1 it grows "
        "geometrically to inf/NaN, below 0 it oscillates. Adam's bias correction is sqrt(1 - beta2^t)/(1 - beta1^t) "
        "with t = iter+1: beta1 = 1 divides by 0 (NaN, reproduced by running Caffe), beta2 > 1 takes the square root "
        "of a negative number (NaN) and beta2 = 1 makes the correction 0 (no learning). AdaDelta averages with "
        "weights (1-momentum, momentum): above 1 or below 0 the average of g^2 can turn negative and its square root "
        "is NaN."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.001\nlr_policy: "fixed"\ntype: "Adam"\nmomentum: 1.0'
    how_to_fix = (
        "Use 0 <= momentum < 1: 0.9 for SGD/Nesterov and Adam (beta1), 0.95 for AdaDelta; leave Adam's momentum2 "
        "at its default 0.999. A momentum above 0.99 needs a correspondingly smaller base_lr (the effective step "
        "is base_lr/(1-momentum))."
    )
    version_notes = "Adam and AdaDelta (and momentum2) exist since rc3 (2015)."
    references = (
        "src/caffe/solvers/sgd_solver.cpp:223-254 (SGDSolver::ComputeUpdateValue: history = momentum * history + "
        "local_rate * gradient)",
        "src/caffe/solvers/adam_solver.cpp:39-41 (AdamSolver::ComputeUpdateValue: the bias correction)",
        "src/caffe/solvers/adadelta_solver.cpp:40-43 (AdaDeltaSolver::ComputeUpdateValue: the running average of "
        "g^2)",
    )

    def check_solver(self, solver, ctx):
        solver_type, momentum = solver.type, solver.number("momentum")
        node = solver.field("momentum")
        if momentum is not None and node is not None and solver_type in ("SGD", "Nesterov", "Adam", "AdaDelta"):
            finding = self.momentum_finding(solver_type, momentum)
            if finding:
                severity, effect = finding
                name = {"Adam": "Adam momentum (beta1)", "AdaDelta": "AdaDelta momentum (rho)"}.get(solver_type, "momentum")
                typical = "0.95" if solver_type == "AdaDelta" else "0.9"
                ctx.report_value(node, f"{name} {solver.written('momentum')}: {effect} — use 0 <= momentum < 1 (typically {typical})", severity=severity)
        momentum2 = solver.number("momentum2")
        if solver_type == "Adam" and momentum2 is not None and not 0 <= momentum2 < 1:
            if momentum2 > 1:
                severity, effect = "error", "the bias correction takes sqrt(1 - momentum2^t) of a negative number = NaN at the first update"
            elif momentum2 == 1:
                severity, effect = "warning", "the bias correction sqrt(1 - 1^t) is 0, so every update is 0 and nothing is learned"
            else:
                severity, effect = "warning", "the second-moment average can turn negative and its square root is NaN"
            ctx.report_value(solver.field("momentum2"), f"Adam momentum2 (beta2) {solver.written('momentum2')}: {effect} — use "
                   "0 < momentum2 < 1 (default 0.999)", severity=severity)

    @staticmethod
    def momentum_finding(solver_type, momentum):
        if momentum < 0:
            effect = "a negative momentum makes the updates oscillate"
            if solver_type == "AdaDelta":
                effect = "the running average of g^2 can turn negative and its square root is NaN"
            return "warning", effect
        if momentum > 1:
            if solver_type == "AdaDelta":
                return "error", "the averaging weight 1-momentum is negative, the average of g^2 turns negative and its square root is NaN"
            if solver_type == "Adam":
                overflow = math.log(FLT_MAX) / math.log(momentum)
                return "error", (f"beta1^t in the bias correction overflows to inf after about {overflow:.0f} iterations "
                                 "(inf/inf = NaN), and until then the update follows the oldest gradients, not the newest")
            return "error", "the velocity momentum*h + lr*g grows geometrically, so the updates overflow to inf and the weights become NaN"
        if momentum == 1:
            if solver_type == "Adam":
                return "error", "the bias correction divides by 1 - 1^t = 0, so every weight is NaN after the first update"
            if solver_type == "AdaDelta":
                return "warning", ("the running averages never update, so AdaDelta degenerates to plain SGD at rate base_lr "
                                   "(usually 1.0, far too high for plain SGD)")
            return "warning", "the velocity never decays: it sums every past gradient and the updates grow until training diverges"
        if momentum > 0.99 and solver_type in ("SGD", "Nesterov"):
            return "info", f"the effective step is base_lr/(1-momentum) = {1 / (1 - momentum):.0f} x base_lr; this needs a much smaller base_lr"
        return None
