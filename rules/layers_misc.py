"""Embed, LSTM/RNN, Python and Scale/Bias layer parameters."""

from protolint.model.net import TRAIN
from protolint.rule import Rule

from .layers_common import (
    Once,
    bottom_use,
    each_graph,
    effective_producer,
    fmt,
    has_unknown_fields,
    insert_after_fix,
    is_solver_train_net,
    layers_of,
    number,
    report_at,
    report_layer,
    solver_of,
    unset_or_zero,
)


class EmbedDimsMissing(Rule):
    code = "L370"
    name = "embed-dims-missing"
    severity = "error"
    applies_to = ("net",)
    summary = "An Embed layer without num_output or input_dim"
    what_it_does = "Reports Embed layers whose `embed_param.num_output` or `embed_param.input_dim` is unset or 0."
    why_it_matters = 'EmbedLayer::LayerSetUp aborts with "EmbedLayer num_output must be positive." / "EmbedLayer input_dim must be positive." (embed_layer.cpp).'
    example = 'layer { name: "embed" type: "Embed" bottom: "words" top: "vec" embed_param { num_output: 128 } }'
    how_to_fix = "Set input_dim (the vocabulary size) and num_output (the embedding size)."
    version_notes = "The Embed layer exists since Caffe rc3."

    def check(self, ctx):
        for _, layer in layers_of(ctx, ("Embed",)):
            if has_unknown_fields(layer, "embed_param"):
                continue
            for name in ("num_output", "input_dim"):
                if unset_or_zero(layer, f"embed_param.{name}"):
                    report_at(ctx, layer, layer.field("embed_param"), f'Embed "{layer.name}" needs {name} > 0: Caffe aborts with '
                              f'"EmbedLayer {name} must be positive." — set input_dim (the vocabulary size) and num_output (the embedding size)')
                    break


# Producers of integer values (spec §2): label tops of data layers, HDF5/Input/DummyData/Python, ArgMax indices.
_LABEL_TOP_SOURCES = frozenset("Data ImageData WindowData MemoryData".split())
_INDEX_SOURCES = frozenset("HDF5Data Input DummyData Python".split())


def _is_index(top) -> bool:
    layer = top.layer
    if layer.type in _INDEX_SOURCES:
        return True
    if layer.type in _LABEL_TOP_SOURCES:
        return top.index == 1
    if layer.type == "ArgMax":
        return layer.get("argmax_param.out_max_val") is not True
    return False


class EmbedInputNotIndex(Rule):
    code = "L371"
    name = "embed-input-not-index"
    severity = "warning"
    applies_to = ("net",)
    summary = "An Embed layer fed values that are not integer indices"
    what_it_does = (
        "Reports Embed layers whose input comes from a layer that does not produce integer indices (anything but "
        "a data layer's label top, HDF5Data, Input, DummyData, Python or an ArgMax). Unknown layer types are not judged."
    )
    why_it_matters = (
        "Embed truncates its input to ints and only DCHECKs the range (embed_layer.cpp): out-of-range values read "
        "out of bounds in release builds, and the layer cannot back-propagate to its input, so the layer that "
        "computes it gets no gradient from this path."
    )
    example = (
        'layer { name: "in" type: "Input" top: "data" input_param { shape { dim: 8 dim: 16 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 4 } }\n'
        'layer { name: "embed" type: "Embed" bottom: "fc" top: "vec" embed_param { num_output: 8 input_dim: 100 } }'
    )
    how_to_fix = "Feed token ids in [0, input_dim), e.g. from HDF5Data or an Input blob filled from Python."
    version_notes = "The Embed layer exists since Caffe rc3."

    def check(self, ctx):
        from protolint.rules.unknown_layer_type import BVLC_LAYER_TYPES

        once = Once()
        for net, state, graph in each_graph(ctx):
            for layer in graph.layers:
                if layer.type != "Embed" or not layer.bottoms:
                    continue
                use = bottom_use(graph, layer, 0)
                top = effective_producer(graph, use) if use is not None else None
                if top is None or top.layer.type not in BVLC_LAYER_TYPES or _is_index(top) or not once.first(use.node):
                    continue
                p = top.layer
                ctx.report_node(use.node, f'Embed "{layer.name}" reads "{use.node.scalar}" from {p.type} "{p.name}", which does '
                                "not produce integer indices: values are truncated to ints and out-of-range indices read out of "
                                f'bounds in release builds (and the layer cannot pass gradient back to "{p.name}") — feed token '
                                "ids in [0, input_dim)")


