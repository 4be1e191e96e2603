"""Parameter-blob rules: `param { }` specs a layer cannot have, shared params that do not fit,
negative or all-zero learning rates, and weights the solver copies from the train net to its
test nets by layer name (spec N221-N226).

Facts of BVLC Caffe 9b89154; `file:line` citations refer to that commit.
"""

from __future__ import annotations

from protolint.model import layer_facts as facts
from protolint.model.net import Layer
from protolint.rule import Rule
from protolint.syntax.nodes import Scalar

from .net_common import (
    describe_states,
    fmt,
    in_states,
    layer_label,
    layer_span,
    layers_in_states,
    net_views,
    node_span,
    param_specs,
    report_at,
)


def _blob_detail(layer: Layer) -> str:
    if layer.type in ("Convolution", "Deconvolution") and layer.get("convolution_param.bias_term") is False:
        return " with bias_term: false"
    if layer.type == "InnerProduct" and layer.get("inner_product_param.bias_term") is False:
        return " with bias_term: false"
    if layer.type == "Embed" and layer.get("embed_param.bias_term") is False:
        return " with bias_term: false"
    if layer.type == "Scale":
        return f" with {len(layer.bottoms)} bottom(s) and bias_term: {str(layer.get('scale_param.bias_term') is True).lower()}"
    if layer.type == "Bias" and len(layer.bottoms) > 1:
        return " with 2 bottoms"
    return ""


class TooManyParamSpecs(Rule):
    code = "N221"
    name = "too-many-param-specs"
    severity = "error"
    applies_to = ("net",)
    summary = "More `param { }` blocks than the layer has parameter blobs"
    what_it_does = (
        "Compares the number of `param` blocks (V1: `blobs_lr`/`weight_decay`/`param` entries) with the "
        "number of parameter blobs of the layer type: none for ReLU, Pooling, data layers ...; 1 + bias for "
        "Convolution/InnerProduct/Embed; 3 for BatchNorm; for Scale 1 (one bottom) plus 1 with bias_term. "
        "Python layers are exempt."
    )
    why_it_matters = (
        "Caffe aborts while building the net: \"Too many params specified for layer X\" (net.cpp:141-144). "
        "Typical causes: two param blocks on a layer with `bias_term: false`, or param blocks copied onto a "
        "ReLU or Pooling layer."
    )
    example = (
        'layer {\n  name: "conv1"\n  type: "Convolution"\n  bottom: "data"\n  top: "conv1"\n  param { lr_mult: 1 }\n'
        '  param { lr_mult: 2 }\n  convolution_param { num_output: 16 kernel_size: 3 bias_term: false }\n}'
    )
    how_to_fix = "Delete the surplus param blocks (the message names the layer's blob count)."
    version_notes = "Same in every Caffe version."

    def check(self, ctx):
        for net in ctx.nets():
            for layer in net.layers:
                n = facts.param_blob_count(layer)
                if n is None:
                    continue
                specs = param_specs(layer)
                if len(specs) <= n:
                    continue
                surplus = specs[n].node
                word = "param block" if not layer.v1 else "param entry (blobs_lr/weight_decay/param)"
                report_at(
                    ctx, node_span(surplus) if layer.v1 else (surplus.name_start, surplus.name_end),
                    f'layer "{layer_label(layer)}" has {len(specs)} {word}{"s" if len(specs) > 1 else ""} but a '
                    f"{layer.type} layer{_blob_detail(layer)} has {n} parameter blob(s): Caffe aborts with \"Too many "
                    f'params specified for layer {layer.name}" — delete the surplus param',
                )


# ---------------------------------------------------------------------------------------------


def _kernel(layer: Layer) -> tuple:
    conv = layer.sub("convolution_param")
    if conv is None:
        return ()
    sizes = tuple(v.value for f in conv.all("kernel_size") for v in f.values() if isinstance(v, Scalar))
    h = conv.last("kernel_h")
    w = conv.last("kernel_w")
    return sizes + ((h.scalar if h else None), (w.scalar if w else None))


def param_signature(layer: Layer, index: int) -> tuple | None:
    """What determines the shape of a layer's index-th param blob, as far as it is written in the layer
    (the input size is not known without shape inference); None when not comparable."""
    t = layer.type
    if t in ("Convolution", "Deconvolution"):
        num_output = layer.get("convolution_param.num_output")
        if index == 0:
            return ("num_output", num_output), ("kernel", _kernel(layer)), ("group", layer.get("convolution_param.group"))
        return (("num_output", num_output),)
    if t == "InnerProduct":
        num_output = layer.get("inner_product_param.num_output")
        if index == 0:
            return ("num_output", num_output), ("transpose", layer.get("inner_product_param.transpose"))
        return (("num_output", num_output),)
    if t == "Embed":
        num_output = layer.get("embed_param.num_output")
        if index == 0:
            return ("num_output", num_output), ("input_dim", layer.get("embed_param.input_dim"))
        return (("num_output", num_output),)
    return None


