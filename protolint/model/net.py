"""The net model rules see: layers as Caffe builds them, per NetState, and the blob graph.

Built from the typed tree (no second parse). It mirrors what Caffe does when it reads a file:
V1 `layers` get their type strings (the V1 -> V2 upgrade), legacy `input`/`input_dim`/
`input_shape` become an "input" layer, and `include`/`exclude` NetStateRules select the layers of
each state. Nets embedded in a solver are not upgraded, exactly as Caffe does not upgrade them.
"""

from __future__ import annotations

from ..syntax.nodes import STRING, Field, Message, Scalar
from ..values import Frozen
from .facts import LOSS_TYPES

# Plain classes, not dataclasses: creating a dataclass costs ~0.3 ms of start-up each.

# V1LayerParameter.LayerType -> the type string of the V2 format (Caffe's V1 -> V2 upgrade).
V1_TYPE_NAMES = {
    "NONE": "", "ABSVAL": "AbsVal", "ACCURACY": "Accuracy", "ARGMAX": "ArgMax", "BNLL": "BNLL",
    "CONCAT": "Concat", "CONTRASTIVE_LOSS": "ContrastiveLoss", "CONVOLUTION": "Convolution",
    "DECONVOLUTION": "Deconvolution", "DATA": "Data", "DROPOUT": "Dropout", "DUMMY_DATA": "DummyData",
    "EUCLIDEAN_LOSS": "EuclideanLoss", "ELTWISE": "Eltwise", "EXP": "Exp", "FLATTEN": "Flatten",
    "HDF5_DATA": "HDF5Data", "HDF5_OUTPUT": "HDF5Output", "HINGE_LOSS": "HingeLoss", "IM2COL": "Im2col",
    "IMAGE_DATA": "ImageData", "INFOGAIN_LOSS": "InfogainLoss", "INNER_PRODUCT": "InnerProduct",
    "LRN": "LRN", "MEMORY_DATA": "MemoryData", "MULTINOMIAL_LOGISTIC_LOSS": "MultinomialLogisticLoss",
    "MVN": "MVN", "POOLING": "Pooling", "POWER": "Power", "RELU": "ReLU", "SIGMOID": "Sigmoid",
    "SIGMOID_CROSS_ENTROPY_LOSS": "SigmoidCrossEntropyLoss", "SILENCE": "Silence", "SOFTMAX": "Softmax",
    "SOFTMAX_LOSS": "SoftmaxWithLoss", "SPLIT": "Split", "SLICE": "Slice", "TANH": "TanH",
    "WINDOW_DATA": "WindowData", "THRESHOLD": "Threshold",
}

# V0 `layers { layer { type: "conv" } }` type strings -> V2 type (through Caffe's V0 -> V1 -> V2
# upgrades). V0 "padding" layers are folded into the next layer's pad; here they stay as untyped
# pass-through layers so the blob wiring is unchanged.
V0_TYPE_NAMES = {
    "accuracy": "Accuracy", "bnll": "BNLL", "concat": "Concat", "conv": "Convolution", "data": "Data",
    "dropout": "Dropout", "euclidean_loss": "EuclideanLoss", "flatten": "Flatten", "hdf5_data": "HDF5Data",
    "hdf5_output": "HDF5Output", "im2col": "Im2col", "images": "ImageData", "infogain_loss": "InfogainLoss",
    "innerproduct": "InnerProduct", "lrn": "LRN", "multinomial_logistic_loss": "MultinomialLogisticLoss",
    "pool": "Pooling", "relu": "ReLU", "sigmoid": "Sigmoid", "softmax": "Softmax", "softmax_loss": "SoftmaxWithLoss",
    "split": "Split", "tanh": "TanH", "window_data": "WindowData", "padding": "",
}

