"""L301 pooling-stride-exceeds-kernel: pooling stride larger than the kernel, without padding."""

from __future__ import annotations

from protolint.model.geometry import pooling_axes
from protolint.model.shapes import infer_shapes
from protolint.rule import Rule


def _layers_with_known_input(ctx) -> set[int]:
    """Pooling layers whose input height and width shape inference knows in every state checked."""
    known: dict[int, bool] = {}
    for net in ctx.nets():
        for state in net.states():
            graph = net.graph(state)
            shapes = infer_shapes(graph, ctx.options.input_shapes)
            for layer in graph.layers:
                if layer.type != "Pooling":
                    continue
                use = graph.bottom_use(layer)
                shape = shapes.get((use.node.scalar, use.version)) if use is not None else None
                ok = shape is not None and len(shape) == 4 and shape[2] is not None and shape[3] is not None
                known[id(layer)] = known.get(id(layer), True) and ok
    return {key for key, ok in known.items() if ok}


class PoolingStrideExceedsKernel(Rule):
    code = "L301"
    name = "pooling-stride-exceeds-kernel"
    severity = "warning"
    applies_to = ("net",)
    layer_types = ("Pooling",)
    summary = "Pooling stride larger than the kernel, without padding"
    what_it_does = (
        "Reports a Pooling layer whose stride is larger than its kernel along an axis while it has no "
        "padding, is not global and rounds up (the default; `round_mode: FLOOR` is safe). When shape "
        "inference knows the input size, pooling-empty-window decides exactly whether a window is empty; "
        "when none can be (known size, padding or FLOOR), the skipped input pixels are an info."
    )
    why_it_matters = (
        "Caffe rounds the output size up and only clips windows when pad > 0, so the last window can "
        "start beyond the input: AVE pooling divides 0 by a window of size 0 (NaN), MAX pooling outputs "
        "-3.4e38 and its backward writes out of bounds (reproduced by running Caffe). "
        "It also skips input pixels between windows."
    )
    example = 'layer {\n  name: "pool1"\n  type: "Pooling"\n  bottom: "conv1"\n  top: "pool1"\n  pooling_param { pool: AVE kernel_size: 1 stride: 2 }\n}'
    how_to_fix = "Use a stride no larger than the kernel (e.g. kernel_size 2, stride 2), or pad the input."
    references = (
        "src/caffe/layers/pooling_layer.cpp:91-118 (PoolingLayer::Reshape: output size rounded up, the last window "
        "clipped only with pad > 0)",
        "src/caffe/layers/pooling_layer.cpp:162-187 (Forward_cpu, MAX: outputs start at -FLT_MAX)",
        "src/caffe/layers/pooling_layer.cpp:210-225 (Forward_cpu, AVE: the sum is divided by the window size)",
    )

    def check(self, ctx):
        shaped = _layers_with_known_input(ctx)
        empty = {id(issue.layer) for issue, _message in ctx.shape_issues("empty-window")}
        for _net, layer in ctx.layers("Pooling", unbuilt=True):
            if layer.get("pooling_param.global_pooling") or id(layer) in empty:
                continue  # pooling-empty-window reports the windows that fall outside the input
            kernel, stride, pad = (pooling_axes(layer, setting) for setting in ("kernel", "stride", "pad"))
            if not kernel.written:
                continue
            for axis, (k, s) in enumerate(zip(kernel, stride)):
                if not (isinstance(k, int) and isinstance(s, int) and s > k > 0):
                    continue
                risky = id(layer) not in shaped and not any(p for p in pad) and (
                    layer.get("pooling_param.round_mode") != "FLOOR")
                if risky:
                    # Any padding turns on Caffe's clipping of the last window; FLOOR never starts one
                    # past the input; a known input size lets pooling-empty-window decide exactly.
                    effect = ("NaN (0/0)" if layer.get("pooling_param.pool") == "AVE"
                              else "-3.4e38 and out-of-bounds writes in backward")
                    ctx.report_node(stride.node(axis), f"pooling stride {s} > kernel {k} with no padding in layer "
                                    f"\"{layer.name}\": the last window can fall outside the input and give {effect}; "
                                    "use stride <= kernel or add pad")
                else:
                    ctx.report_node(stride.node(axis), f"pooling stride {s} > kernel {k} in layer \"{layer.name}\": "
                                    f"{s - k} of every {s} input {'rows' if axis == 0 else 'columns'} are never pooled, so "
                                    "what they hold is dropped — fine for deliberate subsampling, otherwise use "
                                    "stride <= kernel", severity="info")
                break
