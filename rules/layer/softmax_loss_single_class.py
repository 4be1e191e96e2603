"""L330 softmax-loss-single-class: softmaxWithLoss over a single class."""

from __future__ import annotations

from protolint.context import Once
from protolint.model.dataflow import channels
from protolint.rule import Rule

from ._helpers import EXAMPLE_INPUT


class SoftmaxLossSingleClass(Rule):
    code = "L330"
    name = "softmax-loss-single-class"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("SoftmaxWithLoss",)
    summary = "SoftmaxWithLoss over a single class"
    what_it_does = (
        "Reports SoftmaxWithLoss layers (softmax over axis 1) whose scores have one channel, e.g. from an "
        "InnerProduct with `num_output: 1`."
    )
    why_it_matters = "A softmax over one value is always 1: the loss is always 0 and no gradient flows, so nothing is learned."
    example = (
        EXAMPLE_INPUT + 'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 1 } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Use num_output >= 2 (one score per class), or SigmoidCrossEntropyLoss for a single binary output."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        once = Once()
        for net, state, graph in ctx.graphs():
            for layer in graph.layers:
                if layer.type != "SoftmaxWithLoss" or not layer.bottoms or layer.get("softmax_param.axis") not in (1, None):
                    continue
                if channels(graph, graph.bottom_use(layer, 0)) == 1 and once.first(layer.message):
                    ctx.report_layer(layer, f'SoftmaxWithLoss "{layer.name}" normalises over 1 class: the probability is always '
                                 "1, the loss always 0 and no gradient flows — use num_output ≥ 2, or SigmoidCrossEntropyLoss "
                                 "for a single binary output")
