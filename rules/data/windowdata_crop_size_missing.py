"""D611 windowdata-crop-size-missing: windowData without transform_param.crop_size."""

from __future__ import annotations

from protolint.context import layer_span
from protolint.rule import Rule
from protolint.syntax.nodes import number

from .._format import layer_name
from ._helpers import transform_field


class WindowDataCropSizeMissing(Rule):
    code = "D611"
    name = "windowdata-crop-size-missing"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("WindowData",)
    summary = "WindowData without transform_param.crop_size"
    what_it_does = "Reports WindowData layers without `transform_param.crop_size > 0` (window_data_param.crop_size is ignored in `layer` syntax)."
    why_it_matters = "WindowData crops every window to crop_size and aborts without it: \"Check failed: crop_size > 0\"."
    example = (
        'layer {\n  name: "data"\n  type: "WindowData"\n  top: "data"\n  top: "label"\n'
        '  window_data_param { source: "windows.txt" batch_size: 128 crop_size: 227 }\n}'
    )
    how_to_fix = "Set `transform_param { crop_size: 227 }` (the network's input size)."
    version_notes = "Same in every Caffe version with transform_param."
    references = (
        "src/caffe/layers/window_data_layer.cpp:172-173 (WindowDataLayer::DataLayerSetUp: CHECK_GT(crop_size, 0))",
    )

    def check(self, ctx):
        for net, layer in ctx.layers(("WindowData",), unbuilt=True):
            crop = transform_field(layer, "crop_size")
            if crop is not None and (number(crop.scalar) or 0) > 0:
                continue
            ctx.report(*layer_span(layer), f'WindowData "{layer_name(layer)}" needs transform_param.crop_size > 0 (window_data_param.crop_size is '
                'ignored): Caffe aborts with "Check failed: crop_size > 0"')
