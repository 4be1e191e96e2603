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
    summary = "Pooling stride larger than the kernel, without padding"
    what_it_does = (
        "Reports a Pooling layer whose stride is larger than its kernel along an axis while it has no "
        "padding, is not global and rounds up (the default; `round_mode: FLOOR` is safe). When shape "
        "inference knows the input size, pooling-empty-window decides exactly instead."
    )
    why_it_matters = (
        "Caffe rounds the output size up and only clips windows when pad > 0, so the last window can "
        "start beyond the input: AVE pooling divides 0 by a window of size 0 (NaN), MAX pooling outputs "
        "-3.4e38 and its backward writes out of bounds (pooling_layer.cpp; reproduced by running Caffe). "
        "It also skips input pixels between windows."
    )
    example = 'layer {\n  name: "pool1"\n  type: "Pooling"\n  bottom: "conv1"\n  top: "pool1"\n  pooling_param { pool: AVE kernel_size: 1 stride: 2 }\n}'
    how_to_fix = "Use a stride no larger than the kernel (e.g. kernel_size 2, stride 2), or pad the input."

    def check(self, ctx):
        shaped = _layers_with_known_input(ctx)
        for _net, layer in ctx.layers("Pooling", unbuilt=True):
            if layer.get("pooling_param.global_pooling") or layer.get("pooling_param.round_mode") == "FLOOR":
                continue  # FLOOR rounding never starts a window past the input
            if id(layer) in shaped:
                continue  # the input size is known: pooling-empty-window decides exactly
            kernel, stride, pad = (pooling_axes(layer, setting) for setting in ("kernel", "stride", "pad"))
            if not kernel.written or any(p for p in pad):
                continue  # any padding turns on Caffe's clipping of the last window
            for axis, (k, s) in enumerate(zip(kernel, stride)):
                if isinstance(k, int) and isinstance(s, int) and s > k > 0:
                    node = stride.node(axis)
                    effect = "NaN (0/0)" if layer.get("pooling_param.pool") == "AVE" else "-3.4e38 and out-of-bounds writes in backward"
                    ctx.report_node(
                        node,
                        f"pooling stride {s} > kernel {k} with no padding in layer \"{layer.name}\": the last window can "
                        f"fall outside the input and give {effect}; use stride <= kernel or add pad",
                    )
                    break
