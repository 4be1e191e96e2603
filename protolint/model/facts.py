"""What protolint knows about each Caffe layer type, in one place: which types BVLC Caffe registers,
how many bottoms and tops a layer takes, how many parameter blobs it owns, which layers are
losses, which bottoms cannot receive a gradient, and the sets of types that keep values, shapes
or channels of their input (what the dataflow questions of several rules follow).

Small data plus functions of a model.net.Layer (anything with `type`, `bottoms`, `tops` and
`get(path)` works). Every function returns None for types whose facts are unknown: Python layers
(set by the user's class) and types BVLC does not register (forks, typos).

Sources: `CheckBlobCounts` (include/caffe/layer.hpp:346-383) with the per-class
`ExactNum…/Min…/Max…/EqualNumBottomTopBlobs` overrides in include/caffe/layers/*.hpp; parameter
blobs from each layer's LayerSetUp; `AllowForceBackward` overrides; the LOG(FATAL)/CHECKs in the
Backward_cpu functions.
"""

from __future__ import annotations

from ..values import Frozen
from .memo import per_layer

# A plain class, not a dataclass: creating a dataclass costs ~0.3 ms of start-up each.

# Layer types registered in BVLC Caffe 9b89154 (REGISTER_LAYER_CLASS / REGISTER_LAYER_CREATOR).
BVLC_LAYER_TYPES = frozenset(
    """AbsVal Accuracy ArgMax BNLL BatchNorm BatchReindex Bias Clip Concat ContrastiveLoss Convolution
    Crop Data Deconvolution Dropout DummyData ELU Eltwise Embed EuclideanLoss Exp Filter Flatten HDF5Data
    HDF5Output HingeLoss Im2col ImageData InfogainLoss InnerProduct Input LRN LSTM LSTMUnit Log MVN
    MemoryData MultinomialLogisticLoss PReLU Parameter Pooling Power Python RNN ReLU Reduction Reshape SPP
    Scale Sigmoid SigmoidCrossEntropyLoss Silence Slice Softmax SoftmaxWithLoss Split Swish TanH Threshold
    Tile WindowData""".split()
)

# Layer classes derived from LossLayer: loss_weight 1 on top 0 unless set.
LOSS_TYPES = frozenset(
    "ContrastiveLoss EuclideanLoss HingeLoss InfogainLoss MultinomialLogisticLoss "
    "SigmoidCrossEntropyLoss SoftmaxWithLoss".split()
)

# One bottom, one top, elementwise (NeuronLayer subclasses).
NEURON_TYPES = frozenset(
    "AbsVal BNLL Clip Dropout ELU Exp Log Power PReLU ReLU Sigmoid Swish TanH Threshold".split()
)
# Layers with no bottoms that fill their tops themselves.
DATA_LAYER_TYPES = frozenset("Data ImageData WindowData MemoryData HDF5Data DummyData Input Parameter".split())

# --- what a layer keeps of its input (bottom 0 -> top 0) -------------------------------------------

# The top holds exactly the bottom's values, maybe in another shape (Dropout: scaled, or the same at TEST).
VALUE_PRESERVING = frozenset("Reshape Flatten Split Dropout".split())
# ... or a part of them: what a value-tracing question (is this the output of a Softmax?) looks through.
VALUE_PASSING = VALUE_PRESERVING | {"Slice"}
# The top keeps the bottom's range of values (raw pixels stay raw pixels): also pooling, cropping,
# concatenating and ReLU, which only clips negatives.
RANGE_PRESERVING = VALUE_PASSING | {"Crop", "Concat", "Pooling", "ReLU"}
# Through these, a layer's output still is the prediction a loss reads (Softmax only renormalises).
HEAD_PASSING = VALUE_PRESERVING | {"Softmax"}
# The top has the shape of bottom 0.
SAME_SHAPE = NEURON_TYPES | frozenset("BatchNorm Scale Bias MVN LRN Softmax".split())
# Batch and spatial size kept (a Split's tops are copies).
SPATIAL_PRESERVING = SAME_SHAPE | {"Split"}
# The top has bottom 0's channel count (axis 1). Crop keeps it too when it crops from axis 2 on.
CHANNEL_PRESERVING = SAME_SHAPE | frozenset("Pooling Eltwise Split".split())
# Outputs that are never negative, and those that are always > 0.
STRICTLY_POSITIVE = frozenset("Sigmoid Softmax Exp BNLL".split())

