"""L377 scale-bias-num-axes-invalid: A Scale/Bias num_axes below -1."""

from __future__ import annotations

from protolint.rule import Rule
from protolint.syntax.nodes import number

from .._format import fmt


class ScaleBiasNumAxesInvalid(Rule):
    code = "L377"
    name = "scale-bias-num-axes-invalid"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("Scale", "Bias")
    summary = "A Scale/Bias num_axes below -1"
    what_it_does = "Reports Scale and Bias layers with one bottom and `num_axes < -1`."
    why_it_matters = 'ScaleLayer/BiasLayer::LayerSetUp abort with "num_axes must be non-negative, or -1 to extend to the end of bottom[0]".'
    example = 'layer { name: "scale" type: "Scale" bottom: "a" top: "a" scale_param { num_axes: -2 } }'
    how_to_fix = "Use num_axes -1 (to the end), 0 (a scalar) or the number of axes to cover (default 1)."
    version_notes = "Scale and Bias exist since Caffe rc3."
    references = (
        "src/caffe/layers/scale_layer.cpp:21 (ScaleLayer::LayerSetUp: CHECK_GE(num_axes, -1))",
        "src/caffe/layers/bias_layer.cpp:19 (BiasLayer::LayerSetUp: CHECK_GE(num_axes, -1))",
    )

    def check(self, ctx):
        for _, layer in ctx.layers(("Scale", "Bias")):
            if len(layer.bottoms) != 1:
                continue
            block = "scale_param" if layer.type == "Scale" else "bias_param"
            node = layer.field(f"{block}.num_axes")
            n = number(node.scalar) if node is not None else None
            if n is not None and n < -1:
                ctx.report_node(node, f'{layer.type} "{layer.name}" num_axes {fmt(n)}: Caffe aborts with "num_axes must be '
                                'non-negative, or -1 to extend to the end of bottom[0]" — use -1, 0 or a positive count')
