"""The other layers whose tops Caffe computes from their parameters: InnerProduct, shape-keeping
layers, Split, Eltwise, Concat, Slice, Flatten, Reshape, Crop and the losses."""

from __future__ import annotations

from ...syntax.nodes import Message
from ..geometry import int_values as ints
from .common import axis_error, canonical_axis, checked_axis, count, fmt_shape, int_value


def inner_product_tops(inf, layer, bottoms):
    bottom = bottoms[0] if bottoms else None
    if bottom is None:
        return None
    axis = checked_axis(inf, layer, bottom, "inner_product_param.axis")
    if axis is None:
        return None
    num_output = int_value(layer.get("inner_product_param.num_output"))
    if num_output is None or num_output <= 0:
        return None
    return [tuple(bottom[:axis]) + (num_output,)]


def same_tops(inf, layer, bottoms):
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
    axis = checked_axis(inf, layer, bottom, f"{block}.axis")
    if axis is None:
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


def split_tops(inf, layer, bottoms):
    bottom = bottoms[0] if bottoms else None
    return None if bottom is None else [bottom] * len(layer.tops)


def eltwise_tops(inf, layer, bottoms):
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


def concat_tops(inf, layer, bottoms):
    if not bottoms or any(b is None for b in bottoms):
        return None
    first = bottoms[0]
    if layer.has("concat_param.concat_dim") and not layer.has("concat_param.axis"):
        axis = int_value(layer.get("concat_param.concat_dim"))
        axis = axis if axis is not None and 0 <= axis < len(first) else None
        value, node = layer.get("concat_param.concat_dim"), layer.field("concat_param.concat_dim")
    elif layer.has("concat_param.concat_dim"):
        return None  # both given: Caffe aborts in LayerSetUp (another rule)
    else:
        value, node = int_value(layer.get("concat_param.axis")), layer.field("concat_param.axis")
        axis = canonical_axis(value, len(first))
    if axis is None:
        inf.issue("shape-mismatch", layer, node, axis_error(layer, value, first))
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


def slice_tops(inf, layer, bottoms):
    bottom = bottoms[0] if bottoms else None
    if bottom is None:
        return None
    if layer.has("slice_param.slice_dim"):
        if layer.has("slice_param.axis"):
            return None
        value, node = int_value(layer.get("slice_param.slice_dim")), layer.field("slice_param.slice_dim")
        axis = value if value is not None and 0 <= value < len(bottom) else None
    else:
        value, node = int_value(layer.get("slice_param.axis")), layer.field("slice_param.axis")
        axis = canonical_axis(value, len(bottom))
    if axis is None:
        inf.issue("shape-mismatch", layer, node, axis_error(layer, value, bottom))
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


def flatten_tops(inf, layer, bottoms):
    bottom = bottoms[0] if bottoms else None
    if bottom is None:
        return None
    start_value, end_value = int_value(layer.get("flatten_param.axis")), int_value(layer.get("flatten_param.end_axis"))
    start, end = canonical_axis(start_value, len(bottom)), canonical_axis(end_value, len(bottom))
    if start is None or end is None:
        value, node = ((start_value, layer.field("flatten_param.axis")) if start is None
                       else (end_value, layer.field("flatten_param.end_axis")))
        inf.issue("shape-mismatch", layer, node, axis_error(layer, value, bottom))
        return None
    middle = count(bottom, start, end + 1)
    return [tuple(bottom[:start]) + (middle,) + tuple(bottom[end + 1:])]


def reshape_tops(inf, layer, bottoms):
    bottom = bottoms[0] if bottoms else None
    if bottom is None:
        return None
    shape_field = layer.field("reshape_param.shape")
    dims = ints(shape_field.value, "dim") if shape_field is not None and isinstance(shape_field.value, Message) else []
    if any(d is None for d in dims) or sum(1 for d in dims if d == -1) > 1:
        return None
    axis_value = int_value(layer.get("reshape_param.axis"))
    num_axes = int_value(layer.get("reshape_param.num_axes"))
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


def crop_layer_tops(inf, layer, bottoms):
    if len(bottoms) < 2 or bottoms[0] is None or bottoms[1] is None:
        return None
    data, ref = bottoms
    nd = len(data)
    axis = checked_axis(inf, layer, data, "crop_param.axis")
    if axis is None:
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


def loss_tops(inf, layer, bottoms):
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
        axis = checked_axis(inf, layer, pred, f"{param}.axis")
        if axis is None:
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


def embed_tops(inf, layer, bottoms):
    bottom = bottoms[0] if bottoms else None
    num_output = int_value(layer.get("embed_param.num_output"))
    if bottom is None or num_output is None or num_output <= 0:
        return None
    return [tuple(bottom) + (num_output,)]


def tile_tops(inf, layer, bottoms):
    bottom = bottoms[0] if bottoms else None
    tiles = int_value(layer.get("tile_param.tiles"))
    if bottom is None or tiles is None or tiles <= 0:
        return None
    axis = checked_axis(inf, layer, bottom, "tile_param.axis")
    if axis is None:
        return None
    top = list(bottom)
    top[axis] = None if bottom[axis] is None else bottom[axis] * tiles
    return [tuple(top)]


def reduction_tops(inf, layer, bottoms):
    bottom = bottoms[0] if bottoms else None
    if bottom is None:
        return None
    axis = checked_axis(inf, layer, bottom, "reduction_param.axis")
    if axis is None:
        return None
    return [tuple(bottom[:axis])]


def parameter_tops(inf, layer, bottoms):
    from .common import blob_shape

    shape = blob_shape(layer.sub("parameter_param").last("shape").value) if layer.has("parameter_param.shape") else None
    if shape is None:
        inf.because("Parameter layer without parameter_param { shape { dim: ... } }")
    return [shape]


def recurrent_tops(inf, layer, bottoms):
    """LSTM/RNN: x is (T, N, ...), the output (T, N, num_output); exposed hidden states (1, N, num_output)."""
    x = bottoms[0] if bottoms else None
    num_output = int_value(layer.get("recurrent_param.num_output"))
    if x is None or num_output is None or num_output <= 0 or len(x) < 2:
        return None
    top = (x[0], x[1], num_output)
    hidden = (1, x[1], num_output)
    return [top] + [hidden] * (len(layer.tops) - 1)
