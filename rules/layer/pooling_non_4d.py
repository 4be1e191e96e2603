"""L325 pooling-non-4d: pooling over a blob that does not have 4 axes."""

from __future__ import annotations

from protolint.rule import Rule


class PoolingNon4d(Rule):
    code = "L325"
    name = "pooling-non-4d"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("Pooling",)
    summary = "Pooling over a blob that does not have 4 axes"
    what_it_does = "Reports a Pooling layer whose inferred input does not have exactly 4 axes (N×C×H×W)."
    why_it_matters = (
        "PoolingLayer::Reshape aborts with \"Input must have 4 axes, corresponding to (num, channels, height, "
        "width)\" — e.g. pooling after an InnerProduct, whose output is 2-D."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 16 } }\n'
        'layer {\n  name: "pool"\n  type: "Pooling"\n  bottom: "fc"\n  top: "pool"\n'
        "  pooling_param { pool: MAX kernel_size: 2 stride: 2 }\n}"
    )
    how_to_fix = "Pool a 4-D blob (before the InnerProduct), or Reshape the input to N×C×H×W first."
    version_notes = "No version differences known; checked against BVLC/caffe master (9b89154)."
    references = (
        "src/caffe/layers/pooling_layer.cpp:82-83 (PoolingLayer::Reshape: CHECK_EQ(4, bottom[0]->num_axes()))",
    )

    def check(self, ctx):
        for issue, message in ctx.shape_issues("pooling-non-4d"):
            ctx.report_layer(issue.layer, message, node=issue.node)
