"""S121 weight-decay-negative: weight_decay < 0."""

from __future__ import annotations

from protolint.rule import SolverRule


class WeightDecayNegative(SolverRule):
    code = "S121"
    name = "weight-decay-negative"
    severity = "warning"
    summary = "weight_decay < 0"
    what_it_does = "Reports a negative `weight_decay`."
    why_it_matters = (
        "The local decay weight_decay x decay_mult is added to the gradient with its sign; negative, it pushes every "
        "weight away from 0 each step, so weights grow until they overflow."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"\nweight_decay: -0.0005'
    how_to_fix = "Use weight_decay >= 0 (0.0005 is common; 0 switches regularization off)."
    version_notes = "All Caffe versions."
    references = (
        "src/caffe/solvers/sgd_solver.cpp:160-179 (SGDSolver::Regularize: local_decay * weight, or * sign(weight), "
        "added to the gradient)",
    )

    def check_solver(self, solver, ctx):
        weight_decay = solver.number("weight_decay")
        if weight_decay is not None and weight_decay < 0:
            ctx.report_value(solver.field("weight_decay"), f"weight_decay {solver.written('weight_decay')} is negative: weights are pushed "
                   "away from 0 every step and grow until they overflow — use weight_decay >= 0")
