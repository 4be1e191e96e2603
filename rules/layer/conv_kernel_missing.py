"""L310 conv-kernel-missing: A Convolution/Deconvolution/Im2col without a kernel size, or with only kernel_h or kernel_w."""

from __future__ import annotations

from protolint.rule import Rule
from protolint.syntax.nodes import values

from ._helpers import has_unknown_fields


class ConvKernelMissing(Rule):
    code = "L310"
    name = "conv-kernel-missing"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("Convolution", "Deconvolution", "Im2col")
    summary = "A Convolution/Deconvolution/Im2col without a kernel size, or with only kernel_h or kernel_w"
    what_it_does = (
        "Reports convolution-like layers with neither `kernel_size` nor `kernel_h`/`kernel_w`, or with only one "
        "of `kernel_h` and `kernel_w` (the other stays 0)."
    )
    why_it_matters = (
        'Caffe aborts at setup: "kernel_size must be specified once, or once per spatial dimension (kernel_size '
        'specified 0 times; 2 spatial dims)", or "Filter dimensions must be nonzero." for the missing half.'
    )
    example = 'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 8 kernel_h: 3 } }'
    how_to_fix = "Set kernel_size, or both kernel_h and kernel_w."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/base_conv_layer.cpp:26-46 (BaseConvolutionLayer::LayerSetUp: the kernel_size count CHECK "
        "and CHECK_GT of each kernel dimension)",
    )

    def check(self, ctx):
        for _, layer in ctx.layers(("Convolution", "Deconvolution", "Im2col")):
            conv = layer.sub("convolution_param")
            if values(conv, "kernel_size") or has_unknown_fields(layer, "convolution_param"):
                continue
            kh = conv.last("kernel_h") if conv is not None else None
            kw = conv.last("kernel_w") if conv is not None else None
            if kh is None and kw is None:
                ctx.report_layer(layer, f'{layer.type} "{layer.name}" has no kernel size: Caffe aborts with '
                          '"kernel_size must be specified once, or once per spatial dimension (kernel_size specified 0 '
                          'times; 2 spatial dims)" — set kernel_size, or both kernel_h and kernel_w', node=layer.field("convolution_param"))
            elif kh is None or kw is None:
                lone = kh or kw
                ctx.report_node(lone, f'{layer.type} "{layer.name}" sets only {lone.name}: the other side stays 0 and Caffe '
                                'aborts with "Filter dimensions must be nonzero." — set kernel_size, or both kernel_h and kernel_w')
