"""S120 regularization-type-invalid: regularization_type other than exactly "L2" or "L1"."""

from __future__ import annotations

from protolint.rule import SolverRule

from ._helpers import case_fix


class RegularizationTypeInvalid(SolverRule):
    code = "S120"
    name = "regularization-type-invalid"
    severity = "error"
    fixable = True
    summary = 'regularization_type other than exactly "L2" or "L1"'
    what_it_does = (
        'Reports a `regularization_type` that is not exactly "L2" or "L1": an error when weight_decay is '
        "non-zero, info while weight_decay is 0 (Caffe then never reads it)."
    )
    why_it_matters = (
        'SGDSolver::Regularize compares the string case-sensitively and otherwise calls LOG(FATAL) "Unknown '
        'regularization type: l2" — but only for parameters whose local decay (weight_decay x decay_mult) is '
        'non-zero, so a bad value is silent until weight decay is switched on (reproduced by running Caffe with "l2" '
        "and weight_decay 0.1)."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"\nweight_decay: 0.0005\nregularization_type: "l2"'
    how_to_fix = 'Write "L2" (the default) or "L1", in upper case.'
    version_notes = "All Caffe versions."
    references = (
        "src/caffe/solvers/sgd_solver.cpp:155-215 (SGDSolver::Regularize: only with a non-zero local decay; \"L2\", "
        "\"L1\", else LOG(FATAL))",
    )

    def check_solver(self, solver, ctx):
        value, weight_decay = solver.get("regularization_type"), solver.number("weight_decay")
        if not isinstance(value, str) or value in ("L1", "L2") or weight_decay is None:
            return
        node = solver.field("regularization_type")
        fixes = case_fix(node, value, ("L1", "L2"))
        if weight_decay != 0:
            ctx.report_value(node, f'regularization_type "{value}" is not "L2" or "L1" (case-sensitive): Caffe aborts with '
                   f'"Unknown regularization type: {value}" at the first update — use "L2" or "L1"', fixes=fixes)
        else:
            ctx.report_value(node, f'regularization_type "{value}" is not "L2" or "L1" (case-sensitive): ignored while '
                   'weight_decay is 0, but Caffe aborts as soon as weight decay is set — use "L2" or "L1"', fixes=fixes, severity="info")
