"""Static blob-shape inference, one pass over a state's BlobGraph in Caffe's layer order.

`infer_shapes(graph)` maps every blob version `(blob, version)` to its shape: a tuple of ints, with
None for an axis whose size is unknown (a Data layer's channels), or None when even the number of
axes is unknown. Shapes come only from what the file states: Input layers (and the legacy
`input`/`input_shape`/`input_dim` fields), DummyData, MemoryData, WindowData, and Data/ImageData
when the batch size and crop (or resize) fix them. They flow through the layers whose top shapes
Caffe computes from their parameters; anything else gives unknown tops. Nothing is guessed.

The same pass records the setup CHECKs that fail with those shapes (`shape_issues(graph)`), so the
shape rules only read the results. A layer whose CHECK fails, or whose parameters Caffe rejects
anyway (other rules report those), gets unknown tops, and a top with a dimension <= 0 is unknown to
the layers that read it: every problem is reported once, where it starts.

Everything is memoised per graph (graphs are cached per state by the Net), and linear in the
number of layers.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..syntax.nodes import Message, Scalar
from .facts import LOSS_TYPES, SAME_SHAPE
from .geometry import conv_geometry, conv_output_size, int_values as ints, pooled_size, pooling_geometry

Shape = tuple  # tuple[int | None, ...]

@dataclass(eq=False, slots=True)
class ShapeIssue:
    """A setup CHECK that fails (or a top with a dimension <= 0) with the inferred shapes."""

    kind: str  # what failed: nonpositive-dim, empty-window, pooling-non-4d, loss-shape-mismatch,
    # shape-mismatch, crop-too-large
    layer: object  # protolint.model.net.Layer
    node: object  # where to point; None: at the layer
    message: str


@dataclass(eq=False, slots=True)
class ShapeResult:
    shapes: dict
    issues: list


def infer_shapes(graph) -> dict:
    """{(blob, version): shape or None} for one BlobGraph (memoised per graph)."""
    return _result(graph).shapes


def shape_issues(graph) -> list[ShapeIssue]:
    """The shape CHECK failures found while inferring the graph's shapes, in layer order."""
    return _result(graph).issues


def _result(graph) -> ShapeResult:
    found = graph.memo.get("shapes")
    if found is None:
        found = graph.memo["shapes"] = _Inference(graph).run()
    return found


# --- small helpers -------------------------------------------------------------------------------


def fmt_shape(shape) -> str:
    if shape is None:
        return "?"
    if not shape:
        return "scalar"
    return "×".join("?" if d is None else str(d) for d in shape)


def known(shape) -> bool:
    return shape is not None and all(d is not None for d in shape)


def count(shape, start: int = 0, end: int | None = None):
    """Product of shape[start:end], None when an axis is unknown."""
    total = 1
    for d in shape[start:end]:
        if d is None:
            return None
        total *= d
    return total


