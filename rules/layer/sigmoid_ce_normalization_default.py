"""L335 sigmoid-ce-normalization-default: sigmoidCrossEntropyLoss with ignore_label but no explicit normalization."""

from __future__ import annotations

from protolint.rule import Rule

from ._helpers import EXAMPLE_INPUT


class SigmoidCeNormalizationDefault(Rule):
    code = "L335"
    name = "sigmoid-ce-normalization-default"
    severity = "info"
    applies_to = ("net",)
    layer_types = ("SigmoidCrossEntropyLoss",)
    summary = "SigmoidCrossEntropyLoss with ignore_label but no explicit normalization"
    what_it_does = "Reports SigmoidCrossEntropyLoss layers with `loss_param.ignore_label` and neither `normalization` nor `normalize`."
    why_it_matters = (
        "Unlike the other losses, SigmoidCrossEntropyLoss defaults to BATCH_SIZE normalisation: it divides by N, "
        "not by the number of non-ignored entries, so the loss scale depends on how much is ignored."
    )
    example = EXAMPLE_INPUT + (
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 1 } }\n'
        'layer { name: "loss" type: "SigmoidCrossEntropyLoss" bottom: "fc" bottom: "label" top: "loss" loss_param { ignore_label: 255 } }'
    )
    how_to_fix = "Set normalization explicitly, usually `normalization: VALID` together with ignore_label."
    version_notes = "ignore_label and normalization are honoured by this layer since Caffe rc4 (PR #4986); earlier it always divides by N."
    references = (
        "src/caffe/layers/sigmoid_cross_entropy_loss_layer.cpp:24-32 (SigmoidCrossEntropyLossLayer::LayerSetUp: "
        "BATCH_SIZE unless normalization or normalize is given)",
    )

    def check(self, ctx):
        if not ctx.version_at_least("rc4"):
            return
        for _, layer in ctx.layers(("SigmoidCrossEntropyLoss",)):
            if layer.has("loss_param.ignore_label") and not (
                layer.has("loss_param.normalization") or layer.has("loss_param.normalize")
            ):
                ctx.report_node(layer.field("loss_param"), f'SigmoidCrossEntropyLoss "{layer.name}" has ignore_label but no '
                                "normalization: unlike the other losses it defaults to BATCH_SIZE (divides by N, not by the "
                                "number of valid entries) — set normalization explicitly")
