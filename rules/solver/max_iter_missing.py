"""S118 max-iter-missing: max_iter unset or <= 0 (caffe train runs no iteration)."""

from __future__ import annotations

from protolint.rule import SolverRule


class MaxIterMissing(SolverRule):
    code = "S118"
    name = "max-iter-missing"
    severity = "warning"
    summary = "max_iter unset or <= 0 (caffe train runs no iteration)"
    what_it_does = 'Reports `max_iter` unset (0) or negative. Not reported when poly-without-max-iter already is.'
    why_it_matters = (
        "Solver::Solve steps max_iter - iter times and then, with snapshot_after_train (default true), writes a "
        "snapshot: `caffe train` builds the nets, trains for zero iterations and saves the untrained weights as "
        "iteration 0."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"'
    how_to_fix = "Set max_iter to the number of training iterations. Ignore this if you drive the solver with pycaffe's solver.step(n)."
    version_notes = "All Caffe versions."
    references = (
        "src/caffe/solver.cpp:303 (Solver::Solve: Step(max_iter - iter))",
        "src/caffe/solver.cpp:306-309 (Solver::Solve: the snapshot after training)",
    )

    def check_solver(self, solver, ctx):
        max_iter, power = solver.number("max_iter"), solver.number("power")
        if max_iter is None or max_iter > 0 or (solver.policy == "poly" and power != 0):
            return
        state = "is not set (0)" if not solver.has("max_iter") else f"is {max_iter}"
        ctx.report_value(solver.field("max_iter"), f'max_iter {state}: "caffe train" runs zero iterations and only writes an '
               "iteration-0 snapshot — set max_iter (ignore this if you drive the solver with solver.step() from Python)")
