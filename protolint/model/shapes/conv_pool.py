"""Convolution, deconvolution and pooling tops, and the setup CHECKs of their geometry."""

from __future__ import annotations

from ..geometry import conv_geometry, conv_output_size, pooled_size, pooling_geometry
from .common import checked_axis, fmt_shape, int_value, known


def convolution_tops(inf, layer, bottoms):
    bottom = bottoms[0] if bottoms else None
    if bottom is None:
        return None
    axis = checked_axis(inf, layer, bottom, "convolution_param.axis")
    if axis is None:
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
    num_output = int_value(layer.get("convolution_param.num_output"))
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


def pooling_tops(inf, layer, bottoms):
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
