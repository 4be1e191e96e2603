"""Convolution and pooling geometry as Caffe reads it: kernel, stride, pad and dilation per axis.

One reading of each setting for every rule and for shape inference. Convolution
(base_conv_layer.cpp) takes either repeated `kernel_size`/`stride`/`pad` values — one for all
spatial axes or one per axis — or the 2-D `kernel_h`/`kernel_w` form; `dilation` has no _h/_w
form. Pooling (pooling_layer.cpp) is always 2-D: `kernel_size` wins over `kernel_h`/`kernel_w`,
while for pad and stride the `_h` field decides (`pad_h` set: pad_h and pad_w, else `pad`).
"""

from __future__ import annotations

import math

from ..syntax.nodes import Message, Scalar, number
from ..values import Frozen, Record

# Plain classes, not dataclasses: creating a dataclass costs ~0.3 ms of start-up each.


def _int(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def int_values(message: Message | None, name: str) -> list:
    """The values of a repeated scalar field (list syntax included); non-integers as None."""
    if message is None:
        return []
    return [_int(item.value) for f in message.all(name) for item in f.values() if isinstance(item, Scalar)]


def _one(message: Message | None, name: str):
    """(is_set, int value or None) of an optional scalar field."""
    f = message.last(name) if message is not None else None
    if f is None:
        return False, None
    return True, _int(f.scalar)


# --- convolution ---------------------------------------------------------------------------------


def conv_kernel(layer) -> list:
    """The kernel of a Convolution/Deconvolution/Im2col as written: [kernel_h, kernel_w] (0 for the
    missing one) when either is set, else the `kernel_size` values. Non-numbers are None."""
    block = layer.sub("convolution_param")
    if block is None:
        return []
    h, w = block.last("kernel_h"), block.last("kernel_w")
    if h is not None or w is not None:
        return [number(h.scalar) if h is not None else 0, number(w.scalar) if w is not None else 0]
    return [number(item.value) for f in block.all("kernel_size") for item in f.values() if isinstance(item, Scalar)]


def conv_kernel_node(layer):
    """Where a convolution's kernel is written: kernel_h (or kernel_w), else the first kernel_size."""
    block = layer.sub("convolution_param")
    if block is None:
        return None
    return block.last("kernel_h") or block.last("kernel_w") or block.first("kernel_size")


def spread(items: list, axes: int, default) -> list:
    """Caffe's rule for repeated per-axis values: none -> the default on every axis, one -> that
    value on every axis, else one per axis (missing trailing axes: the default)."""
    if not items:
        return [default] * axes
    if len(items) == 1:
        return items * axes
    return items[:axes] + [default] * (axes - len(items))


def conv_per_axis(block, name, h_name, w_name, axes: int, default, required: bool = False):
    """Caffe's per-spatial-axis values of kernel/stride/pad/dilation for `axes` spatial axes; None
    when Caffe rejects them (both forms, a count that fits no axis, a missing required kernel)."""
    return _per_axis(_by_name(block), name, h_name, w_name, axes, default, required)


def _by_name(block: Message | None) -> dict[str, list]:
    """The fields of a block grouped by name, in file order: one pass over the block for the eight
    names the four convolution settings read."""
    found: dict[str, list] = {}
    if block is not None:
        for f in block.fields:
            found.setdefault(f.name, []).append(f)
    return found


def _per_axis(fields: dict[str, list], name, h_name, w_name, axes: int, default, required: bool):
    """conv_per_axis on a block's fields grouped by _by_name."""
    h_fields = fields.get(h_name) if h_name else None
    w_fields = fields.get(w_name) if w_name else None
    if h_fields or w_fields:
        if axes != 2 or _ints(fields.get(name)):
            return None
        h = _int(h_fields[-1].scalar) if h_fields else None
        w = _int(w_fields[-1].scalar) if w_fields else None
        if (h_fields and h is None) or (w_fields and w is None):
            return None
        return [h if h_fields else 0, w if w_fields else 0]
    values = _ints(fields.get(name))
    if any(v is None for v in values):
        return None
    if not values:
        return None if required else [default] * axes
    if len(values) == 1:
        return values * axes
    if len(values) == axes:
        return values
    return None


def _ints(fields: list | None) -> list:
    """int_values of fields already found."""
    if not fields:
        return []
    return [_int(item.value) for f in fields for item in f.values() if isinstance(item, Scalar)]


class ConvGeometry(Record):
    """Immutable; equal by value (unhashable: its values are lists)."""

    __slots__ = ("kernel", "stride", "pad", "dilation")

    def __init__(self, kernel: list, stride: list, pad: list, dilation: list):
        self.kernel = kernel
        self.stride = stride
        self.pad = pad
        self.dilation = dilation

    @property
    def extents(self) -> list:
        """The span of each dilated kernel: dilation * (kernel - 1) + 1."""
        return [d * (k - 1) + 1 for d, k in zip(self.dilation, self.kernel)]


def conv_geometry(layer, axes: int) -> ConvGeometry | None:
    """The validated geometry of a convolution with `axes` spatial axes; None when Caffe rejects
    it (other rules say why)."""
    fields = _by_name(layer.sub("convolution_param"))
    kernel = _per_axis(fields, "kernel_size", "kernel_h", "kernel_w", axes, None, True)
    stride = _per_axis(fields, "stride", "stride_h", "stride_w", axes, 1, False)
    pad = _per_axis(fields, "pad", "pad_h", "pad_w", axes, 0, False)
    dilation = _per_axis(fields, "dilation", None, None, axes, 1, False)
    if kernel is None or stride is None or pad is None or dilation is None:
        return None
    if any(k <= 0 for k in kernel) or any(s <= 0 for s in stride):
        return None
    return ConvGeometry(kernel, stride, pad, dilation)


def conv_output_size(size: int, kernel_extent: int, stride: int, pad: int, deconvolution: bool) -> int:
    """One spatial axis of a (de)convolution's output, with C++ integer division."""
    if deconvolution:
        return stride * (size - 1) + kernel_extent - 2 * pad
    numerator = size + 2 * pad - kernel_extent
    quotient = abs(numerator) // stride
    return (quotient if numerator >= 0 else -quotient) + 1


# --- pooling -------------------------------------------------------------------------------------

_POOLING_SINGLE = {"kernel": "kernel_size", "stride": "stride", "pad": "pad"}
_POOLING_DEFAULT = {"kernel": 0, "stride": 1, "pad": 0}


class PoolingAxes(Frozen):
    """One pooling setting for height and width, and where each is written. Immutable; equal and
    hashed by value."""

    __slots__ = ("h", "w", "h_node", "w_node", "written")

    def __init__(self, h: object, w: object, h_node: object = None, w_node: object = None, written: bool = False):
        self.h = h
        self.w = w
        self.h_node = h_node
        self.w_node = w_node
        self.written = written  # False: Caffe's default applies

    def __iter__(self):
        return iter((self.h, self.w))

    def node(self, axis: int):
        return self.h_node if axis == 0 else self.w_node


def pooling_axes(layer, setting: str) -> PoolingAxes:
    """"kernel", "stride" or "pad" of a Pooling layer for (height, width), as LayerSetUp reads it."""
    block = layer.sub("pooling_param")
    single = block.last(_POOLING_SINGLE[setting]) if block is not None else None
    h = block.last(f"{setting}_h") if block is not None else None
    w = block.last(f"{setting}_w") if block is not None else None
    use_hw = (single is None and (h is not None or w is not None)) if setting == "kernel" else h is not None
    if use_hw:
        h_value = number(h.scalar) if h is not None else 0
        w_value = number(w.scalar) if w is not None else 0
        return PoolingAxes(h_value, w_value, h or w, w or h, True)
    if single is not None:
        value = number(single.scalar)
        return PoolingAxes(value, value, single, single, True)
    default = _POOLING_DEFAULT[setting]
    return PoolingAxes(default, default)


def pooling_geometry(layer):
    """(kernel (h, w) or None for global pooling, stride, pad) as PoolingLayer::LayerSetUp reads
    them; None when its CHECKs reject the parameters (other rules report that)."""
    block = layer.sub("pooling_param")
    glob = bool(layer.get("pooling_param.global_pooling"))
    has = (lambda name: block is not None and block.has(name))
    if glob:
        if has("kernel_size") or has("kernel_h") or has("kernel_w"):
            return None
        kernel = None
    else:
        if has("kernel_size") == (has("kernel_h") and has("kernel_w")):
            return None
        if has("kernel_size"):
            k = _int(layer.get("pooling_param.kernel_size"))
            kernel = (k, k)
        else:
            kernel = (_int(layer.get("pooling_param.kernel_h")), _int(layer.get("pooling_param.kernel_w")))
        if any(k is None or k <= 0 for k in kernel):
            return None
    if has("pad_h") or has("pad_w"):
        if has("pad") or not (has("pad_h") and has("pad_w")):
            return None
        pad = (_int(layer.get("pooling_param.pad_h")), _int(layer.get("pooling_param.pad_w")))
    else:
        p = _int(layer.get("pooling_param.pad"))
        pad = (p, p)
    if has("stride_h") or has("stride_w"):
        if has("stride") or not (has("stride_h") and has("stride_w")):
            return None
        stride = (_int(layer.get("pooling_param.stride_h")), _int(layer.get("pooling_param.stride_w")))
    else:
        s = _int(layer.get("pooling_param.stride"))
        stride = (s, s)
    if any(v is None for v in pad + stride) or any(s <= 0 for s in stride) or any(p < 0 for p in pad):
        return None
    if glob and (pad != (0, 0) or stride != (1, 1)):
        return None
    if pad != (0, 0):
        if layer.get("pooling_param.pool") not in ("MAX", "AVE"):
            return None
        if kernel is not None and (pad[0] >= kernel[0] or pad[1] >= kernel[1]):
            return None
    return kernel, stride, pad


def pooled_size(size: int, kernel: int, stride: int, pad: int, floor: bool) -> int:
    """One axis of a pooling output before the padding clip (CEIL unless round_mode is FLOOR)."""
    ratio = (size + 2 * pad - kernel) / stride
    return int(math.floor(ratio) if floor else math.ceil(ratio)) + 1
