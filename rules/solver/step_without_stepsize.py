"""S104 step-without-stepsize: lr_policy "step"/"sigmoid" without stepsize > 0, or "multistep" without stepvalue."""

from __future__ import annotations

from protolint.rule import SolverRule


class StepWithoutStepsize(SolverRule):
    code = "S104"
    name = "step-without-stepsize"
    severity = "error"
    summary = 'lr_policy "step"/"sigmoid" without stepsize > 0, or "multistep" without stepvalue'
    what_it_does = (
        'Reports `lr_policy: "step"` or `"sigmoid"` with `stepsize` unset (0) or negative (error), and '
        '`lr_policy: "multistep"` without any `stepvalue` (info).'
    )
    why_it_matters = (
        "step and sigmoid CHECK the step size at the first update: `CHECK_GT(this->param_.stepsize(), 0)`, so Caffe "
        "aborts with \"Check failed: this->param_.stepsize() > 0 (0 vs. 0)\" (reproduced by running Caffe). "
        "multistep only advances through its `stepvalue` list; without one the rate never changes."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "step"\ngamma: 0.1\nmax_iter: 10000'
    how_to_fix = (
        "For step, set `stepsize` to the number of iterations between decays; for sigmoid it is the iteration "
        "where the rate reaches base_lr/2. For multistep, add one `stepvalue` per decay (increasing), or use "
        '`lr_policy: "fixed"` if a constant rate is meant.'
    )
    version_notes = "multistep and sigmoid exist since rc2 (2015)."
    references = (
        "src/caffe/solvers/sgd_solver.cpp:33, 62 (SGDSolver::GetLearningRate: CHECK_GT(stepsize, 0) for \"step\" "
        "and \"sigmoid\")",
        "src/caffe/solvers/sgd_solver.cpp:46-55 (GetLearningRate, \"multistep\": steps only through stepvalue)",
    )

    def check_solver(self, solver, ctx):
        lr_policy, stepsize = solver.policy, solver.number("stepsize")
        if lr_policy in ("step", "sigmoid") and stepsize is not None and stepsize <= 0:
            line = 33 if lr_policy == "step" else 62
            node = solver.field("stepsize") or solver.field("lr_policy")
            ctx.report_value(node, f'lr_policy "{lr_policy}" needs stepsize > 0 (stepsize {solver.written("stepsize")}): Caffe '
                   f'aborts at the first update with "Check failed: this->param_.stepsize() > 0 ({stepsize} vs. 0)" '
                   f"(sgd_solver.cpp:{line}) — set stepsize")
        elif lr_policy == "multistep" and not solver.has("stepvalue"):
            ctx.report_value(solver.field("lr_policy"), 'lr_policy "multistep" without stepvalue: the rate never changes '
                   '(behaves like "fixed") — add stepvalue entries, one per decay', severity="info")
