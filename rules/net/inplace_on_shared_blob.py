"""N203 inplace-on-shared-blob: an in-place layer rewrites a blob that another layer also reads."""

from __future__ import annotations

from protolint.context import Once
from protolint.rule import Rule


class InplaceOnSharedBlob(Rule):
    code = "N203"
    name = "inplace-on-shared-blob"
    severity = "error"
    applies_to = ("net",)
    summary = "An in-place layer rewrites a blob that another layer also reads"
    what_it_does = (
        "Finds a blob version that Caffe splits (read by two or more layers, or read once and also given a "
        "loss_weight by its producer) where a reader works in place (`bottom: \"x\" top: \"x\"`)."
    )
    why_it_matters = (
        "Caffe inserts a Split layer for a blob with several readers and renames their bottoms; the "
        "in-place layer then is not in place any more and its top collides with the producer's: "
        "`Top blob 'x' produced by multiple sources` (reproduced by running Caffe)."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 8 } } }\n'
        'layer { name: "ip1" type: "InnerProduct" bottom: "data" top: "ip1" inner_product_param { num_output: 10 } }\n'
        'layer { name: "ip2" type: "InnerProduct" bottom: "ip1" top: "ip2" inner_product_param { num_output: 10 } }\n'
        'layer { name: "relu1" type: "ReLU" bottom: "ip1" top: "ip1" }  # ip2 also reads the ip1 that relu1 rewrites'
    )
    how_to_fix = "Give the in-place layer its own top name, or make the other readers consume the rewritten blob (place them after it)."
    references = (
        "src/caffe/util/insert_splits.cpp:54-86 (InsertSplits: readers of a shared top get renamed split outputs)",
        "src/caffe/net.cpp:365-378 (Net::AppendTop: in place only when the top equals the bottom; otherwise a "
        "reused name aborts)",
    )

    def check(self, ctx):
        once = Once()
        for net, state, graph in ctx.graphs():
            for top, uses in graph.split_points():
                blob = top.node.scalar
                for use in uses:
                    if use.in_place and once.first(use.node):
                        others = [u.layer.name for u in uses if u is not use]
                        other = f'"{others[0]}" also reads it' if others else f'its producer "{top.layer.name}" gives it a loss_weight'
                        ctx.report_node(
                            use.node,
                            f"layer \"{use.layer.name}\" rewrites \"{blob}\" in place while {other} "
                            f"({state.describe()} net): Caffe's split makes the top collide (`produced by multiple "
                            "sources`); give this layer its own top name",
                        )
