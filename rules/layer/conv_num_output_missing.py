"""L309 conv-num-output-missing: A Convolution/Deconvolution without num_output."""

from __future__ import annotations

from protolint.rule import Rule

from ._helpers import has_unknown_fields, unset_or_zero


class ConvNumOutputMissing(Rule):
    code = "L309"
    name = "conv-num-output-missing"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("Convolution", "Deconvolution")
    summary = "A Convolution/Deconvolution without num_output"
    what_it_does = "Reports Convolution and Deconvolution layers whose `convolution_param.num_output` is unset or 0."
    why_it_matters = 'BaseConvolutionLayer::LayerSetUp aborts with "Check failed: num_output_ > 0 (0 vs. 0)".'
    example = 'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { kernel_size: 3 } }'
    how_to_fix = "Set num_output (the number of filters)."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/base_conv_layer.cpp:118-119 (BaseConvolutionLayer::LayerSetUp: CHECK_GT(num_output_, 0))",
    )

    def check(self, ctx):
        for _, layer in ctx.layers(("Convolution", "Deconvolution")):
            if unset_or_zero(layer, "convolution_param.num_output") and not has_unknown_fields(layer, "convolution_param"):
                ctx.report_layer(layer, f'{layer.type} "{layer.name}" has no num_output: Caffe aborts with '
                          '"Check failed: num_output_ > 0 (0 vs. 0)" — set num_output', node=layer.field("convolution_param"))
