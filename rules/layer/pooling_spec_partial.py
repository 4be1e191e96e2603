"""L320 pooling-spec-partial: pooling mixes kernel_size/pad/stride with their _h/_w forms, or gives only one of pad_h/pad_w or stride_h/stride_w."""

from __future__ import annotations

from protolint.rule import Rule


class PoolingSpecPartial(Rule):
    code = "L320"
    name = "pooling-spec-partial"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("Pooling",)
    summary = "Pooling mixes kernel_size/pad/stride with their _h/_w forms, or gives only one of pad_h/pad_w or stride_h/stride_w"
    what_it_does = (
        "Reports Pooling layers with kernel_size together with both kernel_h and kernel_w, pad with pad_h or "
        "pad_w, stride with stride_h or stride_w, or only one of pad_h/pad_w or stride_h/stride_w."
    )
    why_it_matters = (
        'PoolingLayer::LayerSetUp aborts: "Filter size is kernel_size OR kernel_h and kernel_w; not both", '
        '"pad is pad OR pad_h and pad_w are required." or "Stride is stride OR stride_h and stride_w are required."'
    )
    example = 'layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1" pooling_param { kernel_size: 3 pad_h: 1 } }'
    how_to_fix = "Use either the single value or both _h and _w values."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/pooling_layer.cpp:21-36 (PoolingLayer::LayerSetUp: the kernel, pad and stride CHECKs)",
    )

    def check(self, ctx):
        for _, layer in ctx.layers(("Pooling",)):
            pool = layer.sub("pooling_param")
            if pool is None:
                continue
            size, kh, kw = pool.last("kernel_size"), pool.last("kernel_h"), pool.last("kernel_w")
            if size is not None and kh is not None and kw is not None and not (layer.get("pooling_param.global_pooling") is True):
                ctx.report_node(kh, f'Pooling "{layer.name}" mixes kernel_size and kernel_h/kernel_w: Caffe aborts with '
                                '"Filter size is kernel_size OR kernel_h and kernel_w; not both" — keep one form')
            for single, text in (("pad", "pad is pad OR pad_h and pad_w are required."),
                                 ("stride", "Stride is stride OR stride_h and stride_w are required.")):
                s, h, w = pool.last(single), pool.last(f"{single}_h"), pool.last(f"{single}_w")
                if h is None and w is None:
                    continue
                if s is not None:
                    detail = f"mixes {single} and {(h or w).name}"
                elif h is None or w is None:
                    detail = f"sets only {(h or w).name}"
                else:
                    continue
                ctx.report_node(h or w, f'Pooling "{layer.name}" {detail}: Caffe aborts with "{text}" — use {single}, or '
                                f"both {single}_h and {single}_w")