class NetState(Frozen):
    """A phase, level and stages. Immutable; equal and hashed by value (states are dict keys)."""

    __slots__ = ("phase", "level", "stages", "label")

    def __init__(self, phase: str, level: int = 0, stages: tuple[str, ...] = (), label: str = ""):
        self.phase = phase  # "TRAIN" | "TEST"
        self.level = level
        self.stages = stages
        self.label = label  # how messages name it, e.g. "TEST (test_state #2)"

    def describe(self) -> str:
        return self.label or self.phase


TRAIN = NetState("TRAIN", label="TRAIN")
TEST = NetState("TEST", label="TEST")


class Layer:
    __slots__ = ("message", "index", "name", "type", "bottoms", "tops", "v1", "synthetic", "includes", "excludes",
                 "keyword", "memo")

    def __init__(self, message: Message, index: int, name: str, type: str, bottoms: list[tuple[str, object]],
                 tops: list[tuple[str, object]], v1: bool = False, synthetic: bool = False,
                 includes: tuple[Message, ...] = (), excludes: tuple[Message, ...] = (), keyword: Field | None = None,
                 memo: dict | None = None):
        self.message = message  # the `layer { }` / `layers { }` node (or the root, for a legacy input layer)
        self.index = index  # position in the file's layer order
        self.name = name
        self.type = type
        self.bottoms = bottoms  # (blob name, node to point at)
        self.tops = tops
        self.v1 = v1
        self.synthetic = synthetic  # made by an upgrade (legacy input fields)
        self.includes = includes  # NetStateRules
        self.excludes = excludes
        self.keyword = keyword  # the `layer`/`layers` field holding it (None for a synthetic layer)
        self.memo = {} if memo is None else memo  # answers about this layer (model.memo)

    def __repr__(self):
        return f"Layer({self.name!r}, {self.type!r}, index={self.index})"

    @property
    def node(self):
        return self.message

    def field(self, path: str) -> Field | None:
        """The last field node at a dotted path (`pooling_param.kernel_size`), or None."""
        parts = _PATHS.get(path) or _split_path(path)
        node: Message | None = self.message
        found = None
        for part in parts:
            if node is None:
                return None
            found = node.last(part)
            if found is None:
                return None
            value = found.value
            node = value if value.__class__ is Message else None
        return found

    def get(self, path: str):
        """A value at a dotted path as Caffe sees it: the value written, else the schema's default."""
        # Rules and the model ask a layer for the same few values again and again: the answers are
        # kept in its memo (the tree does not change while it is linted; Net.release clears them).
        answers = self.memo.get("Layer.get")
        if answers is None:
            answers = self.memo["Layer.get"] = {}
        elif path in answers:
            return answers[path]
        written = self.field(path)
        if written is not None and written.value.__class__ is not Message and (
                written.schema is not None or self.message.schema is None):
            value = written.scalar
        else:
            # Not written, or written but unknown to the schema (the parser rejects it; no value reaches Caffe).
            value = _schema_default(self.message.schema, path)
        answers[path] = value
        return value

    def has(self, path: str) -> bool:
        return self.field(path) is not None

    def sub(self, name: str) -> Message | None:
        """A parameter block (`convolution_param`), or None when not written."""
        found = self.message.last(name)
        return found.value if found is not None and isinstance(found.value, Message) else None

    def params(self) -> list[Message]:
        """`param { }` blocks (V2). model.params reads V1 parameter fields too."""
        return [f.value for f in self.message.all("param") if isinstance(f.value, Message)]

    def loss_weights(self) -> list[float] | tuple[float, ...]:
        """Effective loss weight per top (LossLayers default to 1 on top 0)."""
        if "loss_weights" not in self.memo:
            self.memo["loss_weights"] = self._loss_weights()
        return self.memo["loss_weights"]

    def _loss_weights(self) -> list[float]:
        written = [f.scalar for f in self.message.all("loss_weight") if isinstance(f.scalar, (int, float))]
        if written:
            return written
        count = max(len(self.tops), 1 if self.type in LOSS_TYPES else 0)
        if self.type not in LOSS_TYPES:
            return _NO_LOSS[count] if count < len(_NO_LOSS) else [0.0] * count
        return [1.0] + [0.0] * (count - 1)

    @property
    def is_loss(self) -> bool:
        if self.type not in LOSS_TYPES and not self.message.has("loss_weight"):
            return False  # every weight is 0 (asked of every layer of a net: no list of weights made)
        return any(w != 0 for w in self.loss_weights())

    def included_in(self, state: NetState) -> bool:
        """Caffe's include/exclude NetStateRule filtering (net.cpp StateMeetsRule)."""
        if self.excludes:
            return not any(_rule_matches(rule, state) for rule in self.excludes)
        if self.includes:
            return any(_rule_matches(rule, state) for rule in self.includes)
        return True


