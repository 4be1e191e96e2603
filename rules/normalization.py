"""BatchNorm and MVN rules B506-B511: legacy BatchNorm param blocks, batch statistics where global
ones are meant (and vice versa), batches too small to normalise, and MVN's eps.

Facts are those of BVLC Caffe 9b89154: src/caffe/layers/batch_norm_layer.cpp (use_global_stats
defaults to `phase == TEST` at 14-16; statistics blobs 22-48; normalisation 98-161),
src/caffe/util/upgrade_proto.cpp:1005-1032 (the three-param upgrade, rc4+), src/caffe/solver.cpp
(test before the first iteration), src/caffe/layers/mvn_layer.cpp:59-63.
"""

from __future__ import annotations

from protolint.diagnostics import Fix, TextEdit
from protolint.rule import Rule
from protolint.rules.fillers_extra import delete_edit, effective_producer, layer_anchor, report_at
from protolint.rules.solver_extra import solver_nets
from protolint.rules.solver_rules import SolverRule, test_net_instances
from protolint.syntax.nodes import Message, Scalar


def _layer_phase(layer) -> str | None:
    node = layer.message.last("phase")
    return node.scalar if node is not None and node.scalar in ("TRAIN", "TEST") else None


def global_stats(layer, phase: str) -> tuple[bool | None, object]:
    """Whether a BatchNorm uses global statistics when built in a net of `phase`, and the node that
    decides it (`use_global_stats`, the layer's `phase`, or None for the default)."""
    node = layer.field("batch_norm_param.use_global_stats")
    if node is not None:
        return (node.scalar if isinstance(node.scalar, bool) else None), node
    own = _layer_phase(layer)
    if own is not None:
        return own == "TEST", layer.message.last("phase")
    return phase == "TEST", None


class NormRule(Rule):
    applies_to = ("net",)


class BatchNormLegacyParams(NormRule):
    code = "B506"
    name = "batchnorm-legacy-params"
    severity = "info"
    fixable = True
    summary = "A BatchNorm with the three pre-rc4 `param` blocks, which Caffe rewrites on load"
    what_it_does = (
        "Reports a BatchNorm layer of a net file with exactly three `param` blocks (the rc3 idiom "
        "`param { lr_mult: 0 }` x3), when the target is Caffe rc4 or later. Nets embedded in a solver are not "
        "upgraded by Caffe; their param blocks are batchnorm-param-lr-nonzero's business."
    )
    why_it_matters = (
        "Since rc4 BatchNorm freezes its statistics itself, and when Caffe reads a net file it rewrites exactly "
        "three BatchNorm param blocks to lr_mult 0 / decay_mult 0, keeping only their names "
        "(upgrade_proto.cpp:1005-1032). Whatever lr_mult the blocks say is silently ignored, so they are noise "
        "at best and misleading when they say lr_mult 1."
    )
    example = (
        'layer { name: "bn1" type: "BatchNorm" bottom: "conv1" top: "conv1"\n'
        '  param { lr_mult: 0 } param { lr_mult: 0 } param { lr_mult: 0 } }'
    )
    how_to_fix = "Delete the three param blocks (the fix does it when none of them names a shared parameter)."
    version_notes = (
        "rc3 and older need the three `param { lr_mult: 0 }` blocks (otherwise the solver updates the statistics); "
        "remove them only if you target rc4 or later."
    )

    def check(self, ctx):
        if not ctx.version_at_least("rc4"):
            return
        text = ctx.source.text
        for net in ctx.nets():
            if net.embedded:
                continue
            for layer in net.layers:
                if layer.type != "BatchNorm":
                    continue
                fields = [f for f in layer.message.all("param") if isinstance(f.value, Message)]
                if len(fields) != 3:
                    continue
                ignored = []
                for f in fields:
                    lr = f.value.last("lr_mult")
                    value = lr.scalar if lr is not None else 1.0
                    if isinstance(value, (int, float)) and value != 0:
                        ignored.append(lr.value.source_text if lr is not None else "1 (the default)")
                note = f", ignoring your lr_mult {ignored[0]}" if ignored else ""
                fixes = None
                if not any(f.value.last("name") is not None for f in fields):
                    fixes = [Fix("Remove the three param blocks", [delete_edit(text, f) for f in fields])]
                ctx.report_node(fields[0], f"BatchNorm \"{layer.name}\" declares three param blocks (pre-rc4 style): Caffe "
                                f"rewrites them to lr_mult 0 / decay_mult 0 on load{note} — they can be removed", fixes=fixes)


