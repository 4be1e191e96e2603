"""L306 lrn-local-size-even: an LRN local_size that is even (or 0)."""

from __future__ import annotations

from protolint.rule import Rule
from protolint.syntax.nodes import number

from .._format import fmt


class LrnLocalSizeEven(Rule):
    code = "L306"
    name = "lrn-local-size-even"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("LRN",)
    summary = "An LRN local_size that is even (or 0)"
    what_it_does = "Reports LRN layers whose `lrn_param.local_size` is even, including 0."
    why_it_matters = (
        'LRNLayer::LayerSetUp aborts with "LRN only supports odd values for local_size"; the '
        "cuDNN engine runs the same setup."
    )
    example = 'layer { name: "norm1" type: "LRN" bottom: "conv1" top: "norm1" lrn_param { local_size: 4 } }'
    how_to_fix = "Use an odd size (the default is 5; AlexNet uses 5, GoogLeNet 5)."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/lrn_layer.cpp:11-12 (LRNLayer::LayerSetUp: CHECK_EQ(size_ % 2, 1))",
    )

    def check(self, ctx):
        for _, layer in ctx.layers(("LRN",)):
            node = layer.field("lrn_param.local_size")
            size = number(node.scalar) if node is not None else None
            if size is not None and size % 2 == 0:
                ctx.report_node(node, f'LRN "{layer.name}" local_size {fmt(size)} is even: Caffe aborts with "LRN only supports '
                                'odd values for local_size" — use an odd size (default 5)')
