"""Parameter counts and multiply-accumulates of one layer, from the shapes shape inference found.

Parameters: the values of the blobs the layer owns — what a .caffemodel stores for it — learned or
not: weights and biases, BatchNorm's mean, variance and moving-average factor (2·C + 1), a Scale's
or Bias's own blob (none when it comes from a second bottom), PReLU's slopes, a Parameter layer's
blob, the unrolled weights of LSTM/RNN.

MACs: multiply-accumulates of one forward pass over the whole batch as shaped, counted for the
layers that take weighted sums of their inputs; every other layer counts 0 (element-wise layers,
pooling, normalisation, losses, data movement — their work is not counted):

    Convolution    count(top) · (C_in / group) · prod(kernel)
    Deconvolution  count(bottom) · (num_output / group) · prod(kernel)
    InnerProduct   M · N · K   (M = count(bottom[:axis]), K = count(bottom[axis:]), N = num_output)
    LSTM           T · N · (4H·I + 4H·H) + N · 4H·I_static
    RNN            T · N · (H·I + 2·H·H) + N · H·I_static   (x: T×N×I..., H = num_output)

Bias additions are not counted. Either figure is None when the shapes it needs are unknown, or when
the layer is not modelled (a Python layer, a fork's type, a layer with fields the schema lacks).
"""

from __future__ import annotations

from ..facts import BVLC_LAYER_TYPES
from ..geometry import conv_geometry
from .common import blob_shape, canonical_axis, count, int_value

_WEIGHTED = frozenset("Convolution Deconvolution InnerProduct Embed BatchNorm Scale Bias PReLU Parameter LSTM RNN".split())


def layer_cost(layer, bottoms: list, tops: list, modelled: bool = True) -> tuple[int | None, int | None]:
    """(parameters, MACs) of `layer` given its bottom and top shapes (None or tuples with None)."""
    if not modelled or layer.type not in BVLC_LAYER_TYPES or layer.type == "Python":
        return None, None
    if layer.type not in _WEIGHTED:
        return 0, 0
    try:
        return _COST[layer.type](layer, bottoms, tops)
    except (ArithmeticError, IndexError, TypeError, ValueError):
        return None, None


def _full(shape):
    return shape is not None and None not in shape


def _bias(layer, path: str) -> bool:
    return layer.get(path) is not False


