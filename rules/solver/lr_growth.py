"""S106 lr-growth: A policy whose rate grows: gamma > 1, or a negative power."""

from __future__ import annotations

import math

from protolint.rule import SolverRule

from .._format import fmt
from ._helpers import FLT_MAX


class LrGrowth(SolverRule):
    code = "S106"
    name = "lr-growth"
    severity = "warning"
    summary = "A policy whose rate grows: gamma > 1, or a negative power"
    what_it_does = (
        "Reports gamma > 1 with step, exp or multistep (when a step happens within max_iter), and power < 0 "
        "with inv (gamma > 0) or poly. gamma == 1 (a constant rate) is not reported."
    )
    why_it_matters = (
        "The rate is base_lr * gamma^k for step/exp/multistep, base_lr * (1 + gamma*iter)^(-power) for inv and "
        "base_lr * (1 - iter/max_iter)^power for poly. With these values it grows instead of decaying: exp with "
        "gamma > 1 overflows float after about ln(FLT_MAX/base_lr)/ln(gamma) iterations, and long before that the "
        "weights diverge to inf/NaN."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "exp"\ngamma: 1.001\nmax_iter: 100000'
    how_to_fix = "Use 0 < gamma < 1 for step/exp/multistep and power > 0 for inv/poly."
    version_notes = "All Caffe versions (poly and multistep since rc2)."
    references = (
        "src/caffe/solvers/sgd_solver.cpp:32-59 (SGDSolver::GetLearningRate: \"step\", \"exp\", \"inv\", "
        "\"multistep\", \"poly\")",
    )

    def check_solver(self, solver, ctx):
        lr_policy, gamma, power = solver.policy, solver.number("gamma"), solver.number("power")
        if gamma is None or power is None:
            return
        if lr_policy in ("step", "exp", "multistep") and gamma > 1 and solver.first_decay_iteration(lr_policy) is not None:
            if lr_policy == "exp":
                base_lr = solver.number("base_lr") or 0
                when = ""
                if base_lr > 0:
                    when = f" and overflows to inf after about {math.log(FLT_MAX / base_lr) / math.log(gamma):.0f} iterations"
                growth = f"is multiplied by {fmt(gamma)} every iteration{when}"
            elif lr_policy == "step":
                growth = f"is multiplied by {fmt(gamma)} every {solver.number('stepsize')} iterations"
            else:
                growth = f"is multiplied by {fmt(gamma)} at each stepvalue"
            ctx.report_value(solver.field("gamma"), f'gamma {solver.written("gamma")} > 1 with lr_policy "{lr_policy}": the learning rate '
                   f"{growth} instead of decaying, which diverges to inf/NaN — use 0 < gamma < 1")
        elif power < 0 and ((lr_policy == "inv" and gamma > 0) or (lr_policy == "poly" and (solver.number("max_iter") or 0) > 0)):
            formula = "(1+gamma*iter)^(-power)" if lr_policy == "inv" else "(1-iter/max_iter)^power"
            end = "without bound" if lr_policy == "inv" else "without bound as iter approaches max_iter (inf at the end)"
            ctx.report_value(solver.field("power"), f'power {solver.written("power")} < 0 with lr_policy "{lr_policy}": base_lr*{formula} grows '
                   f"{end} instead of decaying, which diverges to inf/NaN — use power > 0")
