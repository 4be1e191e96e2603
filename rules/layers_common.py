"""Helpers shared by the layer-parameter rules (rules/layers_*.py).

- which layers Caffe builds (in some evaluated state), and where to point at them;
- H-EFF: tracing a bottom back through value-preserving layers to the layer that computed it;
- H-C: the channel (class) count of a blob along axis 1, when it can be read off the net;
- H-BWD: Caffe's backward inference (net.cpp Init) for the TRAIN state of a trained net;
- the solver a net is linted with, when it is known (nets embedded in a solver file).

Everything is computed once per net / state graph and cached: rules run on every keystroke.
"""

from __future__ import annotations

import weakref

from protolint.diagnostics import Fix, TextEdit
from protolint.syntax.nodes import Message, Scalar


# --- values ------------------------------------------------------------------------------------


def number(value):
    """`value` if it is an int or float (not a bool), else None."""
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def fmt(value) -> str:
    """A number as a message shows it: 1.0 -> 1, 0.5 -> 0.5."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def values(message: Message | None, name: str) -> list[tuple[object, object]]:
    """(typed value, node) of a repeated scalar field, in order, list syntax included. The node is
    the Field for `name: v`, the Scalar for an item of `name: [a, b]`."""
    if message is None:
        return []
    found = []
    for f in message.all(name):
        items = f.values()
        if len(items) == 1 and isinstance(items[0], Scalar) and items[0] is f.value:
            found.append((items[0].value, f))
        else:
            found += [(item.value, item) for item in items if isinstance(item, Scalar)]
    return found


def unset_or_zero(layer, path: str) -> bool:
    """The field is absent (its default 0 applies) or written as 0. A value the schema rejected is
    neither: the schema checker reports it, and Caffe would not even parse the file."""
    node = layer.field(path)
    if node is None:
        return not number(layer.get(path))
    return not isinstance(node.value, Message) and number(node.scalar) == 0


def has_unknown_fields(layer, block: str) -> bool:
    """The parameter block holds a field the schema does not know — most likely a misspelling of the
    field a "missing" rule would ask for (`kernal_size`). unknown-field reports it; Caffe does not
    even parse the file."""
    sub = layer.sub(block)
    return sub is not None and any(f.schema is None for f in sub.fields)


# --- layers and where to point -------------------------------------------------------------------


class Once:
    """Report each node once although several states show it."""

    def __init__(self):
        self.seen = set()

    def first(self, node) -> bool:
        key = id(node)
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


_BUILT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def built_layers(net):
    """The layers Caffe builds in at least one evaluated state, in file order."""
    cached = _BUILT.get(net)
    if cached is None:
        ids = set()
        for state in net.states():
            ids.update(id(layer) for layer in net.layers_in(state))
        cached = [layer for layer in net.layers if id(layer) in ids]
        _BUILT[net] = cached
    return cached


_BY_TYPE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def built_layers_by_type(net) -> dict[str, list]:
    """built_layers(net) grouped by layer type (most rules look at one or two types)."""
    cached = _BY_TYPE.get(net)
    if cached is None:
        cached = {}
        for layer in built_layers(net):
            cached.setdefault(layer.type, []).append(layer)
        _BY_TYPE[net] = cached
    return cached


def layers_of(ctx, types):
    """(net, layer) for every built layer of the given types in every net of the file, in file order."""
    if isinstance(types, str):
        types = (types,)
    for net in ctx.nets():
        by_type = built_layers_by_type(net)
        chosen = [layer for t in types for layer in by_type.get(t, ())]
        if len(types) > 1:
            chosen.sort(key=lambda layer: layer.index)
        for layer in chosen:
            yield net, layer


def each_graph(ctx):
    """(net, state, graph) for every net in the file and every state it is evaluated in."""
    for net in ctx.nets():
        for state in net.states():
            yield net, state, net.graph(state)


def train_states(ctx, net):
    """The states in which Caffe trains the net (runs Backward): TRAIN states of a trained net. A
    solver's test_net_param is only ever built for testing."""
    if not net.trained or solver_of(ctx, net)[1] == "test":
        return []
    return [state for state in net.states() if state.phase == "TRAIN"]


def anchor(layer):
    """(start, end) of the layer's `name:` value, else its `type:` value, else the layer keyword."""
    for key in ("name", "type"):
        f = layer.message.last(key) if not layer.synthetic else None
        if f is not None and isinstance(f.value, Scalar):
            return f.value.start, f.value.end
    return layer.message.start, layer.message.start + 1