# What most layers answer (one shared value, not a list per layer): no loss on any of their tops.
_NO_LOSS = [(0.0,) * count for count in range(9)]
_PATHS: dict[str, tuple[str, ...]] = {}
_DEFAULTS: dict = {}  # (MessageType, path) -> default; rules ask for the same few paths over and over


def _split_path(path: str) -> tuple[str, ...]:
    parts = _PATHS[path] = tuple(path.split("."))
    return parts


def _schema_default(message_type, path: str):
    key = (message_type, path)
    if key in _DEFAULTS:
        return _DEFAULTS[key]
    schema_field = None
    current = message_type
    part = None
    for part in _PATHS.get(path) or _split_path(path):
        if current is None:
            schema_field = None
            break
        schema_field = current.fields.get(part)
        if schema_field is None:
            break
        current = schema_field.message
    if schema_field is None and message_type is not None and part is not None:
        value = _absent_field_default(message_type, path)
    else:
        value = None if schema_field is None or schema_field.message else schema_field.effective_default()
    _DEFAULTS[key] = value
    return value


def _absent_field_default(message_type, path: str):
    """A field the schema (a fork's, an older release's) lacks: that Caffe does what it did before
    the field existed, which is what BVLC's default for it keeps (`convolution_param.axis` 1,
    `pooling_param.round_mode` CEIL). None only when BVLC has no such field either (a typo)."""
    from ..schema.loader import builtin_schema

    builtin = builtin_schema()
    if not builtin.has_message(message_type.name):
        return None
    return _schema_default(builtin.message(message_type.name), path) if builtin.message(message_type.name) is not message_type else None


def _layer_from(message: Message, index: int, v1: bool) -> Layer:
    """One pass over a layer's fields (a net can have tens of thousands of layers)."""
    name = layer_type = ""
    bottoms, tops, includes, excludes = [], [], [], []
    for f in message.fields:
        key = f.name
        if key == "bottom":
            value = f.value
            if value.__class__ is Scalar and value.value.__class__ is str:  # (a Scalar's value: never a str subclass)
                bottoms.append((value.value, f))
        elif key == "top":
            value = f.value
            if value.__class__ is Scalar and value.value.__class__ is str:
                tops.append((value.value, f))
        elif key == "name":
            value = f.value
            if value.__class__ is Scalar and value.value.__class__ is str:
                name = value.value
        elif key == "type":
            value = f.value.value if f.value.__class__ is Scalar else None
            if v1:
                value = V1_TYPE_NAMES.get(value) if value is not None else _v1_type_as_written(f.value)
            layer_type = value if isinstance(value, str) else ""
        elif key == "include" or key == "exclude":
            if isinstance(f.value, Message):
                (includes if key == "include" else excludes).append(f.value)
        elif key == "layer" and v1 and isinstance(f.value, Message):
            # V0: name and type live in the nested V0LayerParameter.
            inner = f.value
            inner_name = inner.last("name")
            if not name and inner_name is not None and isinstance(inner_name.scalar, str):
                name = inner_name.scalar
            inner_type = inner.last("type")
            if not layer_type and inner_type is not None and isinstance(inner_type.scalar, str):
                layer_type = V0_TYPE_NAMES.get(inner_type.scalar, inner_type.scalar)
    # (Tuples: most layers have neither, and the empty tuple is one shared object.)
    return Layer(message, index, name, layer_type, bottoms, tops, v1, False, tuple(includes), tuple(excludes))


