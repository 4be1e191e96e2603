"""Loss layer settings: normalisation, ignore_label, loss weights, margins and regression targets."""

from protolint.model.net import LOSS_TYPES
from protolint.rule import Rule

from .layers_common import (
    SHAPE_PRESERVING,
    Once,
    bottom_use,
    each_graph,
    effective_producer,
    fmt,
    layers_of,
    number,
    report_at,
    report_layer,
    solver_of,
    train_states,
    values,
)

_IN = 'layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 3 dim: 8 dim: 8 } shape { dim: 8 } } }\n'


class SigmoidCeNormalizationDefault(Rule):
    code = "L335"
    name = "sigmoid-ce-normalization-default"
    severity = "info"
    applies_to = ("net",)
    summary = "SigmoidCrossEntropyLoss with ignore_label but no explicit normalization"
    what_it_does = "Reports SigmoidCrossEntropyLoss layers with `loss_param.ignore_label` and neither `normalization` nor `normalize`."
    why_it_matters = (
        "Unlike the other losses, SigmoidCrossEntropyLoss defaults to BATCH_SIZE normalisation: it divides by N, "
        "not by the number of non-ignored entries, so the loss scale depends on how much is ignored "
        "(sigmoid_cross_entropy_loss_layer.cpp)."
    )
    example = _IN + (
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 1 } }\n'
        'layer { name: "loss" type: "SigmoidCrossEntropyLoss" bottom: "fc" bottom: "label" top: "loss" loss_param { ignore_label: 255 } }'
    )
    how_to_fix = "Set normalization explicitly, usually `normalization: VALID` together with ignore_label."
    version_notes = "ignore_label and normalization are honoured by this layer since Caffe rc4 (PR #4986); earlier it always divides by N."

    def check(self, ctx):
        if not ctx.version_at_least("rc4"):
            return
        for _, layer in layers_of(ctx, ("SigmoidCrossEntropyLoss",)):
            if layer.has("loss_param.ignore_label") and not (
                layer.has("loss_param.normalization") or layer.has("loss_param.normalize")
            ):
                ctx.report_node(layer.field("loss_param"), f'SigmoidCrossEntropyLoss "{layer.name}" has ignore_label but no '
                                "normalization: unlike the other losses it defaults to BATCH_SIZE (divides by N, not by the "
                                "number of valid entries) — set normalization explicitly")


class EuclideanLargeOutput(Rule):
    code = "L336"
    name = "euclidean-large-output"
    severity = "info"
    applies_to = ("net",)
    summary = "A trained EuclideanLoss over many values per sample"
    what_it_does = (
        "In the TRAIN state of a trained net, reports EuclideanLoss layers with loss weight >= 1 whose first "
        "input is an InnerProduct with at least 1000 outputs, when the solver's base_lr is >= 1e-3 (or unknown)."
    )
    why_it_matters = (
        "EuclideanLoss is sum((a - b)^2) / (2N): it sums, not averages, over the values of a sample, so the "
        "gradients grow with the output size and a usual base_lr diverges (euclidean_loss_layer.cpp; BVLC issues "
        "#512, #4614)."
    )
    example = _IN + (
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 4096 weight_filler { type: "xavier" } } }\n'
        'layer { name: "loss" type: "EuclideanLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Lower base_lr, use a loss_weight below 1 (e.g. 1/D), or normalise the targets."
    version_notes = "Same in every Caffe release."

    threshold = 1000  # values per sample

    def check(self, ctx):
        once = Once()
        for net in ctx.nets():
            solver, _ = solver_of(ctx, net)
            lr = number(solver.get("base_lr")) if solver is not None else None
            if lr is not None and lr < 1e-3:
                continue
            for state in train_states(ctx, net):
                graph = net.graph(state)
                for layer in graph.layers:
                    if layer.type != "EuclideanLoss" or not layer.bottoms:
                        continue
                    weights = layer.loss_weights()
                    if not weights or weights[0] < 1:
                        continue
                    top = effective_producer(graph, bottom_use(graph, layer, 0))
                    if top is None or top.layer.type != "InnerProduct":
                        continue
                    d = number(top.layer.get("inner_product_param.num_output"))
                    if d and d >= self.threshold and once.first(layer.message):
                        rate = f"base_lr {fmt(lr)}" if lr is not None else "a base_lr of 1e-3 or more"
                        report_layer(ctx, layer, f'EuclideanLoss "{layer.name}" sums squared errors over {fmt(d)} values per '
                                     f"sample (it is not averaged): gradients scale with {fmt(d)} and {rate} may diverge — "
                                     "lower base_lr, use loss_weight < 1, or normalise the targets")