def report_layer(ctx, layer, message: str, **kwargs) -> None:
    start, end = anchor(layer)
    ctx.report(start, end, message, **kwargs)


def report_at(ctx, layer, node, message: str, **kwargs) -> None:
    """At a field node when it is written, else at the layer."""
    if node is None:
        report_layer(ctx, layer, message, **kwargs)
    else:
        ctx.report_node(node, message, **kwargs)


# --- text edits --------------------------------------------------------------------------------


def delete_field(ctx, node) -> TextEdit:
    """Remove a field with the blanks before it (or its whole line when it stands alone)."""
    text = ctx.source.text
    start, end = node.start, node.end
    separator = getattr(node, "separator", -1)
    if separator is not None and separator >= end:
        end = separator + 1
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    if not text[line_start:start].strip() and not text[end:line_end].strip():
        return TextEdit(line_start, min(line_end + 1, len(text)), "")
    while start > 0 and text[start - 1] in " \t":
        start -= 1
    return TextEdit(start, end, "")


def delete_fields_fix(ctx, title: str, nodes, safe: bool) -> list[Fix]:
    return [Fix(title, [delete_field(ctx, n) for n in nodes], safe=safe)]


def insert_after_fix(ctx, layer, keys, snippet: str, title: str, safe: bool = False) -> list[Fix]:
    """Insert ` snippet` after the last field named in `keys` (e.g. the last top), on its own line
    when that field stands on its own line."""
    target = None
    for f in layer.message.fields:
        if f.name in keys:
            target = f
    if target is None or layer.synthetic:
        return []
    text = ctx.source.text
    line_start = text.rfind("\n", 0, target.start) + 1
    indent = text[line_start:target.start]
    if indent.strip():
        return [Fix(title, [TextEdit(target.end, target.end, " " + snippet)], safe=safe)]
    return [Fix(title, [TextEdit(target.end, target.end, "\n" + indent + snippet)], safe=safe)]


# --- the blob graph: H-EFF and H-C ---------------------------------------------------------------

_BOTTOMS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def bottom_uses(graph, layer):
    """The BlobUse of each bottom of `layer` in `graph`, by index (None for unknown bottoms)."""
    index = _BOTTOMS.get(graph)
    if index is None:
        index = {}
        for uses in graph.consumers.values():
            for use in uses:
                index.setdefault(id(use.layer), {})[use.index] = use
        for use in graph.unknown_bottoms:
            index.setdefault(id(use.layer), {})[use.index] = use
        _BOTTOMS[graph] = index
    by_index = index.get(id(layer), {})
    return [by_index.get(i) for i in range(len(layer.bottoms))]


def bottom_use(graph, layer, i=0):
    uses = bottom_uses(graph, layer)
    return uses[i] if i < len(uses) else None


PASS_THROUGH = frozenset("Reshape Flatten Split Dropout Slice".split())


