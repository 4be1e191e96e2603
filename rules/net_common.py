"""Helpers shared by the net-structure (N2xx) and data/input (D6xx) rules.

* `net_views(ctx)`: every net of the file with the states Caffe builds it in and why (trained by
  a solver, tested by one, or stand-alone), including nets embedded in a solver.
* Where to point: a layer's `name:` value, a field's value, the solver field of an embedded net.
* `param_specs(layer)`: the ParamSpecs Caffe ends up with, V2 `param { }` and V1 `blobs_lr` /
  `weight_decay` / `param` alike.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

from protolint.model.net import TEST, TRAIN, Layer, Net, NetState, per_layer
from protolint.syntax.nodes import Field, Message, Scalar

EMBEDDED_FIELDS = ("net_param", "train_net_param", "test_net_param")


@dataclass(eq=False)
class NetView:
    """One net of the file and the states it is built in."""

    net: Net
    train_states: list[NetState]  # states a solver trains it in (Backward runs)
    test_states: list[NetState]  # states it is only run forward in
    from_solver: bool  # the states come from a solver (usage of a net file, or an embedded net)
    embedded_field: Field | None = None  # net_param / train_net_param / test_net_param
    solvers: list[str] = field(default_factory=list)

    @property
    def states(self) -> list[NetState]:
        seen: list[NetState] = []
        for state in self.train_states + self.test_states:
            if state not in seen:
                seen.append(state)
        return seen

    @property
    def label(self) -> str:
        return self.embedded_field.name if self.embedded_field is not None else "this net"

    def anchor(self) -> tuple[int, int]:
        """Where net-level findings go: the embedded net's field name, else the file start."""
        if self.embedded_field is not None:
            return self.embedded_field.name_start, self.embedded_field.name_end
        return 0, 0


def count_values(message: Message, name: str) -> int:
    return sum(len(f.values()) for f in message.all(name))


def net_views(ctx) -> list[NetView]:
    """The nets of this file with their states: a net file (linted with its solvers or alone), or
    the nets embedded in a solver (net_param, train_net_param, test_net_param)."""
    cached = getattr(ctx, "_protolint_net_views", None)
    if cached is not None:
        return cached
    views: list[NetView] = []
    if ctx.kind == "net":
        net = ctx.net
        usage = net.usage
        if usage is not None and usage.states:
            train = [s for s in usage.states if s.phase == "TRAIN"]
            test = [s for s in usage.states if s.phase != "TRAIN"]
            views.append(NetView(net, train, test, True, solvers=list(usage.solvers)))
        else:
            states = net.states()
            train = [s for s in states if s.phase == "TRAIN"] if net.trained else []
            if net.trained and not train:
                train = [TRAIN]
            test = [s for s in states if s.phase != "TRAIN"]
            views.append(NetView(net, train, test, False))
    elif ctx.kind == "solver":
        views = _embedded_views(ctx)
    ctx._protolint_net_views = views
    return views


def _embedded_views(ctx) -> list[NetView]:
    solver = ctx.solver
    root = solver.root
    by_root = {id(n.root): n for n in ctx.nets()}
    inline_tests = [f for f in root.all("test_net_param") if isinstance(f.value, Message)]
    test_files = count_values(root, "test_net")
    test_iters = count_values(root, "test_iter")
    has_train_spec = root.has("train_net_param") or root.has("train_net")
    views = []
    for name in EMBEDDED_FIELDS:
        for f in root.all(name):
            net = by_root.get(id(f.value))
            if net is None:
                continue
            train: list[NetState] = []
            test: list[NetState] = []
            if name == "train_net_param" or (name == "net_param" and not has_train_spec):
                train.append(solver.state_from("train_state", "TRAIN"))
            if name == "test_net_param":
                index = next(i for i, t in enumerate(inline_tests) if t is f)
                test.append(solver.state_from("test_state", "TEST", index, f"TEST #{index + 1}"))
            elif name == "net_param":
                first = len(inline_tests) + test_files
                for index in range(first, max(test_iters, first)):
                    test.append(solver.state_from("test_state", "TEST", index, f"TEST #{index + 1}"))
            views.append(NetView(net, train, test, True, embedded_field=f))
    return views


def describe_states(states) -> str:
    names = []
    for state in states:
        text = state.describe()
        if text not in names:
            names.append(text)
    if len(names) <= 1:
        return names[0] if names else ""
    return ", ".join(names[:-1]) + " and " + names[-1]


_PHASED: "weakref.WeakKeyDictionary[Net, bool]" = weakref.WeakKeyDictionary()


def phase_dependent(net: Net) -> bool:
    """Whether any layer has include/exclude rules (otherwise every state has the same layers)."""
    found = _PHASED.get(net)
    if found is None:
        found = _PHASED[net] = any(layer.includes or layer.excludes for layer in net.layers)
    return found


def in_states(net: Net, states) -> str:
    """" (TRAIN and TEST)" for messages, or "" when the net is the same in every state."""
    return f" ({describe_states(states)})" if states and phase_dependent(net) else ""


