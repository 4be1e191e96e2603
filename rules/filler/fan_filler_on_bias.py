"""F411 fan-filler-on-bias: xavier or msra used as a bias filler (fan-in 1: large random biases)."""

from __future__ import annotations

from protolint.model.fillers import value_of
from protolint.rule import Rule

from .._format import layer_label
from ._helpers import starting_value_severity, trained_fillers


class FanFillerOnBias(Rule):
    code = "F411"
    name = "fan-filler-on-bias"
    severity = "info"
    applies_to = ("net",)
    summary = "xavier or msra used as a bias filler (fan-in 1: large random biases)"
    what_it_does = (
        "Reports `bias_filler { type: \"xavier\" }` or `\"msra\"` (with the default variance_norm FAN_IN) on a "
        "trained Convolution, Deconvolution, InnerProduct, Embed, LSTM or RNN layer with a learnable bias."
    )
    why_it_matters = (
        "These fillers scale by fan_in = count / shape(0), which is 1 for a 1-D bias blob: xavier draws biases from "
        "U(-1.73, 1.73) and msra from N(0, 2) — far larger than the weights' contribution, shifting every unit by a "
        "random offset at the start."
    )
    example = (
        'layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 3 dim: 8 dim: 8 } shape { dim: 8 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc"\n'
        '  inner_product_param { num_output: 10 weight_filler { type: "xavier" } bias_filler { type: "xavier" } } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = 'Use `bias_filler { type: "constant" value: 0 }` (or a small constant such as 0.1 before ReLU).'
    version_notes = "All Caffe versions."
    references = (
        "include/caffe/filler.hpp:148-165 (XavierFiller::Fill: fan_in = count / shape(0), U(-sqrt(3/n), sqrt(3/n)))",
        "include/caffe/filler.hpp:193-210 (MSRAFiller::Fill: N(0, sqrt(2/n)))",
    )

    def check(self, ctx):
        for net, graph, layer, use in trained_fillers(ctx, "bias", ("xavier", "msra")):
            if value_of(use.filler, "variance_norm") != "FAN_IN":
                continue
            draw = "U(-1.73, 1.73)" if use.type == "xavier" else "N(0, 2)"
            _, note = starting_value_severity(net, self.severity)
            ctx.report_value(use.anchor, f"{layer_label(layer)} uses a {use.type} bias filler: for a 1-D bias blob "
                             f"fan_in is 1, so it draws {draw} biases{note} — use constant 0 (or a small constant)")
