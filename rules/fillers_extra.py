"""Filler rules F404-F418: FillerParameters that make Caffe abort at net construction, or that start a
trained layer in a state it cannot learn well from.

Facts are those of BVLC Caffe 9b89154: include/caffe/filler.hpp (constant 29-46, uniform 48-61,
gaussian 63-95, positive_unitball 97-125, xavier 127-169, msra 171-214, bilinear 216-268, factory
276-295), src/caffe/util/math_functions.cpp (caffe_rng_uniform CHECK_LE(a, b), caffe_rng_gaussian
CHECK_GT(sigma, 0), caffe_rng_bernoulli CHECK_LE(p, 1)), src/caffe/layers/scale_layer.cpp:35-40.

Fillers run when Caffe builds a layer that has no blobs yet, which is every layer at construction,
before any .caffemodel is copied in. So a filler that aborts (F404, F406, F408, F409, F413) breaks
deploy nets too and is checked in every net; the fillers' numerical quality (the other rules) only
matters for layers that a solver trains from their initial values: layers in the TRAIN state of a
trained net, with a learnable parameter blob (lr_mult != 0, not borrowed from another layer by a
shared param name).
"""

from __future__ import annotations

import difflib
import weakref
from dataclasses import dataclass

from protolint.diagnostics import Fix, TextEdit
from protolint.model.net import LOSS_TYPES, per_layer
from protolint.rule import Rule
from protolint.syntax.nodes import Field, Message, Scalar

FILLER_TYPES = ("constant", "gaussian", "positive_unitball", "uniform", "xavier", "msra", "bilinear")
FILLER_LIST = ", ".join(FILLER_TYPES)
# Names from other frameworks: a hint only (no fix, since the parameters differ).
FILLER_ALIASES = {
    "he": "msra", "kaiming": "msra", "he_normal": "msra", "kaiming_normal": "msra", "glorot": "xavier",
    "glorot_uniform": "xavier", "normal": "gaussian", "gauss": "gaussian", "const": "constant", "zeros": "constant",
    "zero": "constant", "unitball": "positive_unitball",
}
# The fields each filler reads besides `type` (filler.hpp).
FILLER_READS = {
    "constant": ("value",),
    "uniform": ("min", "max"),
    "gaussian": ("mean", "std", "sparse"),
    "positive_unitball": (),
    "xavier": ("variance_norm",),
    "msra": ("variance_norm",),
    "bilinear": (),
}
FILLER_FIELDS = ("value", "min", "max", "mean", "std", "sparse", "variance_norm")
FILLER_DEFAULTS = {"type": "constant", "value": 0.0, "min": 0.0, "max": 1.0, "mean": 0.0, "std": 1.0, "sparse": -1,
                   "variance_norm": "FAN_IN"}

# Layers with a weight blob (param 0) and an optional bias blob (param 1), and their parameter block.
WEIGHT_BEARING = {
    "Convolution": "convolution_param",
    "Deconvolution": "convolution_param",
    "InnerProduct": "inner_product_param",
    "Embed": "embed_param",
    "LSTM": "recurrent_param",
    "RNN": "recurrent_param",
}
# Layers through which a head layer's output still counts as "the loss input" (§0.5 of the spec).
HEAD_PASS_THROUGH = frozenset("Reshape Flatten Split Dropout Softmax".split())
# Layers that keep the blob's value (for tracing the producer of a Scale's input).
VALUE_PASS_THROUGH = frozenset("Reshape Flatten Split Dropout".split())
# Layers whose top 0 has the channel count of their bottom 0.
CHANNEL_PRESERVING = frozenset(
    "ReLU Sigmoid TanH BatchNorm Scale Bias Dropout LRN MVN Softmax Power PReLU ELU Pooling Eltwise AbsVal BNLL "
    "Split Exp Log Clip Swish Threshold Crop".split()
)


# ---------------------------------------------------------------------------------------------
# Helpers shared by the filler (and normalisation) rules


def value_of(filler: Message, name: str):
    """The value Caffe uses for a FillerParameter field: written, else the proto default.
    None when the written value was rejected by the schema checker."""
    node = filler.last(name)
    if node is None:
        return FILLER_DEFAULTS[name]
    value = node.scalar
    if isinstance(value, bool):
        return None
    return value


def number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def text_of(node: Field | None, fallback) -> str:
    if node is not None and isinstance(node.value, Scalar):
        return node.value.source_text
    return str(fallback)


@dataclass(slots=True)
class FillerUse:
    """A filler Caffe creates for a layer: which blob it fills and where it is written. Every filler
    rule reads these, so what they ask for is worked out once, here."""

    layer: object  # model.net.Layer
    role: str  # "weight" | "bias" | "scale" | "slope" | "data"
    field: Field  # e.g. the `weight_filler` field node
    param: int | None  # the layer's param blob index it fills (None: DummyData's data)
    filler: Message = None  # the field's message
    type_node: Field | None = None
    type: str | None = None  # the filler type Caffe uses (None: the written value was rejected)

    def __post_init__(self):
        self.filler = self.field.value
        self.type_node = self.filler.last("type")
        value = value_of(self.filler, "type")
        self.type = value if isinstance(value, str) else None


def _block(layer, name: str) -> Message | None:
    return layer.sub(name)


def _filler_field(block: Message | None, name: str) -> Field | None:
    if block is None:
        return None
    node = block.last(name)
    return node if node is not None and isinstance(node.value, Message) else None


