"""Backward inference (spec §1.6, helper H-BWD) and the rules built on it: a training net without
a loss (N218), layers that cannot backpropagate under force_backward (N219) or on a gradient path
(N220).

`backward(net, state)` mirrors net.cpp:88-240 on the layers of one state: which layers need
Backward, and for each bottom whether a gradient is propagated to it (`propagate_down`). It works
on the version graph, where each reader of a blob reads its own copy — the graph Caffe builds after
inserting Split layers — so one pass forward and one pass backward suffice (linear in the net).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

from protolint.model import layer_facts as facts
from protolint.model.net import Layer, Net, NetState
from protolint.rule import Rule

from .net_common import (
    describe_states,
    in_states,
    layer_label,
    layer_span,
    net_views,
    node_span,
    param_specs,
    report_at,
)


@dataclass(eq=False)
class Backward:
    """What Caffe decides for one state (net.cpp Init)."""

    layers: list[Layer]
    need: dict[Layer, bool] = field(default_factory=dict)  # layer_need_backward_
    pd: dict[Layer, list[bool]] = field(default_factory=dict)  # bottom_need_backward_
    contributes: dict[Layer, bool] = field(default_factory=dict)
    learner: dict[Layer, Layer | None] = field(default_factory=dict)  # a learnable layer at or above it
    sink: dict[Layer, Layer | None] = field(default_factory=dict)  # a loss layer at or below it
    bottom_learner: dict[tuple[Layer, int], Layer | None] = field(default_factory=dict)
    forced: bool = False


_CACHE: "weakref.WeakKeyDictionary[Net, dict]" = weakref.WeakKeyDictionary()


def force_backward(net: Net) -> bool:
    node = net.root.last("force_backward")
    return node is not None and node.scalar is True


def _learnable(layer: Layer, upgraded: bool) -> bool:
    """net.cpp:145-153: a param blob needs backward when the net's ParamSpec for it (default lr_mult 1)
    has lr_mult != 0 — BatchNorm included: its own lr 0 is set on the layer's copy, not the net's.
    A net file's BatchNorm with exactly three param blocks was rewritten to lr_mult 0 on load."""
    count = facts.param_blob_count(layer)
    specs = param_specs(layer)
    if upgraded and facts.statistics_only_params(layer.type) and len(specs) == 3:
        return False
    if count is None:
        count = len(specs)
    return any((specs[i].effective_lr if i < len(specs) else 1.0) != 0 for i in range(count))


def _propagate_down(layer: Layer) -> list[bool] | None:
    values = [v.value for f in layer.message.all("propagate_down") for v in f.values()]
    if not values or len(values) != len(layer.bottoms):
        return None  # unset, or a count Caffe rejects (N216)
    return [v is True for v in values]


def backward(net: Net, state: NetState, forced: bool | None = None) -> Backward:
    return backward_for_graph(net, net.graph(state), forced)


def backward_for_graph(net: Net, graph, forced: bool | None = None) -> Backward:
    """Caffe's backward inference for one state's graph (states with the same layers share it)."""
    if forced is None:
        forced = force_backward(net)
    per_net = _CACHE.setdefault(net, {})
    key = (id(graph), forced)
    if key in per_net:
        return per_net[key]
    result = Backward(graph.layers, forced=forced)
    grad: dict[str, bool] = {}
    learner_of: dict[str, Layer | None] = {}
    # Forward: need = a bottom needs a gradient or a param is learned.
    for layer in graph.layers:
        bottom_grads = [grad.get(name, False) for name, _ in layer.bottoms]
        own = _learnable(layer, not net.embedded)
        need = own or any(bottom_grads)
        learner = layer if own else None
        for i, (name, _) in enumerate(layer.bottoms):
            source = learner_of.get(name) if bottom_grads[i] else None
            result.bottom_learner[(layer, i)] = source
            if learner is None and source is not None:
                learner = source
        explicit = _propagate_down(layer)
        result.pd[layer] = list(explicit) if explicit is not None else bottom_grads
        result.need[layer] = need
        result.learner[layer] = learner
        for name, _ in layer.tops:
            grad[name] = need
            learner_of[name] = learner if need else None
    # Backward: only layers that contribute to a loss keep their flags.
    for layer in reversed(graph.layers):
        weights = layer.loss_weights()
        uses = graph.top_uses.get(id(layer), [])
        skip = True
        sink = layer if any(w != 0 for w in weights) else None
        contributes = sink is not None
        for j, use in enumerate(uses):
            readers = graph.consumers.get((use.node.scalar, use.version), [])
            for reader in readers:
                if result.contributes.get(reader.layer):
                    contributes = True
                    if sink is None:
                        sink = result.sink.get(reader.layer)
            if not readers or any(result.pd[r.layer][r.index] for r in readers if r.index < len(result.pd[r.layer])):
                skip = False
        if len(weights) > len(uses):
            skip = False  # a loss layer's anonymous top (net.cpp:108-121) is read by nobody
        pd = result.pd[layer]
        if result.need[layer] and skip:
            result.need[layer] = False
            pd[:] = [False] * len(pd)
        if not contributes:
            result.need[layer] = False
            pd[:] = [False] * len(pd)
        result.contributes[layer] = contributes
        result.sink[layer] = sink
    if forced:
        for layer in graph.layers:
            result.need[layer] = True
            excluded = facts.force_backward_excluded(layer)
            result.pd[layer] = [p or i not in excluded for i, p in enumerate(result.pd[layer])]
    per_net[key] = result
    return result


