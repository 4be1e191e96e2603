"""Parameter blobs: the ParamSpecs Caffe ends up with, shared parameters, and what is learned.

A layer's `param { }` blocks (V2) — or, in V1 `layers`, the parallel lists `param` (names),
`blobs_lr`, `weight_decay` and `blob_share_mode`, which Caffe's upgrade turns into ParamSpecs index
by index — say per parameter blob its learning-rate multiplier (default 1), decay multiplier and
sharing name. A blob with lr_mult 0 is frozen; a blob whose name an earlier layer of the same net
already declared is that layer's blob (net.cpp AppendParam), so it is trained as the owner's.
"""

from __future__ import annotations

from ..syntax.nodes import Message, Scalar, number
from .memo import per_layer

# A plain class, not a dataclass: creating a dataclass costs ~0.3 ms of start-up each.


class ParamSpec:
    __slots__ = ("index", "node", "name", "name_node", "lr", "lr_node", "decay", "decay_node", "permissive")

    def __init__(self, index: int, node: object, name: str = "", name_node: object = None, lr: float | None = None,
                 lr_node: object = None, decay: float | None = None, decay_node: object = None,
                 permissive: bool = False):
        self.index = index
        self.node = node  # the `param` field (V2) or the V1 value that creates the spec
        self.name = name
        self.name_node = name_node
        self.lr = lr  # explicit lr_mult (None: unset, Caffe uses 1)
        self.lr_node = lr_node
        self.decay = decay
        self.decay_node = decay_node
        self.permissive = permissive

    def __repr__(self):
        return f"ParamSpec({self.index}, name={self.name!r}, lr={self.lr!r}, decay={self.decay!r})"

    @property
    def effective_lr(self) -> float:
        return 1.0 if self.lr is None else self.lr


def _flat(message: Message, name: str) -> list[Scalar]:
    return [v for f in message.all(name) for v in f.values() if isinstance(v, Scalar)]


@per_layer
def param_specs(layer) -> list[ParamSpec]:
    """The ParamSpecs of a layer as Caffe builds them (V1 fields are upgraded per index)."""
    if not layer.v1:
        specs = []
        for i, f in enumerate(f for f in layer.message.all("param") if isinstance(f.value, Message)):
            info = ParamSpec(i, f)
            name = lr = decay = mode = None
            for field in f.value.fields:  # the last of each name, in one pass (a ParamSpec is small)
                key = field.name
                if key == "lr_mult":
                    lr = field
                elif key == "decay_mult":
                    decay = field
                elif key == "name":
                    name = field
                elif key == "share_mode":
                    mode = field
            if name is not None and isinstance(name.scalar, str):
                info.name, info.name_node = name.scalar, name
            if lr is not None and number(lr.scalar) is not None:
                info.lr, info.lr_node = float(lr.scalar), lr
            if decay is not None and number(decay.scalar) is not None:
                info.decay, info.decay_node = float(decay.scalar), decay
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
        info = ParamSpec(i, node)
        if i < len(names) and isinstance(names[i].value, str):
            info.name, info.name_node = names[i].value, names[i]
        if i < len(lrs) and number(lrs[i].value) is not None:
            info.lr, info.lr_node = float(lrs[i].value), lrs[i]
        if i < len(decays) and number(decays[i].value) is not None:
            info.decay, info.decay_node = float(decays[i].value), decays[i]
        info.permissive = i < len(modes) and modes[i].value == "PERMISSIVE"
        specs.append(info)
    return specs


def lr_mult(layer, index: int) -> float:
    """The lr_mult Caffe uses for the layer's parameter blob `index` (1 when no ParamSpec says)."""
    specs = param_specs(layer)
    return specs[index].effective_lr if index < len(specs) else 1.0


def param_owners(graph) -> dict[str, object]:
    """Shared parameter name -> the first layer of the state that declares it (Caffe's owner)."""
    owners = graph.memo.get("param_owners")
    if owners is None:
        owners = {}
        for layer in graph.layers:
            for spec in param_specs(layer):
                if spec.name:
                    owners.setdefault(spec.name, layer)
        graph.memo["param_owners"] = owners
    return owners


def learned_from_filler(layer, index: int | None, graph) -> bool:
    """The parameter blob is trained from the values its filler gives it: lr_mult != 0, and not a
    borrowed blob (a shared name an earlier layer owns)."""
    if index is None:
        return True
    if lr_mult(layer, index) == 0:
        return False
    specs = param_specs(layer)
    name = specs[index].name if index < len(specs) else ""
    return not name or param_owners(graph).get(name, layer) is layer