@per_layer
def filler_uses(layer) -> list[FillerUse]:
    """The written fillers that Caffe instantiates when it builds `layer` (a filler of a blob the
    layer does not create, e.g. bias_filler with bias_term: false, is never read)."""
    uses: list[FillerUse] = []
    block_name = WEIGHT_BEARING.get(layer.type)
    if block_name is not None:
        block = _block(layer, block_name)
        node = _filler_field(block, "weight_filler")
        if node is not None:
            uses.append(FillerUse(layer, "weight", node, 0))
        has_bias = layer.type in ("LSTM", "RNN") or layer.get(f"{block_name}.bias_term") is not False
        node = _filler_field(block, "bias_filler")
        if node is not None and has_bias:
            uses.append(FillerUse(layer, "bias", node, 1))
    elif layer.type == "Scale":
        block = _block(layer, "scale_param")
        one_bottom = len(layer.bottoms) <= 1
        node = _filler_field(block, "filler")
        if node is not None and one_bottom:
            uses.append(FillerUse(layer, "scale", node, 0))
        node = _filler_field(block, "bias_filler")
        if node is not None and layer.get("scale_param.bias_term"):
            uses.append(FillerUse(layer, "bias", node, 1 if one_bottom else 0))
    elif layer.type == "Bias":
        node = _filler_field(_block(layer, "bias_param"), "filler")
        if node is not None and len(layer.bottoms) <= 1:
            uses.append(FillerUse(layer, "bias", node, 0))
    elif layer.type == "PReLU":
        node = _filler_field(_block(layer, "prelu_param"), "filler")
        if node is not None:
            uses.append(FillerUse(layer, "slope", node, 0))
    elif layer.type == "DummyData":
        block = _block(layer, "dummy_data_param")
        if block is not None:
            for node in block.all("data_filler"):
                if isinstance(node.value, Message):
                    uses.append(FillerUse(layer, "data", node, None))
    return uses


def all_layers(ctx):
    """(net, layer) for every layer of every net in the file: for checks of what Caffe aborts on
    when it builds the layer, whatever the state."""
    for net in ctx.nets():
        for layer in net.layers:
            yield net, layer


def train_states(net):
    """The TRAIN states a solver trains this net in (none for an untrained / deploy net)."""
    if not net.trained:
        return []
    return [state for state in net.states() if state.phase == "TRAIN"]


_OWNERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _param_names(layer) -> list[str | None]:
    if layer.v1:
        return [f.scalar if isinstance(f.scalar, str) else None for f in layer.message.all("param")]
    names = []
    for param in layer.params():
        node = param.last("name")
        names.append(node.scalar if node is not None and isinstance(node.scalar, str) and node.scalar else None)
    return names


def _owners(graph) -> dict[str, object]:
    """Shared param name -> the first layer of the state that declares it (Caffe's owner)."""
    owners = _OWNERS.get(graph)
    if owners is None:
        owners = {}
        for layer in graph.layers:
            for name in _param_names(layer):
                if name is not None:
                    owners.setdefault(name, layer)
        _OWNERS[graph] = owners
    return owners


def lr_mult(layer, index: int) -> float:
    mults = layer.lr_mults()
    return mults[index] if index < len(mults) else 1.0


def learnable(layer, index: int | None, graph) -> bool:
    """The param blob is trained from its filled values: lr_mult != 0 and not a non-owner sharer."""
    if index is None:
        return True
    if lr_mult(layer, index) == 0:
        return False
    names = _param_names(layer)
    name = names[index] if index < len(names) else None
    return name is None or _owners(graph).get(name, layer) is layer


def trained_layers(ctx) -> list:
    """(net, graph, layer) for the layers of the TRAIN state(s) of every trained net, each once.
    Computed once per file: every filler rule walks it."""
    cached = getattr(ctx, "_protolint_trained_layers", None)
    if cached is not None:
        return cached
    found = []
    for net in ctx.nets():
        seen = set()
        for state in train_states(net):
            graph = net.graph(state)
            for layer in graph.layers:
                if id(layer) not in seen:
                    seen.add(id(layer))
                    found.append((net, graph, layer))
    ctx._protolint_trained_layers = found
    return found


def trained_fillers(ctx, role: str, types: tuple[str, ...]):
    """(graph, layer, use) for the `role` fillers ("weight"/"bias") of the given filler types on
    weight-bearing layers the solver trains, whose blob is learned from its filled value."""
    index = 0 if role == "weight" else 1
    for _net, graph, layer in trained_layers(ctx):
        if layer.type not in WEIGHT_BEARING:
            continue
        for use in filler_uses(layer):
            if use.role == role and use.type in types and learnable(layer, index, graph):
                yield graph, layer, use


def finetuning(ctx) -> bool:
    """Fine-tuning evidence (spec §0.5): the weights come from a .caffemodel."""
    return bool(getattr(ctx.options, "assume_pretrained", False))


def bottom_use(graph, layer, index: int = 0):
    """The BlobUse of `layer`'s bottom `index` in `graph` (None when the bottom is unknown)."""
    return graph.bottom_uses.get((id(layer), index))


def effective_producer(graph, layer, index: int = 0, through=VALUE_PASS_THROUGH):
    """The layer that really computes what `layer` reads at bottom `index`, skipping layers in
    `through` (spec H-EFF). None when the bottom is unknown."""
    return graph.source_of(layer, index, through)


def channels(graph, layer, index: int = 0, depth: int = 0) -> int | None:
    """The channel count (axis 1) of what `layer` reads at bottom `index`, when it can be told
    without shape inference (spec H-C); None otherwise."""
    use = bottom_use(graph, layer, index)
    for _ in range(10000):
        if use is None:
            return None
        top = graph.producer_of(use)
        if top is None:
            return None
        producer = top.layer
        kind = producer.type
        if kind in ("Convolution", "Deconvolution"):
            return _positive_int(producer.get("convolution_param.num_output"))
        if kind == "InnerProduct":
            return _positive_int(producer.get("inner_product_param.num_output"))
        if kind == "Input":
            shapes = producer.sub("input_param")
            blocks = [f.value for f in shapes.all("shape")] if shapes is not None else []
            block = blocks[top.index] if top.index < len(blocks) else (blocks[0] if len(blocks) == 1 else None)
            dims = [v.value for f in block.all("dim") for v in f.values()] if isinstance(block, Message) else []
            return _positive_int(dims[1]) if len(dims) > 1 else None
        if kind == "Concat" and depth < 8:
            axis = producer.get("concat_param.axis")
            if producer.has("concat_param.concat_dim"):
                axis = producer.get("concat_param.concat_dim")
            if axis != 1:
                return None
            total = 0
            for i in range(len(producer.bottoms)):
                part = channels(graph, producer, i, depth + 1)
                if part is None:
                    return None
                total += part
            return total
        if kind in CHANNEL_PRESERVING and producer.bottoms and (top.index == 0 or kind == "Split"):
            use = bottom_use(graph, producer, 0)
            continue
        return None
    return None


