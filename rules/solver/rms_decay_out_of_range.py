"""S123 rms-decay-out-of-range: RMSProp rms_decay outside [0, 1)."""

from __future__ import annotations

from protolint.rule import SolverRule


class RmsDecayOutOfRange(SolverRule):
    code = "S123"
    name = "rms-decay-out-of-range"
    severity = "error"
    summary = "RMSProp rms_decay outside [0, 1)"
    what_it_does = 'Reports `rms_decay` below 0 or at least 1 with `type: "RMSProp"`.'
    why_it_matters = (
        "The RMSProp constructor checks 0 <= rms_decay < 1 and aborts with \"rms_decay should lie between 0 and 1.\" "
        "before training starts."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"\ntype: "RMSProp"\nrms_decay: 1.0'
    how_to_fix = "Use a value in [0, 1), e.g. 0.98 (the default is 0.99)."
    version_notes = "RMSProp exists since rc3 (2015)."
    references = (
        "include/caffe/sgd_solvers.hpp:98-101 (RMSPropSolver::constructor_sanity_check)",
    )

    def check_solver(self, solver, ctx):
        rms_decay = solver.number("rms_decay")
        if solver.type == "RMSProp" and rms_decay is not None and not 0 <= rms_decay < 1:
            ctx.report_value(solver.field("rms_decay"), f"rms_decay {solver.written('rms_decay')} is outside [0, 1): Caffe aborts with "
                   '"rms_decay should lie between 0 and 1." — use e.g. 0.98')