class BatchNormBatchStatsInTest(NormRule):
    code = "B507"
    name = "batchnorm-batch-stats-in-test"
    severity = "warning"
    fixable = True
    summary = "A BatchNorm that normalises with the current batch in a TEST net"
    what_it_does = (
        "Reports a BatchNorm present in a TEST state (a solver's test net, or the TEST state of a stand-alone or "
        "deploy net) that uses batch statistics there: `use_global_stats: false`, or `phase: TRAIN` on the layer."
    )
    why_it_matters = (
        "use_global_stats defaults to true in TEST (batch_norm_layer.cpp:14-16). With batch statistics the "
        "output of each image depends on the rest of the batch, test accuracy changes with the test batch size, "
        "and with one image per batch (or a 1x1 input after an InnerProduct) the variance is 0 and the output is 0."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } } }\n'
        'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 4 kernel_size: 3 } }\n'
        'layer { name: "bn1" type: "BatchNorm" bottom: "conv1" top: "conv1" batch_norm_param { use_global_stats: false } }'
    )
    how_to_fix = (
        "Remove `use_global_stats: false` (Caffe then uses batch statistics in TRAIN and the stored ones in TEST), "
        "or keep it only in a layer copy included in TRAIN."
    )
    version_notes = "BatchNorm exists since rc3."

    def check(self, ctx):
        text = ctx.source.text
        reported = set()
        for net in ctx.nets():
            for state in net.states():
                if state.phase != "TEST":
                    continue
                for layer in net.layers_in(state):
                    if layer.type != "BatchNorm" or id(layer) in reported:
                        continue
                    uses_global, node = global_stats(layer, "TEST")
                    if uses_global is not False or node is None:
                        continue
                    reported.add(id(layer))
                    if node.name == "phase":
                        cause, fixes = "its `phase: TRAIN` makes it", None
                    else:
                        cause = "`use_global_stats: false` makes it"
                        fixes = [Fix("Remove use_global_stats: false", [delete_edit(text, node)], safe=False)]
                    report_at(ctx, node, f"BatchNorm \"{layer.name}\" normalises with the current batch in {state.describe()} "
                              f"({cause} ignore the stored statistics): results depend on the batch, and with batch size 1 "
                              "(or 1x1 spatial after an InnerProduct) the variance is 0 and the output is 0 — remove "
                              "use_global_stats: false for TEST (it defaults to true)", fixes=fixes)


_BATCH_FIELDS = {
    "Data": "data_param.batch_size",
    "ImageData": "image_data_param.batch_size",
    "HDF5Data": "hdf5_data_param.batch_size",
    "MemoryData": "memory_data_param.batch_size",
    "WindowData": "window_data_param.batch_size",
}
# Layers that keep both the batch and the spatial size of their input.
_SPATIAL_PRESERVING = frozenset(
    "ReLU Sigmoid TanH Dropout Scale Bias BatchNorm PReLU ELU AbsVal BNLL Power Exp Log Clip Swish Split Threshold".split()
)


def _first_dim(message: Message | None) -> int | None:
    if message is None:
        return None
    for f in message.all("dim"):
        for value in f.values():
            return value.value if isinstance(value, Scalar) and isinstance(value.value, int) else None
    return None


def _batch_sizes(layer) -> list[int] | None:
    """The batch sizes a source layer produces; None when they cannot be told."""
    path = _BATCH_FIELDS.get(layer.type)
    if path is not None:
        value = layer.get(path)
        return [value] if isinstance(value, int) and not isinstance(value, bool) else None
    if layer.type == "Input":
        if layer.synthetic:
            return None
        block = layer.sub("input_param")
        shapes = [f.value for f in block.all("shape")] if block is not None else []
        sizes = [_first_dim(s) for s in shapes if isinstance(s, Message)]
        return sizes if sizes and all(s is not None for s in sizes) else None
    if layer.type == "DummyData":
        block = layer.sub("dummy_data_param")
        if block is None:
            return None
        shapes = [f.value for f in block.all("shape") if isinstance(f.value, Message)]
        if shapes:
            sizes = [_first_dim(s) for s in shapes]
        else:
            sizes = [v.value for f in block.all("num") for v in f.values() if isinstance(v, Scalar)]
        return sizes if sizes and all(isinstance(s, int) for s in sizes) else None
    return None


def _one_by_one(graph, layer) -> object | None:
    """The layer that makes a BatchNorm's input 1x1 spatial (an InnerProduct, a Flatten, a global
    pooling), following layers that keep the spatial size; None otherwise."""
    producer = effective_producer(graph, layer, 0, through=_SPATIAL_PRESERVING)
    if producer is None:
        return None
    if producer.type in ("InnerProduct", "Flatten"):
        return producer
    if producer.type == "Pooling" and producer.get("pooling_param.global_pooling"):
        return producer
    return None