def _v1_type_as_written(value) -> str:
    """The layer type a V1 `type:` the schema rejected names: a quoted V2 string (`"ReLU"`), or an
    enum name only a fork has (`CROP`, kept as written: BVLC's Crop is another layer). Other rules
    report the value itself; the model still knows which layer this is."""
    if not isinstance(value, Scalar):
        return ""
    if value.kind == STRING:
        return value.text.strip("\"'")
    return V1_TYPE_NAMES.get(value.text, value.text)


def _rule_matches(rule: Message, state: NetState) -> bool:
    phase = rule.last("phase")
    if phase is not None and phase.scalar is not None and phase.scalar != state.phase:
        return False
    min_level = rule.last("min_level")
    if min_level is not None and isinstance(min_level.scalar, int) and state.level < min_level.scalar:
        return False
    max_level = rule.last("max_level")
    if max_level is not None and isinstance(max_level.scalar, int) and state.level > max_level.scalar:
        return False
    for stage in rule.all("stage"):
        if stage.scalar not in state.stages:
            return False
    for stage in rule.all("not_stage"):
        if stage.scalar in state.stages:
            return False
    return True


class BlobUse:
    __slots__ = ("layer", "index", "node", "in_place", "version")

    def __init__(self, layer: Layer, index: int, node: object, in_place: bool = False, version: int = 0):
        self.layer = layer
        self.index = index  # bottom/top index
        self.node = node
        self.in_place = in_place
        self.version = version  # which version of the blob it reads or writes

    def __repr__(self):
        return f"BlobUse({self.layer.name!r}, {self.index}, in_place={self.in_place}, version={self.version})"


