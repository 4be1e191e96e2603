"""S128 solver-type-and-type: both the deprecated solver_type and type are set."""

from __future__ import annotations

from protolint.model.solver import SOLVER_TYPE_NAMES
from protolint.rule import SolverRule

from ._helpers import related


class SolverTypeAndType(SolverRule):
    code = "S128"
    name = "solver-type-and-type"
    severity = "error"
    summary = "Both the deprecated solver_type and type are set"
    what_it_does = "Reports a solver that sets both the `solver_type` enum and the `type` string."
    why_it_matters = (
        "When Caffe reads a solver file it upgrades solver_type to type and refuses both: `CHECK(!has_solver_type() "
        '|| !has_type())` "old solver_type field (enum) and new type field (string) cannot be both specified" '
        "(reproduced by running Caffe)."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.001\nlr_policy: "fixed"\nsolver_type: ADAM\ntype: "Adam"'
    how_to_fix = "Keep only `type` (the string form)."
    version_notes = "The string `type` exists since rc3 (2015); before it, only solver_type existed."
    references = (
        "src/caffe/util/upgrade_proto.cpp:1042-1045 (UpgradeSolverType: CHECK(!has_solver_type() || !has_type()))",
    )

    def check_solver(self, solver, ctx):
        if solver.has("solver_type") and solver.has("type"):
            old = solver.get("solver_type")
            keep = f' (type: "{SOLVER_TYPE_NAMES[old]}")' if old in SOLVER_TYPE_NAMES else ""
            ctx.report_value(solver.field("solver_type"), f"both solver_type ({old}) and type are set: Caffe refuses to read the "
                   'solver ("old solver_type field (enum) and new type field (string) cannot be both specified") — '
                   f"keep only type{keep}", related=related(solver.field("type"), "type here"))