# --- weights -------------------------------------------------------------------------------------

# Layers with a weight blob (param 0) and an optional bias blob (param 1), and the block holding
# their fillers and bias_term.
WEIGHT_BEARING = {
    "Convolution": "convolution_param",
    "Deconvolution": "convolution_param",
    "InnerProduct": "inner_product_param",
    "Embed": "embed_param",
    "LSTM": "recurrent_param",
    "RNN": "recurrent_param",
}
# Layers that multiply their bottom 0 (raw features) by learned weights.
LINEAR_ON_INPUT = frozenset("Convolution Deconvolution InnerProduct".split())


def known_layer_types(schema, extra: frozenset[str] = frozenset()) -> frozenset[str]:
    """The layer types a net may use: BVLC's registry, what the user declared, and for a fork's
    schema the types its LayerParameter implies (`FooParameter foo_param` -> "Foo")."""
    key = ("known_layer_types", extra)
    cached = schema.derived.get(key)
    if cached is None:
        cached = schema.derived[key] = BVLC_LAYER_TYPES | extra | fork_layer_types(schema)
    return cached


def fork_layer_types(schema) -> frozenset[str]:
    """Layer types a fork's schema implies. Only for a schema given with --proto; BVLC's own
    registry is known exactly."""
    if schema.builtin or not schema.has_message("LayerParameter"):
        return frozenset()
    found = set()
    for f in schema.message("LayerParameter").fields.values():
        if f.message is not None and f.message.name.endswith("Parameter"):
            found.add(f.message.name[: -len("Parameter")])
    return frozenset(found - {"Transformation", "Loss"})


