"""S101 poly-without-max-iter: lr_policy "poly" with max_iter unset or <= 0."""

from __future__ import annotations

from protolint.rule import SolverRule

from ._helpers import related


class PolyWithoutMaxIter(SolverRule):
    code = "S101"
    name = "poly-without-max-iter"
    severity = "error"
    summary = 'lr_policy "poly" with max_iter unset or <= 0'
    what_it_does = (
        'Reports `lr_policy: "poly"` when `max_iter` is unset (0) or negative while `power` is non-zero.'
    )
    why_it_matters = (
        "The poly rate is base_lr * (1 - iter/max_iter)^power and nothing checks max_iter. With max_iter 0, "
        "iteration 0 computes 0/0 = NaN and later iterations 1 - inf, so the rate is "
        'NaN then inf (Caffe logs "lr = -nan", "lr = inf") and every weight is NaN after the first update '
        "(reproduced by running Caffe). `caffe train` runs zero iterations with max_iter 0, but pycaffe's "
        "`solver.step(n)` and C++ `Solver::Step(n)` ignore max_iter. A negative max_iter makes the rate grow "
        "instead of decaying."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "poly"\npower: 0.9'
    how_to_fix = (
        "Set `max_iter` to the total number of training iterations (the rate reaches 0 there). Do not step a "
        "poly solver past max_iter either: 1 - iter/max_iter turns negative and pow() of it is NaN."
    )
    version_notes = "The poly policy exists since rc2 (2015); older builds abort with \"Unknown learning rate policy\"."
    references = (
        "src/caffe/solvers/sgd_solver.cpp:56-59 (SGDSolver::GetLearningRate, \"poly\": no check of max_iter)",
    )

    def check_solver(self, solver, ctx):
        max_iter, power = solver.number("max_iter"), solver.number("power")
        if solver.policy != "poly" or max_iter is None or power is None or max_iter > 0 or power == 0:
            return
        if max_iter == 0:
            message = (f'lr_policy "poly" without max_iter (max_iter {solver.written("max_iter")}): the rate is '
                       "base_lr*(1-iter/0)^power = NaN from iteration 0 (Caffe logs \"lr = -nan\", then \"lr = inf\") "
                       "and every weight is NaN after the first update — set max_iter")
        else:
            message = (f'lr_policy "poly" with max_iter {max_iter}: the rate base_lr*(1-iter/max_iter)^power grows '
                       "every iteration instead of decaying to 0 — set max_iter to the (positive) training length")
        ctx.report_value(solver.field("lr_policy"), message, related=related(solver.field("max_iter"), "max_iter here"))
