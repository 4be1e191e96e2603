"""L302 pooling-pad-ge-kernel: pooling pad not smaller than the kernel."""

from __future__ import annotations

from protolint.model.geometry import pooling_axes
from protolint.rule import Rule


class PoolingPadGeKernel(Rule):
    code = "L302"
    name = "pooling-pad-ge-kernel"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("Pooling",)
    summary = "Pooling pad not smaller than the kernel"
    what_it_does = "Reports a Pooling layer whose pad is greater than or equal to its kernel along an axis."
    why_it_matters = "Caffe checks `pad_h_ < kernel_h_` in PoolingLayer::LayerSetUp and aborts."
    example = 'layer {\n  name: "pool1"\n  type: "Pooling"\n  bottom: "conv1"\n  top: "pool1"\n  pooling_param { pool: MAX kernel_size: 2 pad: 2 }\n}'
    how_to_fix = "Make pad smaller than the kernel (pad is usually (kernel - 1) / 2 or 0)."
    references = (
        "src/caffe/layers/pooling_layer.cpp:74-75 (PoolingLayer::LayerSetUp: CHECK_LT(pad_h_, kernel_h_), "
        "CHECK_LT(pad_w_, kernel_w_))",
    )

    def check(self, ctx):
        for _net, layer in ctx.layers("Pooling", unbuilt=True):
            if layer.get("pooling_param.global_pooling"):
                continue
            kernel, pad = pooling_axes(layer, "kernel"), pooling_axes(layer, "pad")
            if not kernel.written or not pad.written:
                continue
            for axis, (k, p) in enumerate(zip(kernel, pad)):
                if isinstance(k, int) and isinstance(p, int) and p > 0 and p >= k:
                    node = pad.node(axis)
                    ctx.report_node(
                        node,
                        f"pooling pad {p} >= kernel {k} in layer \"{layer.name}\": Caffe aborts (`Check failed: pad < kernel`); "
                        "use a pad smaller than the kernel",
                    )
                    break