class BatchNormTinyBatch(NormRule):
    code = "B508"
    name = "batchnorm-tiny-batch"
    severity = "warning"
    summary = "A training BatchNorm that sees one value per channel (batch 1 after an InnerProduct)"
    what_it_does = (
        "Reports a BatchNorm with batch statistics in the TRAIN state of a trained net when every data source of "
        "that state has batch size 1 (Data/ImageData/HDF5Data/MemoryData/WindowData batch_size — ImageData's "
        "default is 1 — or Input/DummyData dim 0) and the BatchNorm's input is 1x1 spatial: it comes from an "
        "InnerProduct, a Flatten or a global pooling, possibly through element-wise layers."
    )
    why_it_matters = (
        "BatchNorm averages over the batch and the spatial positions of each channel (batch_norm_layer.cpp:125-161). "
        "With a single value per channel the mean is that value and the variance 0, so the output is exactly 0 "
        "(NaN with eps 0): nothing is learned through the layer."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 1 dim: 16 } shape { dim: 1 } } }\n'
        'layer { name: "fc1" type: "InnerProduct" bottom: "data" top: "fc1" inner_product_param { num_output: 8 weight_filler { type: "xavier" } } }\n'
        'layer { name: "bn1" type: "BatchNorm" bottom: "fc1" top: "fc1" }\n'
        'layer { name: "fc2" type: "InnerProduct" bottom: "fc1" top: "fc2" inner_product_param { num_output: 2 weight_filler { type: "xavier" } } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc2" bottom: "label" top: "loss" }'
    )
    how_to_fix = (
        "Train with a larger batch (iter_size does not help: each forward pass normalises its own batch), or freeze "
        "the layer with use_global_stats and pretrained statistics."
    )
    version_notes = "BatchNorm exists since rc3."

    def check(self, ctx):
        reported = set()
        for net in ctx.nets():
            if not net.trained:
                continue
            for state in net.states():
                if state.phase != "TRAIN":
                    continue
                graph = net.graph(state)
                sources = [layer for layer in graph.layers if not layer.bottoms and layer.tops and layer.type != "Parameter"]
                sizes = [_batch_sizes(layer) for layer in sources]
                if not sources or any(s is None for s in sizes) or any(b != 1 for s in sizes for b in s):
                    continue
                for layer in graph.layers:
                    if layer.type != "BatchNorm" or id(layer) in reported:
                        continue
                    uses_global, _ = global_stats(layer, "TRAIN")
                    if uses_global is not False:
                        continue
                    cause = _one_by_one(graph, layer)
                    if cause is None:
                        continue
                    reported.add(id(layer))
                    report_at(ctx, layer_anchor(layer), f"BatchNorm \"{layer.name}\" sees one value per channel per batch in "
                              f"{state.describe()} (batch size 1, and its input from {cause.type} \"{cause.name}\" is 1x1): the "
                              "batch variance is 0, so the output is 0 (NaN with eps 0) and nothing is learned through it — "
                              "increase the batch size or use use_global_stats with pretrained statistics")


def _global_stats_batchnorm(net, state):
    for layer in net.layers_in(state):
        if layer.type == "BatchNorm" and global_stats(layer, state.phase)[0] is True:
            return layer
    return None


class BatchNormTestInitialization(SolverRule):
    code = "B509"
    name = "batchnorm-test-initialization"
    severity = "info"
    fixable = True
    summary = "The test pass before iteration 0 runs BatchNorm with empty global statistics"
    what_it_does = (
        "Reports a solver that creates test nets with `test_initialization` true (the default) when a test net "
        "contains a BatchNorm that uses global statistics (the default in TEST). It reads the net files the solver "
        "names, and nets embedded in the solver."
    )
    why_it_matters = (
        "Solver::Solve runs a full test pass before the first training iteration when test_initialization is "
        "true (solver.cpp). From scratch the BatchNorm statistics are all 0 and the layer multiplies its input by "
        "1/sqrt(eps), about 316 (batch_norm_layer.cpp:98-105): the first reported test loss and accuracy are "
        "meaningless, possibly inf/NaN (reproduced by running Caffe)."
    )
    example = (
        'net_param {\n'
        '  layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 4 } shape { dim: 8 } } }\n'
        '  layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 4 weight_filler { type: "xavier" } } }\n'
        '  layer { name: "bn" type: "BatchNorm" bottom: "fc" top: "fc" }\n'
        '  layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }\n'
        '}\n'
        'test_iter: 10\ntest_interval: 100\nbase_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 1000\nsolver_mode: GPU'
    )
    how_to_fix = "Set `test_initialization: false` to skip the test pass before training (the suggested fix)."
    version_notes = "test_initialization exists since rc2; BatchNorm since rc3."

    def check_solver(self, solver, ctx):
        instances = test_net_instances(solver)
        if not instances or solver.get("test_initialization") is not True:
            return
        for item in solver_nets(ctx, wanted=lambda data: b"BatchNorm" in data, roles=("test",)):
            layer = _global_stats_batchnorm(item.net, item.state)
            if layer is None:
                continue
            node = solver.field("test_initialization")
            fixes = None
            if node is not None and isinstance(node.value, Scalar):
                fixes = [Fix("Set test_initialization: false", [TextEdit(node.value.start, node.value.end, "false")], safe=False)]
            where = f'in net file "{item.field.scalar}"' if item.path else f"in `{item.field.name}`"
            message = (f"test_initialization is on and the test net ({item.state.describe()}) uses BatchNorm \"{layer.name}\" {where} "
                       "with global statistics: the test pass before iteration 0 runs with empty statistics (output x316 per "
                       "BatchNorm layer), so the first test loss/accuracy is meaningless (possibly inf/NaN) — set "
                       "test_initialization: false to skip it")
            if node is not None:
                report_at(ctx, node, message, fixes=fixes)
            else:
                ctx.report(0, 0, message)
            return