class BlobCounts(Frozen):
    """Caffe's blob-count contract of one layer; -1 = no constraint (as in layer.hpp). Immutable;
    equal and hashed by value."""

    __slots__ = ("exact_bottoms", "min_bottoms", "max_bottoms", "exact_tops", "min_tops", "max_tops",
                 "equal_bottom_top", "tops_bottoms_minus_one", "auto_tops")

    def __init__(self, exact_bottoms: int = -1, min_bottoms: int = -1, max_bottoms: int = -1, exact_tops: int = -1,
                 min_tops: int = -1, max_tops: int = -1, equal_bottom_top: bool = False,
                 tops_bottoms_minus_one: bool = False, auto_tops: bool = False):
        self.exact_bottoms = exact_bottoms
        self.min_bottoms = min_bottoms
        self.max_bottoms = max_bottoms
        self.exact_tops = exact_tops
        self.min_tops = min_tops
        self.max_tops = max_tops
        self.equal_bottom_top = equal_bottom_top  # Convolution/Deconvolution: one top per bottom
        self.tops_bottoms_minus_one = tops_bottoms_minus_one  # Filter: CHECK_EQ(top.size(), bottom.size() - 1)
        self.auto_tops = auto_tops  # loss layers: missing tops are created anonymously (net.cpp:108-121)

    def effective_tops(self, given: int) -> int:
        """The number of tops Caffe builds when `given` are written (auto tops added)."""
        if self.auto_tops:
            return max(given, self.min_tops, self.exact_tops)
        return given

    def violation(self, type_name: str, bottoms: int, tops: int) -> tuple[str, str] | None:
        """The first CHECK that fails for this many bottoms/tops (tops before auto tops), as
        ("bottom" | "top", Caffe's message), in the order CheckBlobCounts tests them."""
        tops = self.effective_tops(tops)
        # (Tested one by one, each message written only for the check that fails: this runs for
        # every layer of a net.)
        if self.exact_bottoms >= 0 and bottoms != self.exact_bottoms:
            return "bottom", f"{type_name} Layer takes {self.exact_bottoms} bottom blob(s) as input."
        if self.min_bottoms >= 0 and bottoms < self.min_bottoms:
            return "bottom", f"{type_name} Layer takes at least {self.min_bottoms} bottom blob(s) as input."
        if self.max_bottoms >= 0 and bottoms > self.max_bottoms:
            return "bottom", f"{type_name} Layer takes at most {self.max_bottoms} bottom blob(s) as input."
        if self.exact_tops >= 0 and tops != self.exact_tops:
            return "top", f"{type_name} Layer produces {self.exact_tops} top blob(s) as output."
        if self.min_tops >= 0 and tops < self.min_tops:
            return "top", f"{type_name} Layer produces at least {self.min_tops} top blob(s) as output."
        if self.max_tops >= 0 and tops > self.max_tops:
            return "top", f"{type_name} Layer produces at most {self.max_tops} top blob(s) as output."
        if self.equal_bottom_top and bottoms != tops:
            return "top", f"{type_name} Layer produces one top blob as output for each bottom blob input."
        if self.tops_bottoms_minus_one and tops != bottoms - 1:
            return "top", f"Check failed: top.size() == bottom.size() - 1 ({tops} vs. {bottoms - 1})"
        return None

    def describe(self, side: str) -> str:
        """"1", "1-2", "at least 2", "any number of" ... for messages."""
        exact, low, high = (
            (self.exact_bottoms, self.min_bottoms, self.max_bottoms) if side == "bottom"
            else (self.exact_tops, self.min_tops, self.max_tops)
        )
        if exact >= 0:
            return str(exact)
        if low >= 0 and high >= 0:
            return str(low) if low == high else f"{low}-{high}"
        if low >= 0:
            return f"at least {low}"
        if high >= 0:
            return f"at most {high}"
        return "any number of"


_ONE_ONE = BlobCounts(exact_bottoms=1, exact_tops=1)
_LOSS = BlobCounts(exact_bottoms=2, exact_tops=1, auto_tops=True)

_COUNTS: dict[str, BlobCounts] = {
    **{t: _ONE_ONE for t in NEURON_TYPES},
    **{t: _ONE_ONE for t in "ArgMax BatchNorm Embed Im2col InnerProduct Flatten Reshape Reduction SPP Tile MVN LRN Softmax".split()},
    "Accuracy": BlobCounts(exact_bottoms=2, min_tops=1, max_tops=2),
    "BatchReindex": BlobCounts(exact_bottoms=2, exact_tops=1),
    "Bias": BlobCounts(min_bottoms=1, max_bottoms=2, exact_tops=1),
    "Scale": BlobCounts(min_bottoms=1, max_bottoms=2, exact_tops=1),
    "Concat": BlobCounts(min_bottoms=1, exact_tops=1),
    "Convolution": BlobCounts(min_bottoms=1, min_tops=1, equal_bottom_top=True),
    "Deconvolution": BlobCounts(min_bottoms=1, min_tops=1, equal_bottom_top=True),
    "Crop": BlobCounts(exact_bottoms=2, exact_tops=1),
    "Data": BlobCounts(exact_bottoms=0, min_tops=1, max_tops=2),
    "ImageData": BlobCounts(exact_bottoms=0, exact_tops=2),
    "WindowData": BlobCounts(exact_bottoms=0, exact_tops=2),
    "MemoryData": BlobCounts(exact_bottoms=0, exact_tops=2),
    "HDF5Data": BlobCounts(exact_bottoms=0, min_tops=1),
    "Input": BlobCounts(exact_bottoms=0, min_tops=1),
    "DummyData": BlobCounts(exact_bottoms=0, min_tops=1),
    "Parameter": BlobCounts(exact_bottoms=0, exact_tops=1),
    "HDF5Output": BlobCounts(exact_bottoms=2, exact_tops=0),
    "Silence": BlobCounts(min_bottoms=1, exact_tops=0),
    "Split": BlobCounts(exact_bottoms=1, min_tops=1),
    "Slice": BlobCounts(exact_bottoms=1, min_tops=1),
    "Eltwise": BlobCounts(min_bottoms=2, exact_tops=1),
    "Filter": BlobCounts(min_bottoms=2, min_tops=1, tops_bottoms_minus_one=True),
    "Pooling": BlobCounts(exact_bottoms=1, min_tops=1, max_tops=1),  # MAX: 2 (see blob_counts)
    "LSTMUnit": BlobCounts(exact_bottoms=3, exact_tops=2),
    "SoftmaxWithLoss": BlobCounts(exact_bottoms=2, min_tops=1, max_tops=2, auto_tops=True),
    "InfogainLoss": BlobCounts(min_bottoms=2, max_bottoms=3, min_tops=1, max_tops=2, auto_tops=True),
    "ContrastiveLoss": BlobCounts(exact_bottoms=3, exact_tops=1, auto_tops=True),
    "MultinomialLogisticLoss": _LOSS,
    "SigmoidCrossEntropyLoss": _LOSS,
    "HingeLoss": _LOSS,
    "EuclideanLoss": _LOSS,
}