_LABEL_SOURCES = frozenset("Data ImageData WindowData MemoryData".split())


class EuclideanOnIntegerLabels(Rule):
    code = "L337"
    name = "euclidean-on-integer-labels"
    severity = "info"
    applies_to = ("net",)
    summary = "EuclideanLoss regressing onto the class label of a data layer"
    what_it_does = "Reports EuclideanLoss layers whose second bottom is the label top (top 1) of a Data, ImageData, WindowData or MemoryData layer."
    why_it_matters = "Those labels are scalar class indices: regressing onto them treats class 7 as 'closer' to 8 than to 2, which is rarely meant."
    example = (
        'layer { name: "d" type: "Data" top: "data" top: "label" data_param { source: "train_lmdb" backend: LMDB batch_size: 8 } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 1 } }\n'
        'layer { name: "l2" type: "EuclideanLoss" bottom: "fc" bottom: "label" top: "l2" }'
    )
    how_to_fix = "Use SoftmaxWithLoss for classification, or real-valued targets (e.g. from HDF5Data) for regression."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        once = Once()
        for net, state, graph in each_graph(ctx):
            for layer in graph.layers:
                if layer.type != "EuclideanLoss" or len(layer.bottoms) < 2:
                    continue
                use = bottom_use(graph, layer, 1)
                top = effective_producer(graph, use) if use is not None else None
                if top is not None and top.layer.type in _LABEL_SOURCES and top.index == 1 and once.first(use.node):
                    ctx.report_node(use.node, f'EuclideanLoss "{layer.name}" regresses onto the integer class label '
                                    f'"{use.node.scalar}": class indices are not a metric target — use SoftmaxWithLoss for '
                                    "classification, or a real-valued target (HDF5Data)")


class ContrastiveLargeMargin(Rule):
    code = "L338"
    name = "contrastive-large-margin"
    severity = "info"
    applies_to = ("net",)
    summary = "A ContrastiveLoss margin of 10 or more"
    what_it_does = "Reports ContrastiveLoss layers with `margin >= 10` (and the default legacy_version: false)."
    why_it_matters = (
        "For dissimilar pairs the gradient is divided by (distance + 1e-4) (contrastive_loss_layer.cpp): pairs "
        "that collapse together get gradients up to margin * 1e4, and large margins make training explode."
    )
    example = (
        'layer { name: "loss" type: "ContrastiveLoss" bottom: "feat" bottom: "feat_p" bottom: "sim" top: "loss" '
        "contrastive_loss_param { margin: 100 } }"
    )
    how_to_fix = "Use a margin of the order of the feature distances (1 is typical), or normalise the features."
    version_notes = "Same in every Caffe release."

    threshold = 10

    def check(self, ctx):
        for _, layer in layers_of(ctx, ("ContrastiveLoss",)):
            node = layer.field("contrastive_loss_param.margin")
            margin = number(node.scalar) if node is not None else None
            if margin is not None and margin >= self.threshold and not layer.get("contrastive_loss_param.legacy_version"):
                ctx.report_node(node, f'ContrastiveLoss "{layer.name}" margin {fmt(margin)}: dissimilar pairs that collapse '
                                "together get gradients up to margin·1e4 — large margins explode; typical margin is 1")