def _signature_difference(a: tuple, b: tuple) -> str:
    for (name, x), (_, y) in zip(a, b):
        if x != y:
            show = lambda v: "×".join(str(i) for i in v if i is not None) if isinstance(v, tuple) else fmt(v)  # noqa: E731
            return f"{name} {show(x)} vs {show(y)}"
    return "shapes differ"


class SharedParamMismatch(Rule):
    code = "N222"
    name = "shared-param-mismatch"
    severity = "error"
    applies_to = ("net",)
    summary = "Layers share a named param but disagree on lr_mult, decay_mult or shape"
    what_it_does = (
        "For params shared by name (`param { name: \"w\" }` on several layers), reports explicit lr_mult or "
        "decay_mult values that differ between sharers, and sharers of the same type whose written shape "
        "fields differ (num_output, kernel, group, transpose, input_dim) — without share_mode: PERMISSIVE."
    )
    why_it_matters = (
        "Caffe checks shared params when it builds the net (net.cpp:459-513): \"Shared param 'w' has "
        "mismatched lr_mult.\" or \"Cannot share param 'w' owned by layer 'a' with layer 'b'; shape mismatch.\" — "
        "the net does not start."
    )
    example = (
        'layer { name: "data" type: "Input" top: "a" top: "b" input_param { shape { dim: 1 dim: 4 } } }\n'
        'layer { name: "ip_a" type: "InnerProduct" bottom: "a" top: "fa" param { name: "w" lr_mult: 1 } '
        'inner_product_param { num_output: 2 } }\n'
        'layer { name: "ip_b" type: "InnerProduct" bottom: "b" top: "fb" param { name: "w" lr_mult: 2 } '
        'inner_product_param { num_output: 2 } }'
    )
    how_to_fix = "Set lr_mult/decay_mult on one sharer only (or identically on all), and give sharers identical shapes."
    version_notes = "Same in every Caffe version."

    def check(self, ctx):
        found: dict[int, list] = {}
        for view in net_views(ctx):
            net = view.net
            for state in view.states or net.states():
                owners: dict[str, dict] = {}
                for layer in net.layers_in(state):
                    for spec in param_specs(layer):
                        if not spec.name:
                            continue
                        entry = owners.get(spec.name)
                        if entry is None:
                            owners[spec.name] = {"layer": layer, "spec": spec, "lr": None, "decay": None}
                            entry = owners[spec.name]
                            for kind in ("lr", "decay"):
                                if getattr(spec, kind) is not None:
                                    entry[kind] = (getattr(spec, kind), layer)
                            continue
                        problem = None
                        for kind, label in (("lr", "lr_mult"), ("decay", "decay_mult")):
                            value = getattr(spec, kind)
                            if value is None:
                                continue
                            if entry[kind] is None:
                                entry[kind] = (value, layer)
                            elif entry[kind][0] != value and problem is None:
                                first_value, first_layer = entry[kind]
                                problem = (
                                    f'param "{spec.name}" is shared by "{layer_label(first_layer)}" and "{layer_label(layer)}" '
                                    f"but their {label} differ ({fmt(first_value)} vs {fmt(value)}): Caffe aborts with "
                                    f"\"Shared param '{spec.name}' has mismatched {label}.\" — set it on one sharer only "
                                    "or use the same value"
                                )
                        owner = entry["layer"]
                        if problem is None and not spec.permissive and owner.type == layer.type:
                            a = param_signature(owner, entry["spec"].index)
                            b = param_signature(layer, spec.index)
                            if a is not None and b is not None and a != b and entry["spec"].index == spec.index:
                                problem = (
                                    f'param "{spec.name}" is shared by "{layer_label(owner)}" and "{layer_label(layer)}" but '
                                    f"their shapes differ ({_signature_difference(a, b)}): Caffe aborts with \"Cannot share "
                                    f"param '{spec.name}' owned by layer '{owner.name}' with layer '{layer.name}'; shape "
                                    "mismatch.\" — make the sharing layers identical"
                                )
                        if problem is not None:
                            node = spec.name_node
                            item = found.setdefault(id(node), [node, problem, [], net])
                            item[2].append(state)
        for node, problem, states, net in found.values():
            report_at(ctx, node_span(node), f"{problem}{in_states(net, states)}")


