"""L362 log-unbounded-input: A Log layer whose input shift + scale*x can be 0 or negative."""

from __future__ import annotations

from protolint.context import Once
from protolint.model.dataflow import non_negative, producing_layer
from protolint.model.facts import STRICTLY_POSITIVE
from protolint.rule import Rule

from .._format import fmt
from ._helpers import affine


class LogUnboundedInput(Rule):
    code = "L362"
    name = "log-unbounded-input"
    severity = "warning"
    applies_to = ("net",)
    layer_types = ("Log",)
    summary = "A Log layer whose input shift + scale*x can be 0 or negative"
    what_it_does = (
        "Reports a Log layer unless its argument shift + scale*x is provably positive: a positive shift with "
        "scale >= 0 on a non-negative input (ReLU, AbsVal, Sigmoid, Softmax, Exp, BNLL, Threshold, even Power), "
        "or no shift with scale > 0 on a strictly positive input (Sigmoid, Softmax, Exp, BNLL)."
    )
    why_it_matters = (
        "log of 0 is -inf and of a negative number NaN, and the gradient scale/(shift + scale*x) explodes near "
        "0: one such value turns the loss and then every weight into NaN."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 16 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 4 } }\n'
        'layer { name: "log" type: "Log" bottom: "fc" top: "logfc" }'
    )
    how_to_fix = "Feed a positive quantity (Softmax, Sigmoid, Exp), or rectify it and add a positive shift: log_param { shift: 1 }."
    version_notes = "The Log layer exists since Caffe rc3."
    references = (
        "src/caffe/layers/log_layer.cpp:34-75 (LogLayer::Forward_cpu and Backward_cpu: log(shift + scale*x), "
        "gradient scale/(shift + scale*x))",
    )

    def check(self, ctx):
        once = Once()
        for net, state, graph in ctx.graphs():
            for layer in graph.layers:
                if layer.type != "Log" or not layer.bottoms or not once.first(layer.message):
                    continue
                scale, shift = affine(layer, "log_param")
                source = producing_layer(graph, layer)
                if source is not None and (
                    (shift > 0 and scale >= 0 and non_negative(source))
                    or (shift == 0 and scale > 0 and source.type in STRICTLY_POSITIVE)
                ):
                    continue
                blob = layer.bottoms[0][0]
                ctx.report_layer(layer, f'Log "{layer.name}" computes log({fmt(shift)} + {fmt(scale)}·x) on "{blob}", which '
                             "can be ≤ 0: the output is −inf/NaN and the gradient 1/x explodes at 0 — add a positive "
                             "shift or feed a positive quantity")