def effective_producer(graph, use, limit: int = 10000):
    """H-EFF: the top (a BlobUse) of the first layer behind a bottom use that is not a pass-through
    layer (Reshape, Flatten, Split, Dropout, Slice; Concat when all its inputs trace to one type)."""
    if use is None:
        return None
    top = graph.producer_of(use)
    while top is not None and limit > 0:
        limit -= 1
        layer = top.layer
        if layer.type in PASS_THROUGH and layer.bottoms:
            top = graph.producer_of(bottom_use(graph, layer)) if bottom_use(graph, layer) else None
            continue
        if layer.type == "Concat" and layer.bottoms:
            sources = [effective_producer(graph, u, limit // 2) if u is not None else None
                       for u in bottom_uses(graph, layer)]
            if all(s is not None for s in sources) and len({s.layer.type for s in sources}) == 1:
                return sources[0]
        return top
    return top


def effective_layer(graph, use):
    top = effective_producer(graph, use)
    return None if top is None else top.layer


# Layers whose output has the channel count of their first input (H-C).
SHAPE_PRESERVING = frozenset(
    "ReLU Sigmoid TanH BatchNorm Scale Bias Dropout LRN MVN Softmax Power PReLU ELU Pooling Eltwise "
    "Split AbsVal BNLL Exp Log Clip Swish Threshold".split()
)


def channels(graph, use, limit: int = 10000):
    """H-C: the size of axis 1 of the blob a bottom reads, or None when it cannot be read off the net."""
    found = _channels(graph, use, limit)
    return found[0] if found else None


def _channels(graph, use, limit):
    """(count, the layer type that set it) or None."""
    top = graph.producer_of(use) if use is not None else None
    while top is not None and limit > 0:
        limit -= 1
        layer = top.layer
        kind = layer.type
        if kind == "InnerProduct":
            n = number(layer.get("inner_product_param.num_output"))
            return (n, kind) if n and layer.get("inner_product_param.axis") in (1, None) else None
        if kind in ("Convolution", "Deconvolution"):
            n = number(layer.get("convolution_param.num_output"))
            return (n, kind) if n and layer.get("convolution_param.axis") in (1, None) else None
        if kind in SHAPE_PRESERVING:
            nxt = bottom_use(graph, layer)
            top = graph.producer_of(nxt) if nxt is not None else None
            continue
        if kind == "Flatten":
            inner = _channels(graph, bottom_use(graph, layer), limit)
            return inner if inner and inner[1] == "InnerProduct" else None
        if kind == "Concat":
            axis = layer.get("concat_param.axis") if layer.has("concat_param.axis") else layer.get("concat_param.concat_dim")
            if axis not in (1, None):
                return None
            parts = [_channels(graph, u, limit // 2) for u in bottom_uses(graph, layer)]
            if not parts or any(p is None for p in parts):
                return None
            return sum(p[0] for p in parts), "Concat"
        if kind == "ImageData" and top.index == 0:
            return (3 if layer.get("image_data_param.is_color") is not False else 1), kind
        if kind == "Input" and not layer.synthetic:
            return _input_channels(layer, top.index)
        return None
    return None


def _input_channels(layer, index):
    block = layer.sub("input_param")
    if block is None:
        return None
    shapes = [f.value for f in block.all("shape") if isinstance(f.value, Message)]
    if not shapes:
        return None
    shape = shapes[index] if len(shapes) > 1 and index < len(shapes) else shapes[0]
    dims = [number(v) for v, _ in values(shape, "dim")]
    return (dims[1], "Input") if len(dims) >= 2 and dims[1] and dims[1] > 0 else None


# Non-negative / strictly positive outputs (spec §2).
STRICTLY_POSITIVE = frozenset("Sigmoid Softmax Exp BNLL".split())


def non_negative(layer) -> bool:
    kind = layer.type
    if kind in STRICTLY_POSITIVE or kind in ("AbsVal", "Threshold"):
        return True
    if kind == "ReLU":
        return not number(layer.get("relu_param.negative_slope"))
    if kind == "Power":
        power = number(layer.get("power_param.power"))
        return power is not None and float(power).is_integer() and int(power) % 2 == 0
    return False


# --- H-BWD: Caffe's backward inference ---------------------------------------------------------

# Learnable blobs per layer type (net.cpp: a layer with a blob of lr_mult != 0 needs backward).
_NO_PARAMS = None  # filled lazily from the registered types


def _param_count(layer):
    """How many learnable blobs Caffe gives the layer; None for types it does not know."""
    global _NO_PARAMS
    if _NO_PARAMS is None:
        from protolint.rules.unknown_layer_type import BVLC_LAYER_TYPES

        _NO_PARAMS = BVLC_LAYER_TYPES - {"Convolution", "Deconvolution", "InnerProduct", "Embed", "Scale", "Bias",
                                         "PReLU", "Parameter", "BatchNorm", "LSTM", "RNN", "Python"}
    kind = layer.type
    if kind in ("Convolution", "Deconvolution"):
        return 1 + bool(layer.get("convolution_param.bias_term"))
    if kind == "InnerProduct":
        return 1 + bool(layer.get("inner_product_param.bias_term"))
    if kind == "Embed":
        return 1 + bool(layer.get("embed_param.bias_term"))
    if kind == "Scale":
        return (len(layer.bottoms) == 1) + bool(layer.get("scale_param.bias_term"))
    if kind == "Bias":
        return int(len(layer.bottoms) == 1)
    if kind in ("PReLU", "Parameter"):
        return 1
    if kind == "BatchNorm":
        return 3
    if kind == "LSTM":
        return 3
    if kind == "RNN":
        return 5
    if kind in _NO_PARAMS:
        return 0
    return None


def _learnable(layer, batchnorm_frozen: bool) -> bool:
    mults = layer.lr_mults()
    count = _param_count(layer)
    if count is None:  # Python or a fork's layer: trust the param blocks written
        return any(m != 0 for m in mults)
    if layer.type == "BatchNorm" and batchnorm_frozen:
        return False
    return any((mults[i] if i < len(mults) else 1.0) != 0 for i in range(count))


# Bottoms that force_backward does not touch (AllowForceBackward false), per type.
_FB_EXCLUDED = {
    "SoftmaxWithLoss": {1}, "MultinomialLogisticLoss": {1}, "SigmoidCrossEntropyLoss": {1}, "HingeLoss": {1},
    "InfogainLoss": {1}, "ContrastiveLoss": {2}, "LSTM": {1}, "RNN": {1}, "LSTMUnit": {2},
}


class Backward:
    """need(layer) and propagate_down(layer, i) as Caffe computes them for one state's layers."""

    def __init__(self, need, pd):
        self._need = need
        self._pd = pd

    def need(self, layer) -> bool:
        return self._need.get(id(layer), False)

    def propagate_down(self, layer, index: int) -> bool:
        flags = self._pd.get(id(layer), [])
        return index < len(flags) and flags[index]

    def any_propagate_down(self, layer) -> bool:
        return any(self._pd.get(id(layer), []))


_BACKWARD: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def backward(ctx, net, graph) -> Backward:
    """H-BWD (spec §1.6) for a state's graph; cached per graph."""
    cached = _BACKWARD.get(graph)
    if cached is None:
        cached = _compute_backward(net, graph, ctx.version_at_least("rc4"))
        _BACKWARD[graph] = cached
    return cached


def _key(use):
    return (use.node.scalar, use.version)


def _compute_backward(net, graph, batchnorm_frozen: bool) -> Backward:
    grad: dict = {}
    need: dict = {}
    pd: dict = {}
    for layer in graph.layers:
        uses = bottom_uses(graph, layer)
        flags = [use is not None and grad.get(_key(use), False) for use in uses]
        needed = any(flags) or _learnable(layer, batchnorm_frozen)
        written_pd = [v for v, _ in values(layer.message, "propagate_down")]
        if written_pd and len(written_pd) == len(uses):
            flags = [bool(v) for v in written_pd]
        need[id(layer)] = needed
        pd[id(layer)] = flags
        for top in graph.top_uses.get(id(layer), []):
            grad[_key(top)] = needed
    under_loss, consumed, wanted = set(), set(), set()
    for layer in reversed(graph.layers):
        tops = graph.top_uses.get(id(layer), [])
        weights = layer.loss_weights()
        contributes = any(w != 0 for w in weights) or any(_key(t) in under_loss for t in tops)
        skip_all = bool(tops) and len(weights) <= len(tops) and all(
            _key(t) in consumed and _key(t) not in wanted for t in tops)
        flags = pd[id(layer)]
        if need[id(layer)] and skip_all:
            need[id(layer)] = False
            flags = pd[id(layer)] = [False] * len(flags)
        if not contributes:
            need[id(layer)] = False
            flags = pd[id(layer)] = [False] * len(flags)
        for i, use in enumerate(bottom_uses(graph, layer)):
            if use is None:
                continue
            key = _key(use)
            consumed.add(key)
            if contributes:
                under_loss.add(key)
            if flags[i]:
                wanted.add(key)
    force = net.root.last("force_backward")
    if force is not None and force.scalar is True:
        for layer in graph.layers:
            need[id(layer)] = True
            excluded = _FB_EXCLUDED.get(layer.type, set())
            pd[id(layer)] = [f or i not in excluded for i, f in enumerate(pd[id(layer)])]
    return Backward(need, pd)


# --- the solver a net is used with ------------------------------------------------------------


def solver_of(ctx, net):
    """(solver, role) when the net is embedded in the solver file being linted: role "train" for
    net_param / train_net_param, "test" for test_net_param. (None, None) otherwise — a net file's
    solvers are known by path only (ctx.usage), not by their values."""
    if ctx.kind != "solver" or ctx.solver is None:
        return None, None
    root = ctx.document.root
    for name, role in (("net_param", "train"), ("train_net_param", "train"), ("test_net_param", "test")):
        for f in root.all(name):
            if f.value is net.root:
                return ctx.solver, role
    return ctx.solver, None


def is_solver_train_net(ctx, net) -> bool:
    """A solver trains this net: it is embedded as net_param/train_net_param, or a solver linted
    together with this file names it as its train net."""
    _, role = solver_of(ctx, net)
    if role == "train":
        return True
    return ctx.kind == "net" and ctx.usage is not None and getattr(ctx.usage, "trained", False)
