"""B510 batchnorm-gpu-powx-nan: batchNorm trained on the GPU with a Caffe older than 1.0."""

from __future__ import annotations

from protolint.rule import SolverRule


class BatchNormPre10Gpu(SolverRule):
    code = "B510"
    name = "batchnorm-gpu-powx-nan"
    severity = "info"
    summary = "BatchNorm trained on the GPU with a Caffe older than 1.0"
    what_it_does = (
        "When the target Caffe version is older than 1.0 and the solver runs on the GPU (`solver_mode: GPU`), "
        "reports the solver if one of its nets has a BatchNorm layer."
    )
    why_it_matters = (
        "Before 1.0 the GPU BatchNorm computed squares and square roots with caffe_gpu_powx, which produced NaN "
        "on some inputs; PR #5136 (in 1.0) replaced it. A NaN loss in such a setup may be this bug, not the model."
    )
    example = (
        'net_param {\n'
        '  layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 8 dim: 4 } } }\n'
        '  layer { name: "bn" type: "BatchNorm" bottom: "data" top: "bn" }\n'
        '}\n'
        'base_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 1000\nsolver_mode: GPU'
    )
    how_to_fix = "Upgrade to Caffe 1.0 or later if you see NaN."
    version_notes = "Only reported for a target version before 1.0 (--caffe-version rc5 or older, or the caffe.proto of an older release given with --proto)."
    example_caffe_version = "rc5"

    def check_solver(self, solver, ctx):
        if ctx.version_at_least("1.0") or solver.get("solver_mode") != "GPU" or not solver.has("solver_mode"):
            return
        for item in ctx.solver_nets():
            layer = next((layer for layer in item.net.layers if layer.type == "BatchNorm"), None)
            if layer is None:
                continue
            where = f'in net file "{item.field.scalar}"' if item.path else f"in `{item.field.name}`"
            ctx.report_value(solver.field("solver_mode"), f"BatchNorm \"{layer.name}\" ({where}) on GPU in Caffe "
                      f"{ctx.caffe_version}: before 1.0 it computes squares/roots with powx, which produced NaN on some "
                      "inputs (fixed by PR #5136 in 1.0) — upgrade if you see NaN")
            return
