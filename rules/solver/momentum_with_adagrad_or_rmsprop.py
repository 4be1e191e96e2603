"""S122 momentum-with-adagrad-or-rmsprop: momentum set with AdaGrad or RMSProp."""

from __future__ import annotations

from protolint.rule import SolverRule


class MomentumWithAdagradOrRmsprop(SolverRule):
    code = "S122"
    name = "momentum-with-adagrad-or-rmsprop"
    severity = "error"
    summary = "momentum set with AdaGrad or RMSProp"
    what_it_does = 'Reports a non-zero `momentum` with `type: "AdaGrad"` or `type: "RMSProp"`.'
    why_it_matters = (
        "Both constructors check `CHECK_EQ(0, this->param_.momentum())`, so Caffe aborts with \"Momentum cannot be "
        "used with RMSProp.\" before training starts (reproduced by running Caffe with momentum 0.9)."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"\ntype: "RMSProp"\nmomentum: 0.9'
    how_to_fix = "Remove momentum (or write momentum: 0). For momentum plus adaptive rates use Adam."
    version_notes = "AdaGrad has had the check in all versions; RMSProp exists since rc3 (2015)."
    references = (
        "include/caffe/sgd_solvers.hpp:75-78 (AdaGradSolver::constructor_sanity_check)",
        "include/caffe/sgd_solvers.hpp:95-102 (RMSPropSolver::constructor_sanity_check)",
    )

    def check_solver(self, solver, ctx):
        momentum = solver.number("momentum")
        if solver.type in ("AdaGrad", "RMSProp") and momentum is not None and momentum != 0:
            ctx.report_value(solver.field("momentum"), f"{solver.type} does not take momentum: Caffe aborts with \"Momentum "
                   f'cannot be used with {solver.type}." — remove momentum (use Adam for momentum with adaptive rates)')