class BatchNormPre10Gpu(SolverRule):
    code = "B510"
    name = "batchnorm-gpu-powx-nan"  # the spec calls it batchnorm-pre-1.0-gpu; names have no dots
    severity = "info"
    summary = "BatchNorm trained on the GPU with a Caffe older than 1.0"
    what_it_does = (
        "When the target Caffe version is older than 1.0 and the solver runs on the GPU (`solver_mode: GPU`), "
        "reports the solver if one of its nets has a BatchNorm layer."
    )
    why_it_matters = (
        "Before 1.0 the GPU BatchNorm computed squares and square roots with caffe_gpu_powx, which produced NaN "
        "on some inputs; PR #5136 (in 1.0) replaced it. A NaN loss in such a setup may be this bug, not the model."
    )
    example = (
        'net_param {\n'
        '  layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 8 dim: 4 } } }\n'
        '  layer { name: "bn" type: "BatchNorm" bottom: "data" top: "bn" }\n'
        '}\n'
        'base_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 1000\nsolver_mode: GPU'
    )
    how_to_fix = "Upgrade to Caffe 1.0 or later if you see NaN."
    version_notes = "Only reported for a target version before 1.0 (--caffe-version rc5 or older, or an older caffe.proto)."
    example_caffe_version = "rc5"

    def check_solver(self, solver, ctx):
        if ctx.version_at_least("1.0") or solver.get("solver_mode") != "GPU" or not solver.has("solver_mode"):
            return
        for item in solver_nets(ctx, wanted=lambda data: b"BatchNorm" in data):
            layer = next((layer for layer in item.net.layers if layer.type == "BatchNorm"), None)
            if layer is None:
                continue
            where = f'in net file "{item.field.scalar}"' if item.path else f"in `{item.field.name}`"
            report_at(ctx, solver.field("solver_mode"), f"BatchNorm \"{layer.name}\" ({where}) on GPU in Caffe "
                      f"{ctx.caffe_version}: before 1.0 it computes squares/roots with powx, which produced NaN on some "
                      "inputs (fixed by PR #5136 in 1.0) — upgrade if you see NaN")
            return


class MvnEpsNonpositive(NormRule):
    code = "B511"
    name = "mvn-eps-nonpositive"
    severity = "error"
    summary = "MVN eps <= 0 while normalising the variance"
    what_it_does = "Reports an MVN layer with `normalize_variance` true (the default) and `eps` of 0 or less."
    why_it_matters = (
        "MVN divides by sqrt(variance) + eps (mvn_layer.cpp:59-63). With eps 0 any constant input region (a "
        "padded border, a dead ReLU channel, a constant image) divides 0 by 0: NaN; a negative eps can divide "
        "by zero or flip the sign."
    )
    example = 'layer { name: "mvn" type: "MVN" bottom: "data" top: "mvn" mvn_param { eps: 0 } }'
    how_to_fix = "Remove eps (default 1e-9) or use a small positive value."
    version_notes = "`eps` exists in MVNParameter since rc2."

    def check(self, ctx):
        for net in ctx.nets():
            for layer in net.layers:
                if layer.type != "MVN" or layer.get("mvn_param.normalize_variance") is False:
                    continue
                node = layer.field("mvn_param.eps")
                if node is not None and isinstance(node.scalar, (int, float)) and node.scalar <= 0:
                    report_at(ctx, node, f"MVN \"{layer.name}\" eps {node.value.source_text}: eps is added to the standard "
                              "deviation, so a constant input region divides 0/0 = NaN — use eps > 0 (default 1e-9)")


NORMALIZATION_RULES = [
    BatchNormLegacyParams,
    BatchNormBatchStatsInTest,
    BatchNormTinyBatch,
    BatchNormTestInitialization,
    BatchNormPre10Gpu,
    MvnEpsNonpositive,
]
