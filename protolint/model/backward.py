"""Caffe's backward inference (net.cpp Init): which layers of one state need Backward, and for each
bottom whether a gradient is propagated to it (`propagate_down`).

It works on the version graph, where each reader of a blob reads its own copy — the graph Caffe
builds after inserting Split layers — so one pass forward and one pass backward suffice (linear
in the net). `aborts()` lists the layers whose Backward then aborts (labels of a loss, ArgMax, ...).
"""

from __future__ import annotations

from .facts import (
    force_backward_excluded,
    nondiff_bottoms,
    param_blob_count,
    statistics_only_params,
    whole_layer_nondiff,
)
from .net import Layer, Net, NetState
from .params import param_specs

# Plain classes, not dataclasses: creating a dataclass costs ~0.3 ms of start-up each.


class Backward:
    """What Caffe decides for one state (net.cpp Init)."""

    def __init__(self, layers: list[Layer], need: dict[Layer, bool] | None = None,
                 pd: dict[Layer, list[bool]] | None = None, contributes: dict[Layer, bool] | None = None,
                 learner: dict[Layer, Layer | None] | None = None, sink: dict[Layer, Layer | None] | None = None,
                 bottom_learner: dict[tuple[Layer, int], Layer | None] | None = None, forced: bool = False):
        self.layers = layers
        self.need = {} if need is None else need  # layer_need_backward_
        self.pd = {} if pd is None else pd  # bottom_need_backward_
        self.contributes = {} if contributes is None else contributes
        self.learner = {} if learner is None else learner  # a learnable layer at or above it
        self.sink = {} if sink is None else sink  # a loss layer at or below it
        self.bottom_learner = {} if bottom_learner is None else bottom_learner
        self.forced = forced

    def needs(self, layer: Layer) -> bool:
        """Whether Backward runs for the layer."""
        return self.need.get(layer, False)

    def propagates_to(self, layer: Layer, index: int) -> bool:
        """Whether a gradient is sent to the layer's bottom `index`."""
        flags = self.pd.get(layer, [])
        return index < len(flags) and flags[index]

    def propagates_any(self, layer: Layer) -> bool:
        return any(self.pd.get(layer, []))


def force_backward(net: Net) -> bool:
    node = net.root.last("force_backward")
    return node is not None and node.scalar is True


def _learnable(layer: Layer, upgraded: bool) -> bool:
    """net.cpp:145-153: a param blob needs backward when the net's ParamSpec for it (default lr_mult 1)
    has lr_mult != 0 — BatchNorm included: its own lr 0 is set on the layer's copy, not the net's.
    A net file's BatchNorm with exactly three param blocks was rewritten to lr_mult 0 on load."""
    count = param_blob_count(layer)
    specs = param_specs(layer)
    if upgraded and statistics_only_params(layer.type) and len(specs) == 3:
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
    """Caffe's backward inference for one state of a net."""
    return backward_for_graph(net, net.graph(state), forced)


def backward_for_graph(net: Net, graph, forced: bool | None = None) -> Backward:
    """The same for one of the net's state graphs (memoised on the graph, which states with the
    same layers share). `forced` defaults to the net's force_backward."""
    if forced is None:
        forced = force_backward(net)
    key = ("backward", forced)
    if key not in graph.memo:
        graph.memo[key] = _infer(graph, forced, upgraded=not net.embedded)
    return graph.memo[key]


def _infer(graph, forced: bool, upgraded: bool) -> Backward:
    result = Backward(graph.layers, forced=forced)
    grad: dict[str, bool] = {}
    learner_of: dict[str, Layer | None] = {}
    # Forward: need = a bottom needs a gradient or a param is learned.
    for layer in graph.layers:
        bottom_grads = [grad.get(name, False) for name, _ in layer.bottoms]
        own = _learnable(layer, upgraded)
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
        uses = graph.top_uses.get(layer, [])
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
            excluded = force_backward_excluded(layer)
            result.pd[layer] = [p or i not in excluded for i, p in enumerate(result.pd[layer])]
    return result


class Abort:
    def __init__(self, layer: Layer, bottom: int | None, message: str):
        self.layer = layer
        self.bottom = bottom  # None: the whole layer (ArgMax, Threshold)
        self.message = message

    def __repr__(self):
        return f"Abort({self.layer!r}, {self.bottom!r}, {self.message!r})"


def aborts(result: Backward) -> list[Abort]:
    """Layers whose Backward aborts in this state."""
    found = []
    for layer in result.layers:
        if not result.need.get(layer):
            continue
        whole = whole_layer_nondiff(layer.type)
        if whole is not None:
            found.append(Abort(layer, None, whole))
            continue
        nondiff = nondiff_bottoms(layer)
        if not nondiff:
            continue
        pd = result.pd[layer]
        for i in sorted(nondiff):
            if i < len(pd) and pd[i]:
                found.append(Abort(layer, i, nondiff[i]))
                break
    return found