class BlobGraph:
    """Producers and consumers of each blob version in one state, in Caffe's order."""

    def __init__(self, layers: list[Layer], producers: dict[tuple[str, int], BlobUse] | None = None,
                 consumers: dict[tuple[str, int], list[BlobUse]] | None = None,
                 unknown_bottoms: list[BlobUse] | None = None,
                 duplicate_tops: list[tuple[BlobUse, BlobUse]] | None = None, versions: dict[str, int] | None = None,
                 top_uses: dict[Layer, list[BlobUse]] | None = None, bottom_uses: dict[object, BlobUse] | None = None,
                 memo: dict | None = None):
        self.layers = layers
        self.producers = {} if producers is None else producers  # (blob, version) -> top use
        self.consumers = {} if consumers is None else consumers
        self.unknown_bottoms = [] if unknown_bottoms is None else unknown_bottoms
        self.duplicate_tops = [] if duplicate_tops is None else duplicate_tops  # (new, earlier producer)
        self.versions = {} if versions is None else versions  # blob -> latest version
        self.top_uses = {} if top_uses is None else top_uses  # layer -> its tops, in order (by identity)
        # the bottom's node (its `bottom:` field) -> its use, when known (keyed by the node: a pair of
        # ints per bottom took 90 bytes more each)
        self.bottom_uses = {} if bottom_uses is None else bottom_uses
        self.memo = {} if memo is None else memo  # answers about this state's graph (shapes, backward, ...)

    def bottom_use(self, layer: Layer, index: int = 0) -> BlobUse | None:
        """The use of `layer`'s bottom `index` (None when the bottom is unknown)."""
        bottoms = layer.bottoms
        return self.bottom_uses.get(bottoms[index][1]) if 0 <= index < len(bottoms) else None

    def readers_of_top(self, layer: Layer, index: int = 0) -> list[BlobUse]:
        """The layers that read what `layer` writes to its top `index`."""
        tops = self.top_uses.get(layer, [])
        if index >= len(tops):
            return []
        use = tops[index]
        return self.consumers.get((use.node.scalar, use.version), [])

    def split_points(self) -> list[tuple[BlobUse, list[BlobUse]]]:
        """The tops Caffe inserts a Split layer after (insert_splits.cpp): read by more than one
        layer, where a non-zero loss_weight on the top counts as one more reader."""
        found = []
        consumers = self.consumers
        for key, top in self.producers.items():
            readers = consumers.get(key, [])
            count = len(readers)
            if count == 1:  # (the loss weight decides only here; most layers have none to look up)
                layer = top.layer
                if layer.type in LOSS_TYPES or layer.message.has("loss_weight"):
                    weights = layer.loss_weights()
                    count += 1 if top.index < len(weights) and weights[top.index] != 0 else 0
            if count > 1:
                found.append((top, readers))
        return found

    def producer_of(self, use: BlobUse) -> BlobUse | None:
        """The top that a bottom reads."""
        return self.producers.get((use.node.scalar, use.version))

    @classmethod
    def build(cls, layers: list[Layer]) -> BlobGraph:
        graph = cls(layers)
        # (The graph's tables as locals: this runs for every blob use of the net.)
        versions, consumers, producers = graph.versions, graph.consumers, graph.producers
        bottom_uses, top_uses, unknown_bottoms = graph.bottom_uses, graph.top_uses, graph.unknown_bottoms
        latest: dict[str, tuple[str, int]] = {}  # blob -> key of its latest version (one key object per version)
        for layer in layers:
            bottoms, tops = layer.bottoms, layer.tops
            for i, (name, node) in enumerate(bottoms):
                key = latest.get(name)
                use = BlobUse(layer, i, node, i < len(tops) and tops[i][0] == name, 0 if key is None else key[1])
                if key is None:
                    unknown_bottoms.append(use)
                    continue
                readers = consumers.get(key)
                if readers is None:
                    consumers[key] = [use]
                else:
                    readers.append(use)
                bottom_uses[node] = use
            if not tops:
                continue
            uses = []
            for i, (name, node) in enumerate(tops):
                use = BlobUse(layer, i, node, i < len(bottoms) and bottoms[i][0] == name)
                key = latest.get(name)
                if key is not None and not use.in_place:
                    graph.duplicate_tops.append((use, producers[key]))
                use.version = 0 if key is None else key[1] + 1
                versions[name] = use.version
                key = latest[name] = (name, use.version)
                producers[key] = use
                uses.append(use)
            top_uses[layer] = uses
        return graph


