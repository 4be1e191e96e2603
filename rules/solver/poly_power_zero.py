"""S115 poly-power-zero: lr_policy "poly" without power (a constant rate)."""

from __future__ import annotations

from protolint.rule import SolverRule


class PolyPowerZero(SolverRule):
    code = "S115"
    name = "poly-power-zero"
    severity = "info"
    summary = 'lr_policy "poly" without power (a constant rate)'
    what_it_does = 'Reports `lr_policy: "poly"` with `power` unset or 0.'
    why_it_matters = (
        "power has no default, so it reads 0, and base_lr * (1 - iter/max_iter)^0 = base_lr: the policy silently "
        "behaves like \"fixed\" instead of decaying to 0 at max_iter."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "poly"\nmax_iter: 1000'
    how_to_fix = 'Set power (0.9 is common for segmentation, 0.5 for GoogLeNet, 1 for a linear decay), or use "fixed".'
    version_notes = "The poly policy exists since rc2 (2015)."
    references = (
        "src/caffe/proto/caffe.proto:173 (SolverParameter.power: no default)",
        "src/caffe/solvers/sgd_solver.cpp:56-59 (SGDSolver::GetLearningRate, \"poly\")",
    )

    def check_solver(self, solver, ctx):
        if solver.policy == "poly" and solver.number("power") == 0:
            ctx.report_value(solver.field("power") or solver.field("lr_policy"), f'lr_policy "poly" without power (power '
                   f'{solver.written("power")}): the rate stays base_lr (behaves like "fixed") — set power (e.g. 0.9)')
