"""D607 mean-value-count: A number of mean_value entries that fits neither 1 nor the channel count."""

from __future__ import annotations

from protolint.context import node_span
from protolint.model.net import Layer
from protolint.rule import Rule
from protolint.syntax.nodes import number

from .._format import layer_name
from ._helpers import TRANSFORM_READERS, mean_values


def data_channels(layer: Layer) -> int | None:
    """The channel count of the data a layer transforms, when the file says it."""
    if layer.get("transform_param.force_color") is True:
        return 3
    if layer.get("transform_param.force_gray") is True:
        return 1
    if layer.type == "ImageData":
        return 3 if layer.get("image_data_param.is_color") is not False else 1
    if layer.type == "WindowData":
        return 3
    if layer.type == "MemoryData":
        channels = number(layer.get("memory_data_param.channels"))
        return int(channels) if channels else None
    return None


class MeanValueCount(Rule):
    code = "D607"
    name = "mean-value-count"
    severity = "error"
    applies_to = ("net",)
    layer_types = TRANSFORM_READERS
    summary = "A number of mean_value entries that fits neither 1 nor the channel count"
    what_it_does = (
        "Counts `mean_value` entries: one, or one per channel. Error when the channel count is known "
        "(ImageData `is_color`, WindowData, MemoryData `channels`, `force_color`/`force_gray`); info when it "
        "is unknown and the count is neither 1 nor 3."
    )
    why_it_matters = "DataTransformer aborts with \"Specify either 1 mean_value or as many as channels: C\"."
    example = (
        'layer {\n  name: "data"\n  type: "ImageData"\n  top: "data"\n  top: "label"\n'
        '  transform_param { mean_value: 104 mean_value: 117 mean_value: 123 }\n'
        '  image_data_param { source: "train.txt" batch_size: 32 is_color: false }\n}'
    )
    how_to_fix = "Give one mean_value for all channels, or exactly one per channel (B, G, R order for OpenCV-loaded images)."
    version_notes = "Same in every Caffe version."
    references = (
        "src/caffe/data_transformer.cpp:67-69 (DataTransformer::Transform: CHECK on the number of mean values)",
    )

    def check(self, ctx):
        for net, layer in ctx.layers(TRANSFORM_READERS, unbuilt=True):
            values = mean_values(layer)
            c = len(values)
            if c <= 1:
                continue
            channels = data_channels(layer)
            if channels is not None:
                if c == channels:
                    continue
                node = values[channels] if c > channels else values[0]
                ctx.report(*node_span(node), f'"{layer_name(layer)}" gives {c} mean_value entries for {channels}-channel data: Caffe aborts with '
                    f'"Specify either 1 mean_value or as many as channels: {channels}"')
            elif c != 3:
                ctx.report(*node_span(values[0]), f'"{layer_name(layer)}" gives {c} mean_value entries: Caffe needs 1 or one per channel of the stored '
                    'images and otherwise aborts with "Specify either 1 mean_value or as many as channels"', severity="info")
