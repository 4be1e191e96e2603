"""B507 batchnorm-batch-stats-in-test: A BatchNorm that normalises with the current batch in a TEST net."""

from __future__ import annotations

from protolint.context import node_span
from protolint.diagnostics import Fix
from protolint.edits import delete_field
from protolint.model.facts import batchnorm_global_stats

from ._helpers import NormRule


class BatchNormBatchStatsInTest(NormRule):
    code = "B507"
    name = "batchnorm-batch-stats-in-test"
    severity = "warning"
    layer_types = ("BatchNorm",)
    fixable = True
    summary = "A BatchNorm that normalises with the current batch in a TEST net"
    what_it_does = (
        "Reports a BatchNorm present in a TEST state (a solver's test net, or the TEST state of a stand-alone or "
        "deploy net) that uses batch statistics there: `use_global_stats: false`, or `phase: TRAIN` on the layer."
    )
    why_it_matters = (
        "use_global_stats defaults to true in TEST. With batch statistics the output of each image depends on the "
        "rest of the batch, test accuracy changes with the test batch size, and with one image per batch (or a 1x1 "
        "input after an InnerProduct) the variance is 0 and the output is 0."
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
    references = (
        "src/caffe/layers/batch_norm_layer.cpp:14-16 (BatchNormLayer::LayerSetUp: use_global_stats defaults to "
        "phase == TEST)",
    )

    def check(self, ctx):
        text = ctx.source.text
        for net in ctx.nets():
            found: dict[int, tuple] = {}  # id(layer) -> (layer, node, state)
            for state in net.states():
                if state.phase != "TEST":
                    continue
                for layer in net.layers_in(state):
                    if layer.type != "BatchNorm" or id(layer) in found:
                        continue
                    uses_global, node = batchnorm_global_stats(layer, "TEST")
                    if uses_global is False and node is not None:
                        found[id(layer)] = (layer, node, state)
            if not found:
                continue
            items = list(found.values())
            layer, node, state = items[0]
            which = f'BatchNorm "{layer.name}"' + (f" and {len(items) - 1} more" if len(items) > 1 else "")
            cause = "its `phase: TRAIN` makes it" if node.name == "phase" else "`use_global_stats: false` makes it"
            deletable = [n for _layer, n, _state in items if n.name != "phase"]
            fixes = [Fix("Remove use_global_stats: false", [delete_field(text, n) for n in deletable], safe=False)] \
                if deletable else None
            related = [(*node_span(n), f'BatchNorm "{other.name}" too') for other, n, _state in items[1:20]]
            ctx.report_value(node, f"{which} normalise{'s' if len(items) == 1 else ''} with the current batch in "
                             f"{state.describe()} ({cause} ignore the stored statistics): results depend on the batch, "
                             "and with batch size 1 (or 1x1 spatial after an InnerProduct) the variance is 0 and the "
                             "output is 0 — remove use_global_stats: false for TEST (it defaults to true)",
                             fixes=fixes, related=related)