class RecurrentNumOutputMissing(Rule):
    code = "L372"
    name = "recurrent-num-output-missing"
    severity = "error"
    applies_to = ("net",)
    summary = "An LSTM/RNN layer without num_output"
    what_it_does = "Reports LSTM and RNN layers whose `recurrent_param.num_output` is unset or 0."
    why_it_matters = 'Building the unrolled net aborts with "num_output must be positive" (lstm_layer.cpp, rnn_layer.cpp).'
    example = (
        'layer { name: "lstm" type: "LSTM" bottom: "x" bottom: "cont" top: "h" '
        'recurrent_param { weight_filler { type: "uniform" min: -0.08 max: 0.08 } } }'
    )
    how_to_fix = "Set recurrent_param { num_output: n } (the hidden size)."
    version_notes = "LSTM and RNN exist since Caffe rc4."

    def check(self, ctx):
        for _, layer in layers_of(ctx, ("LSTM", "RNN")):
            if unset_or_zero(layer, "recurrent_param.num_output") and not has_unknown_fields(layer, "recurrent_param"):
                report_at(ctx, layer, layer.field("recurrent_param"), f'{layer.type} "{layer.name}" has no num_output: Caffe '
                          'aborts with "num_output must be positive" when building the unrolled net — set recurrent_param { num_output: n }')


class RecurrentNoClip(Rule):
    code = "L373"
    name = "recurrent-no-clip"
    severity = "info"
    applies_to = ("net", "solver")
    summary = "LSTM/RNN trained without gradient clipping"
    what_it_does = (
        "Reports LSTM and RNN layers in the train net of a solver that does not clip gradients (clip_gradients "
        "unset or negative). Checked where the solver's values are known: nets embedded in the solver file."
    )
    why_it_matters = "Gradients through long unrolled sequences can explode; a single huge step turns the weights into NaN."
    example = (
        'base_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 100\nsolver_mode: GPU\n'
        'net_param {\n  layer { name: "in" type: "Input" top: "x" top: "cont" top: "y" input_param { shape { dim: 10 dim: 4 dim: 8 } '
        "shape { dim: 10 dim: 4 } shape { dim: 10 dim: 4 dim: 16 } } }\n"
        '  layer { name: "lstm" type: "LSTM" bottom: "x" bottom: "cont" top: "h" recurrent_param { num_output: 16 '
        'weight_filler { type: "uniform" min: -0.08 max: 0.08 } } }\n'
        '  layer { name: "loss" type: "EuclideanLoss" bottom: "h" bottom: "y" top: "loss" }\n}'
    )
    how_to_fix = "Set clip_gradients in the solver (e.g. clip_gradients: 10)."
    version_notes = "LSTM and RNN exist since Caffe rc4."

    def check(self, ctx):
        for net in ctx.nets():
            solver, role = solver_of(ctx, net)
            if solver is None or role != "train":
                continue
            clip = number(solver.get("clip_gradients"))
            if clip is None or clip >= 0:
                continue
            node = solver.field("clip_gradients")
            related = [(node.start, node.end, "clip_gradients is negative (off)")] if node is not None else None
            seen = Once()
            for state in [s for s in net.states() if s.phase == "TRAIN"] or [TRAIN]:
                for layer in net.layers_in(state):
                    if layer.type in ("LSTM", "RNN") and seen.first(layer.message):
                        report_layer(ctx, layer, f'{layer.type} "{layer.name}" is trained without gradient clipping: gradients '
                                     "through long sequences can explode — consider clip_gradients (e.g. 10) in the solver",
                                     related=related)


