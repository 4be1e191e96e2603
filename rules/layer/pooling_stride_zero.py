"""L321 pooling-stride-zero: A (non-global) Pooling stride of 0."""

from __future__ import annotations

from protolint.model.geometry import pooling_axes
from protolint.rule import Rule


class PoolingStrideZero(Rule):
    code = "L321"
    name = "pooling-stride-zero"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("Pooling",)
    summary = "A (non-global) Pooling stride of 0"
    what_it_does = "Reports Pooling layers (not global) whose effective stride is 0 on an axis (`stride: 0`, `stride_h: 0` or `stride_w: 0`)."
    why_it_matters = (
        "Caffe does not check the stride: the output size divides by zero and the layer aborts with "
        "\"Check failed: shape[i] >= 0 (-2147483647 vs. 0)\" (reproduced by running Caffe)."
    )
    example = 'layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1" pooling_param { kernel_size: 2 stride: 0 } }'
    how_to_fix = "Use a stride of at least 1 (usually equal to the kernel size)."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/pooling_layer.cpp:91-103 (PoolingLayer::Reshape: the output size is divided by the stride)",
        "src/caffe/blob.cpp:32 (Blob::Reshape: CHECK_GE(shape[i], 0))",
    )

    def check(self, ctx):
        for _, layer in ctx.layers(("Pooling",)):
            if (layer.get("pooling_param.global_pooling") is True):
                continue
            pool = layer.sub("pooling_param")
            if pool is None or (pool.last("stride_h") is None) != (pool.last("stride_w") is None):
                continue  # a lone stride_h/stride_w is pooling-spec-partial
            stride = pooling_axes(layer, "stride")
            for value, node in ((stride.h, stride.h_node), (stride.w, stride.w_node)):
                if value == 0 and node is not None:
                    ctx.report_node(node, f'Pooling "{layer.name}" has stride 0: the output size divides by zero and Caffe '
                                    'aborts with "Check failed: shape[i] >= 0 (-2147483647 vs. 0)" — use stride ≥ 1')
                    break
