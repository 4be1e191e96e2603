"""N202 duplicate-top: two layers produce the same blob without an in-place rewrite."""

from __future__ import annotations

from protolint.context import Once
from protolint.rule import Rule


class DuplicateTop(Rule):
    code = "N202"
    name = "duplicate-top"
    severity = "error"
    applies_to = ("net",)
    summary = "Two layers produce the same blob without an in-place rewrite"
    what_it_does = (
        "Reports a `top` name that an earlier layer already produces in the same state, unless the "
        "layer rewrites it in place (bottom i and top i are the same name)."
    )
    why_it_matters = "Caffe aborts with `Top blob 'x' produced by multiple sources.` when it builds the net."
    example = 'layer { name: "a" type: "ReLU" bottom: "data" top: "x" }\nlayer { name: "b" type: "Sigmoid" bottom: "data" top: "x" }'
    how_to_fix = "Give the second top its own name, or make the layer in-place by using the same name as its bottom at the same index."
    references = (
        "src/caffe/net.cpp:373-378 (Net::AppendTop: LOG(FATAL) for a top name already in use, unless in place)",
    )

    def check(self, ctx):
        once = Once()
        for net, state, graph in ctx.graphs():
            for use, earlier in graph.duplicate_tops:
                if once.first(use.node):
                    line = ctx.source.position(earlier.node.start)[0]
                    ctx.report_node(
                        use.node,
                        f"top \"{use.node.scalar}\" is already produced by layer \"{earlier.layer.name}\" (line {line}) in the "
                        f"{state.describe()} net: Caffe aborts with `produced by multiple sources`; rename this top",
                        related=[(earlier.node.start, earlier.node.end, "first produced here")],
                    )
