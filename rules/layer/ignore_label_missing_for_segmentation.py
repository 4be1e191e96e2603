"""L339 ignore-label-missing-for-segmentation: A per-pixel SoftmaxWithLoss/InfogainLoss without ignore_label."""

from __future__ import annotations

from protolint.context import Once
from protolint.model.facts import CHANNEL_PRESERVING
from protolint.rule import Rule

from ._helpers import EXAMPLE_INPUT


def spatial(graph, use, limit: int = 10000) -> bool:
    """Whether the blob still has spatial axes — its producers reach a Convolution, Deconvolution, Crop
    or (non-global) Pooling before any InnerProduct, global pooling, Reshape or Flatten."""
    top = graph.producer_of(use) if use is not None else None
    while top is not None and limit > 0:
        limit -= 1
        layer = top.layer
        kind = layer.type
        if kind in ("Convolution", "Deconvolution", "Crop"):
            return True
        if kind == "Pooling":
            return layer.get("pooling_param.global_pooling") is not True
        if kind in CHANNEL_PRESERVING or kind in ("Dropout", "Split", "Concat", "Slice"):
            nxt = graph.bottom_use(layer, 0)
            top = graph.producer_of(nxt) if nxt is not None else None
            continue
        return False
    return False


class IgnoreLabelMissingForSegmentation(Rule):
    code = "L339"
    name = "ignore-label-missing-for-segmentation"
    severity = "info"
    applies_to = ("net",)
    layer_types = ("SoftmaxWithLoss", "InfogainLoss")
    summary = "A per-pixel SoftmaxWithLoss/InfogainLoss without ignore_label"
    what_it_does = (
        "Reports SoftmaxWithLoss and InfogainLoss layers whose scores still have spatial axes (they come from a "
        "Convolution, Deconvolution, Crop or Pooling without an InnerProduct in between) and that have no "
        "`loss_param.ignore_label`."
    )
    why_it_matters = (
        "Segmentation label maps often mark void pixels with 255, which is outside [0, C): Caffe only DCHECKs the "
        "range, so release builds read out of bounds and the loss becomes garbage or NaN."
    )
    example = EXAMPLE_INPUT + (
        'layer { name: "score" type: "Convolution" bottom: "data" top: "score" convolution_param { num_output: 21 kernel_size: 1 } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "score" bottom: "label" top: "loss" }'
    )
    how_to_fix = "If your labels mark void pixels, add loss_param { ignore_label: 255 } (or the value they use)."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/softmax_loss_layer.cpp:100-107 (SoftmaxWithLossLayer::Forward_cpu: DCHECK_GE/DCHECK_LT on "
        "the label, then indexing)",
    )

    def check(self, ctx):
        once = Once()
        for net, state, graph in ctx.graphs():
            for layer in graph.layers:
                if layer.type not in ("SoftmaxWithLoss", "InfogainLoss") or not layer.bottoms:
                    continue
                if layer.has("loss_param.ignore_label") or id(layer.message) in once.seen:
                    continue
                if spatial(graph, graph.bottom_use(layer, 0)) and once.first(layer.message):
                    ctx.report_layer(layer, f'per-pixel loss "{layer.name}" has no ignore_label: label maps often mark void '
                                 "pixels with 255, which is out of range [0, C) and is read out of bounds in release builds "
                                 "(garbage/NaN loss) — set loss_param { ignore_label: 255 } if your labels use it")