class PythonLayerMissingModule(Rule):
    code = "L374"
    name = "python-layer-missing-module"
    severity = "error"
    applies_to = ("net",)
    summary = "A Python layer without python_param.module or python_param.layer"
    what_it_does = "Reports Python layers whose `python_param.module` or `python_param.layer` is unset or empty."
    why_it_matters = "Caffe imports the module and looks up the class by these names when it creates the layer; an empty name fails the import and aborts (layer_factory.cpp)."
    example = 'layer { name: "loss" type: "Python" bottom: "fc" bottom: "label" top: "loss" python_param { layer: "MyLoss" } }'
    how_to_fix = 'Set python_param { module: "my_layers" layer: "MyLoss" } (the module must be on PYTHONPATH).'
    version_notes = "Needs a Caffe built with WITH_PYTHON_LAYER."

    def check(self, ctx):
        for _, layer in layers_of(ctx, ("Python",)):
            if has_unknown_fields(layer, "python_param"):
                continue
            for name in ("module", "layer"):
                node = layer.field(f"python_param.{name}")
                if node is None or node.scalar == "":
                    report_at(ctx, layer, layer.field("python_param"), f'Python layer "{layer.name}" has no {name}: Caffe cannot '
                              "import the class and aborts while creating the layer — set python_param "
                              '{ module: "…" layer: "…" }')
                    break


class PythonLossWithoutLossWeight(Rule):
    code = "L375"
    name = "python-loss-without-loss-weight"
    severity = "warning"
    applies_to = ("net",)
    fixable = True
    summary = "A Python layer that looks like a loss but has no loss_weight"
    what_it_does = (
        "In the TRAIN state, reports Python layers without `loss_weight` whose name, module or class contains "
        "\"loss\", or — in a net a solver trains — whose output nothing reads while the net has no other loss."
    )
    why_it_matters = (
        "Python layers are not LossLayers: their loss weight defaults to 0 (loss_layer.cpp gives the default 1 "
        "only to LossLayer subclasses), so the 'loss' is computed and printed but nothing is trained."
    )
    example = (
        'layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 16 } shape { dim: 8 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 2 weight_filler { type: "xavier" } } }\n'
        'layer { name: "loss" type: "Python" bottom: "fc" bottom: "label" top: "loss" python_param { module: "losses" layer: "DiceLoss" } }'
    )
    how_to_fix = "Add loss_weight: 1 to the Python layer."
    version_notes = "Needs a Caffe built with WITH_PYTHON_LAYER."

    def check(self, ctx):
        once = Once()
        for net in ctx.nets():
            trained_by_solver = is_solver_train_net(ctx, net)
            if not trained_by_solver and (solver_of(ctx, net)[1] == "test" or (
                    ctx.kind == "net" and ctx.usage is not None and ctx.usage.states)):
                continue  # the solvers only test this net
            for state in [s for s in net.states() if s.phase == "TRAIN"]:
                graph = net.graph(state)
                other_loss = None
                for layer in graph.layers:
                    if layer.type != "Python" or layer.has("loss_weight") or not once.first(layer.message):
                        continue
                    names = " ".join(str(x) for x in (layer.name, layer.get("python_param.module"),
                                                      layer.get("python_param.layer")) if x).lower()
                    looks_like_loss = "loss" in names
                    if not looks_like_loss and trained_by_solver and layer.tops:
                        if other_loss is None:
                            other_loss = any(l.is_loss for l in graph.layers if l.type != "Python")
                        unread = all(not graph.readers_of_top(layer, i) for i in range(len(layer.tops)))
                        looks_like_loss = unread and not other_loss
                    if not looks_like_loss:
                        continue
                    fixes = insert_after_fix(ctx, layer, ("top",), "loss_weight: 1", "Add loss_weight: 1")
                    report_layer(ctx, layer, f'Python layer "{layer.name}" looks like a loss but has no loss_weight: Python '
                                 "layers are not LossLayers, so their loss weight is 0 and nothing is trained — add "
                                 "loss_weight: 1", fixes=fixes)


