"""Accuracy layers: loss weights, top_k, ignore_label, and running in the TRAIN net (accuracy_layer.cpp)."""

from protolint.model.net import LOSS_TYPES
from protolint.rule import Rule

from .layers_common import (
    Once,
    backward,
    bottom_use,
    built_layers,
    channels,
    delete_fields_fix,
    each_graph,
    fmt,
    insert_after_fix,
    number,
    report_layer,
    train_states,
    values,
)

_NET = (
    'layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 16 } shape { dim: 8 } } }\n'
    'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 10 weight_filler { type: "xavier" } } }\n'
)


class AccuracyLossWeight(Rule):
    code = "L344"
    name = "accuracy-loss-weight"
    severity = "error"
    applies_to = ("net",)
    fixable = True
    summary = "An Accuracy layer with a non-zero loss_weight"
    what_it_does = (
        "Reports Accuracy layers with a non-zero `loss_weight`: an error when the layer is in the TRAIN state of "
        "a trained net and its input needs a gradient (Caffe's backward inference), a warning otherwise."
    )
    why_it_matters = (
        "A loss weight makes the accuracy part of the objective. Accuracy has no gradient: the first backward "
        'pass that reaches it aborts with "Not Implemented Yet" (accuracy_layer.hpp). Elsewhere it just adds '
        "the accuracy to the reported loss."
    )
    example = _NET + (
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }\n'
        'layer { name: "acc" type: "Accuracy" bottom: "fc" bottom: "label" top: "acc" loss_weight: 1 }'
    )
    how_to_fix = "Remove loss_weight: Accuracy is a metric, not a loss."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for net in ctx.nets():
            aborting = set()
            for state in train_states(ctx, net):
                graph = net.graph(state)
                info = None
                for layer in graph.layers:
                    if layer.type == "Accuracy" and any(w != 0 for w in layer.loss_weights()):
                        info = info or backward(ctx, net, graph)
                        if info.any_propagate_down(layer):
                            aborting.add(id(layer.message))
            for layer in (l for l in built_layers(net) if l.type == "Accuracy"):
                weights = [(v, node) for v, node in values(layer.message, "loss_weight")]
                nonzero = [node for v, node in weights if number(v)]
                if not nonzero:
                    continue
                fixes = delete_fields_fix(ctx, "Remove loss_weight", layer.message.all("loss_weight"), safe=False)
                w = fmt(number(weights[0][0])) if len(weights) == 1 else ", ".join(fmt(number(v)) for v, _ in weights)
                if id(layer.message) in aborting:
                    ctx.report_node(nonzero[0], f'Accuracy "{layer.name}" has loss_weight {w}: it becomes part of the loss, and '
                                    "because Accuracy has no gradient the first backward pass aborts with \"Not Implemented "
                                    "Yet\" — remove loss_weight (Accuracy is a metric)", fixes=fixes)
                else:
                    ctx.report_node(nonzero[0], f'Accuracy "{layer.name}" has loss_weight {w}: the accuracy is added to the '
                                    "reported loss (and a backward pass through it would abort with \"Not Implemented Yet\") — "
                                    "remove loss_weight (Accuracy is a metric)", severity="warning", fixes=fixes)


class AccuracyTopKGtClasses(Rule):
    code = "L345"
    name = "accuracy-top-k-gt-classes"
    severity = "error"
    applies_to = ("net",)
    summary = "Accuracy top_k larger than the number of classes"
    what_it_does = "Reports Accuracy layers (axis 1) whose `top_k` exceeds the class count of their scores, when it can be read off the net (e.g. the num_output of the InnerProduct that computes them)."
    why_it_matters = 'AccuracyLayer::Reshape aborts with "top_k must be less than or equal to the number of classes." (accuracy_layer.cpp).'
    example = (
        'layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 16 } shape { dim: 8 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 3 } }\n'
        'layer { name: "acc" type: "Accuracy" bottom: "fc" bottom: "label" top: "acc" accuracy_param { top_k: 5 } }'
    )
    how_to_fix = "Use a top_k no larger than the number of classes."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        once = Once()
        for net, state, graph in each_graph(ctx):
            for layer in graph.layers:
                if layer.type != "Accuracy" or not layer.bottoms or layer.get("accuracy_param.axis") not in (1, None):
                    continue
                node = layer.field("accuracy_param.top_k")
                k = number(node.scalar) if node is not None else None
                if not k or k <= 1:
                    continue
                c = channels(graph, bottom_use(graph, layer, 0))
                if c and k > c and once.first(node):
                    ctx.report_node(node, f'Accuracy "{layer.name}" top_k {fmt(k)} exceeds the {fmt(c)} classes: Caffe aborts '
                                    'with "top_k must be less than or equal to the number of classes." — use a top_k no larger than the class count')


