"""L367 power-gradient-at-zero: A trained Power layer (power not 0, 1 or 2, no shift) whose gradient is y/x."""

from __future__ import annotations

from protolint.context import Once
from protolint.rule import Rule
from protolint.syntax.nodes import number

from .._format import fmt
from ._helpers import affine


class PowerGradientAtZero(Rule):
    code = "L367"
    name = "power-gradient-at-zero"
    severity = "warning"
    applies_to = ("net",)
    layer_types = ("Power",)
    summary = "A trained Power layer (power not 0, 1 or 2, no shift) whose gradient is y/x"
    what_it_does = (
        "In the TRAIN state of a trained net, reports Power layers with power other than 0, 1 and 2, scale "
        "!= 0 and shift 0 whose input needs a gradient."
    )
    why_it_matters = (
        "For shift 0 Caffe computes the gradient as power * y / x: wherever the input is exactly 0 (ReLU "
        "outputs, zero padding) this is 0/0 = NaN, and the NaN reaches every weight below "
        "(reproduced by running Caffe)."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 16 } shape { dim: 8 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 4 weight_filler { type: "xavier" } } }\n'
        'layer { name: "relu" type: "ReLU" bottom: "fc" top: "fc" }\n'
        'layer { name: "sqrt" type: "Power" bottom: "fc" top: "sqrtfc" power_param { power: 0.5 } }\n'
        'layer { name: "loss" type: "EuclideanLoss" bottom: "sqrtfc" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Add a small shift, e.g. power_param { power: 0.5 shift: 1e-8 }."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/power_layer.cpp:66-73 (PowerLayer::Backward_cpu with shift 0: power * y / x)",
    )

    def check(self, ctx):
        once = Once()
        for net, _state, graph in ctx.graphs(trained=True):
            for layer in graph.layers:
                if layer.type != "Power":
                    continue
                power = number(layer.get("power_param.power"))
                scale, shift = affine(layer, "power_param")
                if power is None or power in (0, 1, 2) or scale == 0 or shift != 0:
                    continue
                if ctx.backward(net, graph).propagates_to(layer, 0) and once.first(layer.message):
                    ctx.report_layer(layer, f'Power "{layer.name}" with power {fmt(power)} and no shift computes its gradient as y/x: '
                                     "wherever the input is exactly 0 (ReLU outputs, padding) the gradient is 0/0 = NaN — "
                                     "add a small shift (e.g. 1e-8)", node=layer.field("power_param.power"))
