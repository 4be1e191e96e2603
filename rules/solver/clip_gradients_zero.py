"""S109 clip-gradients-zero: clip_gradients: 0 (every gradient is scaled to 0)."""

from __future__ import annotations

from protolint.rule import SolverRule


class ClipGradientsZero(SolverRule):
    code = "S109"
    name = "clip-gradients-zero"
    severity = "error"
    summary = "clip_gradients: 0 (every gradient is scaled to 0)"
    what_it_does = "Reports `clip_gradients: 0`. Negative values (the default -1) switch clipping off and are fine."
    why_it_matters = (
        "Clipping is on for any clip_gradients >= 0: when the global L2 norm of all gradients exceeds the "
        "threshold they are all scaled by threshold/norm. With 0 that factor is 0 whenever any gradient is non-zero, "
        "so the parameters never change (reproduced by running Caffe: unchanged after 3 steps). Note that clipping "
        "never protects against NaN: NaN > c is false."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"\nclip_gradients: 0'
    how_to_fix = "Use a positive threshold (e.g. 10 or 35, typical for LSTMs), or remove the field to disable clipping."
    version_notes = "clip_gradients exists since rc2 (2015)."
    references = (
        "src/caffe/solvers/sgd_solver.cpp:87-106 (SGDSolver::ClipGradients: off only for a negative clip_gradients)",
    )

    def check_solver(self, solver, ctx):
        if solver.has("clip_gradients") and solver.number("clip_gradients") == 0:
            ctx.report_value(solver.field("clip_gradients"), "clip_gradients: 0 scales every gradient to 0, so the parameters "
                   "never change — use a positive threshold (e.g. 10) or remove it to disable clipping")
