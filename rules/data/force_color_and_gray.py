"""D608 force-color-and-gray: transform_param with both force_color and force_gray."""

from __future__ import annotations

from protolint.context import node_span
from protolint.rule import Rule

from .._format import layer_name
from ._helpers import TRANSFORM_READERS


class ForceColorAndGray(Rule):
    code = "D608"
    name = "force-color-and-gray"
    severity = "error"
    applies_to = ("net",)
    layer_types = TRANSFORM_READERS
    summary = "transform_param with both force_color and force_gray"
    what_it_does = "Reports transformations that set both `force_color: true` and `force_gray: true`."
    why_it_matters = "Decoding an encoded image then aborts: \"cannot set both force_color and force_gray\"."
    example = (
        'layer {\n  name: "data"\n  type: "Data"\n  top: "data"\n  top: "label"\n'
        '  transform_param { force_color: true force_gray: true }\n'
        '  data_param { source: "train_lmdb" backend: LMDB batch_size: 64 }\n}'
    )
    how_to_fix = "Keep the one you mean."
    version_notes = "Same in every Caffe version that has the fields."
    references = (
        "src/caffe/data_transformer.cpp:136-137 (DataTransformer::Transform of an encoded Datum: CHECK)",
    )

    def check(self, ctx):
        for net, layer in ctx.layers(TRANSFORM_READERS, unbuilt=True):
            color = layer.field("transform_param.force_color")
            gray = layer.field("transform_param.force_gray")
            if color is not None and gray is not None and color.scalar is True and gray.scalar is True:
                ctx.report(*node_span(gray), f'"{layer_name(layer)}" sets both force_color and force_gray: Caffe aborts with "cannot set both '
                    'force_color and force_gray" when decoding encoded images')
