"""Finding things in a snapshot: the field under the cursor, the layer model of a message, the
parameter blocks a layer type reads, blob shapes per state."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from ..syntax.nodes import Field, ListValue, Message, Scalar

LAYER_MESSAGES = ("LayerParameter", "V1LayerParameter")

# Parameter blocks a layer type reads besides the one named after it (`Foo` reads `foo_param`,
# the LayerParameter field of type FooParameter).
_OTHER_BLOCKS = {
    "Deconvolution": ("convolution_param",),
    "Im2col": ("convolution_param",),
    "LSTM": ("recurrent_param",),
    "RNN": ("recurrent_param",),
    "SoftmaxWithLoss": ("softmax_param", "loss_param"),
    "SigmoidCrossEntropyLoss": ("loss_param",),
    "InfogainLoss": ("loss_param",),
    "Data": ("transform_param",),
    "ImageData": ("transform_param",),
    "WindowData": ("transform_param",),
    "MemoryData": ("transform_param",),
}


@dataclass
class Hit:
    """What is at an offset: the innermost field, the message holding it, and which part."""

    field: Field | None
    holder: Message  # the message `field` belongs to (the root when nothing else)
    part: str  # "name" | "value" | "body" (inside a message value, between fields) | "none"
    scalar: Scalar | None = None  # the scalar under the cursor (a list item too)
    chain: tuple = ()  # the fields from the root down to `field`


def _field_at(message: Message, offset: int) -> Field | None:
    fields = message.fields
    index = bisect_right([f.start for f in fields], offset) - 1
    if index >= 0 and fields[index].start <= offset <= fields[index].end:
        return fields[index]
    return None


def hit_at(root: Message, offset: int) -> Hit:
    holder, chain = root, []
    while True:
        found = _field_at(holder, offset)
        if found is None:
            return Hit(chain[-1] if chain else None, holder, "body" if chain else "none", None, tuple(chain))
        chain.append(found)
        if found.name_start <= offset <= found.name_end:
            return Hit(found, holder, "name", None, tuple(chain))
        value = found.value
        if isinstance(value, Scalar):
            if value.start <= offset <= value.end:
                return Hit(found, holder, "value", value, tuple(chain))
            return Hit(found, holder, "none", None, tuple(chain))
        if isinstance(value, ListValue):
            for item in value.items:
                if isinstance(item, Scalar) and item.start <= offset <= item.end:
                    return Hit(found, holder, "value", item, tuple(chain))
                if isinstance(item, Message) and item.start < offset < item.end:
                    holder = item
                    break
            else:
                return Hit(found, holder, "none", None, tuple(chain))
            continue
        if isinstance(value, Message) and value.start < offset <= value.end:
            holder = value
            continue
        return Hit(found, holder, "none", None, tuple(chain))


def layer_index(snapshot) -> dict[int, tuple]:
    """id(layer message) -> (net, layer) for every net model of the snapshot."""
    memo = snapshot.memo.get("layers")
    if memo is None:
        memo = {}
        for net in nets_of(snapshot):
            for layer in net.layers:
                if not layer.synthetic:
                    memo[id(layer.message)] = (net, layer)
        snapshot.memo["layers"] = memo
    return memo


def nets_of(snapshot) -> list:
    """The snapshot's net models (built here when no rule needed one)."""
    result = snapshot.result
    if result is None:
        return []
    if result.nets:
        return result.nets
    memo = snapshot.memo.get("nets")
    if memo is None:
        memo = []
        if result.kind == "net":
            from ..model.net import Net
            from ..model.usage import decide

            net = Net.from_message(result.document.root)
            net.usage = decide(net, None, snapshot.options.pretrained if snapshot.options else None)
            memo = [net]
        snapshot.memo["nets"] = memo
    return memo


def layer_of(snapshot, chain) -> tuple:
    """(net, layer) of the innermost layer message on a field chain, or (None, None)."""
    index = layer_index(snapshot)
    for f in reversed(chain):
        if isinstance(f.value, Message) and id(f.value) in index:
            return index[id(f.value)]
    return None, None


def layer_at(snapshot, offset: int) -> tuple:
    """(net, layer) whose message spans the offset (the innermost), or (None, None)."""
    result = snapshot.result
    if result is None:
        return None, None
    return layer_of(snapshot, hit_at(result.document.root, offset).chain)


def param_blocks(layer_message_type, layer_type: str) -> list[str]:
    """The `*_param` fields a layer of this type reads, as the schema names them."""
    if layer_message_type is None or not layer_type:
        return []
    found = []
    for f in layer_message_type.fields.values():
        if f.message is not None and f.message.name == f"{layer_type}Parameter" and f.name.endswith("_param"):
            found.append(f.name)
    for name in _OTHER_BLOCKS.get(layer_type, ()):
        if name in layer_message_type.fields and name not in found:
            found.append(name)
    return found


def states_of(net, layer) -> list:
    """The states the net is built in that include this layer."""
    return [state for state in net.states() if layer.included_in(state)]


def blob_use(graph, layer, node, side: str):
    """The BlobUse of `node` (a bottom or top field of `layer`) in one state's graph."""
    if side == "top":
        for use in graph.top_uses.get(layer, ()):
            if use.node is node:
                return use
        return None
    for index, (_, bottom_node) in enumerate(layer.bottoms):
        if bottom_node is node:
            return graph.bottom_use(layer, index)
    return None


def shapes_by_state(net, layer, node, side: str) -> list[tuple[object, object, object]]:
    """(state, shape, producing BlobUse) of a bottom or top of `layer`, per state it is built in."""
    from ..model.shapes import infer_shapes

    found = []
    for state in states_of(net, layer):
        graph = net.graph(state)
        use = blob_use(graph, layer, node, side)
        if use is None:
            found.append((state, None, None))
            continue
        producer = use if side == "top" else graph.producer_of(use)
        shape = infer_shapes(graph).get((use.node.scalar, use.version)) if producer is not None else None
        found.append((state, shape, producer))
    return found


def string_content(text: str, scalar: Scalar) -> tuple[int, int] | None:
    """The offsets of a simple string literal's content (between its quotes), or None."""
    if scalar is None or scalar.kind != "STRING":
        return None
    start, end = scalar.start, scalar.end
    if end - start >= 2 and text[start] in "\"'" and text[end - 1] == text[start]:
        inner = text[start + 1 : end - 1]
        if text[start] not in inner and "\\" not in inner:
            return start + 1, end - 1
    return None
