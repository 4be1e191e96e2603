"""D610 imagedata-new-size-partial: imageData with only one of new_height and new_width."""

from __future__ import annotations

from protolint.context import node_span
from protolint.rule import Rule
from protolint.syntax.nodes import number

from .._format import layer_name


class ImageDataNewSizePartial(Rule):
    code = "D610"
    name = "imagedata-new-size-partial"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("ImageData",)
    summary = "ImageData with only one of new_height and new_width"
    what_it_does = "Reports ImageData layers where exactly one of `new_height` and `new_width` is > 0."
    why_it_matters = (
        "ImageData resizes only to both dimensions: \"Current implementation requires new_height and new_width "
        "to be set at the same time.\""
    )
    example = (
        'layer {\n  name: "data"\n  type: "ImageData"\n  top: "data"\n  top: "label"\n'
        '  image_data_param { source: "train.txt" batch_size: 32 new_height: 256 }\n}'
    )
    how_to_fix = "Set both new_height and new_width (or neither)."
    version_notes = "Same in every Caffe version."
    references = (
        "src/caffe/layers/image_data_layer.cpp:33-35 (ImageDataLayer::DataLayerSetUp: CHECK)",
    )

    def check(self, ctx):
        for net, layer in ctx.layers(("ImageData",), unbuilt=True):
            h = layer.field("image_data_param.new_height")
            w = layer.field("image_data_param.new_width")
            h_set = h is not None and (number(h.scalar) or 0) > 0
            w_set = w is not None and (number(w.scalar) or 0) > 0
            if h_set != w_set:
                node, name = (h, "new_height") if h_set else (w, "new_width")
                ctx.report(*node_span(node), f'ImageData "{layer_name(layer)}" sets only {name}: Caffe aborts with "Current implementation requires '
                    'new_height and new_width to be set at the same time."')
