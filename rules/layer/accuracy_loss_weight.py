"""L344 accuracy-loss-weight: an Accuracy layer with a non-zero loss_weight."""

from __future__ import annotations

from protolint.edits import delete_fields
from protolint.rule import Rule
from protolint.syntax.nodes import number, values

from .._format import fmt
from ._helpers import EXAMPLE_FLAT_NET


class AccuracyLossWeight(Rule):
    code = "L344"
    name = "accuracy-loss-weight"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("Accuracy",)
    fixable = True
    summary = "An Accuracy layer with a non-zero loss_weight"
    what_it_does = (
        "Reports Accuracy layers with a non-zero `loss_weight`: an error when the layer is in the TRAIN state of "
        "a trained net and its input needs a gradient (Caffe's backward inference), a warning otherwise."
    )
    why_it_matters = (
        "A loss weight makes the accuracy part of the objective. Accuracy has no gradient: the first backward "
        "pass that reaches it aborts with \"Not Implemented Yet\". Elsewhere it just adds "
        "the accuracy to the reported loss."
    )
    example = EXAMPLE_FLAT_NET + (
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }\n'
        'layer { name: "acc" type: "Accuracy" bottom: "fc" bottom: "label" top: "acc" loss_weight: 1 }'
    )
    how_to_fix = "Remove loss_weight: Accuracy is a metric, not a loss."
    version_notes = "Same in every Caffe release."
    references = (
        "include/caffe/layers/accuracy_layer.hpp:76-80 (AccuracyLayer::Backward_cpu: NOT_IMPLEMENTED)",
    )

    def check(self, ctx):
        for net in ctx.nets():
            aborting = set()
            for state in net.train_states():
                graph = net.graph(state)
                info = None
                for layer in graph.layers:
                    if layer.type == "Accuracy" and any(w != 0 for w in layer.loss_weights()):
                        info = info or ctx.backward(net, graph)
                        if info.propagates_any(layer):
                            aborting.add(id(layer.message))
            for layer in (l for l in net.built_layers() if l.type == "Accuracy"):
                weights = [(v, node) for v, node in values(layer.message, "loss_weight")]
                nonzero = [node for v, node in weights if number(v)]
                if not nonzero:
                    continue
                fixes = delete_fields(ctx.source.text, "Remove loss_weight", layer.message.all("loss_weight"), safe=False)
                w = fmt(number(weights[0][0])) if len(weights) == 1 else ", ".join(fmt(number(v)) for v, _ in weights)
                if id(layer.message) in aborting:
                    ctx.report_node(nonzero[0], f'Accuracy "{layer.name}" has loss_weight {w}: it becomes part of the loss, and '
                                    "because Accuracy has no gradient the first backward pass aborts with \"Not Implemented "
                                    "Yet\" — remove loss_weight (Accuracy is a metric)", fixes=fixes)
                else:
                    ctx.report_node(nonzero[0], f'Accuracy "{layer.name}" has loss_weight {w}: the accuracy is added to the '
                                    "reported loss (and a backward pass through it would abort with \"Not Implemented Yet\") — "
                                    "remove loss_weight (Accuracy is a metric)", severity="warning", fixes=fixes)
