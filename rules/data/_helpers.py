"""Helpers shared by several data rules."""

from __future__ import annotations

from protolint.context import layer_span
from protolint.model.net import Layer
from protolint.syntax.nodes import Field, Scalar, number

from .._format import fmt


# The data parameter block whose transformation fields the V1 -> V2 data upgrade moves.
DATA_PARAM = {"Data": "data_param", "ImageData": "image_data_param", "WindowData": "window_data_param"}


MOVED_FIELDS = ("scale", "mean_file", "crop_size", "mirror")


def transform_field(layer: Layer, name: str) -> Field | None:
    """`transform_param.<name>` as Caffe sees it: for V1 Data/ImageData/WindowData layers of a file,
    the upgrade (upgrade_proto.cpp:608-667) moves scale/mean_file/crop_size/mirror from the data
    parameter into transform_param."""
    node = layer.field(f"transform_param.{name}")
    if layer.v1 and name in MOVED_FIELDS and layer.type in DATA_PARAM:
        moved = layer.field(f"{DATA_PARAM[layer.type]}.{name}")
        if moved is not None:
            return moved
    return node


def mean_values(layer: Layer) -> list[Scalar]:
    block = layer.sub("transform_param")
    if block is None:
        return []
    return [v for f in block.all("mean_value") for v in f.values() if isinstance(v, Scalar)]


def deprecated_transform_fields(layer: Layer) -> list[tuple[Field, str, str]]:
    """(field, what Caffe does instead, field path) for transformation settings that a V2 data layer
    never reads. Values that change nothing (scale 1, mirror false, ...) and fields that
    transform_param also sets are left out."""
    if layer.v1 or layer.type not in DATA_PARAM:
        return []
    param = DATA_PARAM[layer.type]
    block = layer.sub(param)
    found = []
    if block is not None:
        for name in MOVED_FIELDS:
            if layer.type == "WindowData" and name in ("scale", "crop_size"):
                continue  # WindowData still reads its scale; a missing crop is windowdata-crop-size-missing
            node = block.last(name)
            if node is None or layer.field(f"transform_param.{name}") is not None:
                continue
            value = node.scalar
            if name == "scale" and number(value) is not None and value != 1:
                consequence = f"the data is fed unscaled (×1 instead of ×{fmt(value)})"
            elif name == "mean_file" and isinstance(value, str) and value:
                consequence = "no mean is subtracted"
            elif name == "crop_size" and (number(value) or 0) > 0:
                consequence = "no cropping happens (whole images are fed)"
            elif name == "mirror" and value is True:
                consequence = "no mirroring happens"
            else:
                continue
            found.append((node, consequence, f"{param}.{name}"))
    if layer.type == "WindowData":
        scale = layer.field("transform_param.scale")
        if scale is not None and number(scale.scalar) is not None and scale.scalar != 1:
            found.append((scale, f"WindowData never reads it (it scales by window_data_param.scale), so the data is "
                                 f"fed unscaled instead of ×{fmt(scale.scalar)}", "transform_param.scale"))
    return found


def _block_span(layer: Layer, net, name: str) -> tuple[int, int]:
    """A parameter block's name, else the layer."""
    node = layer.message.last(name)
    return (node.name_start, node.name_end) if node is not None else layer_span(layer)


TRANSFORM_READERS = ("Data", "ImageData", "WindowData", "MemoryData")


def _legacy_fields(ctx):
    """(net, input fields, input_shape fields, input_dim value count) of a net file using legacy inputs."""
    if ctx.kind != "net":
        return None
    root = ctx.net.root
    inputs = root.all("input")
    if not inputs:
        return None
    return ctx.net, inputs, root.all("input_shape"), root.count("input_dim")