def _positive_int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def is_head(graph, layer) -> bool:
    """A layer whose top reaches a loss layer's prediction input only through pass-through layers
    (Reshape, Flatten, Split, Dropout, Softmax): trained from zero it still learns (spec §0.5)."""
    stack = [(layer, i) for i in range(len(layer.tops))]
    seen = {id(layer)}
    while stack:
        current, index = stack.pop()
        for use in graph.readers_of_top(current, index):
            reader = use.layer
            if reader.type in LOSS_TYPES:
                if use.index == 0 or reader.type == "EuclideanLoss":
                    return True
                continue
            if reader.type in HEAD_PASS_THROUGH and id(reader) not in seen:
                seen.add(id(reader))
                stack.extend((reader, i) for i in range(len(reader.tops)))
    return False


def layer_label(layer) -> str:
    return f'{layer.type} "{layer.name}"' if layer.name else layer.type


def layer_anchor(layer):
    """Where to point for a layer: its `name` value, else its type field, else the block."""
    node = layer.message.last("name")
    if node is not None and isinstance(node.value, Scalar) and not layer.synthetic:
        return node.value
    return layer.message.last("type") or layer.message


def report_at(ctx, node, message, **kwargs):
    """Report at a scalar field's value, a message field's name, or another node."""
    if isinstance(node, Field) and isinstance(node.value, Scalar):
        ctx.report(node.value.start, node.value.end, message, **kwargs)
    elif isinstance(node, Field):
        ctx.report_node(node, message, **kwargs)
    else:
        ctx.report(node.start, node.end, message, **kwargs)


def delete_edit(text: str, node) -> TextEdit:
    """Delete a field; the whole line when nothing else is on it."""
    start, end = node.start, node.end
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    if not text[line_start:start].strip() and not text[end:line_end].strip():
        return TextEdit(line_start, min(line_end + 1, len(text)), "")
    # Otherwise also eat the spaces that follow, so `a: 1 b: 2 c: 3` stays tidy.
    while end < line_end and text[end] in " \t":
        end += 1
    return TextEdit(start, end, "")


def filler_anchor(use: FillerUse):
    return use.type_node or use.field


def blob_name(use: FillerUse) -> str:
    return {"weight": "weight", "bias": "bias", "scale": "scale", "slope": "slope", "data": "data"}[use.role]


# ---------------------------------------------------------------------------------------------
# Fillers that abort at net construction (every net, every layer Caffe builds)


class FillerRule(Rule):
    applies_to = ("net",)


