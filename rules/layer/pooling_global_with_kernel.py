"""L303 pooling-global-with-kernel: global_pooling together with a kernel size."""

from __future__ import annotations

from protolint.rule import Rule


class PoolingGlobalWithKernel(Rule):
    code = "L303"
    name = "pooling-global-with-kernel"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("Pooling",)
    summary = "global_pooling together with a kernel size"
    what_it_does = "Reports `global_pooling: true` combined with kernel_size/kernel_h/kernel_w (or a pad or stride other than 0/1)."
    why_it_matters = (
        "Caffe aborts in PoolingLayer::LayerSetUp: `With Global_pooling: true Filter size cannot "
        "specified` (reproduced by running Caffe); global pooling also requires pad 0 and stride 1."
    )
    example = 'layer {\n  name: "pool5"\n  type: "Pooling"\n  bottom: "conv5"\n  top: "pool5"\n  pooling_param { pool: AVE global_pooling: true kernel_size: 7 }\n}'
    how_to_fix = "Remove the kernel size (global pooling uses the whole input), or drop global_pooling."
    references = (
        "src/caffe/layers/pooling_layer.cpp:17-20 (PoolingLayer::LayerSetUp: no kernel with global_pooling)",
        "src/caffe/layers/pooling_layer.cpp:64-67 (PoolingLayer::LayerSetUp: pad 0 and stride 1 with global_pooling)",
    )

    def check(self, ctx):
        for _net, layer in ctx.layers("Pooling", unbuilt=True):
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
