"""Questions about what flows through a net's blobs, answered on one state's BlobGraph.

- `producer` / `producing_layer`: which layer really computes what a bottom reads, looking through
  layers that only pass values on (Reshape, Flatten, Split, Dropout, Slice; a Concat whose inputs
  all come from one layer type counts as that type);
- `channels`: the size of axis 1 of a bottom's blob, when the net states it;
- `is_head`: a layer whose output is the prediction a loss reads;
- `non_negative`: a layer whose outputs are never negative.
Each is linear in the number of layers it walks and bounded, so a malformed net cannot loop.
"""

from __future__ import annotations

from ..syntax.nodes import Message, Scalar, number
from .facts import CHANNEL_PRESERVING, HEAD_PASSING, LOSS_TYPES, STRICTLY_POSITIVE, VALUE_PASSING


def producer(graph, use, through: frozenset[str] = VALUE_PASSING, limit: int = 10000):
    """The top (a BlobUse) of the first layer behind a bottom use whose type is not in `through`;
    a Concat whose inputs all trace to one layer type answers for them. None when unknown."""
    if use is None:
        return None
    top = graph.producer_of(use)
    while top is not None and limit > 0:
        limit -= 1
        layer = top.layer
        if layer.type in through and layer.bottoms:
            below = graph.bottom_use(layer)
            top = graph.producer_of(below) if below is not None else None
            continue
        if layer.type == "Concat" and layer.bottoms:
            sources = [producer(graph, graph.bottom_use(layer, i), through, limit // 2) for i in range(len(layer.bottoms))]
            if all(s is not None for s in sources) and len({s.layer.type for s in sources}) == 1:
                return sources[0]
        return top
    return top


def producing_layer(graph, layer, index: int = 0, through: frozenset[str] = VALUE_PASSING):
    """The layer that computes what `layer` reads at bottom `index` (see `producer`); None when unknown."""
    top = producer(graph, graph.bottom_use(layer, index), through)
    return None if top is None else top.layer


def channels(graph, use, limit: int = 10000) -> int | None:
    """The size of axis 1 of the blob a bottom use reads, or None when the net does not state it."""
    found = _channels(graph, use, limit)
    return found[0] if found else None


def _channels(graph, use, limit):
    """(count, the layer type that set it) or None."""
    top = graph.producer_of(use) if use is not None else None
    while top is not None and limit > 0:
        limit -= 1
        layer = top.layer
        kind = layer.type
        if kind == "InnerProduct":
            n = _positive_int(layer.get("inner_product_param.num_output"))
            return (n, kind) if n and layer.get("inner_product_param.axis") in (1, None) else None
        if kind in ("Convolution", "Deconvolution"):
            n = _positive_int(layer.get("convolution_param.num_output"))
            return (n, kind) if n and layer.get("convolution_param.axis") in (1, None) else None
        if kind in CHANNEL_PRESERVING or (kind == "Crop" and (layer.get("crop_param.axis") or 0) >= 2):
            below = graph.bottom_use(layer)
            top = graph.producer_of(below) if below is not None else None
            continue
        if kind == "Flatten":
            # Flatten keeps axis 1 only when nothing follows it: an InnerProduct's N×C output.
            inner = _channels(graph, graph.bottom_use(layer), limit)
            return inner if inner and inner[1] == "InnerProduct" else None
        if kind == "Concat":
            axis = layer.get("concat_param.axis") if layer.has("concat_param.axis") else layer.get("concat_param.concat_dim")
            if axis not in (1, None):
                return None
            parts = [_channels(graph, graph.bottom_use(layer, i), limit // 2) for i in range(len(layer.bottoms))]
            if not parts or any(p is None for p in parts):
                return None
            return sum(p[0] for p in parts), "Concat"
        if kind == "ImageData" and top.index == 0:
            return (3 if layer.get("image_data_param.is_color") is not False else 1), kind
        if kind == "Input" and not layer.synthetic:
            return _input_channels(layer, top.index)
        return None
    return None


def _positive_int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _input_channels(layer, index):
    block = layer.sub("input_param")
    shapes = [f.value for f in block.all("shape") if isinstance(f.value, Message)] if block is not None else []
    if index < len(shapes):
        shape = shapes[index]
    elif len(shapes) == 1:
        shape = shapes[0]
    else:
        return None
    dims = [item.value for f in shape.all("dim") for item in f.values() if isinstance(item, Scalar)]
    n = _positive_int(dims[1]) if len(dims) >= 2 else None
    return (n, "Input") if n else None


def is_head(graph, layer) -> bool:
    """A layer whose top reaches a loss layer's prediction input only through layers that keep it
    the prediction (Reshape, Flatten, Split, Dropout, Softmax): trained from zero it still learns."""
    stack = [(layer, i) for i in range(len(layer.tops))]
    seen = {id(layer)}
    while stack:
        current, index = stack.pop()
        for use in graph.readers_of_top(current, index):
            reader = use.layer
            if reader.type in LOSS_TYPES:
                if use.index == 0 or reader.type == "EuclideanLoss":
                    return True
                continue
            if reader.type in HEAD_PASSING and id(reader) not in seen:
                seen.add(id(reader))
                stack.extend((reader, i) for i in range(len(reader.tops)))
    return False


def non_negative(layer) -> bool:
    """The layer's outputs are never negative (whatever its input)."""
    kind = layer.type
    if kind in STRICTLY_POSITIVE or kind in ("AbsVal", "Threshold"):
        return True
    if kind == "ReLU":
        return not number(layer.get("relu_param.negative_slope"))
    if kind == "Power":
        power = number(layer.get("power_param.power"))
        return power is not None and float(power).is_integer() and int(power) % 2 == 0
    return False
