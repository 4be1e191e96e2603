"""N218 no-loss-in-train-net: the net a solver trains has no loss in its TRAIN state."""

from __future__ import annotations

from protolint.context import net_span
from protolint.model.net import Layer
from protolint.model.usage import looks_like_loss
from protolint.rule import Rule

from .._format import describe_states, net_label


def _loss_candidate(graph, layer: Layer) -> bool:
    """What python-loss-without-loss-weight (L375) reports or a fork's loss: a layer named like a loss
    that Caffe does not count as one, or a Python layer whose top nobody reads."""
    if looks_like_loss(layer):
        return True
    return (layer.type == "Python" and not layer.message.has("loss_weight")
            and any(not graph.readers_of_top(layer, j) for j in range(len(layer.tops))))


class NoLossInTrainNet(Rule):
    code = "N218"
    name = "no-loss-in-train-net"
    severity = "warning"
    applies_to = ("solver", "net")
    summary = "The net a solver trains has no loss in its TRAIN state"
    what_it_does = (
        "For a net that a solver trains (its `net`/`train_net` file, linted together with the solver, or an "
        "embedded `net_param`/`train_net_param`), checks that the TRAIN state has a loss: a loss layer "
        "(SoftmaxWithLoss, EuclideanLoss, ...) or a non-zero `loss_weight` on some top."
    )
    why_it_matters = (
        "Caffe decides which layers need a backward pass by walking back from the tops that carry a loss "
        "weight. Without any, no layer needs backward: training runs, prints no loss and "
        "never changes a weight. Typical causes: training a deploy net, or a loss layer restricted to TEST."
    )
    example = (
        'train_net_param {\n'
        '  layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 4 } } }\n'
        '  layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 2 } }\n'
        '}\n'
        'base_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 100'
    )
    how_to_fix = "Add a loss layer fed by the model's output (and the labels), or give an output top a `loss_weight`."
    version_notes = "Same in every Caffe version. Python layers are not loss layers: they need an explicit loss_weight."
    references = (
        "src/caffe/net.cpp:165-221 (Net::Init: the backward walk from the tops with a loss weight)",
    )

    def check(self, ctx):
        for net in ctx.nets():
            if not net.usage.from_solver or not net.train_states():
                continue
            missing = []
            for state in net.train_states():
                graph = net.graph(state)
                if net.has_loss_in(state):
                    continue
                if any(_loss_candidate(graph, layer) for layer in graph.layers):
                    continue  # python-loss-without-loss-weight says why; a fork's loss layer may be a LossLayer
                if net.embedded and not graph.layers:
                    continue  # inline-net-legacy-syntax / empty-phase-net
                missing.append(state)
            if not missing:
                continue
            who = f" by {', '.join(net.usage.solvers)}" if net.usage.solvers else ""
            ctx.report(*net_span(net), f"{net_label(net)} is trained{who} but its {describe_states(missing)} net has no loss (no loss layer and no "
                "non-zero loss_weight): nothing needs backward, so no parameter is ever updated — add a loss layer "
                "or a loss_weight")
