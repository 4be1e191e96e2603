"""L356 reshape-multiple-minus-one: A Reshape shape with more than one -1."""

from __future__ import annotations

from protolint.rule import Rule
from protolint.syntax.nodes import number, values


class ReshapeMultipleMinusOne(Rule):
    code = "L356"
    name = "reshape-multiple-minus-one"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("Reshape",)
    summary = "A Reshape shape with more than one -1"
    what_it_does = "Reports `reshape_param { shape { ... } }` with more than one `dim: -1`."
    why_it_matters = (
        'ReshapeLayer::LayerSetUp aborts with "new shape contains multiple -1 dims; at most a single (1) value of '
        '-1 may be specified".'
    )
    example = 'layer { name: "r" type: "Reshape" bottom: "a" top: "b" reshape_param { shape { dim: 0 dim: -1 dim: -1 } } }'
    how_to_fix = "Keep one -1 (inferred) and give the other sizes, or 0 to copy an input axis."
    version_notes = "The Reshape layer exists since Caffe rc3."
    references = (
        "src/caffe/layers/reshape_layer.cpp:21-24 (ReshapeLayer::LayerSetUp: CHECK on a second -1)",
    )

    def check(self, ctx):
        for _, layer in ctx.layers(("Reshape",)):
            shape = layer.field("reshape_param.shape")
            dims = values(shape.value, "dim") if shape is not None else []
            minus = [node for v, node in dims if number(v) == -1]
            if len(minus) > 1:
                ctx.report_node(minus[1], f'Reshape "{layer.name}" has {len(minus)} dims of -1: Caffe aborts with "new shape '
                                'contains multiple -1 dims; at most a single (1) value of -1 may be specified" — keep one -1 and give the other sizes')
