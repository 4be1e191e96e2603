"""S119 average-loss-lt-1: average_loss < 1."""

from __future__ import annotations

from protolint.rule import SolverRule


class AverageLossLt1(SolverRule):
    code = "S119"
    name = "average-loss-lt-1"
    severity = "error"
    summary = "average_loss < 1"
    what_it_does = "Reports `average_loss` below 1 (the default is 1)."
    why_it_matters = (
        'Solver::Init checks `CHECK_GE(param_.average_loss(), 1) << "average_loss should be non-negative."`, so '
        "Caffe aborts at construction — with a misleading message, since 0 is rejected too "
        "(reproduced by running Caffe)."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"\naverage_loss: 0'
    how_to_fix = "Use 1 (no smoothing) or more (the displayed loss is averaged over that many iterations)."
    version_notes = "average_loss exists since rc2 (2015)."
    references = (
        "src/caffe/solver.cpp:48 (Solver::Init: CHECK_GE(average_loss, 1))",
    )

    def check_solver(self, solver, ctx):
        average_loss = solver.number("average_loss")
        if average_loss is not None and average_loss < 1:
            ctx.report_value(solver.field("average_loss"), f"average_loss {average_loss} must be >= 1: Caffe aborts at "
                   'construction with "average_loss should be non-negative" — use 1 or more')