class AccuracyIgnoreLabelMismatch(Rule):
    code = "L346"
    name = "accuracy-ignore-label-mismatch"
    severity = "warning"
    applies_to = ("net",)
    summary = "A loss ignores a label that the Accuracy reading the same labels does not"
    what_it_does = (
        "Reports an Accuracy layer that reads the same label blob as a loss with `loss_param.ignore_label: X` but "
        "has no `accuracy_param.ignore_label` (or a different one); also an Accuracy that sets "
        "`loss_param.ignore_label`, which Accuracy does not read."
    )
    why_it_matters = (
        "Accuracy reads only accuracy_param.ignore_label (accuracy_layer.cpp): ignored pixels/samples count as "
        "errors and the reported accuracy is wrong, although training is unaffected."
    )
    example = _NET + (
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" loss_param { ignore_label: 255 } }\n'
        'layer { name: "acc" type: "Accuracy" bottom: "fc" bottom: "label" top: "acc" }'
    )
    how_to_fix = "Add accuracy_param { ignore_label: X } with the loss's value."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        once = Once()
        for net, state, graph in each_graph(ctx):
            ignored = {}
            for layer in graph.layers:
                if layer.type in LOSS_TYPES and len(layer.bottoms) >= 2:
                    x = number(layer.get("loss_param.ignore_label")) if layer.has("loss_param.ignore_label") else None
                    use = bottom_use(graph, layer, 1)
                    if x is not None and use is not None:
                        ignored.setdefault((use.node.scalar, use.version), x)
            for layer in graph.layers:
                if layer.type != "Accuracy" or len(layer.bottoms) < 2 or id(layer.message) in once.seen:
                    continue
                own = number(layer.get("accuracy_param.ignore_label")) if layer.has("accuracy_param.ignore_label") else None
                misplaced = layer.has("loss_param.ignore_label")
                use = bottom_use(graph, layer, 1)
                x = ignored.get((use.node.scalar, use.version)) if use is not None else None
                note = " (Accuracy reads accuracy_param.ignore_label, not loss_param)" if misplaced else ""
                if x is not None and own != x:
                    once.first(layer.message)
                    report_layer(ctx, layer, f'the loss ignores label {fmt(x)} but Accuracy "{layer.name}" does not{note}: '
                                 "ignored pixels count as errors and the reported accuracy is wrong — add accuracy_param "
                                 f"{{ ignore_label: {fmt(x)} }}")
                elif misplaced and own is None:
                    once.first(layer.message)
                    x = number(layer.get("loss_param.ignore_label"))
                    ctx.report_node(layer.field("loss_param.ignore_label"), f'Accuracy "{layer.name}" sets '
                                    f"loss_param.ignore_label {fmt(x)}, which Accuracy does not read (it reads "
                                    "accuracy_param.ignore_label): ignored labels count as errors — write accuracy_param "
                                    f"{{ ignore_label: {fmt(x)} }}")


class AccuracyInTrain(Rule):
    code = "L347"
    name = "accuracy-in-train"
    severity = "info"
    applies_to = ("net",)
    fixable = True
    summary = "An Accuracy layer that also runs in the TRAIN net"
    what_it_does = "Reports Accuracy layers present in the TRAIN state of a trained net."
    why_it_matters = "It costs time every iteration and only prints the accuracy on the current training batch, which is rarely what is wanted."
    example = _NET + (
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }\n'
        'layer { name: "acc" type: "Accuracy" bottom: "fc" bottom: "label" top: "acc" }'
    )
    how_to_fix = "Add include { phase: TEST } to the Accuracy layer, unless you want training accuracy."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        once = Once()
        for net in ctx.nets():
            for state in train_states(ctx, net):
                for layer in net.layers_in(state):
                    if layer.type != "Accuracy" or not once.first(layer.message):
                        continue
                    fixes = []
                    if not layer.includes and not layer.excludes:
                        fixes = insert_after_fix(ctx, layer, ("top",), "include { phase: TEST }", "Add include { phase: TEST }")
                    report_layer(ctx, layer, f'Accuracy "{layer.name}" also runs in the TRAIN net: it costs time every iteration '
                                 "and only prints training-batch accuracy — add include { phase: TEST } unless you want that",
                                 fixes=fixes)


ACCURACY_RULES = [AccuracyLossWeight, AccuracyTopKGtClasses, AccuracyIgnoreLabelMismatch, AccuracyInTrain]