def _convolution(layer, bottoms, tops):
    bottom = bottoms[0] if bottoms else None
    top = tops[0] if tops else None
    num_output = int_value(layer.get("convolution_param.num_output"))
    group = int_value(layer.get("convolution_param.group"))
    if bottom is None or not num_output or not group:
        return None, None
    axis = canonical_axis(int_value(layer.get("convolution_param.axis")), len(bottom))
    if axis is None or bottom[axis] is None:
        return None, None
    geometry = conv_geometry(layer, len(bottom) - axis - 1)
    if geometry is None:
        return None, None
    area = 1
    for k in geometry.kernel:
        area *= k
    c_in = bottom[axis]
    bias = num_output if _bias(layer, "convolution_param.bias_term") else 0
    if layer.type == "Convolution":
        params = num_output * (c_in // group) * area + bias
        macs = count(top) * (c_in // group) * area if _full(top) else None
    else:
        params = c_in * (num_output // group) * area + bias
        macs = count(bottom) * (num_output // group) * area if _full(bottom) else None
    return params, macs


def _inner_product(layer, bottoms, tops):
    bottom = bottoms[0] if bottoms else None
    n = int_value(layer.get("inner_product_param.num_output"))
    if bottom is None or not n:
        return None, None
    axis = canonical_axis(int_value(layer.get("inner_product_param.axis")), len(bottom))
    if axis is None:
        return None, None
    k, m = count(bottom, axis), count(bottom, 0, axis)
    if k is None:
        return None, None
    params = n * k + (n if _bias(layer, "inner_product_param.bias_term") else 0)
    return params, (m * n * k if m is not None else None)


def _embed(layer, bottoms, tops):
    n, k = int_value(layer.get("embed_param.num_output")), int_value(layer.get("embed_param.input_dim"))
    if not n or not k:
        return None, 0
    return k * n + (n if _bias(layer, "embed_param.bias_term") else 0), 0


def _batch_norm(layer, bottoms, tops):
    bottom = bottoms[0] if bottoms else None
    if bottom is None:
        return None, 0
    channels = bottom[1] if len(bottom) > 1 else 1
    return (None if channels is None else 2 * channels + 1), 0


def _scale_or_bias(layer, bottoms, tops):
    bottom = bottoms[0] if bottoms else None
    block = "scale_param" if layer.type == "Scale" else "bias_param"
    with_bias = layer.type == "Scale" and layer.get("scale_param.bias_term") is True
    if len(layer.bottoms) > 1:  # the scale (or bias) is bottom 1: only a Scale's own bias is a parameter
        other = bottoms[1] if len(bottoms) > 1 else None
        if not with_bias:
            return 0, 0
        return (count(other) if other is not None else None), 0
    if bottom is None:
        return None, 0
    axis = canonical_axis(int_value(layer.get(f"{block}.axis")), len(bottom))
    num_axes = int_value(layer.get(f"{block}.num_axes"))
    if axis is None or num_axes is None or num_axes < -1:
        return None, 0
    size = count(bottom, axis, None if num_axes == -1 else axis + num_axes)
    if size is None:
        return None, 0
    return size * (2 if with_bias else 1), 0


def _prelu(layer, bottoms, tops):
    if layer.get("prelu_param.channel_shared") is True:
        return 1, 0
    bottom = bottoms[0] if bottoms else None
    if bottom is None:
        return None, 0
    channels = bottom[1] if len(bottom) > 1 else 1
    return channels, 0


def _parameter(layer, bottoms, tops):
    shape = blob_shape(layer.sub("parameter_param").last("shape").value) if layer.has("parameter_param.shape") else None
    return (count(shape) if shape is not None else None), 0


def _recurrent(layer, bottoms, tops):
    x = bottoms[0] if bottoms else None
    h = int_value(layer.get("recurrent_param.num_output"))
    if x is None or not h or len(x) < 2:
        return None, None
    gates = 4 if layer.type == "LSTM" else 1
    inputs = count(x, 2)
    exposed = (2 if layer.type == "LSTM" else 1) if layer.get("recurrent_param.expose_hidden") is True else 0
    static = None
    if len(layer.bottoms) > 2 + exposed:  # x, cont, then x_static (N, ...) before any exposed hidden state
        static_shape = bottoms[2] if len(bottoms) > 2 else None
        static = count(static_shape, 1) if static_shape is not None else None
        if static is None:
            return None, None
    if inputs is None:
        return None, None
    if layer.type == "LSTM":  # W_xc, b_c, W_hc (+ W_xc_static)
        params = 4 * h * inputs + 4 * h + 4 * h * h
        step = 4 * h * inputs + 4 * h * h
    else:  # W_xh, b_h, W_hh, W_ho, b_o (+ W_xh_static)
        params = h * inputs + h + 2 * h * h + h
        step = h * inputs + 2 * h * h
    params += gates * h * (static or 0)
    t, n = x[0], x[1]
    macs = None if t is None or n is None else t * n * step + n * gates * h * (static or 0)
    return params, macs


_COST = {
    "Convolution": _convolution,
    "Deconvolution": _convolution,
    "InnerProduct": _inner_product,
    "Embed": _embed,
    "BatchNorm": _batch_norm,
    "Scale": _scale_or_bias,
    "Bias": _scale_or_bias,
    "PReLU": _prelu,
    "Parameter": _parameter,
    "LSTM": _recurrent,
    "RNN": _recurrent,
}
