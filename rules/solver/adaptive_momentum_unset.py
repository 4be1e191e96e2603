"""S124 adaptive-momentum-unset: adam or AdaDelta without momentum (their beta1 / rho)."""

from __future__ import annotations

from protolint.rule import SolverRule


class AdaptiveMomentumUnset(SolverRule):
    code = "S124"
    name = "adaptive-momentum-unset"
    severity = "warning"
    summary = "Adam or AdaDelta without momentum (their beta1 / rho)"
    what_it_does = 'Reports `type: "Adam"` or `type: "AdaDelta"` with `momentum` unset or 0.'
    why_it_matters = (
        "Adam reads beta1 from `momentum` and AdaDelta its decay rate rho. momentum has no default, so it is 0: Adam "
        "then keeps no first-moment average (not the usual beta1 = 0.9 of other frameworks) and AdaDelta keeps no "
        "running averages — both run, but not as the algorithm intends."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.001\nlr_policy: "fixed"\ntype: "Adam"'
    how_to_fix = "Set momentum: 0.9 for Adam (examples/mnist/lenet_solver_adam.prototxt) or 0.95 for AdaDelta."
    version_notes = "Adam and AdaDelta exist since rc3 (2015)."
    references = (
        "src/caffe/proto/caffe.proto:174 (SolverParameter.momentum: no default)",
        "src/caffe/solvers/adam_solver.cpp:30 (AdamSolver::ComputeUpdateValue: beta1 = momentum)",
        "src/caffe/solvers/adadelta_solver.cpp:30 (AdaDeltaSolver::ComputeUpdateValue: momentum as rho)",
    )

    def check_solver(self, solver, ctx):
        if solver.type in ("Adam", "AdaDelta") and solver.number("momentum") == 0:
            what = "beta1" if solver.type == "Adam" else "decay rate rho"
            effect = "Adam runs without a first-moment average" if solver.type == "Adam" else "AdaDelta keeps no running averages"
            typical = "0.9" if solver.type == "Adam" else "0.95"
            ctx.report_value(solver.field("momentum") or solver.type_field, f'{solver.type} reads its {what} from "momentum", '
                   f"which is {'0' if solver.has('momentum') else 'unset (0)'}: {effect} — set momentum: {typical}")
