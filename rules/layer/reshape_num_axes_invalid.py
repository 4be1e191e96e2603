"""L357 reshape-num-axes-invalid: A Reshape num_axes below -1."""

from __future__ import annotations

from protolint.rule import Rule
from protolint.syntax.nodes import number

from .._format import fmt


class ReshapeNumAxesInvalid(Rule):
    code = "L357"
    name = "reshape-num-axes-invalid"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("Reshape",)
    summary = "A Reshape num_axes below -1"
    what_it_does = "Reports `reshape_param { num_axes: n }` with n < -1."
    why_it_matters = 'ReshapeLayer::Reshape aborts with "num_axes must be >= 0, or -1 for all".'
    example = 'layer { name: "r" type: "Reshape" bottom: "a" top: "b" reshape_param { num_axes: -2 shape { dim: -1 } } }'
    how_to_fix = "Use -1 (all axes from `axis` on, the default) or a count >= 0."
    version_notes = "The Reshape layer exists since Caffe rc3."
    references = (
        "src/caffe/layers/reshape_layer.cpp:40-41 (ReshapeLayer::Reshape: CHECK_GE(num_axes, -1))",
    )

    def check(self, ctx):
        for _, layer in ctx.layers(("Reshape",)):
            node = layer.field("reshape_param.num_axes")
            n = number(node.scalar) if node is not None else None
            if n is not None and n < -1:
                ctx.report_node(node, f'Reshape "{layer.name}" num_axes {fmt(n)}: Caffe aborts with "num_axes must be >= 0, or '
                                '-1 for all" — use -1 (all remaining axes) or a count ≥ 0')
