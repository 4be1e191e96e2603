"""S117 multistep-unsorted: multistep stepvalues not increasing (warning) or at/after max_iter (info)."""

from __future__ import annotations

from protolint.rule import SolverRule


class MultistepUnsorted(SolverRule):
    code = "S117"
    name = "multistep-unsorted"
    severity = "warning"
    summary = "multistep stepvalues not increasing (warning) or at/after max_iter (info)"
    what_it_does = (
        'For `lr_policy: "multistep"`, reports a `stepvalue` not greater than the one before it (warning) and '
        "the first stepvalue >= max_iter (info)."
    )
    why_it_matters = (
        "Caffe never validates the list: at each update it advances at most one step, when iter >= "
        "stepvalue[current_step]. A value not greater than the previous one therefore fires one iteration after it, "
        "so two decays happen back to back. Training stops before iteration max_iter, so steps at or after it never "
        "happen."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "multistep"\ngamma: 0.1\nstepvalue: 8000\nstepvalue: 5000\nmax_iter: 10000'
    how_to_fix = "List the stepvalues in increasing order and keep them below max_iter."
    version_notes = "The multistep policy exists since rc2 (2015)."
    references = (
        "src/caffe/solvers/sgd_solver.cpp:46-52 (SGDSolver::GetLearningRate, \"multistep\": at most one step per "
        "update)",
        "src/caffe/solver.cpp:303 (Solver::Solve: Step(max_iter - iter))",
    )

    def check_solver(self, solver, ctx):
        if solver.policy != "multistep":
            return
        values = solver.int_values("stepvalue")
        for (_, previous), (node, value) in zip(values, values[1:]):
            if value <= previous:
                ctx.report(node.start, node.end, f"stepvalue {value} is not greater than the previous {previous}: Caffe walks "
                           f"the list in order, one step per iteration at most, so this decay fires at iteration "
                           f"{previous + 1}, right after the previous one — sort the stepvalues in increasing order")
                break
        max_iter = solver.number("max_iter")
        if max_iter is not None and max_iter > 0:
            for node, value in values:
                if value >= max_iter:
                    ctx.report(node.start, node.end, f"stepvalue {value} >= max_iter {max_iter}: training stops before "
                               "iteration max_iter, so this decay never happens — remove it or raise max_iter",
                               severity="info")
                    break
