"""N220 nondifferentiable-in-loss-path: A layer that cannot backpropagate sits between learnable layers and the loss."""

from __future__ import annotations

from protolint.context import layer_span
from protolint.model.backward import aborts, backward, force_backward
from protolint.rule import Rule

from .._format import in_states, layer_name
from ._helpers import bottom_text


class NondifferentiableInLossPath(Rule):
    code = "N220"
    name = "nondifferentiable-in-loss-path"
    severity = "error"
    applies_to = ("net",)
    summary = "A layer that cannot backpropagate sits between learnable layers and the loss"
    what_it_does = (
        "In the TRAIN state of a trained net, runs Caffe's backward inference (which layers need backward, "
        "which bottoms get a gradient) and reports layers whose Backward then aborts: ArgMax or Threshold "
        "that need backward, or a gradient requested for a bottom that has none (labels of a loss layer, "
        "Embed indices, the sequence indicators of LSTM/RNN, Accuracy inputs, BatchReindex/Filter indices)."
    )
    why_it_matters = (
        "Caffe sends gradients to every bottom whose blob comes from a learnable layer and reaches the loss. "
        "These layers abort in Backward (\"Not Implemented Yet\", \"… cannot backpropagate to label inputs.\"), "
        "so training dies at the first iteration."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 4 } shape { dim: 8 } } }\n'
        'layer { name: "fc1" type: "InnerProduct" bottom: "data" top: "fc1" inner_product_param { num_output: 4 } }\n'
        'layer { name: "thr" type: "Threshold" bottom: "fc1" top: "thr" }\n'
        'layer { name: "fc2" type: "InnerProduct" bottom: "thr" top: "fc2" inner_product_param { num_output: 2 } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc2" bottom: "label" top: "loss" }'
    )
    how_to_fix = (
        "Cut the gradient path: `propagate_down: false` for the non-differentiable bottom (or on the layers "
        "reading an ArgMax/Threshold output), or move the layer off the path to the loss."
    )
    version_notes = "Same in every Caffe version."

    def check(self, ctx):
        found: dict[tuple[int, int | None], list] = {}
        for net in ctx.nets():
            if force_backward(net) or not net.train_states():
                continue
            for state in net.train_states():
                result = backward(net, state, forced=False)
                for abort in aborts(result):
                    layer = abort.layer
                    if layer.type == "Accuracy" and any(w != 0 for w in layer.loss_weights()):
                        continue  # accuracy-loss-weight
                    key = (id(layer), abort.bottom)
                    entry = found.setdefault(key, [abort, [], net, result])
                    entry[1].append(state)
        for abort, states, net, result in found.values():
            layer = abort.layer
            if abort.bottom is None:
                upstream = result.learner.get(layer)
                advice = "set propagate_down: false on the layers reading its output, or move it off the loss path"
            else:
                upstream = result.bottom_learner.get((layer, abort.bottom))
                advice = (f"set propagate_down: false for bottom {abort.bottom} (one propagate_down per bottom), or "
                          "feed it from a blob without learnable layers above it")
            downstream = result.sink.get(layer)
            why = []
            if upstream is not None:
                why.append(f'"{layer_name(upstream)}" above it has learnable parameters')
            if downstream is not None:
                why.append(f'it feeds the loss "{layer_name(downstream)}"')
            path = f" ({' and '.join(why)})" if why else ""
            ctx.report(*layer_span(layer), f'{layer.type} layer "{layer_name(layer)}" is on a gradient path{path}{in_states(net, states)} but '
                f'cannot backpropagate to {bottom_text(layer, abort.bottom)}: the first backward pass aborts with '
                f'"{abort.message}" — {advice}')
