"""L311 conv-kernel-and-kernel-hw: kernel_size/stride/pad together with their _h/_w forms in a convolution."""

from __future__ import annotations

from protolint.rule import Rule
from protolint.syntax.nodes import values


class ConvKernelAndKernelHW(Rule):
    code = "L311"
    name = "conv-kernel-and-kernel-hw"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("Convolution", "Deconvolution", "Im2col")
    summary = "kernel_size/stride/pad together with their _h/_w forms in a convolution"
    what_it_does = "Reports convolution-like layers that set `kernel_size` and `kernel_h`/`kernel_w`, `stride` and `stride_h`/`stride_w`, or `pad` and `pad_h`/`pad_w`."
    why_it_matters = 'Caffe aborts with "Either kernel_size or kernel_h/w should be specified; not both." (and likewise for stride and pad).'
    example = 'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 8 kernel_size: 3 kernel_h: 3 kernel_w: 3 } }'
    how_to_fix = "Keep one form: either the single value (or one per spatial axis), or the _h/_w pair."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/base_conv_layer.cpp:26-32, 50-56, 74-80 (BaseConvolutionLayer::LayerSetUp: the kernel, "
        "stride and pad CHECKs)",
    )

    def check(self, ctx):
        for _, layer in ctx.layers(("Convolution", "Deconvolution", "Im2col")):
            conv = layer.sub("convolution_param")
            if conv is None:
                continue
            for single, prefix in (("kernel_size", "kernel"), ("stride", "stride"), ("pad", "pad")):
                pair = conv.last(f"{prefix}_h") or conv.last(f"{prefix}_w")
                if pair is not None and values(conv, single):
                    ctx.report_node(pair, f'{layer.type} "{layer.name}" sets both {single} and {prefix}_h/{prefix}_w: Caffe '
                                    f'aborts with "Either {single} or {prefix}_h/w should be specified; not both." — keep one form')
