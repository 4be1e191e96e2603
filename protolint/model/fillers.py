"""Fillers: the FillerParameters Caffe instantiates when it builds a layer.

A filler runs when Caffe builds a layer that has no blobs yet — every layer at construction,
before any .caffemodel is copied in — so a filler that aborts breaks deploy nets too. Its
numerical quality only matters for a blob trained from its filled value. `filler_uses(layer)`
lists the written fillers a layer really reads (a bias_filler with `bias_term: false` is never
read), with the blob each one fills; filler.hpp defines the types and the fields each reads.
"""

from __future__ import annotations

from ..syntax.nodes import Field, Message
from .facts import WEIGHT_BEARING
from .memo import per_layer

# A plain class, not a dataclass: creating a dataclass costs ~0.3 ms of start-up each.

FILLER_TYPES = ("constant", "gaussian", "positive_unitball", "uniform", "xavier", "msra", "bilinear")
# The fields each filler reads besides `type`.
FILLER_READS = {
    "constant": ("value",),
    "uniform": ("min", "max"),
    "gaussian": ("mean", "std", "sparse"),
    "positive_unitball": (),
    "xavier": ("variance_norm",),
    "msra": ("variance_norm",),
    "bilinear": (),
}
FILLER_FIELDS = ("value", "min", "max", "mean", "std", "sparse", "variance_norm")
FILLER_DEFAULTS = {"type": "constant", "value": 0.0, "min": 0.0, "max": 1.0, "mean": 0.0, "std": 1.0, "sparse": -1,
                   "variance_norm": "FAN_IN"}


def value_of(filler: Message, name: str):
    """The value Caffe uses for a FillerParameter field: written, else the proto default.
    None when the written value was rejected by the schema checker."""
    node = filler.last(name)
    if node is None:
        return FILLER_DEFAULTS[name]
    value = node.scalar
    return None if isinstance(value, bool) else value


class FillerUse:
    """A filler Caffe creates for a layer: which blob it fills and where it is written."""

    __slots__ = ("layer", "role", "field", "param", "filler", "type_node", "type")

    def __init__(self, layer: object, role: str, field: Field, param: int | None):
        self.layer = layer  # model.net.Layer
        self.role = role  # "weight" | "bias" | "scale" | "slope" | "data"
        self.field = field  # e.g. the `weight_filler` field node
        self.param = param  # the layer's param blob index it fills (None: DummyData's data)
        self.filler: Message = field.value  # the field's message
        self.type_node: Field | None = self.filler.last("type")
        value = value_of(self.filler, "type")
        # the filler type Caffe uses (None: the written value was rejected)
        self.type: str | None = value if isinstance(value, str) else None

    def __repr__(self):
        return f"FillerUse({self.layer.name!r}, {self.role!r}, param={self.param!r}, type={self.type!r})"

    @property
    def anchor(self):
        """Where to point: its `type` field, else the filler field."""
        return self.type_node or self.field


def _filler_field(block: Message | None, name: str) -> Field | None:
    node = block.last(name) if block is not None else None
    return node if node is not None and isinstance(node.value, Message) else None


@per_layer
def filler_uses(layer) -> list[FillerUse]:
    """The written fillers Caffe instantiates when it builds `layer`."""
    uses: list[FillerUse] = []
    block_name = WEIGHT_BEARING.get(layer.type)
    if block_name is not None:
        block = layer.sub(block_name)
        node = _filler_field(block, "weight_filler")
        if node is not None:
            uses.append(FillerUse(layer, "weight", node, 0))
        has_bias = layer.type in ("LSTM", "RNN") or layer.get(f"{block_name}.bias_term") is not False
        node = _filler_field(block, "bias_filler")
        if node is not None and has_bias:
            uses.append(FillerUse(layer, "bias", node, 1))
    elif layer.type == "Scale":
        block = layer.sub("scale_param")
        one_bottom = len(layer.bottoms) <= 1
        node = _filler_field(block, "filler")
        if node is not None and one_bottom:
            uses.append(FillerUse(layer, "scale", node, 0))
        node = _filler_field(block, "bias_filler")
        if node is not None and layer.get("scale_param.bias_term"):
            uses.append(FillerUse(layer, "bias", node, 1 if one_bottom else 0))
    elif layer.type == "Bias":
        node = _filler_field(layer.sub("bias_param"), "filler")
        if node is not None and len(layer.bottoms) <= 1:
            uses.append(FillerUse(layer, "bias", node, 0))
    elif layer.type == "PReLU":
        node = _filler_field(layer.sub("prelu_param"), "filler")
        if node is not None:
            uses.append(FillerUse(layer, "slope", node, 0))
    elif layer.type == "DummyData":
        block = layer.sub("dummy_data_param")
        if block is not None:
            for node in block.all("data_filler"):
                if isinstance(node.value, Message):
                    uses.append(FillerUse(layer, "data", node, None))
    return uses
