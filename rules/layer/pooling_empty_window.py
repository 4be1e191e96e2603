"""L323 pooling-empty-window: ceil-rounded pooling whose last window lies outside the input."""

from __future__ import annotations

from protolint.rule import Rule


class PoolingEmptyWindow(Rule):
    code = "L323"
    name = "pooling-empty-window"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("Pooling",)
    summary = "Ceil-rounded pooling whose last window lies outside the input"
    what_it_does = (
        "For MAX/AVE pooling with stride > kernel, no padding and the default CEIL rounding, checks with the "
        "known input size whether the last row or column of windows starts beyond the input "
        "((out - 1)·stride >= H)."
    )
    why_it_matters = (
        "Caffe only clips the last window when pad > 0. An empty AVE window divides 0 by 0 (NaN); an empty MAX "
        "window outputs -3.4e38 and its CPU backward writes out of bounds (reproduced by "
        "running Caffe: 4×4 input, kernel 1, stride 2 gives a 3×3 output with 5 NaN cells)."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 4 dim: 4 } } }\n'
        'layer {\n  name: "pool1"\n  type: "Pooling"\n  bottom: "data"\n  top: "pool1"\n'
        "  pooling_param { pool: AVE kernel_size: 1 stride: 2 }\n}"
    )
    how_to_fix = "Use a stride no larger than the kernel, pad the input, or use `round_mode: FLOOR` (master only)."
    version_notes = "`round_mode` exists only on master after 1.0; older releases always round up."
    references = (
        "src/caffe/layers/pooling_layer.cpp:107-118 (PoolingLayer::Reshape: the last window is clipped only with "
        "pad > 0)",
        "src/caffe/layers/pooling_layer.cpp:162-187 (Forward_cpu, MAX: outputs start at -FLT_MAX)",
        "src/caffe/layers/pooling_layer.cpp:210-225 (Forward_cpu, AVE: the sum is divided by the window size)",
    )

    def check(self, ctx):
        for issue, message in ctx.shape_issues("empty-window"):
            ctx.report_layer(issue.layer, message, node=issue.node)