# ---------------------------------------------------------------------------------------------


class LrMultNegative(Rule):
    code = "N223"
    name = "lr-mult-negative"
    severity = "warning"
    applies_to = ("net",)
    summary = "A negative lr_mult in a trained net"
    what_it_does = "Reports `lr_mult` (V1: `blobs_lr`) values below 0 on layers of the TRAIN state of a trained net."
    why_it_matters = (
        "The solver multiplies the learning rate by lr_mult (sgd_solver.cpp:228): a negative value turns the "
        "update into gradient ascent for that parameter, which diverges."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 4 } shape { dim: 8 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" param { lr_mult: -1 } '
        'inner_product_param { num_output: 2 } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Use lr_mult >= 0 (0 freezes the parameter). Gradient reversal needs a dedicated layer, not a negative lr_mult."
    version_notes = "Same in every Caffe version."

    def check(self, ctx):
        for view in net_views(ctx):
            if not view.train_states:
                continue
            for layer in layers_in_states(view.net, view.train_states):
                for spec in param_specs(layer):
                    if spec.lr is not None and spec.lr < 0:
                        report_at(
                            ctx, node_span(spec.lr_node),
                            f'layer "{layer_label(layer)}" has lr_mult {fmt(spec.lr)} < 0: that parameter is updated by '
                            "gradient ascent and diverges — use lr_mult >= 0",
                        )


class LayerFrozen(Rule):
    code = "N224"
    name = "layer-frozen"
    severity = "info"
    applies_to = ("net",)
    summary = "A trained layer whose every parameter has lr_mult 0"
    what_it_does = (
        "In the TRAIN state of a trained net, reports layers with parameter blobs (BatchNorm excluded) whose "
        "every blob has lr_mult 0, unless weights are known to be loaded (option assume_pretrained)."
    )
    why_it_matters = (
        "lr_mult 0 disables the update (net.cpp:145-153): the layer keeps its initial filler values. That is "
        "right when fine-tuning from a .caffemodel, and a silent bug when training from scratch."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 4 } shape { dim: 8 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" param { lr_mult: 0 } param { lr_mult: 0 } '
        'inner_product_param { num_output: 2 } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Load pretrained weights for the layer (caffe train --weights), or give it a non-zero lr_mult."
    version_notes = "Same in every Caffe version."

    def check(self, ctx):
        if getattr(ctx.options, "assume_pretrained", False):
            return
        if ctx.kind == "solver" and ctx.solver.has("weights"):
            return  # the solver loads weights (post-1.0 `weights` field)
        for view in net_views(ctx):
            if not view.train_states:
                continue
            for layer in layers_in_states(view.net, view.train_states):
                n = facts.param_blob_count(layer)
                if not n or facts.statistics_only_params(layer.type):
                    continue
                specs = param_specs(layer)
                if len(specs) < n or any(specs[i].effective_lr != 0 for i in range(n)):
                    continue
                if layer.type == "Deconvolution" and layer.get("convolution_param.weight_filler.type") == "bilinear":
                    continue  # a fixed upsampling (bilinear-learnable)
                report_at(
                    ctx, layer_span(view.net, layer),
                    f'every parameter of "{layer_label(layer)}" has lr_mult 0: the layer is frozen and keeps its initial '
                    "(filler) values unless weights are loaded from a .caffemodel",
                )


# ---------------------------------------------------------------------------------------------
# Train -> test weight sharing (ShareTrainedLayersWith)


def _pairs(ctx):
    """(train net, train state, test net, test state, stand_alone) for every train/test pair a solver
    runs (or, for a trained net linted alone, its TRAIN and TEST states)."""
    views = net_views(ctx)
    trains = [(v.net, s, v.from_solver) for v in views for s in v.train_states]
    tests = [(v.net, s, v.from_solver) for v in views for s in v.test_states]
    for train_net, train_state, solver in trains:
        for test_net, test_state, test_solver in tests:
            if not solver and train_net is not test_net:
                continue
            yield train_net, train_state, test_net, test_state, not (solver and test_solver)


def _downgrade(severity: str) -> str:
    return {"error": "warning", "warning": "info"}.get(severity, severity)


class TrainTestParamMismatch(Rule):
    code = "N225"
    name = "train-test-param-mismatch"
    severity = "error"
    applies_to = ("solver", "net")
    summary = "A layer name in the train and test nets with different parameter blobs"
    what_it_does = (
        "For each layer of the train net, takes the first test-net layer with the same name (that is how the "
        "solver shares trained weights) and compares their parameter blobs: the number of blobs (e.g. with and "
        "without bias_term, Convolution vs Pooling), and for layers of the same type the fields that decide "
        "the shapes (num_output, kernel, group)."
    )
    why_it_matters = (
        "Before every test the solver copies weights into the test net by layer name (ShareTrainedLayersWith, "
        "net.cpp:667-696) and aborts with \"Incompatible number of blobs for layer X\" or \"Cannot share param "
        "0 weights from layer 'X'; shape mismatch.\" — with test_initialization (the default) before the first "
        "iteration."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 4 } shape { dim: 8 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 10 } include { phase: TRAIN } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 5 } include { phase: TEST } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Give the two layers identical definitions, or different names if they are not meant to share weights."
    version_notes = "Same in every Caffe version with solver test nets."

    def check(self, ctx):
        found: dict[int, list] = {}
        for train_net, train_state, test_net, test_state, alone in _pairs(ctx):
            first_by_name: dict[str, Layer] = {}
            for layer in test_net.layers_in(test_state):
                first_by_name.setdefault(layer.name, layer)
            for source in train_net.layers_in(train_state):
                target = first_by_name.get(source.name)
                if target is None or target is source or not source.name:
                    continue
                n, m = facts.param_blob_count(source), facts.param_blob_count(target)
                if n is None or m is None:
                    continue
                problem = None
                if n != m:
                    problem = (f'layer "{source.name}" has {n} parameter blob(s) in the training net but {m} in the test '
                               "net: before each test Caffe copies weights by layer name and aborts with \"Incompatible "
                               f'number of blobs for layer {source.name}"')
                elif source.type == target.type:
                    for i in range(n):
                        a, b = param_signature(source, i), param_signature(target, i)
                        if a is not None and b is not None and a != b:
                            problem = (f'layer "{source.name}" differs between the training and the test net '
                                       f"({_signature_difference(a, b)}): before each test Caffe copies weights by layer "
                                       f"name and aborts with \"Cannot share param {i} weights from layer "
                                       f"'{source.name}'; shape mismatch.\"")
                            break
                if problem is None:
                    continue
                item = found.setdefault(id(target), [test_net, target, problem, [], alone])
                item[3].append(test_state)
                item[4] = item[4] and alone
        for net, target, problem, states, alone in found.values():
            report_at(
                ctx, layer_span(net, target),
                f"{problem} ({describe_states(states)}) — rename one of them or make them identical",
                severity=_downgrade(self.severity) if alone else None,
            )


class TestLayerNotInTrain(Rule):
    __test__ = False  # not a pytest class
    code = "N226"
    name = "test-layer-not-in-train"
    severity = "warning"
    applies_to = ("solver", "net")
    summary = "A layer with weights that exists only in the test net"
    what_it_does = (
        "Reports layers with parameter blobs (BatchNorm included) in a test net of a solver that have no "
        "layer of the same name in the train net."
    )
    why_it_matters = (
        "The solver gives test nets their trained weights by layer name (net.cpp:667-680); a layer without a "
        "namesake in the train net is skipped and is evaluated with its freshly initialised weights (for "
        "BatchNorm: zero statistics), so the test scores are meaningless."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 4 } shape { dim: 8 } } }\n'
        'layer { name: "fc8" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 2 } include { phase: TRAIN } }\n'
        'layer { name: "fc8_test" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 2 } include { phase: TEST } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Give the test layer the name of its training counterpart."
    version_notes = "Same in every Caffe version with solver test nets."

    def check(self, ctx):
        found: dict[int, list] = {}
        for train_net, train_state, test_net, test_state, alone in _pairs(ctx):
            train_names = {layer.name for layer in train_net.layers_in(train_state)}
            for layer in test_net.layers_in(test_state):
                if layer.name in train_names or layer.synthetic:
                    continue
                if not facts.param_blob_count(layer):
                    continue
                item = found.setdefault(id(layer), [test_net, layer, [], alone])
                item[2].append(test_state)
                item[3] = item[3] and alone
        for net, layer, states, alone in found.values():
            report_at(
                ctx, layer_span(net, layer),
                f'layer "{layer_label(layer)}" exists only in the test net ({describe_states(states)}): Caffe shares trained '
                "weights by layer name, so it is evaluated with its freshly initialised weights — give it the name of "
                "its training counterpart",
                severity=_downgrade(self.severity) if alone else None,
            )


PARAM_RULES = [TooManyParamSpecs, SharedParamMismatch, LrMultNegative, LayerFrozen, TrainTestParamMismatch,
               TestLayerNotInTrain]