# Hidden-state blobs a recurrent layer exposes with `recurrent_param.expose_hidden`.
_RECURRENT_STATES = {"LSTM": 2, "RNN": 1}


def blob_counts(layer) -> BlobCounts | None:
    """The blob-count contract of `layer`, or None when unknown (Python, unregistered types)."""
    layer_type = layer.type
    if layer_type == "Pooling":
        return BlobCounts(exact_bottoms=1, min_tops=1, max_tops=2 if layer.get("pooling_param.pool") == "MAX" else 1)
    if layer_type in _RECURRENT_STATES:
        hidden = _RECURRENT_STATES[layer_type] if layer.get("recurrent_param.expose_hidden") is True else 0
        return BlobCounts(min_bottoms=2 + hidden, max_bottoms=3 + hidden, exact_tops=1 + hidden)
    return _COUNTS.get(layer_type)


def _bias_term(layer, path: str) -> bool:
    return layer.get(path) is not False


@per_layer
def param_blob_count(layer) -> int | None:
    """How many parameter blobs (learnable or not) the layer owns; None when unknown."""
    layer_type = layer.type
    if layer_type in ("Convolution", "Deconvolution"):
        return 1 + _bias_term(layer, "convolution_param.bias_term")
    if layer_type == "InnerProduct":
        return 1 + _bias_term(layer, "inner_product_param.bias_term")
    if layer_type == "Embed":
        return 1 + _bias_term(layer, "embed_param.bias_term")
    if layer_type in ("PReLU", "Parameter"):
        return 1
    if layer_type == "BatchNorm":
        return 3  # mean, variance, moving-average factor: statistics, never learned (rc4+)
    if layer_type == "Bias":
        return 1 if len(layer.bottoms) < 2 else 0
    if layer_type == "Scale":
        return (1 if len(layer.bottoms) < 2 else 0) + (layer.get("scale_param.bias_term") is True)
    if layer_type in _RECURRENT_STATES:
        counts = blob_counts(layer)
        static = counts is not None and len(layer.bottoms) > counts.min_bottoms
        return (3 if layer_type == "LSTM" else 5) + static
    if layer_type in _COUNTS:
        return 0
    return None


def may_have_param_blobs(layer) -> bool:
    """Caffe matches parameter blobs by layer name (weights, sharing): layers with blobs. A type
    protolint does not know (a fork's, a Python layer) is taken to have them when the layer declares
    ParamSpecs or its parameters size or fill something (a `num_output`, a `*filler`)."""
    count = param_blob_count(layer)
    if count is not None:
        return count > 0
    if layer.message.has("param") or layer.message.has("blobs_lr"):
        return True
    for f in layer.message.fields:
        block = f.value
        if f.name.endswith("_param") and hasattr(block, "fields"):
            if any(inner.name == "num_output" or inner.name.endswith("filler") for inner in block.fields):
                return True
    return False


