"""S108 iter-size-nonpositive: iter_size <= 0."""

from __future__ import annotations

from protolint.rule import SolverRule


class IterSizeNonpositive(SolverRule):
    code = "S108"
    name = "iter-size-nonpositive"
    severity = "error"
    summary = "iter_size <= 0"
    what_it_does = "Reports `iter_size` of 0 or less (the default is 1)."
    why_it_matters = (
        "Nothing checks iter_size. Solver::Step runs forward/backward iter_size times and divides the loss by "
        "it; SGDSolver::Normalize multiplies the gradients by 1/iter_size. With 0 the loss is 0/0 = NaN and the "
        "gradients 0*inf = NaN, so every weight is NaN after the first update (reproduced by running Caffe). A "
        "negative value runs no forward/backward at all and nothing is learned."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"\niter_size: 0'
    how_to_fix = "Use iter_size 1 (no accumulation) or more (gradients accumulated over iter_size batches)."
    version_notes = "iter_size exists since rc3 (2015); older builds reject the field."
    references = (
        "src/caffe/solver.cpp:229-233 (Solver::Step: iter_size forward/backward passes, loss divided by iter_size)",
        "src/caffe/solvers/sgd_solver.cpp:129-134 (SGDSolver::Normalize: gradients times 1/iter_size)",
    )

    def check_solver(self, solver, ctx):
        iter_size = solver.number("iter_size")
        if iter_size is None or iter_size > 0:
            return
        if iter_size == 0:
            effect = "the loss and the gradients are divided by 0, so every weight is NaN after the first update"
        else:
            effect = "no forward/backward runs and nothing is learned"
        ctx.report_value(solver.field("iter_size"), f"iter_size {iter_size}: {effect} — use iter_size >= 1")
