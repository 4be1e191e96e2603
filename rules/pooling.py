"""Pooling parameters that make Caffe abort or produce NaN / -FLT_MAX windows."""

from protolint.rule import Rule


def _pooling_layers(ctx):
    for net in ctx.nets():
        for layer in net.layers:
            if layer.type == "Pooling":
                yield layer


_SCALAR_NAME = {"kernel": "kernel_size", "stride": "stride", "pad": "pad"}


def _pair(layer, name):
    """(h, w) of a kernel/stride/pad setting as Caffe resolves it: name_h/name_w, else the single
    value (kernel_size, stride, pad), else None."""
    h, w = layer.field(f"pooling_param.{name}_h"), layer.field(f"pooling_param.{name}_w")
    if h is not None or w is not None:
        return (layer.get(f"pooling_param.{name}_h"), layer.get(f"pooling_param.{name}_w"))
    if layer.field(f"pooling_param.{_SCALAR_NAME[name]}") is not None:
        value = layer.get(f"pooling_param.{_SCALAR_NAME[name]}")
        return (value, value)
    return None


def _layers_with_known_input(ctx) -> set[int]:
    """Pooling layers whose input height and width shape inference knows in every state checked."""
    from protolint.model.shapes import infer_shapes

    known: dict[int, bool] = {}
    for net in ctx.nets():
        for state in net.states():
            graph = net.graph(state)
            shapes = infer_shapes(graph)
            for layer in graph.layers:
                if layer.type != "Pooling":
                    continue
                use = graph.bottom_uses.get((id(layer), 0))
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
        for layer in _pooling_layers(ctx):
            if layer.get("pooling_param.global_pooling") or layer.get("pooling_param.round_mode") == "FLOOR":
                continue  # FLOOR rounding never starts a window past the input
            if id(layer) in shaped:
                continue  # the input size is known: pooling-empty-window decides exactly
            kernel, stride, pad = _pair(layer, "kernel"), _pair(layer, "stride") or (1, 1), _pair(layer, "pad") or (0, 0)
            if kernel is None or any(p for p in pad):
                continue  # any padding turns on Caffe's clipping of the last window
            for axis, k, s in zip("hw", kernel, stride):
                if isinstance(k, int) and isinstance(s, int) and s > k > 0:
                    node = layer.field("pooling_param.stride") or layer.field(f"pooling_param.stride_{axis}")
                    effect = "NaN (0/0)" if layer.get("pooling_param.pool") == "AVE" else "-3.4e38 and out-of-bounds writes in backward"
                    ctx.report_node(
                        node,
                        f"pooling stride {s} > kernel {k} with no padding in layer \"{layer.name}\": the last window can "
                        f"fall outside the input and give {effect}; use stride <= kernel or add pad",
                    )
                    break


class PoolingPadGeKernel(Rule):
    code = "L302"
    name = "pooling-pad-ge-kernel"
    severity = "error"
    applies_to = ("net",)
    summary = "Pooling pad not smaller than the kernel"
    what_it_does = "Reports a Pooling layer whose pad is greater than or equal to its kernel along an axis."
    why_it_matters = "Caffe checks `pad_h_ < kernel_h_` in PoolingLayer::LayerSetUp and aborts (pooling_layer.cpp)."
    example = 'layer {\n  name: "pool1"\n  type: "Pooling"\n  bottom: "conv1"\n  top: "pool1"\n  pooling_param { pool: MAX kernel_size: 2 pad: 2 }\n}'
    how_to_fix = "Make pad smaller than the kernel (pad is usually (kernel - 1) / 2 or 0)."

    def check(self, ctx):
        for layer in _pooling_layers(ctx):
            if layer.get("pooling_param.global_pooling"):
                continue
            kernel, pad = _pair(layer, "kernel"), _pair(layer, "pad")
            if kernel is None or pad is None:
                continue
            for axis, k, p in zip("hw", kernel, pad):
                if isinstance(k, int) and isinstance(p, int) and p > 0 and p >= k:
                    node = layer.field("pooling_param.pad") or layer.field(f"pooling_param.pad_{axis}")
                    ctx.report_node(
                        node,
                        f"pooling pad {p} >= kernel {k} in layer \"{layer.name}\": Caffe aborts (`Check failed: pad < kernel`); "
                        "use a pad smaller than the kernel",
                    )
                    break


class PoolingGlobalWithKernel(Rule):
    code = "L303"
    name = "pooling-global-with-kernel"
    severity = "error"
    applies_to = ("net",)
    summary = "global_pooling together with a kernel size"
    what_it_does = "Reports `global_pooling: true` combined with kernel_size/kernel_h/kernel_w (or a pad or stride other than 0/1)."
    why_it_matters = (
        "Caffe aborts in PoolingLayer::LayerSetUp: `With Global_pooling: true Filter size cannot "
        "specified` (reproduced by running Caffe); global pooling also requires pad 0 and stride 1."
    )
    example = 'layer {\n  name: "pool5"\n  type: "Pooling"\n  bottom: "conv5"\n  top: "pool5"\n  pooling_param { pool: AVE global_pooling: true kernel_size: 7 }\n}'
    how_to_fix = "Remove the kernel size (global pooling uses the whole input), or drop global_pooling."

    def check(self, ctx):
        for layer in _pooling_layers(ctx):
            if not layer.get("pooling_param.global_pooling"):
                continue
            for name in ("kernel_size", "kernel_h", "kernel_w"):  # noqa: B007
                node = layer.field(f"pooling_param.{name}")
                if node is not None:
                    ctx.report_node(
                        node,
                        f"`{name}` with `global_pooling: true` in layer \"{layer.name}\": Caffe aborts (`With Global_pooling: "
                        "true Filter size cannot specified`); remove the kernel size",
                    )
                    break
            for name, allowed in (("pad", 0), ("stride", 1)):
                if layer.field(f"pooling_param.{name}") is not None and layer.get(f"pooling_param.{name}") != allowed:
                    ctx.report_node(
                        layer.field(f"pooling_param.{name}"),
                        f"`{name}` must be {allowed} with `global_pooling: true` (Caffe aborts otherwise); remove it",
                    )
