"""L338 contrastive-large-margin: A ContrastiveLoss margin of 10 or more."""

from __future__ import annotations

from protolint.rule import Rule
from protolint.syntax.nodes import number

from .._format import fmt


class ContrastiveLargeMargin(Rule):
    code = "L338"
    name = "contrastive-large-margin"
    severity = "info"
    applies_to = ("net",)
    layer_types = ("ContrastiveLoss",)
    summary = "A ContrastiveLoss margin of 10 or more"
    what_it_does = "Reports ContrastiveLoss layers with `margin >= 10` (and the default legacy_version: false)."
    why_it_matters = (
        "For dissimilar pairs the gradient is divided by (distance + 1e-4): pairs that collapse together get "
        "gradients up to margin * 1e4, and large margins make training explode."
    )
    example = (
        'layer { name: "loss" type: "ContrastiveLoss" bottom: "feat" bottom: "feat_p" bottom: "sim" top: "loss" '
        "contrastive_loss_param { margin: 100 } }"
    )
    how_to_fix = "Use a margin of the order of the feature distances (1 is typical), or normalise the features."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/contrastive_loss_layer.cpp:93-95 (ContrastiveLossLayer::Backward_cpu: beta = -alpha * "
        "mdist / (dist + 1e-4))",
    )

    threshold = 10

    def check(self, ctx):
        for _, layer in ctx.layers(("ContrastiveLoss",)):
            node = layer.field("contrastive_loss_param.margin")
            margin = number(node.scalar) if node is not None else None
            if margin is not None and margin >= self.threshold and not layer.get("contrastive_loss_param.legacy_version"):
                ctx.report_node(node, f'ContrastiveLoss "{layer.name}" margin {fmt(margin)}: dissimilar pairs that collapse '
                                "together get gradients up to margin·1e4 — large margins explode; typical margin is 1")