class UniformFillerDefaultRange(FillerRule):
    code = "F405"
    name = "uniform-filler-default-range"
    severity = "warning"
    summary = "A uniform weight filler without min/max: weights drawn from [0, 1]"
    what_it_does = (
        "Reports a `weight_filler { type: \"uniform\" }` of a trained Convolution, Deconvolution, "
        "InnerProduct, Embed, LSTM or RNN layer (TRAIN state, learnable weights) that sets neither `min` nor `max`."
    )
    why_it_matters = (
        "The defaults are min 0 and max 1 (caffe.proto FillerParameter; filler.hpp:48-61): every weight is "
        "positive and on average 0.5, so each output is a large positive sum of its inputs. Activations grow "
        "by about fan_in/2 per layer and saturate or overflow, and all units start strongly correlated."
    )
    example = (
        'layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 3 dim: 8 dim: 8 } shape { dim: 8 } } }\n'
        'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"\n'
        '  convolution_param { num_output: 16 kernel_size: 3 weight_filler { type: "uniform" } } }\n'
        'layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "conv1" top: "fc" inner_product_param { num_output: 10 weight_filler { type: "xavier" } } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = 'Set a range symmetric around 0 (e.g. `min: -0.08 max: 0.08`), or use `type: "xavier"`, which scales the range by the fan-in.'
    version_notes = "All Caffe versions."

    def check(self, ctx):
        for graph, layer, use in trained_fillers(ctx, "weight", ("uniform",)):
            if use.filler.last("min") is None and use.filler.last("max") is None:
                report_at(ctx, filler_anchor(use), f"{layer_label(layer)} uses a uniform weight filler without min/max: "
                          "the default range is [0, 1], so every weight is positive and large and activations grow "
                          "layer by layer — set min/max symmetric around 0 (e.g. -0.08..0.08) or use \"xavier\"")


class UniformFillerMinGtMax(FillerRule):
    code = "F406"
    name = "uniform-filler-min-gt-max"
    severity = "error"
    summary = "A uniform filler with min > max (Caffe aborts)"
    what_it_does = (
        "Reports any `type: \"uniform\"` filler (weights, biases, Scale/Bias/PReLU, DummyData) whose effective "
        "`min` is greater than its effective `max` (defaults 0 and 1), in every net, trained or not."
    )
    why_it_matters = (
        "UniformFiller calls caffe_rng_uniform(n, min, max), which checks `CHECK_LE(a, b)` "
        "(math_functions.cpp): Caffe aborts with \"Check failed: a <= b\" when it builds the layer — also "
        "for a deploy net, since fillers run before weights are loaded. max defaults to 1, so `min: 2` alone "
        "aborts too."
    )
    example = (
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc"\n'
        '  inner_product_param { num_output: 10 weight_filler { type: "uniform" min: 0.1 max: -0.1 } } }'
    )
    how_to_fix = "Swap the bounds (min is the lower one); note that max defaults to 1 when only min is written."
    version_notes = "All Caffe versions."

    def check(self, ctx):
        for net, layer in all_layers(ctx):
            for use in filler_uses(layer):
                if use.type != "uniform":
                    continue
                low, high = value_of(use.filler, "min"), value_of(use.filler, "max")
                if not (number(low) and number(high)) or low <= high:
                    continue
                node = use.filler.last("min") or use.filler.last("max")
                report_at(ctx, node, f"uniform {blob_name(use)} filler of {layer_label(layer)} has min "
                          f"{text_of(use.filler.last('min'), low)} > max {text_of(use.filler.last('max'), high)}: Caffe aborts "
                          "at net construction (\"Check failed: a <= b\") — swap them")


class ConstantWeightFiller(FillerRule):
    code = "F407"
    name = "constant-weight-filler"
    severity = "warning"
    summary = "A hidden trained layer whose weights all start at the same constant"
    what_it_does = (
        "Reports a `weight_filler` that is a constant filler (`type: \"constant\"`, or an empty `weight_filler {}`) "
        "on a trained Convolution, Deconvolution, InnerProduct, Embed, LSTM or RNN layer with learnable weights. "
        "Head layers (whose output goes straight to the loss) are skipped: they learn from zero."
    )
    why_it_matters = (
        "With every weight equal, all units of the layer compute the same value and receive the same gradient, "
        "so they stay identical (filler.hpp:29-46): the layer behaves like a single unit. With value 0 and a "
        "following ReLU (gradient 0 at 0 in Caffe) nothing below the layer learns at all."
    )
    example = (
        'layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 3 dim: 8 dim: 8 } shape { dim: 8 } } }\n'
        'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"\n'
        '  convolution_param { num_output: 16 kernel_size: 3 weight_filler { type: "constant" value: 0.1 } } }\n'
        'layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "conv1" top: "fc" inner_product_param { num_output: 10 weight_filler { type: "xavier" } } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = 'Use a random filler: "msra" before ReLU, "xavier", or "gaussian" with a small std.'
    version_notes = "All Caffe versions. Silent when the weights are frozen (lr_mult 0) or come from a .caffemodel (`assume_pretrained`)."

    def check(self, ctx):
        if finetuning(ctx):
            return
        for graph, layer, use in trained_fillers(ctx, "weight", ("constant",)):
            if is_head(graph, layer):
                continue
            value = value_of(use.filler, "value")
            if not number(value):
                continue
            written = text_of(use.filler.last("value"), "0 (the default)")
            extra = " (and with 0 they also block the gradient below a ReLU)" if value == 0 else ""
            report_at(ctx, filler_anchor(use), f"{layer_label(layer)} initialises its weights to the constant {written}: "
                      f"all units start identical and stay identical{extra} — use \"msra\", \"xavier\" or \"gaussian\"")


class FillerUnknownType(FillerRule):
    code = "F408"
    name = "filler-unknown-type"
    severity = "error"
    fixable = True
    summary = "A filler type Caffe does not know (Caffe aborts)"
    what_it_does = (
        f"Checks the `type` of every filler Caffe creates (weights, biases, Scale/Bias/PReLU, DummyData) against "
        f"{FILLER_LIST} (case-sensitive), in every net, and suggests the closest."
    )
    why_it_matters = (
        "GetFiller compares the string exactly and otherwise fails `CHECK(false) << \"Unknown filler name: \"` "
        "(filler.hpp:276-295): Caffe aborts when it builds the layer, deploy nets included."
    )
    example = (
        'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"\n'
        '  convolution_param { num_output: 16 kernel_size: 3 weight_filler { type: "Xavier" } } }'
    )
    how_to_fix = f"Use one of {FILLER_LIST}, in lower case. He/Kaiming initialisation is \"msra\", Glorot is \"xavier\"."
    version_notes = "All Caffe versions have these seven fillers (msra and bilinear since 2015)."

    def check(self, ctx):
        for net, layer in all_layers(ctx):
            for use in filler_uses(layer):
                node = use.type_node
                value = node.scalar if node is not None else None
                if not isinstance(value, str) or value in FILLER_TYPES:
                    continue
                lowered = value.strip().lower()
                exact = lowered if lowered in FILLER_TYPES else None
                guess = exact or FILLER_ALIASES.get(lowered)
                if guess is None:
                    close = difflib.get_close_matches(lowered, FILLER_TYPES, n=1, cutoff=0.6)
                    guess = close[0] if close else None
                hint = f'; did you mean "{guess}"?' if guess else f"; use one of {FILLER_LIST}"
                fixes = None
                if exact and isinstance(node.value, Scalar):
                    fixes = [Fix(f'Replace with "{exact}"', [TextEdit(node.value.start, node.value.end, f'"{exact}"')])]
                report_at(ctx, node, f"unknown filler type \"{value}\" in {layer_label(layer)}: Caffe aborts at net construction "
                          f"with \"Unknown filler name: {value}\"{hint}", fixes=fixes)


def _blob_rows(layer, use: FillerUse) -> int | None:
    """shape(0) of the blob a filler fills, when the layer parameters tell it."""
    block = WEIGHT_BEARING.get(layer.type)
    if layer.type in ("Convolution", "InnerProduct") and use.role in ("weight", "bias"):
        if layer.type == "InnerProduct" and use.role == "weight" and layer.get("inner_product_param.transpose"):
            return None
        return _positive_int(layer.get(f"{block}.num_output"))
    if layer.type == "Deconvolution" and use.role == "bias":
        return _positive_int(layer.get("convolution_param.num_output"))
    if layer.type == "Embed":
        if use.role == "weight":
            return _positive_int(layer.get("embed_param.input_dim"))
        return _positive_int(layer.get("embed_param.num_output"))
    return None


class FillerSparseInvalid(FillerRule):
    code = "F409"
    name = "filler-sparse-invalid"
    severity = "error"
    summary = "`sparse` on a filler that does not support it, below -1, or above the blob's outputs (Caffe aborts)"
    what_it_does = (
        "Reports a filler whose `sparse` is written and: is below -1; or is >= 0 on a filler other than "
        "gaussian; or, on a gaussian filler, exceeds shape(0) of the filled blob (num_output of a Convolution or "
        "InnerProduct, input_dim of an Embed's weights)."
    )
    why_it_matters = (
        "Every filler except gaussian ends with `CHECK_EQ(sparse, -1) << \"Sparsity not supported by this "
        "Filler.\"` (filler.hpp:43, 58, 122, 166, 211, 265); the gaussian filler checks `CHECK_GE(sparse, -1)` and "
        "keeps each weight with probability sparse/shape(0), which caffe_rng_bernoulli requires to be <= 1. Any "
        "of these aborts when Caffe builds the layer."
    )
    example = (
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc"\n'
        '  inner_product_param { num_output: 10 weight_filler { type: "xavier" sparse: 15 } } }'
    )
    how_to_fix = 'Use `sparse` only with `type: "gaussian"`, with a value between 0 and the number of outputs; remove it otherwise.'
    version_notes = "All Caffe versions."

    def check(self, ctx):
        for net, layer in all_layers(ctx):
            for use in filler_uses(layer):
                node = use.filler.last("sparse")
                sparse = node.scalar if node is not None else None
                kind = use.type
                if not isinstance(sparse, int) or isinstance(sparse, bool) or kind not in FILLER_TYPES:
                    continue
                written = text_of(node, sparse)
                if kind != "gaussian" and sparse != -1:
                    problem = (f"only the gaussian filler supports sparse, this {kind} filler fails \"Sparsity not supported "
                               "by this Filler.\"")
                elif sparse < -1:
                    problem = "sparse must be >= -1 (\"Check failed: sparse >= -1\")"
                else:
                    rows = _blob_rows(layer, use)
                    if kind != "gaussian" or sparse < 0 or rows is None or sparse <= rows:
                        continue
                    problem = (f"sparse {written} > {rows} outputs makes the keep probability {sparse}/{rows} > 1 "
                               "(\"Check failed: p <= 1\" in caffe_rng_bernoulli)")
                report_at(ctx, node, f"{blob_name(use)} filler of {layer_label(layer)} has sparse {written}: {problem} — "
                          "Caffe aborts at net construction")


class FillerIgnoredFields(FillerRule):
    code = "F410"
    name = "filler-ignored-fields"
    severity = "info"
    fixable = True
    summary = "Filler fields that the filler's type never reads"
    what_it_does = (
        "Reports fields a filler sets but its type ignores: constant reads only `value`; uniform `min` and "
        "`max`; gaussian `mean`, `std` and `sparse`; xavier and msra only `variance_norm`; bilinear and "
        "positive_unitball nothing. Trained layers only (TRAIN state of a trained net). `sparse` on a non-gaussian "
        "filler is an error of its own (filler-sparse-invalid)."
    )
    why_it_matters = (
        "The ignored values mislead readers: `weight_filler { type: \"xavier\" std: 0.1 }` looks like a std-0.1 "
        "initialisation but draws from U(-sqrt(3/fan_in), sqrt(3/fan_in)) (filler.hpp per type); GoogLeNet's "
        "prototxt carried such fields until PR #2536 cleaned them up."
    )
    example = (
        'layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 3 dim: 8 dim: 8 } shape { dim: 8 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc"\n'
        '  inner_product_param { num_output: 10 weight_filler { type: "xavier" std: 0.1 } } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Delete the ignored fields (the fix does it), or change the filler type if you meant the one that reads them."
    version_notes = "All Caffe versions."

    def check(self, ctx):
        text = ctx.source.text
        for net, graph, layer in trained_layers(ctx):
            for use in filler_uses(layer):
                kind = use.type
                if kind not in FILLER_READS:
                    continue
                reads = FILLER_READS[kind]
                ignored = [f for f in use.filler.fields
                           if f.name in FILLER_FIELDS and f.name not in reads and f.name != "sparse"]
                if not ignored:
                    continue
                names = ", ".join(dict.fromkeys(f.name for f in ignored))
                fix = Fix(f"Remove {names}", [delete_edit(text, f) for f in ignored])
                pronoun = "them" if len(ignored) > 1 else "it"
                report_at(ctx, ignored[0], f"the {kind} {blob_name(use)} filler of {layer_label(layer)} ignores {names}: "
                          f"remove {pronoun} (no effect)", fixes=[fix])


class FanFillerOnBias(FillerRule):
    code = "F411"
    name = "fan-filler-on-bias"
    severity = "info"
    summary = "xavier or msra used as a bias filler (fan-in 1: large random biases)"
    what_it_does = (
        "Reports `bias_filler { type: \"xavier\" }` or `\"msra\"` (with the default variance_norm FAN_IN) on a "
        "trained Convolution, Deconvolution, InnerProduct, Embed, LSTM or RNN layer with a learnable bias."
    )
    why_it_matters = (
        "These fillers scale by fan_in = count / shape(0), which is 1 for a 1-D bias blob (filler.hpp:150-163, "
        "195-208): xavier draws biases from U(-1.73, 1.73) and msra from N(0, 2) — far larger than the weights' "
        "contribution, shifting every unit by a random offset at the start."
    )
    example = (
        'layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 3 dim: 8 dim: 8 } shape { dim: 8 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc"\n'
        '  inner_product_param { num_output: 10 weight_filler { type: "xavier" } bias_filler { type: "xavier" } } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = 'Use `bias_filler { type: "constant" value: 0 }` (or a small constant such as 0.1 before ReLU).'
    version_notes = "All Caffe versions."

    def check(self, ctx):
        for graph, layer, use in trained_fillers(ctx, "bias", ("xavier", "msra")):
            if value_of(use.filler, "variance_norm") != "FAN_IN":
                continue
            draw = "U(-1.73, 1.73)" if use.type == "xavier" else "N(0, 2)"
            report_at(ctx, filler_anchor(use), f"{layer_label(layer)} uses a {use.type} bias filler: for a 1-D bias blob "
                      f"fan_in is 1, so it draws {draw} biases — use constant 0 (or a small constant)")


class BiasFillerLarge(FillerRule):
    code = "F412"
    name = "bias-filler-large"
    severity = "info"
    summary = "A constant bias filler with |value| > 1"
    what_it_does = (
        "Reports `bias_filler { type: \"constant\" value: v }` with |v| > 1 on a trained Convolution, "
        "Deconvolution, InnerProduct, Embed, LSTM or RNN layer with a learnable bias."
    )
    why_it_matters = (
        "Every unit starts shifted by v: a large positive bias saturates a following Sigmoid/TanH or softmax, a "
        "large negative one leaves ReLUs dead from the first iteration (no gradient flows through them)."
    )
    example = (
        'layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 3 dim: 8 dim: 8 } shape { dim: 8 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc"\n'
        '  inner_product_param { num_output: 10 weight_filler { type: "xavier" } bias_filler { type: "constant" value: 5 } } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Start biases at 0, or at a small value such as 0.1 (AlexNet uses 1 before ReLU, which is the limit here)."
    version_notes = "All Caffe versions."

    def check(self, ctx):
        for graph, layer, use in trained_fillers(ctx, "bias", ("constant",)):
            node = use.filler.last("value")
            value = node.scalar if node is not None else None
            if number(value) and abs(value) > 1:
                report_at(ctx, node, f"{layer_label(layer)} starts its bias at {text_of(node, value)}: large initial biases "
                          "saturate the following nonlinearity or softmax (or leave ReLUs dead) — use 0 or a small value")


def _kernel(layer):
    """(kernel dims as written, source node) of a convolution: kernel_h/kernel_w, else kernel_size values."""
    block = layer.sub("convolution_param")
    if block is None:
        return [], None
    kh, kw = block.last("kernel_h"), block.last("kernel_w")
    if kh is not None or kw is not None:
        return [layer.get("convolution_param.kernel_h"), layer.get("convolution_param.kernel_w")], kh or kw
    values, node = [], None
    for f in block.all("kernel_size"):
        node = node or f
        values += [v.value for v in f.values() if isinstance(v, Scalar)]
    return values, node


class BilinearNonsquare(FillerRule):
    code = "F413"
    name = "bilinear-nonsquare"
    severity = "error"
    summary = "A bilinear weight filler on a kernel that is not square and 2-D (Caffe aborts)"
    what_it_does = (
        "Reports `weight_filler { type: \"bilinear\" }` on a Convolution/Deconvolution whose kernel is not square "
        "(kernel_h != kernel_w, or two different kernel_size values) or not 2-D (three kernel_size values), and on "
        "an InnerProduct or Embed (2-D weight blob). Every net, trained or not."
    )
    why_it_matters = (
        "BilinearFiller checks `CHECK_EQ(blob->num_axes(), 4) << \"Blob must be 4 dim.\"` and `CHECK_EQ(width, "
        "height) << \"Filter must be square\"` (filler.hpp:255-256): Caffe aborts when it builds the layer."
    )
    example = (
        'layer { name: "up" type: "Deconvolution" bottom: "score" top: "up"\n'
        '  convolution_param { num_output: 21 group: 21 kernel_h: 4 kernel_w: 2 stride: 2 bias_term: false\n'
        '    weight_filler { type: "bilinear" } } }'
    )
    how_to_fix = "Use a square 2-D kernel (kernel_size: 2*factor - factor%2 for upsampling by `factor`) or another filler."
    version_notes = "The bilinear filler exists since 2015 (rc2)."

    def check(self, ctx):
        for net, layer in all_layers(ctx):
            for use in filler_uses(layer):
                if use.role != "weight" or use.type != "bilinear":
                    continue
                if layer.type in ("InnerProduct", "Embed"):
                    reason = "Blob must be 4 dim.", "its weight blob is 2-D, not a 4-D kernel"
                elif layer.type in ("Convolution", "Deconvolution"):
                    dims, _ = _kernel(layer)
                    if len(dims) == 3:
                        reason = "Blob must be 4 dim.", "its kernel is 3-D"
                    elif len(dims) == 2 and all(isinstance(d, int) for d in dims) and dims[0] != dims[1]:
                        reason = "Filter must be square", f"its kernel is {dims[0]}x{dims[1]}"
                    else:
                        continue
                else:
                    continue
                check, detail = reason
                report_at(ctx, filler_anchor(use), f"bilinear filler on {layer_label(layer)} needs a square 2-D kernel, but "
                          f"{detail}: Caffe aborts at construction with \"{check}\"")


class BilinearNotDepthwise(FillerRule):
    code = "F414"
    name = "bilinear-not-depthwise"
    severity = "warning"
    summary = "A bilinear Deconvolution that is not channel-wise (group != num_output)"
    what_it_does = (
        "Reports a trained net's Deconvolution with a bilinear weight filler whose `group` differs from "
        "`num_output`, or whose input channel count (when protolint can tell it) differs from num_output. "
        "Frozen layers (lr_mult 0) are checked too: that is the usual recipe."
    )
    why_it_matters = (
        "The bilinear filler writes the same interpolation kernel into every (output, input) channel pair "
        "(filler.hpp:216-268). With group 1 each output channel is the sum of all upsampled input channels, so "
        "the class scores are mixed together instead of being upsampled one by one; the recipe in filler.hpp "
        "uses num_output = group = C."
    )
    example = (
        'layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } shape { dim: 1 dim: 1 dim: 16 dim: 16 } } }\n'
        'layer { name: "score" type: "Convolution" bottom: "data" top: "score" convolution_param { num_output: 21 kernel_size: 1 weight_filler { type: "xavier" } } }\n'
        'layer { name: "up" type: "Deconvolution" bottom: "score" top: "up" param { lr_mult: 0 }\n'
        '  convolution_param { num_output: 21 kernel_size: 4 stride: 2 pad: 1 bias_term: false weight_filler { type: "bilinear" } } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "up" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Set `group` equal to `num_output` and to the number of input channels (channel-wise upsampling)."
    version_notes = "The bilinear filler exists since 2015 (rc2)."

    def check(self, ctx):
        for net in ctx.nets():
            seen = set()
            for state in train_states(net):
                graph = net.graph(state)
                for layer in graph.layers:
                    if layer.type != "Deconvolution" or id(layer) in seen:
                        continue
                    seen.add(id(layer))
                    if not any(u.role == "weight" and u.type == "bilinear" for u in filler_uses(layer)):
                        continue
                    outputs, group = layer.get("convolution_param.num_output"), layer.get("convolution_param.group")
                    if not (isinstance(outputs, int) and isinstance(group, int)):
                        continue
                    inputs = channels(graph, layer)
                    if group == outputs and (inputs is None or inputs == outputs):
                        continue
                    detail = f", input channels {inputs}" if inputs is not None else ""
                    node = layer.field("convolution_param.group") or layer.field("convolution_param.num_output")
                    report_at(ctx, node, f"bilinear {layer_label(layer)} has group {group}, num_output {outputs}{detail}: the "
                              "filler writes the same kernel for every input/output channel pair, so channels are summed "
                              "together instead of upsampled independently — use group = num_output = input channels")


class BilinearLearnable(FillerRule):
    code = "F415"
    name = "bilinear-learnable"
    severity = "info"
    fixable = True
    summary = "A bilinear upsampling Deconvolution whose weights are learned"
    what_it_does = "Reports a trained net's Deconvolution with a bilinear weight filler and weight lr_mult != 0."
    why_it_matters = (
        "A bilinear filler usually means fixed bilinear upsampling; the recipe in filler.hpp:219-247 freezes it "
        "with `param { lr_mult: 0 decay_mult: 0 }` and `bias_term: false`. Learned, the kernel drifts away from "
        "interpolation (which may be intended, as in FCN's learned upsampling — then ignore this)."
    )
    example = (
        'layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 1 dim: 21 dim: 8 dim: 8 } shape { dim: 1 dim: 1 dim: 16 dim: 16 } } }\n'
        'layer { name: "up" type: "Deconvolution" bottom: "data" top: "up"\n'
        '  convolution_param { num_output: 21 group: 21 kernel_size: 4 stride: 2 pad: 1 bias_term: false weight_filler { type: "bilinear" } } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "up" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Add `param { lr_mult: 0 decay_mult: 0 }` (the suggested fix) if fixed upsampling is meant."
    version_notes = "The bilinear filler exists since 2015 (rc2)."

    def check(self, ctx):
        for net, graph, layer in trained_layers(ctx):
            if layer.type != "Deconvolution" or layer.v1:
                continue
            if not any(u.role == "weight" and u.type == "bilinear" for u in filler_uses(layer)):
                continue
            if not learnable(layer, 0, graph):
                continue
            fixes = None
            if not layer.params():
                anchor = layer.message.last("type")
                if anchor is not None:
                    fixes = [Fix("Freeze the weights (param { lr_mult: 0 decay_mult: 0 })",
                                 [TextEdit(anchor.end, anchor.end, " param { lr_mult: 0 decay_mult: 0 }")], safe=False)]
            report_at(ctx, layer_anchor(layer), f"bilinear {layer_label(layer)} is learnable (lr_mult {lr_mult(layer, 0):g}): fixed "
                      "bilinear upsampling usually uses param { lr_mult: 0 decay_mult: 0 } and bias_term: false", fixes=fixes)


class BilinearOnConv(FillerRule):
    code = "F416"
    name = "bilinear-on-conv"
    severity = "warning"
    summary = "A bilinear weight filler on a Convolution (it builds an upsampling kernel)"
    what_it_does = (
        "Reports a trained Convolution with learnable weights whose weight_filler is bilinear. (An InnerProduct "
        "with a bilinear filler aborts and is reported by bilinear-nonsquare.)"
    )
    why_it_matters = (
        "The bilinear filler builds the interpolation kernel of an upsampling (filler.hpp:216-268), identical for "
        "every channel pair. As the initial weights of a convolution it is a blur that sums all input channels into "
        "identical output channels: every unit starts the same, like a constant filler."
    )
    example = (
        'layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 3 dim: 8 dim: 8 } shape { dim: 8 } } }\n'
        'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"\n'
        '  convolution_param { num_output: 16 kernel_size: 4 weight_filler { type: "bilinear" } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "conv1" top: "fc" inner_product_param { num_output: 10 weight_filler { type: "xavier" } } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = 'Use "msra" or "xavier" for a Convolution; bilinear belongs on a Deconvolution used for upsampling.'
    version_notes = "The bilinear filler exists since 2015 (rc2)."

    def check(self, ctx):
        for net, graph, layer in trained_layers(ctx):
            if layer.type != "Convolution" or not learnable(layer, 0, graph):
                continue
            for use in filler_uses(layer):
                if use.role == "weight" and use.type == "bilinear":
                    report_at(ctx, filler_anchor(use), f"bilinear filler on {layer_label(layer)}: it builds an upsampling "
                              "kernel, identical for every channel pair, which only makes sense for a Deconvolution — use "
                              "\"msra\" or \"xavier\"")


def _scale_filler(layer):
    """The `scale_param.filler` field of a one-bottom Scale layer (None otherwise)."""
    if layer.type != "Scale" or len(layer.bottoms) > 1:
        return None
    return _filler_field(layer.sub("scale_param"), "filler")


def _constant_zero(filler: Message) -> bool:
    kind, value = value_of(filler, "type"), value_of(filler, "value")
    return kind == "constant" and number(value) and value == 0


class ScaleFillerOverride(FillerRule):
    code = "F417"
    name = "scale-filler-override"
    severity = "warning"
    fixable = True
    summary = "A Scale after BatchNorm whose filler replaces the unit default"
    what_it_does = (
        "Reports a trained net's Scale layer (one bottom) that follows a BatchNorm and has a `scale_param.filler` "
        "other than constant 1 (a filler that is constant 0 is scale-zero-filler). Frozen scales (lr_mult 0) are skipped."
    )
    why_it_matters = (
        "Scale starts at constant 1 only when `filler` is absent (scale_layer.cpp:35-40). After a BatchNorm that "
        "identity start is what keeps the normalised activations at unit variance; a random or other constant "
        "filler rescales every channel arbitrarily at the start."
    )
    example = (
        'layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 3 dim: 8 dim: 8 } shape { dim: 8 } } }\n'
        'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 16 kernel_size: 3 bias_term: false weight_filler { type: "msra" } } }\n'
        'layer { name: "bn1" type: "BatchNorm" bottom: "conv1" top: "conv1" }\n'
        'layer { name: "scale1" type: "Scale" bottom: "conv1" top: "conv1" scale_param { bias_term: true filler { type: "gaussian" std: 1 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "conv1" top: "fc" inner_product_param { num_output: 10 weight_filler { type: "xavier" } } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Remove `filler` from scale_param (the default is constant 1), as the suggested fix does."
    version_notes = "Scale exists since rc3."

    def check(self, ctx):
        text = ctx.source.text
        for net, graph, layer in trained_layers(ctx):
            node = _scale_filler(layer)
            if node is None or not learnable(layer, 0, graph):
                continue
            filler = node.value
            kind, value = value_of(filler, "type"), value_of(filler, "value")
            if kind == "constant" and (value == 1 or value == 0) or kind not in FILLER_TYPES:
                continue
            producer = effective_producer(graph, layer)
            if producer is None or producer.type != "BatchNorm":
                continue
            what = f"constant {text_of(filler.last('value'), value)}" if kind == "constant" else kind
            report_at(ctx, node, f"Scale \"{layer.name}\" after BatchNorm \"{producer.name}\" overrides the default unit scale "
                      f"with a {what} filler: the normalised activations are rescaled arbitrarily at the start — remove "
                      "filler (the default is constant 1)",
                      fixes=[Fix("Remove the filler (constant 1)", [delete_edit(text, node)], safe=False)])


class ScaleZeroFiller(FillerRule):
    code = "F418"
    name = "scale-zero-filler"
    severity = "warning"
    fixable = True
    summary = "A Scale layer whose filler is constant 0 (an empty `filler {}` is 0, not the unit default)"
    what_it_does = (
        "Reports a trained net's Scale layer (one bottom) with a `scale_param.filler` that evaluates to constant 0: "
        "an empty `filler {}`, `type: \"constant\"` without value, or `value: 0`. Also when the scale is frozen."
    )
    why_it_matters = (
        "Scale uses constant 1 only when `filler` is absent; a present FillerParameter is read as written, and its "
        "defaults are type \"constant\", value 0 (scale_layer.cpp:35-40, caffe.proto). The layer then multiplies its "
        "input by 0: it outputs 0 and blocks all gradient to the layers below at the start — forever if its lr_mult is 0."
    )
    example = (
        'layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 3 dim: 8 dim: 8 } shape { dim: 8 } } }\n'
        'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 16 kernel_size: 3 weight_filler { type: "msra" } } }\n'
        'layer { name: "scale1" type: "Scale" bottom: "conv1" top: "conv1" scale_param { filler {} } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "conv1" top: "fc" inner_product_param { num_output: 10 weight_filler { type: "xavier" } } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Remove `filler` (the default is constant 1, as the suggested fix does), or write `filler { value: 1 }`."
    version_notes = "Scale exists since rc3."

    def check(self, ctx):
        text = ctx.source.text
        for net, graph, layer in trained_layers(ctx):
            node = _scale_filler(layer)
            if node is None or not _constant_zero(node.value):
                continue
            empty = "an empty filler {} is constant 0, not the unit default" if not node.value.fields else "constant 0"
            frozen = " — permanently, since its lr_mult is 0" if lr_mult(layer, 0) == 0 else ""
            report_at(ctx, node, f"Scale \"{layer.name}\" has a filler that evaluates to constant 0 ({empty}): the layer outputs 0 "
                      f"and blocks all gradient below it at the start{frozen} — remove filler or use value: 1",
                      fixes=[Fix("Remove the filler (constant 1)", [delete_edit(text, node)], safe=False)])


FILLER_EXTRA_RULES = [
    UniformFillerDefaultRange,
    UniformFillerMinGtMax,
    ConstantWeightFiller,
    FillerUnknownType,
    FillerSparseInvalid,
    FillerIgnoredFields,
    FanFillerOnBias,
    BiasFillerLarge,
    BilinearNonsquare,
    BilinearNotDepthwise,
    BilinearLearnable,
    BilinearOnConv,
    ScaleFillerOverride,
    ScaleZeroFiller,
]
