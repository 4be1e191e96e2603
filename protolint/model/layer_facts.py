"""Per-layer-type facts of BVLC Caffe 9b89154 (rule spec section 1.2): how many bottoms and tops a
layer takes, how many parameter blobs it owns, which layers are losses, and which bottoms cannot
receive a gradient.

Small data plus functions of a model.net.Layer (anything with `type`, `bottoms`, `tops` and
`get(path)` works). Every function returns None for types whose facts are unknown: Python layers
(set by the user's class) and types BVLC does not register (forks, typos).

Sources: `CheckBlobCounts` (include/caffe/layer.hpp:346-383) with the per-class
`ExactNum…/Min…/Max…/EqualNumBottomTopBlobs` overrides in include/caffe/layers/*.hpp; parameter
blobs from each layer's LayerSetUp; `AllowForceBackward` overrides; the LOG(FATAL)/CHECKs in the
Backward_cpu functions.
"""

from __future__ import annotations

from dataclasses import dataclass

from .net import LOSS_TYPES, per_layer

__all__ = [
    "LOSS_TYPES", "NEURON_TYPES", "DATA_LAYER_TYPES", "BlobCounts", "blob_counts", "param_blob_count",
    "is_loss_type", "nondiff_bottoms", "whole_layer_nondiff", "force_backward_excluded",
    "allows_force_backward", "statistics_only_params",
]

# One bottom, one top, elementwise (NeuronLayer subclasses).
NEURON_TYPES = frozenset(
    "AbsVal BNLL Clip Dropout ELU Exp Log Power PReLU ReLU Sigmoid Swish TanH Threshold".split()
)
# Layers with no bottoms that fill their tops themselves.
DATA_LAYER_TYPES = frozenset("Data ImageData WindowData MemoryData HDF5Data DummyData Input Parameter".split())


@dataclass(frozen=True)
class BlobCounts:
    """Caffe's blob-count contract of one layer; -1 = no constraint (as in layer.hpp)."""

    exact_bottoms: int = -1
    min_bottoms: int = -1
    max_bottoms: int = -1
    exact_tops: int = -1
    min_tops: int = -1
    max_tops: int = -1
    equal_bottom_top: bool = False  # Convolution/Deconvolution: one top per bottom
    tops_bottoms_minus_one: bool = False  # Filter: CHECK_EQ(top.size(), bottom.size() - 1)
    auto_tops: bool = False  # loss layers: missing tops are created anonymously (net.cpp:108-121)

    def effective_tops(self, given: int) -> int:
        """The number of tops Caffe builds when `given` are written (auto tops added)."""
        if self.auto_tops:
            return max(given, self.min_tops, self.exact_tops)
        return given

    def violation(self, type_name: str, bottoms: int, tops: int) -> tuple[str, str] | None:
        """The first CHECK that fails for this many bottoms/tops (tops before auto tops), as
        ("bottom" | "top", Caffe's message), in the order CheckBlobCounts tests them."""
        tops = self.effective_tops(tops)
        checks = (
            (self.exact_bottoms >= 0 and bottoms != self.exact_bottoms, "bottom",
             f"{type_name} Layer takes {self.exact_bottoms} bottom blob(s) as input."),
            (self.min_bottoms >= 0 and bottoms < self.min_bottoms, "bottom",
             f"{type_name} Layer takes at least {self.min_bottoms} bottom blob(s) as input."),
            (self.max_bottoms >= 0 and bottoms > self.max_bottoms, "bottom",
             f"{type_name} Layer takes at most {self.max_bottoms} bottom blob(s) as input."),
            (self.exact_tops >= 0 and tops != self.exact_tops, "top",
             f"{type_name} Layer produces {self.exact_tops} top blob(s) as output."),
            (self.min_tops >= 0 and tops < self.min_tops, "top",
             f"{type_name} Layer produces at least {self.min_tops} top blob(s) as output."),
            (self.max_tops >= 0 and tops > self.max_tops, "top",
             f"{type_name} Layer produces at most {self.max_tops} top blob(s) as output."),
            (self.equal_bottom_top and bottoms != tops, "top",
             f"{type_name} Layer produces one top blob as output for each bottom blob input."),
            (self.tops_bottoms_minus_one and tops != bottoms - 1, "top",
             f"Check failed: top.size() == bottom.size() - 1 ({tops} vs. {bottoms - 1})"),
        )
        for failed, side, message in checks:
            if failed:
                return side, message
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
