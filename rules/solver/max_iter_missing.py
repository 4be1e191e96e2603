"""S118 max-iter-missing: max_iter unset or <= 0 (caffe train runs no iteration)."""

from __future__ import annotations

from protolint.rule import SolverRule


class MaxIterMissing(SolverRule):
    code = "S118"
    name = "max-iter-missing"
    severity = "warning"
    summary = "max_iter unset or <= 0 (caffe train runs no iteration)"
    what_it_does = (
        "Reports `max_iter` unset (0) or negative. Not reported when poly-without-max-iter already is, nor for an "
        "evaluation solver (`max_iter: 0` written out with test nets that Caffe runs before the first iteration). "
        "When the train net reads its data from a Python layer, the solver is most likely stepped from Python "
        "(where max_iter does not count) and the finding is an info."
    )
    why_it_matters = (
        "Solver::Solve steps max_iter - iter times and then, with snapshot_after_train (default true), writes a "
        "snapshot: `caffe train` builds the nets, trains for zero iterations and saves the untrained weights as "
        "iteration 0."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"'
    how_to_fix = "Set max_iter to the number of training iterations. Ignore this if you drive the solver with pycaffe's solver.step(n)."
    version_notes = "All Caffe versions."
    references = (
        "src/caffe/solver.cpp:303 (Solver::Solve: Step(max_iter - iter))",
        "src/caffe/solver.cpp:306-309 (Solver::Solve: the snapshot after training)",
    )

    def check_solver(self, solver, ctx):
        max_iter, power = solver.number("max_iter"), solver.number("power")
        if max_iter is None or max_iter > 0 or (solver.policy == "poly" and power != 0):
            return
        if solver.has("max_iter") and max_iter == 0 and _tests_first(solver, ctx):
            return  # an evaluation run: `caffe train` tests the (loaded) weights once and trains nothing
        state = "is not set (0)" if not solver.has("max_iter") else f"is {max_iter}"
        python_data = _python_data_layer(ctx)
        if python_data is not None:
            ctx.report_value(solver.field("max_iter"), f'max_iter {state}: fine when you step this solver from Python (its '
                             f'train net reads data from Python layer "{python_data.name}"), but "caffe train" would run zero '
                             "iterations — set max_iter if you train with the command line", severity="info")
            return
        ctx.report_value(solver.field("max_iter"), f'max_iter {state}: "caffe train" runs zero iterations and only writes an '
                         "iteration-0 snapshot — set max_iter (ignore this if you drive the solver with solver.step() from "
                         "Python)")


def _tests_first(solver, ctx) -> bool:
    """Caffe runs the solver's test nets before the first iteration (test_initialization, default true)."""
    return solver.get("test_initialization") is not False and bool(ctx.solver_nets(("test",)) or solver.count("test_iter"))


def _python_data_layer(ctx):
    """A Python layer without bottoms in the solver's train net (its data comes from Python code)."""
    for item in ctx.solver_nets(("train",)):
        for layer in item.net.layers_in(item.state):
            if layer.type == "Python" and not layer.bottoms and layer.tops:
                return layer
    return None
