"""L327 lrn-alpha-negative: an LRN with alpha < 0."""

from __future__ import annotations

from protolint.rule import Rule
from protolint.syntax.nodes import number

from .._format import fmt


class LrnAlphaNegative(Rule):
    code = "L327"
    name = "lrn-alpha-negative"
    severity = "warning"
    applies_to = ("net",)
    layer_types = ("LRN",)
    summary = "An LRN with alpha < 0"
    what_it_does = "Reports LRN layers with `lrn_param.alpha < 0`."
    why_it_matters = "k + alpha/n * sum x^2 becomes negative for large activations, and its fractional power -beta is NaN."
    example = 'layer { name: "norm1" type: "LRN" bottom: "conv1" top: "norm1" lrn_param { alpha: -0.0001 } }'
    how_to_fix = "Use a positive alpha (AlexNet: 0.0001)."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/lrn_layer.cpp:108-152 (LRNLayer::CrossChannelForward_cpu: scale = k + alpha/n * sum x^2, "
        "output x * scale^-beta)",
    )

    def check(self, ctx):
        for _, layer in ctx.layers(("LRN",)):
            node = layer.field("lrn_param.alpha")
            alpha = number(node.scalar) if node is not None else None
            if alpha is not None and alpha < 0:
                ctx.report_node(node, f'LRN "{layer.name}" alpha {fmt(alpha)} < 0: k + α/n·Σx² becomes negative for large '
                                "activations and its fractional power is NaN — use alpha > 0")