class PythonLayerMultigpu(Rule):
    code = "L376"
    name = "python-layer-multigpu"
    severity = "info"
    applies_to = ("net", "solver")
    summary = "A Python layer in a solver's training net (no multi-GPU caffe train)"
    what_it_does = "Reports Python layers in the TRAIN state of a net that a solver trains."
    why_it_matters = (
        '"caffe train --gpu 0,1,..." aborts with "PythonLayer does not support CLI Multi-GPU, use train.py" '
        "(python_layer.hpp); single-GPU and pycaffe training are fine."
    )
    example = (
        'base_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 100\nsolver_mode: GPU\n'
        'train_net_param {\n  layer { name: "data" type: "Python" top: "data" top: "label" python_param { module: "readers" '
        'layer: "Reader" } }\n'
        '  layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 2 '
        'weight_filler { type: "xavier" } } }\n'
        '  layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }\n}'
    )
    how_to_fix = "Train on one GPU, or from Python (e.g. caffe.train / NCCL from pycaffe) for several GPUs."
    version_notes = (
        "rc3 aborts with \"PythonLayer is not implemented in Multi-GPU training\" unless python_param.share_in_parallel "
        "is true; from rc4 on share_in_parallel is ignored and the CLI always refuses."
    )

    def check(self, ctx):
        once = Once()
        old = not ctx.version_at_least("rc4")
        text = "PythonLayer is not implemented in Multi-GPU training" if old else (
            "PythonLayer does not support CLI Multi-GPU, use train.py")
        for net in ctx.nets():
            if not is_solver_train_net(ctx, net):
                continue
            for state in [s for s in net.states() if s.phase == "TRAIN"] or [TRAIN]:
                for layer in net.layers_in(state):
                    if layer.type != "Python" or not once.first(layer.message):
                        continue
                    if old and layer.get("python_param.share_in_parallel") is True:
                        continue
                    report_layer(ctx, layer, f'Python layer "{layer.name}" in the training net: "caffe train --gpu 0,1,…" '
                                 f'aborts with "{text}" — train on one GPU or from Python')


class ScaleBiasNumAxesInvalid(Rule):
    code = "L377"
    name = "scale-bias-num-axes-invalid"
    severity = "error"
    applies_to = ("net",)
    summary = "A Scale/Bias num_axes below -1"
    what_it_does = "Reports Scale and Bias layers with one bottom and `num_axes < -1`."
    why_it_matters = 'ScaleLayer/BiasLayer::LayerSetUp abort with "num_axes must be non-negative, or -1 to extend to the end of bottom[0]" (scale_layer.cpp, bias_layer.cpp).'
    example = 'layer { name: "scale" type: "Scale" bottom: "a" top: "a" scale_param { num_axes: -2 } }'
    how_to_fix = "Use num_axes -1 (to the end), 0 (a scalar) or the number of axes to cover (default 1)."
    version_notes = "Scale and Bias exist since Caffe rc3."

    def check(self, ctx):
        for _, layer in layers_of(ctx, ("Scale", "Bias")):
            if len(layer.bottoms) != 1:
                continue
            block = "scale_param" if layer.type == "Scale" else "bias_param"
            node = layer.field(f"{block}.num_axes")
            n = number(node.scalar) if node is not None else None
            if n is not None and n < -1:
                ctx.report_node(node, f'{layer.type} "{layer.name}" num_axes {fmt(n)}: Caffe aborts with "num_axes must be '
                                'non-negative, or -1 to extend to the end of bottom[0]" — use -1, 0 or a positive count')


MISC_RULES = [
    EmbedDimsMissing,
    EmbedInputNotIndex,
    RecurrentNumOutputMissing,
    RecurrentNoClip,
    PythonLayerMissingModule,
    PythonLossWithoutLossWeight,
    PythonLayerMultigpu,
    ScaleBiasNumAxesInvalid,
]