def spatial(graph, use, limit: int = 10000) -> bool:
    """H-SPATIAL: the blob still has spatial axes — its producers reach a Convolution, Deconvolution, Crop
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
        if kind in SHAPE_PRESERVING or kind in ("Dropout", "Split", "Concat", "Slice"):
            nxt = bottom_use(graph, layer, 0)
            top = graph.producer_of(nxt) if nxt is not None else None
            continue
        return False
    return False


class IgnoreLabelMissingForSegmentation(Rule):
    code = "L339"
    name = "ignore-label-missing-for-segmentation"
    severity = "info"
    applies_to = ("net",)
    summary = "A per-pixel SoftmaxWithLoss/InfogainLoss without ignore_label"
    what_it_does = (
        "Reports SoftmaxWithLoss and InfogainLoss layers whose scores still have spatial axes (they come from a "
        "Convolution, Deconvolution, Crop or Pooling without an InnerProduct in between) and that have no "
        "`loss_param.ignore_label`."
    )
    why_it_matters = (
        "Segmentation label maps often mark void pixels with 255, which is outside [0, C): Caffe only DCHECKs the "
        "range, so release builds read out of bounds and the loss becomes garbage or NaN (softmax_loss_layer.cpp)."
    )
    example = _IN + (
        'layer { name: "score" type: "Convolution" bottom: "data" top: "score" convolution_param { num_output: 21 kernel_size: 1 } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "score" bottom: "label" top: "loss" }'
    )
    how_to_fix = "If your labels mark void pixels, add loss_param { ignore_label: 255 } (or the value they use)."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        once = Once()
        for net, state, graph in each_graph(ctx):
            for layer in graph.layers:
                if layer.type not in ("SoftmaxWithLoss", "InfogainLoss") or not layer.bottoms:
                    continue
                if layer.has("loss_param.ignore_label") or id(layer.message) in once.seen:
                    continue
                if spatial(graph, bottom_use(graph, layer, 0)) and once.first(layer.message):
                    report_layer(ctx, layer, f'per-pixel loss "{layer.name}" has no ignore_label: label maps often mark void '
                                 "pixels with 255, which is out of range [0, C) and is read out of bounds in release builds "
                                 "(garbage/NaN loss) — set loss_param { ignore_label: 255 } if your labels use it")


class ValidNormalizationOldCaffe(Rule):
    code = "L341"
    name = "valid-normalization-old-caffe"
    severity = "warning"
    applies_to = ("net",)
    summary = "ignore_label with VALID normalisation in Caffe before rc3 (0/0 when a batch is all ignored)"
    what_it_does = (
        "For Caffe versions before rc3, reports loss layers with `loss_param.ignore_label` that normalise by the "
        "number of valid labels (`normalize: true`, the old default)."
    )
    why_it_matters = (
        "Before rc3 the loss was divided by the count of non-ignored labels without a lower bound: a batch in "
        "which every label is ignored gives 0/0 = NaN. PR #3296 (rc3) clamps the normaliser to at least 1."
    )
    example = _IN + (
        'layer { name: "score" type: "Convolution" bottom: "data" top: "score" convolution_param { num_output: 21 kernel_size: 1 } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "score" bottom: "label" top: "loss" loss_param { ignore_label: 255 } }'
    )
    how_to_fix = "Upgrade Caffe (rc3 or later), or make sure no batch consists of ignored labels only."
    version_notes = "Only for --caffe-version rc1/rc2; rc3 and later are safe."
    example_caffe_version = "rc2"

    def check(self, ctx):
        if ctx.version_at_least("rc3"):
            return
        for _, layer in layers_of(ctx, LOSS_TYPES):
            node = layer.field("loss_param.ignore_label")
            if node is None or layer.field("loss_param.normalize") is not None and layer.get("loss_param.normalize") is False:
                continue
            if layer.has("loss_param.normalization") and layer.get("loss_param.normalization") != "VALID":
                continue
            ctx.report_node(node, f'loss "{layer.name}": with ignore_label, Caffe versions before rc3 divide the loss by the '
                            "number of valid labels without a lower bound: a batch where every label is ignored gives "
                            "0/0 = NaN — upgrade Caffe or avoid all-ignored batches")


class LossWeightZeroOnLoss(Rule):
    code = "L342"
    name = "loss-weight-zero-on-loss"
    severity = "info"
    applies_to = ("net",)
    summary = "A loss layer whose loss_weight is 0"
    what_it_does = "Reports loss layers (SoftmaxWithLoss, EuclideanLoss, ...) whose every `loss_weight` is 0."
    why_it_matters = "Caffe computes and displays such a loss but skips it in the objective: it trains nothing (layer.hpp SetLossWeights). Fine for a monitor, surprising otherwise."
    example = _IN + (
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 1 } }\n'
        'layer { name: "l2" type: "EuclideanLoss" bottom: "fc" bottom: "label" top: "l2" loss_weight: 0 }'
    )
    how_to_fix = "Remove loss_weight (a loss layer defaults to 1) or set the weight you want; keep 0 only for a monitoring loss."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for _, layer in layers_of(ctx, LOSS_TYPES):
            weights = values(layer.message, "loss_weight")
            numbers = [number(v) for v, _ in weights]
            if weights and all(w == 0 for w in numbers):
                report_at(ctx, layer, weights[0][1], f'loss layer "{layer.name}" has loss_weight 0: it is computed and '
                          "displayed but does not train anything — remove loss_weight (loss layers default to 1) unless this loss is only a monitor")


LOSS_PARAM_RULES = [
    SigmoidCeNormalizationDefault,
    EuclideanLargeOutput,
    EuclideanOnIntegerLabels,
    ContrastiveLargeMargin,
    IgnoreLabelMissingForSegmentation,
    ValidNormalizationOldCaffe,
    LossWeightZeroOnLoss,
]
