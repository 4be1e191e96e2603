"""L346 accuracy-ignore-label-mismatch: A loss ignores a label that the Accuracy reading the same labels does not."""

from __future__ import annotations

from protolint.context import Once
from protolint.model.dataflow import channels
from protolint.model.facts import LOSS_TYPES
from protolint.rule import Rule
from protolint.syntax.nodes import number

from .._format import fmt
from ._helpers import EXAMPLE_FLAT_NET


class AccuracyIgnoreLabelMismatch(Rule):
    code = "L346"
    name = "accuracy-ignore-label-mismatch"
    severity = "warning"
    applies_to = ("net",)
    layer_types = ("Accuracy",)
    summary = "A loss ignores a label that the Accuracy reading the same labels does not"
    what_it_does = (
        "Reports an Accuracy layer that reads the same label blob as a loss with `loss_param.ignore_label: X` but "
        "has no `accuracy_param.ignore_label` (or a different one); also an Accuracy that sets "
        "`loss_param.ignore_label`, which Accuracy does not read. An error when the Accuracy has the second, "
        "per-class top and the ignored label is not below the number of classes: that label is counted past the end "
        "of the per-class buffer."
    )
    why_it_matters = (
        "Accuracy reads only accuracy_param.ignore_label: ignored pixels/samples count as "
        "errors and the reported accuracy is wrong, although training is unaffected."
    )
    example = EXAMPLE_FLAT_NET + (
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" loss_param { ignore_label: 255 } }\n'
        'layer { name: "acc" type: "Accuracy" bottom: "fc" bottom: "label" top: "acc" }'
    )
    how_to_fix = "Add accuracy_param { ignore_label: X } with the loss's value."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/accuracy_layer.cpp:15-19 (AccuracyLayer::LayerSetUp: ignore_label from accuracy_param)",
    )

    def check(self, ctx):
        once = Once()
        for net, state, graph in ctx.graphs():
            ignored = {}
            for layer in graph.layers:
                if layer.type in LOSS_TYPES and len(layer.bottoms) >= 2:
                    x = number(layer.get("loss_param.ignore_label")) if layer.has("loss_param.ignore_label") else None
                    use = graph.bottom_use(layer, 1)
                    if x is not None and use is not None:
                        ignored.setdefault((use.node.scalar, use.version), x)
            for layer in graph.layers:
                if layer.type != "Accuracy" or len(layer.bottoms) < 2 or id(layer.message) in once.seen:
                    continue
                own = number(layer.get("accuracy_param.ignore_label")) if layer.has("accuracy_param.ignore_label") else None
                misplaced = layer.has("loss_param.ignore_label")
                use = graph.bottom_use(layer, 1)
                x = ignored.get((use.node.scalar, use.version)) if use is not None else None
                note = " (Accuracy reads accuracy_param.ignore_label, not loss_param)" if misplaced else ""
                if x is not None and own != x:
                    once.first(layer.message)
                    classes = channels(graph, graph.bottom_use(layer, 0))
                    if len(layer.tops) > 1 and classes is not None and x >= classes:
                        # The per-class top counts labels in a buffer of `classes` entries: an ignored
                        # label past its end is written out of bounds (only a DCHECK guards it).
                        ctx.report_layer(layer, f'the loss ignores label {fmt(x)} but Accuracy "{layer.name}" does '
                                         f"not{note}, and its per-class top counts every label in a buffer of {classes} "
                                         f"classes: label {fmt(x)} writes past its end (release builds do not check) — "
                                         f"add accuracy_param {{ ignore_label: {fmt(x)} }}", severity="error")
                        continue
                    ctx.report_layer(layer, f'the loss ignores label {fmt(x)} but Accuracy "{layer.name}" does not{note}: '
                                 "ignored pixels count as errors and the reported accuracy is wrong — add accuracy_param "
                                 f"{{ ignore_label: {fmt(x)} }}")
                elif misplaced and own is None:
                    once.first(layer.message)
                    x = number(layer.get("loss_param.ignore_label"))
                    ctx.report_node(layer.field("loss_param.ignore_label"), f'Accuracy "{layer.name}" sets '
                                    f"loss_param.ignore_label {fmt(x)}, which Accuracy does not read (it reads "
                                    "accuracy_param.ignore_label): ignored labels count as errors — write accuracy_param "
                                    f"{{ ignore_label: {fmt(x)} }}")