def batchnorm_global_stats(layer, phase: str) -> tuple[bool | None, object]:
    """Whether a BatchNorm uses global (stored) statistics when built in a net of `phase`, and the
    node that decides it: `use_global_stats`, else the layer's own `phase` field, else the net's
    phase (batch_norm_layer.cpp: the default is `phase == TEST`). None when the value is invalid."""
    node = layer.field("batch_norm_param.use_global_stats")
    if node is not None:
        return (node.scalar if isinstance(node.scalar, bool) else None), node
    own = layer.message.last("phase")
    if own is not None and own.scalar in ("TRAIN", "TEST"):
        return own.scalar == "TEST", own
    return phase == "TEST", None


def statistics_only_params(layer_type: str) -> bool:
    """BatchNorm's blobs are running statistics: Caffe (rc4+) fixes their lr_mult at 0."""
    return layer_type == "BatchNorm"


def is_loss_type(layer_type: str) -> bool:
    """A LossLayer subclass: loss_weight 1 on top 0 unless loss_weight is written."""
    return layer_type in LOSS_TYPES


_LABEL_ABORT = "{type} Layer cannot backpropagate to label inputs."


def nondiff_bottoms(layer) -> dict[int, str] | None:
    """Bottom index -> the message Backward aborts with when asked to propagate to that bottom.
    Empty when every bottom is differentiable; None when unknown (Python, unregistered)."""
    layer_type = layer.type
    n = len(layer.bottoms)
    if layer_type == "Accuracy":
        return {i: "Not Implemented Yet" for i in range(max(n, 2))}
    if layer_type == "Embed":
        return {0: "Check failed: !propagate_down[0] Can't backpropagate to EmbedLayer input."}
    if layer_type == "BatchReindex":
        return {1: "Check failed: !propagate_down[1] Cannot backprop to index."}
    if layer_type == "Filter":
        return {max(n - 1, 1): "FilterLayer cannot backpropagate to filter index inputs"}
    if layer_type in ("SoftmaxWithLoss", "MultinomialLogisticLoss", "SigmoidCrossEntropyLoss", "HingeLoss"):
        return {1: _LABEL_ABORT.format(type=layer_type)}
    if layer_type == "InfogainLoss":
        return {1: _LABEL_ABORT.format(type=layer_type),
                2: "InfogainLoss Layer cannot backpropagate to infogain inputs."}
    if layer_type in _RECURRENT_STATES:
        return {1: "Check failed: !propagate_down[1] Cannot backpropagate to sequence indicators."}
    if layer_type == "LSTMUnit":
        return {2: "Check failed: !propagate_down[2] Cannot backpropagate to sequence indicators."}
    if layer_type in _COUNTS or layer_type in _RECURRENT_STATES:
        return {}
    return None


def whole_layer_nondiff(layer_type: str) -> str | None:
    """Layers whose Backward is NOT_IMPLEMENTED: calling it at all aborts."""
    if layer_type in ("ArgMax", "Threshold"):
        return "Not Implemented Yet"
    return None


def force_backward_excluded(layer) -> frozenset[int]:
    """Bottoms `AllowForceBackward` exempts from force_backward (net.cpp:222-240)."""
    layer_type = layer.type
    if layer_type == "EuclideanLoss":
        return frozenset()
    if layer_type == "ContrastiveLoss":
        return frozenset({2})
    if layer_type in LOSS_TYPES:
        return frozenset({1})
    if layer_type in _RECURRENT_STATES:
        return frozenset({1})
    if layer_type == "LSTMUnit":
        return frozenset({2})
    return frozenset()


def allows_force_backward(layer, bottom_index: int) -> bool:
    return bottom_index not in force_backward_excluded(layer)
