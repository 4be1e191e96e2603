"""L326 lrn-k-nonpositive: an ACROSS_CHANNELS LRN with k <= 0."""

from __future__ import annotations

from protolint.rule import Rule
from protolint.syntax.nodes import number

from .._format import fmt


class LrnKNonpositive(Rule):
    code = "L326"
    name = "lrn-k-nonpositive"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("LRN",)
    summary = "An ACROSS_CHANNELS LRN with k <= 0"
    what_it_does = "Reports LRN layers with norm_region ACROSS_CHANNELS (the default) and `k <= 0`. WITHIN_CHANNEL uses 1 instead of k."
    why_it_matters = (
        "The denominator is (k + alpha/n * sum x^2)^beta: wherever a neighbourhood is all zeros (common after "
        "ReLU) it is 0^-beta = inf and the output NaN (reproduced by running Caffe)."
    )
    example = 'layer { name: "norm1" type: "LRN" bottom: "conv1" top: "norm1" lrn_param { k: 0 } }'
    how_to_fix = "Use k >= 1 (the default is 1; AlexNet uses 2)."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/lrn_layer.cpp:108-152 (LRNLayer::CrossChannelForward_cpu: scale = k + alpha/n * sum x^2, "
        "output x * scale^-beta)",
    )

    def check(self, ctx):
        for _, layer in ctx.layers(("LRN",)):
            if layer.get("lrn_param.norm_region") == "WITHIN_CHANNEL":
                continue
            node = layer.field("lrn_param.k")
            k = number(node.scalar) if node is not None else None
            if k is not None and k <= 0:
                ctx.report_node(node, f'LRN "{layer.name}" k {fmt(k)}: wherever a neighbourhood is all zeros (common after '
                                "ReLU) the denominator is 0^−β = inf and the output NaN — use k ≥ 1 (default 1; AlexNet uses 2)")
