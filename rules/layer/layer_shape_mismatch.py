"""L360 layer-shape-mismatch: A layer's input shapes fail its geometry CHECKs."""

from __future__ import annotations

from protolint.rule import Rule


class LayerShapeMismatch(Rule):
    code = "L360"
    name = "layer-shape-mismatch"
    severity = "error"
    applies_to = ("net",)
    summary = "A layer's input shapes fail its geometry CHECKs"
    what_it_does = (
        "With known shapes, checks the geometry CHECKs of layer setup: identical Eltwise (and multi-input "
        "Convolution) bottoms, Concat inputs equal off the concat axis, Slice points inside the axis and even "
        "splits, Reshape copies/-1/count, Crop offsets and bounds, Scale/Bias parameter blobs matching bottom 0, "
        "pooling windows clipped into the input, and axis indices within the blob's axes."
    )
    why_it_matters = "Each of these is a CHECK in the layer's LayerSetUp/Reshape: Caffe aborts when it builds the net."
    example = (
        'layer { name: "a" type: "Input" top: "a" input_param { shape { dim: 1 dim: 64 dim: 56 dim: 56 } } }\n'
        'layer { name: "b" type: "Input" top: "b" input_param { shape { dim: 1 dim: 64 dim: 28 dim: 28 } } }\n'
        'layer {\n  name: "sum"\n  type: "Eltwise"\n  bottom: "a"\n  bottom: "b"\n  top: "sum"\n'
        "  eltwise_param { operation: SUM }\n}"
    )
    how_to_fix = (
        "Make the inputs agree (e.g. add a stride-2 projection on the shortcut of a downsampling residual block, "
        "crop or pad one branch), or fix the axis / slice points / offsets."
    )
    version_notes = "No version differences known; checked against BVLC/caffe master (9b89154)."

    def check(self, ctx):
        for issue, message in ctx.shape_issues("shape-mismatch"):
            ctx.report_layer(issue.layer, message, node=issue.node)