def _int(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _blob_shape(message) -> Shape | None:
    """A BlobShape message (`shape { dim: ... }`) as a tuple, None when a value is not an int."""
    if not isinstance(message, Message):
        return None
    dims = ints(message, "dim")
    if any(d is None for d in dims):
        return None
    return tuple(dims)


def canonical_axis(axis, num_axes: int):
    """Blob::CanonicalAxisIndex; None when out of range (Caffe aborts)."""
    if axis is None or not -num_axes <= axis < num_axes:
        return None
    return axis + num_axes if axis < 0 else axis


def _axis_error(layer, axis, shape, field=None) -> str:
    return (f'{layer.type} "{layer.name}": axis {axis} is out of range for its {len(shape)}-D input '
            f'({fmt_shape(shape)}) — Caffe aborts at setup with "axis {axis} out of range for {len(shape)}-D input '
            'blob"')


def _positive(shape) -> bool:
    """No dimension is known to be <= 0 (such a blob already got its own report)."""
    return all(d is None or d > 0 for d in shape)


# --- the pass ------------------------------------------------------------------------------------


class _Inference:
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
        if shape is None or not _positive(shape):
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


# --- sources -------------------------------------------------------------------------------------


def _input(inf, layer, bottoms):
    n = len(layer.tops)
    if layer.synthetic:
        root = layer.message
        shapes_fields = root.all("input_shape")
        if shapes_fields:
            shapes = [_blob_shape(f.value) for f in shapes_fields]
            return [shapes[i] if i < len(shapes) else None for i in range(n)]
        dims = ints(root, "input_dim")
        out = []
        for i in range(n):
            chunk = dims[4 * i: 4 * i + 4]
            out.append(tuple(chunk) if len(chunk) == 4 and all(d is not None for d in chunk) else None)
        return out
    block = layer.sub("input_param")
    shapes = [_blob_shape(f.value) for f in block.all("shape")] if block is not None else []
    if len(shapes) == 1:
        return [shapes[0]] * n
    if len(shapes) == n:
        return shapes
    return None


def _dummy_data(inf, layer, bottoms):
    block = layer.sub("dummy_data_param")
    if block is None:
        return None
    n = len(layer.tops)
    legacy = [ints(block, name) for name in ("num", "channels", "height", "width")]
    if any(legacy):
        if block.has("shape") or any(len(v) not in (1, n) for v in legacy):
            return None
        out = []
        for i in range(n):
            dims = tuple(v[0 if len(v) == 1 else i] for v in legacy)
            out.append(dims if all(d is not None for d in dims) else None)
        return out
    shapes = [_blob_shape(f.value) for f in block.all("shape")]
    if len(shapes) == 1:
        return [shapes[0]] * n
    if len(shapes) == n:
        return shapes
    return None


def _batch(layer, block_name):
    value = _int(layer.get(f"{block_name}.batch_size"))
    return value if value is not None and value > 0 else None


def _crop(layer, legacy_block):
    """transform_param.crop_size, or the V1 field the transform-param upgrade moves there."""
    for path in ("transform_param.crop_size", f"{legacy_block}.crop_size"):
        if layer.has(path):
            value = _int(layer.get(path))
            return value if value is not None and value > 0 else None
    return None


def _data(inf, layer, bottoms):
    batch = _batch(layer, "data_param")
    crop = _crop(layer, "data_param")
    if batch is None:
        return None
    data = (batch, None, crop, crop)  # channels and (uncropped) size come from the database
    return [data, (batch,)]


def _image_data(inf, layer, bottoms):
    batch = _batch(layer, "image_data_param")
    if batch is None:
        return None
    channels = 1 if layer.get("image_data_param.is_color") is False else 3
    crop = _crop(layer, "image_data_param")
    h, w = _int(layer.get("image_data_param.new_height")), _int(layer.get("image_data_param.new_width"))
    resized = h is not None and w is not None and h > 0 and w > 0
    if crop is not None:
        if resized and (crop > h or crop > w):
            node = layer.field("transform_param.crop_size") or layer.field("image_data_param.crop_size")
            axis = "img_height" if crop > h else "img_width"
            inf.issue("crop-too-large", layer, node,
                      f'"{layer.name}" crops {crop}×{crop} from {h}×{w} images (new_height × new_width): Caffe aborts '
                      f'("Check failed: {axis} >= crop_size") — use a crop ≤ the image size or resize to at least '
                      f"{crop}×{crop}")
            return None
        size = (crop, crop)
    elif resized:
        size = (h, w)
    else:
        size = (None, None)
    return [(batch, channels) + size, (batch,)]


def _window_data(inf, layer, bottoms):
    batch = _batch(layer, "window_data_param")
    crop = _crop(layer, "window_data_param")
    if batch is None or crop is None:
        return None
    return [(batch, 3, crop, crop), (batch,)]


def _memory_data(inf, layer, bottoms):
    batch = _batch(layer, "memory_data_param")
    dims = [_int(layer.get(f"memory_data_param.{k}")) for k in ("channels", "height", "width")]
    if batch is None or any(d is None or d <= 0 for d in dims):
        return None
    return [(batch, *dims), (batch,)]


# --- convolution and pooling -----------------------------------------------------------------------


def _convolution(inf, layer, bottoms):
    bottom = bottoms[0] if bottoms else None
    if bottom is None:
        return None
    axis = canonical_axis(_int(layer.get("convolution_param.axis")), len(bottom))
    if axis is None:
        inf.issue("shape-mismatch", layer, layer.field("convolution_param.axis"),
                  _axis_error(layer, layer.get("convolution_param.axis"), bottom))
        return None
    for i, other in enumerate(bottoms[1:], 1):
        if known(bottom) and known(other) and other != bottom:
            node = layer.bottoms[i][1]
            inf.issue("shape-mismatch", layer, node,
                      f'{layer.type} "{layer.name}": bottom 0 is {fmt_shape(bottom)} but bottom {i} is {fmt_shape(other)} '
                      f'— Caffe aborts at setup with "shape mismatch - bottom[0]: ... vs. bottom[{i}]: ..." (all bottoms '
                      "of a convolution must have the same shape)")
            return None
    nsp = len(bottom) - axis - 1
    num_output = _int(layer.get("convolution_param.num_output"))
    if num_output is None or num_output <= 0 or nsp < 1:
        return None
    geometry = conv_geometry(layer, nsp)
    if geometry is None:
        return None
    extents, stride, pad = geometry.extents, geometry.stride, geometry.pad
    layer.memo["shape.geometry"] = (extents, pad)
    out = []
    deconv = layer.type == "Deconvolution"
    for i in range(nsp):
        size = bottom[axis + 1 + i]
        if size is None:
            out.append(None)
        else:
            out.append(conv_output_size(size, extents[i], stride[i], pad[i], deconv))
    top = tuple(bottom[:axis]) + (num_output,) + tuple(out)
    return [top] * len(layer.tops)


def _pooling(inf, layer, bottoms):
    bottom = bottoms[0] if bottoms else None
    if bottom is None:
        return None
    if len(bottom) != 4:
        inf.issue("pooling-non-4d", layer, layer.bottoms[0][1],
                  f'Pooling "{layer.name}" gets a {len(bottom)}-D input ({fmt_shape(bottom)}): Caffe aborts with "Input '
                  'must have 4 axes, corresponding to (num, channels, height, width)" — pool a 4-D blob (N×C×H×W), or '
                  "Reshape the input first")
        return None
    geometry = pooling_geometry(layer)
    if geometry is None:
        return None
    kernel, stride, pad = geometry
    n, c, h, w = bottom
    if kernel is None:  # global pooling: the window is the whole input
        return [(n, c, 1, 1)] * len(layer.tops)
    layer.memo["shape.geometry"] = (list(kernel), list(pad))
    floor = layer.get("pooling_param.round_mode") == "FLOOR"
    out = []
    for size, k, s, p in zip((h, w), kernel, stride, pad):
        if size is None:
            out.append(None)
            continue
        out.append(pooled_size(size, k, s, p, floor))
    if pad != (0, 0):  # clip a last window that would start in the padding (pooling_layer.cpp)
        for i, (size, s, p) in enumerate(zip((h, w), stride, pad)):
            if out[i] is not None and (out[i] - 1) * s >= size + p:
                out[i] -= 1
        for i, (size, s, p) in enumerate(zip((h, w), stride, pad)):
            if out[i] is not None and (out[i] - 1) * s >= size + p:
                inf.issue("shape-mismatch", layer, layer.field("pooling_param.pad") or layer.field("pooling_param.pad_h"),
                          f'Pooling "{layer.name}" on a {h}×{w} input with kernel {kernel[i]}, stride {s}, pad {p}: '
                          f'even the clipped last window starts outside the input — Caffe aborts at setup with "Check '
                          f'failed: (pooled_{"height" if i == 0 else "width"}_ - 1) * stride_{"h" if i == 0 else "w"}_ < '
                          f'{"height" if i == 0 else "width"}_ + pad_{"h" if i == 0 else "w"}_"')
                return None
    elif not floor and layer.get("pooling_param.pool") in ("MAX", "AVE"):
        for i, (size, k, s) in enumerate(zip((h, w), kernel, stride)):
            if out[i] is not None and out[i] > 0 and (out[i] - 1) * s >= size:
                effect = ("those outputs are NaN (0/0)" if layer.get("pooling_param.pool") == "AVE"
                          else "they are −3.4e38 and backward writes out of bounds")
                node = (layer.field("pooling_param.stride") or layer.field("pooling_param.stride_h" if i == 0 else
                                                                             "pooling_param.stride_w"))
                inf.issue("empty-window", layer, node,
                          f'Pooling "{layer.name}" on a {h}×{w} input with kernel {k} stride {s}: the last '
                          f'{"row" if i == 0 else "column"} of windows lies outside the input — {effect} — use stride ≤ '
                          "kernel, pad, or round_mode: FLOOR")
                break
    top = (n, c, out[0], out[1])
    return [top] * len(layer.tops)


# --- other layers ----------------------------------------------------------------------------------


def _inner_product(inf, layer, bottoms):
    bottom = bottoms[0] if bottoms else None
    if bottom is None:
        return None
    axis = canonical_axis(_int(layer.get("inner_product_param.axis")), len(bottom))
    if axis is None:
        inf.issue("shape-mismatch", layer, layer.field("inner_product_param.axis"),
                  _axis_error(layer, layer.get("inner_product_param.axis"), bottom))
        return None
    num_output = _int(layer.get("inner_product_param.num_output"))
    if num_output is None or num_output <= 0:
        return None
    return [tuple(bottom[:axis]) + (num_output,)]


def _same(inf, layer, bottoms):
    bottom = bottoms[0] if bottoms else None
    if bottom is None:
        return None
    if layer.type in ("Scale", "Bias") and len(bottoms) > 1:
        if not _check_scale_bias(inf, layer, bottom, bottoms[1]):
            return None
    return [bottom]


def _check_scale_bias(inf, layer, bottom, param):
    if param is None:
        return True
    block = "scale_param" if layer.type == "Scale" else "bias_param"
    if len(param) == 0:
        return True
    axis_value = _int(layer.get(f"{block}.axis"))
    axis = canonical_axis(axis_value, len(bottom))
    if axis is None:
        inf.issue("shape-mismatch", layer, layer.field(f"{block}.axis"), _axis_error(layer, axis_value, bottom))
        return False
    what = "scale" if layer.type == "Scale" else "bias"
    if len(bottom) < axis + len(param):
        problem = f"its {len(param)}-D {what} blob extends past the {len(bottom)}-D input from axis {axis}"
        check = f"{what} blob's shape extends past bottom[0]'s shape when applied starting with bottom[0] axis = {axis}"
    else:
        for i, d in enumerate(param):
            if d is not None and bottom[axis + i] is not None and d != bottom[axis + i]:
                problem = f"dimension {axis + i} of bottom 0 is {bottom[axis + i]} but dimension {i} of the {what} is {d}"
                check = f"dimension mismatch between bottom[0]->shape({axis + i}) and {what}->shape({i})"
                break
        else:
            return True
    inf.issue("shape-mismatch", layer, layer.bottoms[1][1],
              f'{layer.type} "{layer.name}": bottom 0 is {fmt_shape(bottom)}, the {what} (bottom 1) is {fmt_shape(param)}; '
              f'{problem} — Caffe aborts at setup with "{check}"')
    return False


def _split(inf, layer, bottoms):
    bottom = bottoms[0] if bottoms else None
    return None if bottom is None else [bottom] * len(layer.tops)


def _eltwise(inf, layer, bottoms):
    if not bottoms or bottoms[0] is None:
        return None
    first = bottoms[0]
    for i, other in enumerate(bottoms[1:], 1):
        if other is None:
            continue
        if len(other) != len(first) or any(a is not None and b is not None and a != b for a, b in zip(first, other)):
            inf.issue("shape-mismatch", layer, layer.bottoms[i][1],
                      f'Eltwise "{layer.name}": bottom 0 is {fmt_shape(first)} but bottom {i} is {fmt_shape(other)} — '
                      f'Caffe aborts at setup with "Check failed: bottom[0]->shape() == bottom[{i}]->shape()"; '
                      "element-wise inputs must have identical shapes")
            return None
    if any(b is None for b in bottoms):
        return [first]
    merged = tuple(next((b[a] for b in bottoms if b[a] is not None), None) for a in range(len(first)))
    return [merged]


def _concat(inf, layer, bottoms):
    if not bottoms or any(b is None for b in bottoms):
        return None
    first = bottoms[0]
    if layer.has("concat_param.concat_dim") and not layer.has("concat_param.axis"):
        axis = _int(layer.get("concat_param.concat_dim"))
        axis = axis if axis is not None and 0 <= axis < len(first) else None
        value, node = layer.get("concat_param.concat_dim"), layer.field("concat_param.concat_dim")
    elif layer.has("concat_param.concat_dim"):
        return None  # both given: Caffe aborts in LayerSetUp (another rule)
    else:
        value, node = _int(layer.get("concat_param.axis")), layer.field("concat_param.axis")
        axis = canonical_axis(value, len(first))
    if axis is None:
        inf.issue("shape-mismatch", layer, node, _axis_error(layer, value, first))
        return None
    total = first[axis]
    for i, other in enumerate(bottoms[1:], 1):
        bad = None
        if len(other) != len(first):
            bad = "All inputs must have the same #axes."
        else:
            for j in range(len(first)):
                if j != axis and first[j] is not None and other[j] is not None and first[j] != other[j]:
                    bad = "All inputs must have the same shape, except at concat_axis."
                    break
        if bad:
            inf.issue("shape-mismatch", layer, layer.bottoms[i][1],
                      f'Concat "{layer.name}": bottom 0 is {fmt_shape(first)} but bottom {i} is {fmt_shape(other)} '
                      f'(concatenating along axis {axis}) — Caffe aborts at setup with "{bad}"')
            return None
        total = None if total is None or other[axis] is None else total + other[axis]
    top = list(first)
    top[axis] = total
    for j in range(len(top)):
        if top[j] is None and j != axis:
            top[j] = next((b[j] for b in bottoms if b[j] is not None), None)
    return [tuple(top)]


def _slice(inf, layer, bottoms):
    bottom = bottoms[0] if bottoms else None
    if bottom is None:
        return None
    if layer.has("slice_param.slice_dim"):
        if layer.has("slice_param.axis"):
            return None
        value, node = _int(layer.get("slice_param.slice_dim")), layer.field("slice_param.slice_dim")
        axis = value if value is not None and 0 <= value < len(bottom) else None
    else:
        value, node = _int(layer.get("slice_param.axis")), layer.field("slice_param.axis")
        axis = canonical_axis(value, len(bottom))
    if axis is None:
        inf.issue("shape-mismatch", layer, node, _axis_error(layer, value, bottom))
        return None
    dim = bottom[axis]
    n = len(layer.tops)
    points = ints(layer.sub("slice_param"), "slice_point")
    if any(p is None for p in points):
        return None
    point_node = layer.field("slice_param.slice_point")
    if points:
        if len(points) != n - 1:
            return None  # a count rule (slice points vs tops) reports this without shapes
        if dim is None:
            return None
        if n > dim:
            inf.issue("shape-mismatch", layer, point_node,
                      f'Slice "{layer.name}": {n} tops from an axis of size {dim} ({fmt_shape(bottom)}, axis {axis}) — '
                      f'Caffe aborts at setup with "Check failed: top.size() <= bottom_slice_axis"')
            return None
        prev, sizes = 0, []
        for p in points:
            if p <= prev:
                return None  # unsorted points: not a shape question
            sizes.append(p - prev)
            prev = p
        sizes.append(dim - prev)
        if sizes[-1] <= 0:
            inf.issue("shape-mismatch", layer, point_node,
                      f'Slice "{layer.name}": slice_point {prev} is not inside axis {axis} of size {dim} '
                      f'({fmt_shape(bottom)}) — Caffe aborts at setup (the last top would have size {sizes[-1]}); '
                      f"use slice points below {dim}")
            return None
    else:
        if dim is None:
            sizes = [None] * n
        elif dim % n:
            inf.issue("shape-mismatch", layer, layer.field("slice_param.axis") or layer.tops[-1][1],
                      f'Slice "{layer.name}": {n} tops do not evenly divide axis {axis} of size {dim} ({fmt_shape(bottom)}) '
                      f'— Caffe aborts at setup with "Number of top blobs ({n}) should evenly divide input slice axis '
                      f'({dim})"; give slice_point values')
            return None
        else:
            sizes = [dim // n] * n
    out = []
    for size in sizes:
        top = list(bottom)
        top[axis] = size
        out.append(tuple(top))
    return out


def _flatten(inf, layer, bottoms):
    bottom = bottoms[0] if bottoms else None
    if bottom is None:
        return None
    start_value, end_value = _int(layer.get("flatten_param.axis")), _int(layer.get("flatten_param.end_axis"))
    start, end = canonical_axis(start_value, len(bottom)), canonical_axis(end_value, len(bottom))
    if start is None or end is None:
        value, node = ((start_value, layer.field("flatten_param.axis")) if start is None
                       else (end_value, layer.field("flatten_param.end_axis")))
        inf.issue("shape-mismatch", layer, node, _axis_error(layer, value, bottom))
        return None
    middle = count(bottom, start, end + 1)
    return [tuple(bottom[:start]) + (middle,) + tuple(bottom[end + 1:])]


def _reshape(inf, layer, bottoms):
    bottom = bottoms[0] if bottoms else None
    if bottom is None:
        return None
    shape_field = layer.field("reshape_param.shape")
    dims = ints(shape_field.value, "dim") if shape_field is not None and isinstance(shape_field.value, Message) else []
    if any(d is None for d in dims) or sum(1 for d in dims if d == -1) > 1:
        return None
    axis_value = _int(layer.get("reshape_param.axis"))
    num_axes = _int(layer.get("reshape_param.num_axes"))
    if axis_value is None or num_axes is None or num_axes < -1:
        return None
    nb = len(bottom)
    start = axis_value if axis_value >= 0 else nb + axis_value + 1
    node = shape_field or layer.field("reshape_param")
    where = f'Reshape "{layer.name}" of a {fmt_shape(bottom)} input'
    if start < 0 or start > nb:
        inf.issue("shape-mismatch", layer, layer.field("reshape_param.axis"),
                  f'{where}: axis {axis_value} is out of range — Caffe aborts at setup with "axis {axis_value} out of '
                  f'range for {nb}-D input blob"')
        return None
    end = nb if num_axes == -1 else start + num_axes
    if end > nb:
        inf.issue("shape-mismatch", layer, layer.field("reshape_param.num_axes"),
                  f'{where}: axis + num_axes = {end} goes past its {nb} axes — Caffe aborts at setup with "end_axis = '
                  'axis + num_axes is out of range"')
        return None
    top = list(bottom[:start]) + list(dims) + list(bottom[end:])
    if any(d < -1 for d in dims):  # Blob::Reshape aborts on the negative size first: N228
        return [tuple(None if d == -1 else d for d in top)]
    for i, d in enumerate(dims):
        if d == 0:
            if start + i >= nb:
                inf.issue("shape-mismatch", layer, node,
                          f'{where}: dim {i} of the new shape is 0 (copy) but the input has no axis {start + i} — Caffe '
                          'aborts at setup with "new shape contains a 0, but there was no corresponding bottom axis to copy"')
                return None
            top[start + i] = bottom[start + i]
    total = count(bottom)
    if -1 in dims:
        index = start + dims.index(-1)
        explicit = 1
        for j, d in enumerate(top):
            if j != index:
                explicit = None if explicit is None or d is None else explicit * d
        if explicit is None or total is None:
            top[index] = None
        elif explicit <= 0:
            return None
        elif total % explicit:
            inf.issue("shape-mismatch", layer, node,
                      f"{where}: its {total} values cannot be split into the new shape ({fmt_shape(tuple(top))} with -1 "
                      f'inferred) — Caffe aborts at setup with "bottom count ({total}) must be divisible by the product '
                      f'of the specified dimensions ({explicit})"')
            return None
        else:
            top[index] = total // explicit
    top = tuple(top)
    if any(d is not None and d < 0 for d in top):
        return [top]  # Blob::Reshape aborts first: N228
    out_count = count(top)
    if total is not None and out_count is not None and out_count != total:
        inf.issue("shape-mismatch", layer, node,
                  f"{where}: the new shape {fmt_shape(top)} holds {out_count} values, the input {total} — Caffe aborts at "
                  'setup with "output count must match input count"')
        return None
    return [top]


def _crop_layer(inf, layer, bottoms):
    if len(bottoms) < 2 or bottoms[0] is None or bottoms[1] is None:
        return None
    data, ref = bottoms
    nd = len(data)
    axis_value = _int(layer.get("crop_param.axis"))
    axis = canonical_axis(axis_value, nd)
    if axis is None:
        inf.issue("shape-mismatch", layer, layer.field("crop_param.axis"), _axis_error(layer, axis_value, data))
        return None
    offsets = ints(layer.sub("crop_param"), "offset")
    if any(o is None for o in offsets):
        return None
    offset_node = layer.field("crop_param.offset")
    if len(offsets) > 1 and axis + len(offsets) != nd:
        inf.issue("shape-mismatch", layer, offset_node,
                  f'Crop "{layer.name}": {len(offsets)} offsets for the {nd - axis} axes from axis {axis} of its '
                  f'{fmt_shape(data)} input — Caffe aborts at setup with "number of offset values specified must be equal '
                  'to the number of dimensions following axis."')
        return None
    if len(ref) < nd:
        return None  # Caffe reads past the reference's axes (bottom[1]->shape(i) aborts): not modelled
    top = list(data)
    for i in range(axis, nd):
        offset = offsets[0] if len(offsets) == 1 else (offsets[i - axis] if offsets else 0)
        top[i] = ref[i]
        if data[i] is not None and ref[i] is not None and data[i] - offset < ref[i]:
            inf.issue("shape-mismatch", layer, offset_node or layer.bottoms[1][1],
                      f'Crop "{layer.name}": cropping {ref[i]} from size {data[i]} at offset {offset} on axis {i} '
                      f'(data {fmt_shape(data)}, reference {fmt_shape(ref)}) — Caffe aborts at setup with "the crop for '
                      f'dimension {i} is out-of-bounds with size {ref[i]} and offset {offset}"')
            return None
    return [tuple(top)]


def _legacy(shape, index):
    """Blob::LegacyShape (num/channels/height/width): 1 past the axes; None (abort) above 4 axes."""
    if len(shape) > 4:
        return None
    return shape[index] if index < len(shape) else 1


def _loss(inf, layer, bottoms):
    kind = layer.type
    pred = bottoms[0] if bottoms else None
    label = bottoms[1] if len(bottoms) > 1 else None
    tops = [()]
    if kind in ("SoftmaxWithLoss", "InfogainLoss") and len(layer.tops) > 1:
        tops.append(pred)
    if pred is None or label is None:
        return tops
    shapes = " and ".join(f"bottom {i} {fmt_shape(b)}" for i, b in enumerate(bottoms[:2]))
    node = layer.bottoms[1][1]

    def fail(check):
        inf.issue("loss-shape-mismatch", layer, node,
                  f'{kind} "{layer.name}": {shapes} do not fit ("{check}") — Caffe aborts at setup')
        return None

    if kind != "Accuracy" and pred and label and pred[0] is not None and label[0] is not None and pred[0] != label[0]:
        return fail("The data and label should have the same first dimension.")
    if kind in ("SoftmaxWithLoss", "InfogainLoss", "Accuracy"):
        param = {"SoftmaxWithLoss": "softmax_param", "InfogainLoss": "infogain_loss_param", "Accuracy": "accuracy_param"}[kind]
        axis = canonical_axis(_int(layer.get(f"{param}.axis")), len(pred))
        if axis is None:
            inf.issue("shape-mismatch", layer, layer.field(f"{param}.axis"), _axis_error(layer, layer.get(f"{param}.axis"), pred))
            return None
        outer, inner, labels = count(pred, 0, axis), count(pred, axis + 1), count(label)
        if outer is not None and inner is not None and labels is not None and outer * inner != labels:
            return fail(f"Number of labels must match number of predictions; the prediction has {outer * inner} "
                        f"positions around axis {axis}, the label {labels} values")
        if kind == "Accuracy" and len(layer.tops) > 1:
            tops.append((pred[axis],))
    elif kind == "SigmoidCrossEntropyLoss":
        a, b = count(pred), count(label)
        if a is not None and b is not None and a != b:
            return fail("SIGMOID_CROSS_ENTROPY_LOSS layer inputs must have the same count.")
    elif kind == "EuclideanLoss":
        a, b = count(pred, 1), count(label, 1)
        if a is not None and b is not None and a != b:
            return fail("Inputs must have the same dimension.")
    elif kind == "MultinomialLogisticLoss":
        for index, name in ((1, "channels"), (2, "height"), (3, "width")):
            d = _legacy(label, index)
            if d is not None and d != 1:
                return fail(f"Check failed: bottom[1]->{name}() == 1 ({d} vs. 1)")
    elif kind == "ContrastiveLoss":
        sim = bottoms[2] if len(bottoms) > 2 else None
        checks = [(pred, 1, label, "bottom[0]->channels() == bottom[1]->channels()")]
        for blob, i in ((pred, 0), (label, 1)):
            checks += [(blob, 2, 1, f"bottom[{i}]->height() == 1"), (blob, 3, 1, f"bottom[{i}]->width() == 1")]
        if sim is not None:
            checks += [(sim, k, 1, f"bottom[2]->{n}() == 1") for k, n in ((1, "channels"), (2, "height"), (3, "width"))]
            shapes = " and ".join(f"bottom {i} {fmt_shape(b)}" for i, b in enumerate(bottoms[:3]))
        for blob, index, want, text in checks:
            d = _legacy(blob, index)
            other = _legacy(want, 1) if isinstance(want, tuple) else want
            if d is not None and other is not None and d != other:
                return fail(f"Check failed: {text}")
    return tops


_HANDLERS = {
    "Input": _input,
    "DummyData": _dummy_data,
    "Data": _data,
    "ImageData": _image_data,
    "WindowData": _window_data,
    "MemoryData": _memory_data,
    "Convolution": _convolution,
    "Deconvolution": _convolution,
    "Pooling": _pooling,
    "InnerProduct": _inner_product,
    "Split": _split,
    "Eltwise": _eltwise,
    "Concat": _concat,
    "Slice": _slice,
    "Flatten": _flatten,
    "Reshape": _reshape,
    "Crop": _crop_layer,
    "Accuracy": _loss,
    **{kind: _same for kind in SAME_SHAPE},
    **{kind: _loss for kind in LOSS_TYPES},
}
