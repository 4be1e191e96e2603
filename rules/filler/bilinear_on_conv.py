"""F416 bilinear-on-conv: A bilinear weight filler on a Convolution (it builds an upsampling kernel)."""

from __future__ import annotations

from protolint.model.fillers import filler_uses
from protolint.model.params import learned_from_filler
from protolint.rule import Rule

from .._format import layer_label
from ._helpers import starting_value_severity


class BilinearOnConv(Rule):
    code = "F416"
    name = "bilinear-on-conv"
    severity = "warning"
    applies_to = ("net",)
    summary = "A bilinear weight filler on a Convolution (it builds an upsampling kernel)"
    what_it_does = (
        "Reports a trained Convolution with learnable weights whose weight_filler is bilinear. (An InnerProduct "
        "with a bilinear filler aborts and is reported by bilinear-nonsquare.)"
    )
    why_it_matters = (
        "The bilinear filler builds the interpolation kernel of an upsampling, identical for "
        "every channel pair. As the initial weights of a convolution it is a blur that sums all input channels into "
        "identical output channels: every unit starts the same, like a constant filler."
    )
    example = (
        'layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 3 dim: 8 dim: 8 } shape { dim: 8 } } }\n'
        'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"\n'
        '  convolution_param { num_output: 16 kernel_size: 4 weight_filler { type: "bilinear" } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "conv1" top: "fc" inner_product_param { num_output: 10 weight_filler { type: "xavier" } } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = 'Use "msra" or "xavier" for a Convolution; bilinear belongs on a Deconvolution used for upsampling.'
    version_notes = "The bilinear filler exists since 2015 (rc2)."
    references = (
        "include/caffe/filler.hpp:254-267 (BilinearFiller::Fill: the same kernel for every channel pair)",
    )

    def check(self, ctx):
        for net, graph, layer in ctx.trained_layers():
            if layer.type != "Convolution" or not learned_from_filler(layer, 0, graph):
                continue
            for use in filler_uses(layer):
                if use.role == "weight" and use.type == "bilinear":
                    severity, note = starting_value_severity(net, self.severity)
                    ctx.report_value(use.anchor, f"bilinear filler on {layer_label(layer)}: it builds an upsampling "
                                     "kernel, identical for every channel pair, which only makes sense for a "
                                     f"Deconvolution{note} — use \"msra\" or \"xavier\"", severity=severity)
