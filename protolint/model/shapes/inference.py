"""The pass: one walk over a state's BlobGraph in Caffe's layer order, each layer's tops computed by
its handler from the shapes of its bottoms."""

from __future__ import annotations

from ..facts import LOSS_TYPES, SAME_SHAPE
from .common import ShapeIssue, ShapeResult, fmt_shape, positive
from .conv_pool import convolution_tops, pooling_tops
from .layers import concat_tops, crop_layer_tops, eltwise_tops, flatten_tops, inner_product_tops, loss_tops, reshape_tops, same_tops, slice_tops, split_tops
from .sources import data_tops, dummy_data_tops, image_data_tops, input_tops, memory_data_tops, window_data_tops


class Inference:
    def __init__(self, graph):
        self.graph = graph
        self.shapes: dict = {}
        self.issues: list[ShapeIssue] = []

    def run(self) -> ShapeResult:
        graph = self.graph
        for layer in graph.layers:
            tops = graph.top_uses.get(id(layer), [])
            if not tops:
                continue
            if layer.v1 and layer.message.has("layer"):  # V0: parameters live elsewhere
                result = None
            else:
                handler = _HANDLERS.get(layer.type)
                bottoms = [self.bottom(layer, i) for i in range(len(layer.bottoms))]
                try:
                    result = handler(self, layer, bottoms) if handler is not None else None
                except (ArithmeticError, IndexError, TypeError, ValueError, OverflowError):
                    result = None  # an odd value Caffe rejects elsewhere: stay silent
            if result is None:
                result = [None] * len(tops)
            elif len(result) < len(tops):
                result = list(result) + [None] * (len(tops) - len(result))
            for use, shape in zip(tops, result):
                self.shapes[(use.node.scalar, use.version)] = shape
            self._check_nonpositive(layer, result[: len(tops)])
        return ShapeResult(self.shapes, self.issues)

    def bottom(self, layer, index):
        """The shape layer reads at bottom `index`; None when unknown or already broken (a dim <= 0)."""
        use = self.graph.bottom_uses.get((id(layer), index))
        if use is None:
            return None
        shape = self.shapes.get((use.node.scalar, use.version))
        if shape is None or not positive(shape):
            return None
        return shape

    def issue(self, kind, layer, node, message):
        self.issues.append(ShapeIssue(kind, layer, node, message))

    def _check_nonpositive(self, layer, shapes):
        for i, shape in enumerate(shapes):
            if shape is None:
                continue
            for axis, d in enumerate(shape):
                if d is not None and d <= 0:
                    self.issue("nonpositive-dim", layer, _nonpositive_node(layer, i), _nonpositive_message(self, layer, i, shape, axis, d))
                    return


def _nonpositive_node(layer, top_index):
    for path in ("convolution_param.kernel_size", "convolution_param.kernel_h", "pooling_param.kernel_size",
                 "pooling_param.kernel_h"):
        node = layer.field(path)
        if node is not None:
            return node
    if layer.synthetic or layer.type in ("Input", "DummyData", "MemoryData"):
        return None
    return layer.tops[top_index][1] if top_index < len(layer.tops) else None


def _nonpositive_message(inference, layer, top_index, shape, axis, d):
    failure = '"Check failed: shape[i] >= 0"' if d < 0 else 'the opaque "Check failed: data_" at the first write'
    text = (f'layer "{layer.name}" would produce a {fmt_shape(shape)} blob ({d} ≤ 0 on axis {axis}): Caffe aborts with '
            f"{failure}")
    hint = ""
    if layer.type in ("Convolution", "Pooling") and axis >= 1:
        bottom = inference.bottom(layer, 0)
        geometry = layer.memo.get("shape.geometry")
        if bottom is not None and geometry is not None:
            extents, pads = geometry
            spatial = axis - (len(bottom) - len(extents))
            if 0 <= spatial < len(extents) and bottom[axis] is not None:
                hint = (f" — the input size {bottom[axis]} (+ 2×pad {pads[spatial]}) is smaller than the kernel extent "
                        f"{extents[spatial]}; use a smaller kernel/stride or a larger input")
    elif layer.type == "Deconvolution" and axis >= 1:
        hint = " — stride·(input − 1) + kernel extent − 2·pad is ≤ 0: the pad is too large for the input"
    elif layer.type == "Input" or layer.synthetic or layer.type in ("DummyData", "MemoryData"):
        hint = " — give every dimension a positive size"
    return text + hint


_HANDLERS = {
    "Input": input_tops,
    "DummyData": dummy_data_tops,
    "Data": data_tops,
    "ImageData": image_data_tops,
    "WindowData": window_data_tops,
    "MemoryData": memory_data_tops,
    "Convolution": convolution_tops,
    "Deconvolution": convolution_tops,
    "Pooling": pooling_tops,
    "InnerProduct": inner_product_tops,
    "Split": split_tops,
    "Eltwise": eltwise_tops,
    "Concat": concat_tops,
    "Slice": slice_tops,
    "Flatten": flatten_tops,
    "Reshape": reshape_tops,
    "Crop": crop_layer_tops,
    "Accuracy": loss_tops,
    **{kind: same_tops for kind in SAME_SHAPE},
    **{kind: loss_tops for kind in LOSS_TYPES},
}
