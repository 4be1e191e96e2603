"""N219 force-backward-nondifferentiable: force_backward: true with a layer that cannot backpropagate."""

from __future__ import annotations

from protolint.context import layer_span, node_span
from protolint.model.backward import aborts, backward, force_backward
from protolint.model.net import NetState
from protolint.rule import Rule

from .._format import in_states, layer_name
from ._helpers import bottom_text


class ForceBackwardNondifferentiable(Rule):
    code = "N219"
    name = "force-backward-nondifferentiable"
    severity = "error"
    applies_to = ("net",)
    summary = "force_backward: true with a layer that cannot backpropagate"
    what_it_does = (
        "With `force_backward: true`, reports layers whose Backward aborts when Caffe forces gradients to "
        "every bottom it allows: Accuracy, ArgMax, Threshold, Embed, BatchReindex, Filter, and InfogainLoss "
        "with its third (infogain matrix) bottom. Only states where Backward runs are checked: the TRAIN "
        "state of a trained net, or the TEST state of a deploy net (where you call backward() yourself)."
    )
    why_it_matters = (
        "force_backward marks every layer as needing backward and every bottom that `AllowForceBackward` "
        "permits; propagate_down: false does not opt out. These layers do not implement "
        "the gradient and the first backward pass aborts (\"Not Implemented Yet\", \"Can't backpropagate to "
        "EmbedLayer input.\", ...)."
    )
    example = (
        'force_backward: true\n'
        'layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 10 } } }\n'
        'layer { name: "argmax" type: "ArgMax" bottom: "data" top: "class" }'
    )
    how_to_fix = (
        "Exclude the layer from the phase in which you backpropagate (e.g. `include { phase: TEST }` for "
        "Accuracy in a train_val net), or drop force_backward."
    )
    version_notes = "Same in every Caffe version."
    references = (
        "src/caffe/net.cpp:222-240 (Net::Init: force_backward)",
    )

    def check(self, ctx):
        found: dict[tuple[int, int | None], tuple] = {}
        for net in ctx.nets():
            if not force_backward(net):
                continue
            if net.train_states():
                states = net.train_states()
            elif not net.usage.from_solver:
                states = net.test_states() or [NetState("TEST", label="TEST")]
            else:
                continue  # only ever a solver test net: Backward never runs
            flag = net.root.last("force_backward")
            for state in states:
                for abort in aborts(backward(net, state, forced=True)):
                    key = (id(abort.layer), abort.bottom)
                    entry = found.setdefault(key, (abort, [], net, flag))
                    entry[1].append(state)
        for abort, states, net, flag in found.values():
            layer = abort.layer
            ctx.report(*layer_span(layer), f'force_backward is true and {layer.type} layer "{layer_name(layer)}" cannot backpropagate to '
                f'{bottom_text(layer, abort.bottom)}{in_states(net, states)}: the first backward pass aborts with '
                f'"{abort.message}" — exclude the layer from this phase or drop force_backward', related=[(*node_span(flag), "force_backward set here")] if flag is not None else None)
