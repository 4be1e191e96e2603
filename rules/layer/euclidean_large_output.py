"""L336 euclidean-large-output: A trained EuclideanLoss over many values per sample."""

from __future__ import annotations

from protolint.context import Once
from protolint.model.dataflow import producer
from protolint.rule import Rule
from protolint.syntax.nodes import number

from .._format import fmt
from ._helpers import EXAMPLE_INPUT


class EuclideanLargeOutput(Rule):
    code = "L336"
    name = "euclidean-large-output"
    severity = "info"
    applies_to = ("net",)
    layer_types = ("EuclideanLoss",)
    summary = "A trained EuclideanLoss over many values per sample"
    what_it_does = (
        "In the TRAIN state of a trained net, reports EuclideanLoss layers with loss weight >= 1 whose first "
        "input is an InnerProduct with at least 1000 outputs, when the solver's base_lr is >= 1e-3 (or unknown)."
    )
    why_it_matters = (
        "EuclideanLoss is sum((a - b)^2) / (2N): it sums, not averages, over the values of a sample, so the "
        "gradients grow with the output size and a usual base_lr diverges (BVLC issues "
        "#512, #4614)."
    )
    example = EXAMPLE_INPUT + (
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 4096 weight_filler { type: "xavier" } } }\n'
        'layer { name: "loss" type: "EuclideanLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Lower base_lr, use a loss_weight below 1 (e.g. 1/D), or normalise the targets."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/euclidean_loss_layer.cpp:26-27, 37-43 (EuclideanLossLayer: the loss and its gradient are "
        "divided by the batch size only)",
    )

    threshold = 1000  # values per sample

    def check(self, ctx):
        once = Once()
        for net in ctx.nets():
            solver = ctx.solver
            lr = number(solver.get("base_lr")) if solver is not None else None
            if lr is not None and lr < 1e-3:
                continue
            for state in net.train_states():
                graph = net.graph(state)
                for layer in graph.layers:
                    if layer.type != "EuclideanLoss" or not layer.bottoms:
                        continue
                    weights = layer.loss_weights()
                    if not weights or weights[0] < 1:
                        continue
                    top = producer(graph, graph.bottom_use(layer, 0))
                    if top is None or top.layer.type != "InnerProduct":
                        continue
                    d = number(top.layer.get("inner_product_param.num_output"))
                    if d and d >= self.threshold and once.first(layer.message):
                        rate = f"base_lr {fmt(lr)}" if lr is not None else "a base_lr of 1e-3 or more"
                        ctx.report_layer(layer, f'EuclideanLoss "{layer.name}" sums squared errors over {fmt(d)} values per '
                                     f"sample (it is not averaged): gradients scale with {fmt(d)} and {rate} may diverge — "
                                     "lower base_lr, use loss_weight < 1, or normalise the targets")
