"""S102 lr-policy-missing: no lr_policy (or an empty one)."""

from __future__ import annotations

from protolint.rule import SolverRule

from ._helpers import related


class LrPolicyMissing(SolverRule):
    code = "S102"
    name = "lr-policy-missing"
    severity = "error"
    summary = "No lr_policy (or an empty one)"
    what_it_does = "Reports a solver without `lr_policy`, or with `lr_policy: \"\"`."
    why_it_matters = (
        "lr_policy has no default, so an unset policy is the empty string, which matches no branch of "
        "SGDSolver::GetLearningRate and ends in LOG(FATAL) \"Unknown learning rate policy: \" — after the nets were "
        "built and the first forward/backward ran (reproduced by running Caffe). Every solver type derives from "
        "SGDSolver, so Adam, AdaDelta etc. need it too."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nmax_iter: 10000'
    how_to_fix = 'Set a policy: `lr_policy: "fixed"` for a constant rate, or "step", "multistep", "poly", "inv", "exp".'
    version_notes = "All Caffe versions."
    references = (
        "src/caffe/proto/caffe.proto:171 (SolverParameter.lr_policy: no default)",
        "src/caffe/solvers/sgd_solver.cpp:66-67 (SGDSolver::GetLearningRate: LOG(FATAL) \"Unknown learning rate "
        "policy\")",
        "src/caffe/solver.cpp:229-267 (Solver::Step: forward/backward first, then ApplyUpdate, which asks for the "
        "rate)",
    )

    def check_solver(self, solver, ctx):
        if solver.policy != "":
            return
        node = solver.field("lr_policy")
        state = 'is ""' if node is not None else "is not set"
        ctx.report_value(node, f'lr_policy {state}: Caffe aborts with "Unknown learning rate policy: " at the first update — '
               'set lr_policy (e.g. "fixed", "step", "poly")', related=None if node is not None else related(solver.field("base_lr"), "base_lr here"))
