"""L324 pooling-stochastic-cpu: STOCHASTIC pooling, which has no CPU implementation."""

from __future__ import annotations

from protolint.rule import Rule


class PoolingStochasticCpu(Rule):
    code = "L324"
    name = "pooling-stochastic-cpu"
    severity = "error"
    applies_to = ("net", "solver")
    layer_types = ("Pooling",)
    summary = "STOCHASTIC pooling, which has no CPU implementation"
    what_it_does = (
        "Reports `pool: STOCHASTIC`. Error when the solver runs on the CPU (`solver_mode: CPU`), warning when the "
        "solver does not say (caffe train then runs on the CPU unless --gpu is given), info without a solver."
    )
    why_it_matters = (
        'Forward_cpu and Backward_cpu of STOCHASTIC pooling are NOT_IMPLEMENTED: on the CPU Caffe aborts with '
        '"Not Implemented Yet" in the first forward pass.'
    )
    example = (
        "solver_mode: CPU\nbase_lr: 0.01\nlr_policy: \"fixed\"\nmax_iter: 100\n"
        'net_param {\n  layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } } }\n'
        '  layer { name: "pool1" type: "Pooling" bottom: "data" top: "pool1" pooling_param { pool: STOCHASTIC kernel_size: 3 stride: 2 } }\n}'
    )
    how_to_fix = "Run on a GPU (solver_mode: GPU, caffe train --gpu 0), or use MAX or AVE pooling."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/pooling_layer.cpp:234-235, 314-315 (PoolingLayer::Forward_cpu and Backward_cpu: "
        "STOCHASTIC is NOT_IMPLEMENTED)",
        "include/caffe/common.hpp:70 (NOT_IMPLEMENTED: LOG(FATAL) \"Not Implemented Yet\")",
    )

    def check(self, ctx):
        for net in ctx.nets():
            solver = ctx.solver
            for layer in net.built_layers():
                node = layer.field("pooling_param.pool") if layer.type == "Pooling" else None
                if node is None or node.scalar != "STOCHASTIC":
                    continue
                severity = "info"
                if solver is not None:
                    mode = solver.field("solver_mode")
                    severity = "warning" if mode is None else ("error" if mode.scalar == "CPU" else None)
                if severity is None:
                    continue
                where = {"error": "the solver runs on the CPU", "warning": "the solver sets no solver_mode, so caffe "
                         "train runs on the CPU unless --gpu is given", "info": "on the CPU"}[severity]
                ctx.report_node(node, f'STOCHASTIC pooling "{layer.name}" has no CPU implementation: {where}, Caffe aborts '
                                'with "Not Implemented Yet" in the first forward — run on a GPU (solver_mode: GPU) or use '
                                "MAX/AVE", severity=severity)
