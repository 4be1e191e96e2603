"""The pass: one walk over a state's BlobGraph in Caffe's layer order, each layer's tops computed by
its handler from the shapes of its bottoms."""

from __future__ import annotations

from ..facts import LOSS_TYPES, SAME_SHAPE
from .common import ShapeIssue, ShapeResult, fmt_shape, positive
from .reasons import unmodelled_reason
from .conv_pool import convolution_tops, pooling_tops
from .layers import (concat_tops, crop_layer_tops, eltwise_tops, embed_tops, flatten_tops, inner_product_tops, loss_tops,
                     parameter_tops, recurrent_tops, reduction_tops, reshape_tops, same_tops, slice_tops, split_tops, tile_tops)
from .sources import data_tops, dummy_data_tops, image_data_tops, input_tops, memory_data_tops, window_data_tops


class Inference:
    def __init__(self, graph, inputs=()):
        self.graph = graph
        self.inputs = dict(inputs)  # blob name -> shape the user gave (--input-shape, input-shapes)
        self.shapes: dict = {}
        self.issues: list[ShapeIssue] = []
        self.why: dict = {}
        self.given: set = set()
        self.reason: str | None = None  # why the current layer's tops are unknown, set by its handler

    def run(self) -> ShapeResult:
        graph = self.graph
        top_uses, shapes, issues = graph.top_uses, self.shapes, self.issues  # (once per layer of the net)
        for layer in graph.layers:
            tops = top_uses.get(layer)
            if not tops:
                continue
            self.reason = None
            issues_before = len(issues)
            handler = _HANDLERS.get(layer.type)
            unmodelled = unmodelled_reason(layer, handler is not None)
            if unmodelled is not None:
                result, self.reason = None, unmodelled
            else:
                bottoms = [self.bottom(layer, i) for i in range(len(layer.bottoms))]
                try:
                    result = handler(self, layer, bottoms)
                except (ArithmeticError, IndexError, TypeError, ValueError, OverflowError):
                    result = None  # an odd value Caffe rejects elsewhere: stay silent
            count = len(tops)
            if result is None:
                result = [None] * count
            elif len(result) != count:
                result = list(result[:count]) + [None] * (count - len(result))
            else:
                result = list(result)
            if self.inputs and (unmodelled is not None or not layer.bottoms):
                for i, use in enumerate(tops):
                    given = self.inputs.get(use.node.scalar)
                    if given is not None:
                        result[i] = given
                        self.given.add(use.node.scalar)
            broken = False  # some top has a dimension known to be <= 0
            for use, shape in zip(tops, result):
                name = use.node.scalar
                key = (name, use.version)
                shapes[key] = shape
                if shape is None:
                    self.why[key] = self._why(layer, use, issues_before).replace("{top}", name)
                    continue
                for d in shape:  # (None in shape and positive(shape) in one pass: every top of the net)
                    if d is None:
                        if key not in self.why:
                            self.why[key] = self._why(layer, use, issues_before).replace("{top}", name)
                    elif d <= 0:
                        broken = True
            if not broken:
                continue
            before = len(issues)
            self._check_nonpositive(layer, result)
            if len(issues) > before:
                for use, shape in zip(tops, result):
                    if shape is not None and not positive(shape):
                        self.why[(use.node.scalar, use.version)] = f"Caffe aborts: {issues[before].message}"
        return ShapeResult(shapes, issues, self.why, frozenset(self.given))

    def because(self, reason: str) -> None:
        """Say why the current layer's tops are (partly) unknown; handlers call this."""
        self.reason = reason

    def _why(self, layer, use, issues_before) -> str:
        for issue in self.issues[issues_before:]:
            if issue.kind != "empty-window":
                return f"Caffe aborts setting this layer up: {issue.message}"
        if self.reason is not None:
            return self.reason
        for i in range(len(layer.bottoms)):
            cause = self.input_cause(layer, i)
            if cause is not None:
                return cause
        return (f"{layer.type} \"{layer.name}\": its parameters do not give the shape (a value it needs is missing "
                "or invalid; the findings of `protolint check` say which)")

    def input_cause(self, layer, index) -> str | None:
        """Why bottom `index` of `layer` does not give a (fully) known shape; None when it does."""
        name = layer.bottoms[index][0]
        use = self.graph.bottom_use(layer, index)
        if use is None:
            return f'its input "{name}" is produced by no layer before it'
        shape = self.shapes.get((use.node.scalar, use.version))
        producer = self.graph.producers.get((use.node.scalar, use.version))
        origin = f' (from layer "{producer.layer.name}")' if producer is not None else ""
        if shape is None:
            return f'its input "{name}" is unknown{origin}'
        if not positive(shape):
            return f'its input "{name}" has a size <= 0{origin}'
        if None in shape:
            return f'its input "{name}" is partly unknown ({fmt_shape(shape)}){origin}'
        return None

    def bottom(self, layer, index):
        """The shape layer reads at bottom `index`; None when unknown or already broken (a dim <= 0)."""
        use = self.graph.bottom_use(layer, index)
        if use is None:
            return None
        shape = self.shapes.get((use.node.scalar, use.version))
        if shape is None:
            return None
        for d in shape:  # (positive(), written out: this runs for every bottom of the net)
            if d is not None and d <= 0:
                return None
        return shape

    def issue(self, kind, layer, node, message):
        self.issues.append(ShapeIssue(kind, layer, node, message))

    def _check_nonpositive(self, layer, shapes):
        for i, shape in enumerate(shapes):
            if shape is None or positive(shape):
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
    "Embed": embed_tops,
    "Tile": tile_tops,
    "Reduction": reduction_tops,
    "Parameter": parameter_tops,
    "LSTM": recurrent_tops,
    "RNN": recurrent_tops,
    **{kind: same_tops for kind in SAME_SHAPE},
    **{kind: loss_tops for kind in LOSS_TYPES},
}