@dataclass
class Abort:
    layer: Layer
    bottom: int | None  # None: the whole layer (ArgMax, Threshold)
    message: str


def aborts(result: Backward) -> list[Abort]:
    """Layers whose Backward aborts in this state."""
    found = []
    for layer in result.layers:
        if not result.need.get(layer):
            continue
        whole = facts.whole_layer_nondiff(layer.type)
        if whole is not None:
            found.append(Abort(layer, None, whole))
            continue
        nondiff = facts.nondiff_bottoms(layer)
        if not nondiff:
            continue
        pd = result.pd[layer]
        for i in sorted(nondiff):
            if i < len(pd) and pd[i]:
                found.append(Abort(layer, i, nondiff[i]))
                break
    return found


def _bottom_text(layer: Layer, index: int | None) -> str:
    if index is None:
        return "its input"
    if index < len(layer.bottoms):
        return f'bottom {index} ("{layer.bottoms[index][0]}")'
    return f"bottom {index}"


# ---------------------------------------------------------------------------------------------


def _python_loss_candidate(graph, layer: Layer) -> bool:
    """What python-loss-without-loss-weight (L375) reports: a Python layer without loss_weight that
    is named like a loss or whose top nobody reads."""
    if layer.type != "Python" or layer.message.has("loss_weight"):
        return False
    texts = [layer.name, str(layer.get("python_param.module") or ""), str(layer.get("python_param.layer") or "")]
    if any("loss" in t.lower() for t in texts):
        return True
    return any(not graph.readers_of_top(layer, j) for j in range(len(layer.tops)))


def _fork_loss(layer: Layer) -> bool:
    """A layer type BVLC does not register but named like a loss: in its fork it is most likely a
    LossLayer subclass (loss_weight 1 by default)."""
    from .unknown_layer_type import BVLC_LAYER_TYPES

    return layer.type not in BVLC_LAYER_TYPES and "loss" in layer.type.lower()


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
        "weight (net.cpp:165-221). Without any, no layer needs backward: training runs, prints no loss and "
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

    def check(self, ctx):
        for view in net_views(ctx):
            if not view.from_solver or not view.train_states:
                continue
            missing = []
            for state in view.train_states:
                graph = view.net.graph(state)
                if view.net.has_loss_in(state):
                    continue
                if any(_python_loss_candidate(graph, layer) or _fork_loss(layer) for layer in graph.layers):
                    continue  # python-loss-without-loss-weight says why; a fork's loss layer may be a LossLayer
                if view.net.embedded and not graph.layers:
                    continue  # inline-net-legacy-syntax / empty-phase-net
                missing.append(state)
            if not missing:
                continue
            who = f" by {', '.join(view.solvers)}" if view.solvers else ""
            report_at(
                ctx, view.anchor(),
                f"{view.label} is trained{who} but its {describe_states(missing)} net has no loss (no loss layer and no "
                "non-zero loss_weight): nothing needs backward, so no parameter is ever updated — add a loss layer "
                "or a loss_weight",
            )


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
        "permits (net.cpp:222-240); propagate_down: false does not opt out. These layers do not implement "
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

    def check(self, ctx):
        found: dict[tuple[int, int | None], tuple] = {}
        for view in net_views(ctx):
            net = view.net
            if not force_backward(net):
                continue
            if view.train_states:
                states = view.train_states
            elif not view.from_solver:
                states = view.test_states or [NetState("TEST", label="TEST")]
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
            report_at(
                ctx, layer_span(net, layer),
                f'force_backward is true and {layer.type} layer "{layer_label(layer)}" cannot backpropagate to '
                f'{_bottom_text(layer, abort.bottom)}{in_states(net, states)}: the first backward pass aborts with '
                f'"{abort.message}" — exclude the layer from this phase or drop force_backward',
                related=[(*node_span(flag), "force_backward set here")] if flag is not None else None,
            )


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
        for view in net_views(ctx):
            net = view.net
            if force_backward(net) or not view.train_states:
                continue
            for state in view.train_states:
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
                why.append(f'"{layer_label(upstream)}" above it has learnable parameters')
            if downstream is not None:
                why.append(f'it feeds the loss "{layer_label(downstream)}"')
            path = f" ({' and '.join(why)})" if why else ""
            report_at(
                ctx, layer_span(net, layer),
                f'{layer.type} layer "{layer_label(layer)}" is on a gradient path{path}{in_states(net, states)} but '
                f'cannot backpropagate to {_bottom_text(layer, abort.bottom)}: the first backward pass aborts with '
                f'"{abort.message}" — {advice}',
            )


BACKWARD_RULES = [NoLossInTrainNet, ForceBackwardNondifferentiable, NondifferentiableInLossPath]

__all__ = ["Backward", "backward", "aborts", "force_backward", "BACKWARD_RULES", *[r.__name__ for r in BACKWARD_RULES]]
