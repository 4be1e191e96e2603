"""L359 argmax-top-k-zero: an ArgMax with top_k: 0."""

from __future__ import annotations

from protolint.rule import Rule
from protolint.syntax.nodes import number


class ArgMaxTopKZero(Rule):
    code = "L359"
    name = "argmax-top-k-zero"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("ArgMax",)
    summary = "An ArgMax with top_k: 0"
    what_it_does = "Reports `argmax_param { top_k: 0 }`."
    why_it_matters = 'ArgMaxLayer::LayerSetUp aborts with "top k must not be less than 1."'
    example = 'layer { name: "argmax" type: "ArgMax" bottom: "prob" top: "pred" argmax_param { top_k: 0 } }'
    how_to_fix = "Use top_k >= 1 (the default is 1)."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/argmax_layer.cpp:17 (ArgMaxLayer::LayerSetUp: CHECK_GE(top_k_, 1))",
    )

    def check(self, ctx):
        for _, layer in ctx.layers(("ArgMax",)):
            node = layer.field("argmax_param.top_k")
            if node is not None and number(node.scalar) == 0:
                ctx.report_node(node, f'ArgMax "{layer.name}" top_k 0: Caffe aborts with "top k must not be less than 1." — use top_k ≥ 1')
