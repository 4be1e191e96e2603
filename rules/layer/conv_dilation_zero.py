"""L313 conv-dilation-zero: A convolution dilation of 0."""

from __future__ import annotations

from protolint.model.geometry import conv_kernel
from protolint.rule import Rule
from protolint.syntax.nodes import number, values

from .._format import fmt


class ConvDilationZero(Rule):
    code = "L313"
    name = "conv-dilation-zero"
    severity = "warning"
    applies_to = ("net",)
    layer_types = ("Convolution", "Deconvolution")
    summary = "A convolution dilation of 0"
    what_it_does = "Reports a `dilation` element equal to 0 in Convolution/Deconvolution layers."
    why_it_matters = (
        "Caffe does not check dilation: the kernel extent d*(k-1)+1 becomes 1, so a k x k kernel samples one "
        "pixel k^2 times and the output keeps the input size (reproduced by running Caffe)."
    )
    example = 'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 8 kernel_size: 3 dilation: 0 } }'
    how_to_fix = "Use dilation 1 (no dilation, the default) or at least 2."
    version_notes = "Dilation exists since Caffe rc3."
    references = (
        "src/caffe/layers/base_conv_layer.cpp:94-107 (BaseConvolutionLayer::LayerSetUp: dilation is read without a "
        "check)",
        "src/caffe/layers/conv_layer.cpp:17-19 (ConvolutionLayer::compute_output_shape: kernel extent "
        "dilation*(k-1)+1)",
    )

    def check(self, ctx):
        for _, layer in ctx.layers(("Convolution", "Deconvolution")):
            conv = layer.sub("convolution_param")
            for value, node in values(conv, "dilation"):
                if number(value) == 0:
                    k = conv_kernel(layer)
                    k_text = fmt(k[0]) if k and k[0] else "k"
                    area = fmt(k[0] * k[0]) if k and k[0] else "k²"
                    ctx.report_node(node, f'{layer.type} "{layer.name}" has dilation 0: Caffe accepts it but the kernel extent '
                                    f"becomes 1, so a {k_text}×{k_text} kernel samples one pixel {area} times and the output "
                                    "keeps the input size — use dilation 1 (no dilation) or ≥ 2")
                    break
