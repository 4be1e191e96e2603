"""L318 pooling-kernel-missing: A (non-global) Pooling layer without a kernel, with only kernel_h or kernel_w, or with a kernel of 0."""

from __future__ import annotations

from protolint.rule import Rule
from protolint.syntax.nodes import number

from ._helpers import has_unknown_fields


class PoolingKernelMissing(Rule):
    code = "L318"
    name = "pooling-kernel-missing"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("Pooling",)
    summary = "A (non-global) Pooling layer without a kernel, with only kernel_h or kernel_w, or with a kernel of 0"
    what_it_does = (
        "Reports Pooling layers without global_pooling that set neither kernel_size nor both kernel_h and "
        "kernel_w, or whose kernel is 0. kernel_size with a lone kernel_h is accepted (kernel_h is ignored)."
    )
    why_it_matters = (
        'PoolingLayer::LayerSetUp aborts with "Filter size is kernel_size OR kernel_h and kernel_w; not both" '
        'when the kernel is missing or half given, and with "Filter dimensions cannot be zero." for 0.'
    )
    example = 'layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1" pooling_param { pool: MAX stride: 2 } }'
    how_to_fix = "Set kernel_size (or kernel_h and kernel_w), or global_pooling: true to pool over the whole input."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/pooling_layer.cpp:21-28 (PoolingLayer::LayerSetUp: the kernel_size / kernel_h and "
        "kernel_w CHECKs)",
        "src/caffe/layers/pooling_layer.cpp:50-51 (PoolingLayer::LayerSetUp: CHECK_GT of the kernel)",
    )

    def check(self, ctx):
        for _, layer in ctx.layers(("Pooling",)):
            if (layer.get("pooling_param.global_pooling") is True) or has_unknown_fields(layer, "pooling_param"):
                continue
            pool = layer.sub("pooling_param")
            size = pool.last("kernel_size") if pool is not None else None
            h = pool.last("kernel_h") if pool is not None else None
            w = pool.last("kernel_w") if pool is not None else None
            tail = " — set kernel_size (or kernel_h and kernel_w), or global_pooling: true"
            if size is None and (h is None or w is None):
                if h is None and w is None:
                    ctx.report_layer(layer, f'Pooling "{layer.name}" has no kernel: Caffe aborts with '
                              '"Filter size is kernel_size OR kernel_h and kernel_w; not both"' + tail, node=layer.field("pooling_param"))
                else:
                    lone = h or w
                    ctx.report_node(lone, f'Pooling "{layer.name}" has only {lone.name}: Caffe aborts with "Filter size is '
                                    'kernel_size OR kernel_h and kernel_w; not both"' + tail)
                continue
            if size is not None and h is not None and w is not None:
                continue  # both forms: pooling-spec-partial
            nodes = [size] if size is not None else [h, w]
            for node in nodes:
                if number(node.scalar) == 0:
                    ctx.report_node(node, f'Pooling "{layer.name}" has a kernel of 0: Caffe aborts with "Filter dimensions '
                                    'cannot be zero."' + tail)
                    break