# --- where to point

_KEYWORDS: "weakref.WeakKeyDictionary[Net, dict[int, Field]]" = weakref.WeakKeyDictionary()


def _layer_fields(net: Net) -> dict[int, Field]:
    found = _KEYWORDS.get(net)
    if found is None:
        found = {id(f.value): f for f in net.root.fields if f.name in ("layer", "layers")}
        _KEYWORDS[net] = found
    return found


def layer_span(net: Net, layer: Layer) -> tuple[int, int]:
    """A layer's `name:` value; else its `layer {` keyword; for the legacy input layer the first `input`."""
    if layer.synthetic:
        first = net.root.first("input")
        if first is not None:
            return first.name_start, first.name_end
        return 0, 0
    name = layer.message.last("name")
    if name is not None and isinstance(name.value, Scalar):
        return name.value.start, name.value.end
    keyword = _layer_fields(net).get(id(layer.message))
    if keyword is not None:
        return keyword.name_start, keyword.name_end
    return layer.message.start, layer.message.start + 1


def node_span(node) -> tuple[int, int]:
    """A scalar field's value; a message field's name; a bare node as it is."""
    if isinstance(node, Field):
        if isinstance(node.value, Scalar):
            return node.value.start, node.value.end
        return node.name_start, node.name_end
    return node.start, node.end


def report_at(ctx, span: tuple[int, int], message: str, **kwargs) -> None:
    ctx.report(span[0], span[1], message, **kwargs)


def layer_label(layer: Layer) -> str:
    return layer.name or f"#{layer.index + 1}"


def related_span(node, text: str) -> tuple[int, int, str]:
    start, end = node_span(node)
    return start, end, text


# --- ParamSpecs


@dataclass
class ParamInfo:
    index: int
    node: object  # the `param` field (V2) or the V1 value that creates the spec
    name: str = ""
    name_node: object = None
    lr: float | None = None  # explicit lr_mult (None: unset, Caffe uses 1)
    lr_node: object = None
    decay: float | None = None
    decay_node: object = None
    permissive: bool = False

    @property
    def effective_lr(self) -> float:
        return 1.0 if self.lr is None else self.lr


def _number(value) -> float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _flat(message: Message, name: str) -> list[Scalar]:
    return [v for f in message.all(name) for v in f.values() if isinstance(v, Scalar)]


@per_layer
def param_specs(layer: Layer) -> list[ParamInfo]:
    """The ParamSpecs of a layer as Caffe builds them (V1 fields are upgraded per index)."""
    if not layer.v1:
        specs = []
        for i, f in enumerate(f for f in layer.message.all("param") if isinstance(f.value, Message)):
            message = f.value
            info = ParamInfo(i, f)
            name = message.last("name")
            if name is not None and isinstance(name.scalar, str):
                info.name, info.name_node = name.scalar, name
            lr = message.last("lr_mult")
            if lr is not None and _number(lr.scalar) is not None:
                info.lr, info.lr_node = float(lr.scalar), lr
            decay = message.last("decay_mult")
            if decay is not None and _number(decay.scalar) is not None:
                info.decay, info.decay_node = float(decay.scalar), decay
            mode = message.last("share_mode")
            info.permissive = mode is not None and mode.scalar == "PERMISSIVE"
            specs.append(info)
        return specs
    names = _flat(layer.message, "param")
    lrs = _flat(layer.message, "blobs_lr")
    decays = _flat(layer.message, "weight_decay")
    modes = _flat(layer.message, "blob_share_mode")
    count = max(len(names), len(lrs), len(decays), len(modes))
    specs = []
    for i in range(count):
        node = (lrs[i] if i < len(lrs) else names[i] if i < len(names) else decays[i] if i < len(decays) else modes[i])
        info = ParamInfo(i, node)
        if i < len(names) and isinstance(names[i].value, str):
            info.name, info.name_node = names[i].value, names[i]
        if i < len(lrs) and _number(lrs[i].value) is not None:
            info.lr, info.lr_node = float(lrs[i].value), lrs[i]
        if i < len(decays) and _number(decays[i].value) is not None:
            info.decay, info.decay_node = float(decays[i].value), decays[i]
        info.permissive = i < len(modes) and modes[i].value == "PERMISSIVE"
        specs.append(info)
    return specs


def fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def known_type(ctx, layer: Layer) -> bool:
    return layer.type in ctx.options.known_layer_types(ctx.schema)


def layers_in_states(net: Net, states) -> list[Layer]:
    """Layers present in at least one of the states, in file order."""
    present: set[int] = set()
    for state in states:
        present.update(id(layer) for layer in net.layers_in(state))
    return [layer for layer in net.layers if id(layer) in present]


__all__ = [
    "EMBEDDED_FIELDS", "NetView", "ParamInfo", "TEST", "TRAIN", "count_values", "describe_states", "fmt",
    "in_states", "known_type", "layer_label", "phase_dependent", "layer_span", "layers_in_states", "net_views", "node_span", "param_specs",
    "related_span", "report_at",
]
