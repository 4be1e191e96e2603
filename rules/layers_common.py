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

def bottom_uses(graph, layer):
    """The BlobUse of each bottom of `layer` in `graph`, by index (None for unknown bottoms)."""
    known = graph.bottom_uses
    return [known.get((id(layer), i)) for i in range(len(layer.bottoms))]


def bottom_use(graph, layer, i=0):
    return graph.bottom_uses.get((id(layer), i))


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


class Backward:
    """need(layer) and propagate_down(layer, i) as Caffe computes them for one state's layers: a
    view on rules.net_backward, which implements net.cpp's inference once for every rule."""

    def __init__(self, result):
        self._result = result

    def need(self, layer) -> bool:
        return self._result.need.get(layer, False)

    def propagate_down(self, layer, index: int) -> bool:
        flags = self._result.pd.get(layer, [])
        return index < len(flags) and flags[index]

    def any_propagate_down(self, layer) -> bool:
        return any(self._result.pd.get(layer, []))


def backward(ctx, net, graph) -> Backward:
    """H-BWD (spec §1.6) for a state's graph."""
    from .net_backward import backward_for_graph

    return Backward(backward_for_graph(net, graph))


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