class Net:
    def __init__(self, root: Message, layers: list[Layer], embedded: bool = False, usage: object = None,
                 memo: dict | None = None, _graphs: dict[NetState, BlobGraph] | None = None,
                 _has_loss: dict[NetState, bool] | None = None, _layers_in: dict[NetState, list[Layer]] | None = None):
        self.root = root  # the NetParameter node
        self.layers = layers  # every layer in file order, upgraded
        self.embedded = embedded  # inside a solver (net_param, ...): Caffe does not upgrade these
        self.usage = usage  # model.usage.Usage: how it is used (model.usage.decide), set before rules run
        self.memo = {} if memo is None else memo  # answers about this net
        self._graphs = {} if _graphs is None else _graphs
        self._has_loss = {} if _has_loss is None else _has_loss
        self._layers_in = {} if _layers_in is None else _layers_in

    @classmethod
    def from_message(cls, root: Message, embedded: bool = False) -> Net:
        layers: list[Layer] = []
        legacy_inputs = [f for f in root.all("input")]
        if legacy_inputs and not embedded and (root.has("input_shape") or root.has("input_dim")):
            # Caffe turns legacy inputs into one Input layer named "input", placed first.
            tops = [(f.scalar, f) for f in legacy_inputs if isinstance(f.scalar, str)]
            layers.append(Layer(root, 0, "input", "Input", [], tops, synthetic=True))
        v2 = root.all("layer")
        v1 = root.all("layers") if not v2 else []
        if embedded and not v2:
            v1 = []  # an inline net is not upgraded: V1 `layers` give Caffe no layers at all
        for f in v2 + v1:
            message = f.value
            if isinstance(message, Message):
                layer = _layer_from(message, len(layers), f.name == "layers")
                layer.keyword = f
                layers.append(layer)
        return cls(root, layers, embedded)

    def release(self) -> None:
        """Forget every memoised answer once the rules are done. Many answers refer back to their
        layer (fillers, param specs), so without this each net would stay alive in reference cycles
        until a garbage-collector pass, holding its whole syntax tree."""
        self.memo.clear()
        for layer in self.layers:
            layer.memo.clear()
        for graph in self._graphs.values():
            graph.memo.clear()

    def layers_in(self, state: NetState) -> list[Layer]:
        if state not in self._layers_in:
            self._layers_in[state] = [layer for layer in self.layers if layer.included_in(state)]
        return self._layers_in[state]

    def graph(self, state: NetState) -> BlobGraph:
        if state not in self._graphs:
            layers = self.layers_in(state)
            # States that select the same layers (a net without include/exclude) share one graph.
            for other, graph in self._graphs.items():
                if len(graph.layers) == len(layers) and all(a is b for a, b in zip(graph.layers, layers)):
                    self._graphs[state] = graph
                    break
            else:
                self._graphs[state] = BlobGraph.build(layers)
        return self._graphs[state]

    def states(self) -> list[NetState]:
        """The states Caffe builds this net in (see model.usage)."""
        return self.usage.states

    def train_states(self) -> list[NetState]:
        """The states a solver trains it in (Backward runs); none for a net that is only run forward."""
        return self.usage.train_states

    def test_states(self) -> list[NetState]:
        return self.usage.test_states

    def layers_in_any(self, states: list[NetState]) -> list[Layer]:
        """The layers built in at least one of `states`, in file order."""
        if len(states) == 1:
            return self.layers_in(states[0])
        chosen = {id(layer) for state in states for layer in self.layers_in(state)}
        return [layer for layer in self.layers if id(layer) in chosen]

    def built_layers(self) -> list[Layer]:
        """The layers Caffe builds in at least one of the net's states, in file order."""
        if "built" not in self.memo:
            self.memo["built"] = self.layers_in_any(self.states())
        return self.memo["built"]

    def built_by_type(self) -> dict[str, list[Layer]]:
        if "built_by_type" not in self.memo:
            by_type: dict[str, list[Layer]] = {}
            for layer in self.built_layers():
                by_type.setdefault(layer.type, []).append(layer)
            self.memo["built_by_type"] = by_type
        return self.memo["built_by_type"]

    def trained_layers(self) -> list[Layer]:
        """The layers of the states it is trained in, in file order."""
        if "trained" not in self.memo:
            self.memo["trained"] = self.layers_in_any(self.train_states()) if self.train_states() else []
        return self.memo["trained"]

    def has_loss_in(self, state: NetState) -> bool:
        if state not in self._has_loss:
            self._has_loss[state] = any(layer.is_loss for layer in self.graph(state).layers)
        return self._has_loss[state]

    @property
    def phase_dependent(self) -> bool:
        """Whether some layer has include/exclude rules (otherwise every state has the same layers)."""
        if "phased" not in self.memo:
            self.memo["phased"] = any(layer.includes or layer.excludes for layer in self.layers)
        return self.memo["phased"]

    @property
    def pretrained(self) -> bool:
        """Told that its weights start from a .caffemodel (a solver's `weights`, or the `pretrained`
        setting); model.usage.initialisation also reads the text for signs of fine-tuning."""
        return self.usage.told_pretrained is True

    @property
    def trained(self) -> bool:
        """Some solver trains it (Backward runs in some state)."""
        return bool(self.usage.train_states)
