"""F412 bias-filler-large: A constant bias filler with |value| > 1."""

from __future__ import annotations

from protolint.rule import Rule
from protolint.syntax.nodes import number

from .._format import layer_label
from ._helpers import starting_value_severity, text_of, trained_fillers


class BiasFillerLarge(Rule):
    code = "F412"
    name = "bias-filler-large"
    severity = "info"
    applies_to = ("net",)
    summary = "A constant bias filler with |value| > 1"
    what_it_does = (
        "Reports `bias_filler { type: \"constant\" value: v }` with |v| > 1 on a trained Convolution, "
        "Deconvolution, InnerProduct, Embed, LSTM or RNN layer with a learnable bias."
    )
    why_it_matters = (
        "Every unit starts shifted by v: a large positive bias saturates a following Sigmoid/TanH or softmax, a "
        "large negative one leaves ReLUs dead from the first iteration (no gradient flows through them)."
    )
    example = (
        'layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 3 dim: 8 dim: 8 } shape { dim: 8 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc"\n'
        '  inner_product_param { num_output: 10 weight_filler { type: "xavier" } bias_filler { type: "constant" value: 5 } } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Start biases at 0, or at a small value such as 0.1 (AlexNet uses 1 before ReLU, which is the limit here)."
    version_notes = "All Caffe versions."

    def check(self, ctx):
        for net, graph, layer, use in trained_fillers(ctx, "bias", ("constant",)):
            node = use.filler.last("value")
            value = node.scalar if node is not None else None
            if (number(value) is not None) and abs(value) > 1:
                _, note = starting_value_severity(net, self.severity)
                ctx.report_value(node, f"{layer_label(layer)} starts its bias at {text_of(node, value)}: large initial "
                                 f"biases saturate the following nonlinearity or softmax (or leave ReLUs dead){note} — use "
                                 "0 or a small value")
