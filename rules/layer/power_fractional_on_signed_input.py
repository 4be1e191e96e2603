"""L366 power-fractional-on-signed-input: A non-integer Power of a base that can be negative."""

from __future__ import annotations

from protolint.context import Once
from protolint.model.dataflow import non_negative, producing_layer
from protolint.rule import Rule
from protolint.syntax.nodes import number

from .._format import fmt
from ._helpers import affine


class PowerFractionalOnSignedInput(Rule):
    code = "L366"
    name = "power-fractional-on-signed-input"
    severity = "warning"
    applies_to = ("net",)
    layer_types = ("Power",)
    summary = "A non-integer Power of a base that can be negative"
    what_it_does = (
        "Reports a Power layer with a non-integer `power` unless its base shift + scale*x is provably >= 0 "
        "(shift >= 0, scale >= 0, and the input comes from ReLU, AbsVal, Sigmoid, Softmax, Exp, BNLL, "
        "Threshold or an even Power)."
    )
    why_it_matters = "pow() of a negative number to a fractional power is NaN, which then spreads to the loss and the weights."
    example = (
        'layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 16 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 4 } }\n'
        'layer { name: "sqrt" type: "Power" bottom: "fc" top: "sqrtfc" power_param { power: 0.5 } }'
    )
    how_to_fix = "Make the base non-negative first (ReLU or AbsVal), add a shift, or use an integer power."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/power_layer.cpp:38-40 (PowerLayer::Forward_cpu: caffe_powx of shift + scale*x)",
    )

    def check(self, ctx):
        once = Once()
        for net, state, graph in ctx.graphs():
            for layer in graph.layers:
                if layer.type != "Power" or not layer.bottoms or not once.first(layer.message):
                    continue
                power = number(layer.get("power_param.power"))
                if power is None or float(power).is_integer():
                    continue
                scale, shift = affine(layer, "power_param")
                source = producing_layer(graph, layer)
                if shift >= 0 and scale >= 0 and source is not None and non_negative(source):
                    continue
                if scale == 0 and shift >= 0:
                    continue  # a constant, non-negative base
                ctx.report_layer(layer, f'Power "{layer.name}" raises ({fmt(shift)} + {fmt(scale)}·x) to the non-integer power {fmt(power)}: '
                          "negative bases give NaN — make the base non-negative (e.g. ReLU/AbsVal first, or a shift)", node=layer.field("power_param.power"))
