"""L347 accuracy-in-train: an Accuracy layer that also runs in the TRAIN net."""

from __future__ import annotations

from protolint.context import Once
from protolint.edits import insert_after_last
from protolint.rule import Rule

from ._helpers import EXAMPLE_FLAT_NET


class AccuracyInTrain(Rule):
    code = "L347"
    name = "accuracy-in-train"
    severity = "info"
    applies_to = ("net",)
    fixable = True
    summary = "An Accuracy layer that also runs in the TRAIN net"
    what_it_does = "Reports Accuracy layers present in the TRAIN state of a trained net."
    why_it_matters = "It costs time every iteration and only prints the accuracy on the current training batch, which is rarely what is wanted."
    example = EXAMPLE_FLAT_NET + (
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }\n'
        'layer { name: "acc" type: "Accuracy" bottom: "fc" bottom: "label" top: "acc" }'
    )
    how_to_fix = "Add include { phase: TEST } to the Accuracy layer, unless you want training accuracy."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        once = Once()
        for net in ctx.nets():
            for state in net.train_states():
                for layer in net.layers_in(state):
                    if layer.type != "Accuracy" or not once.first(layer.message):
                        continue
                    fixes = []
                    if not layer.includes and not layer.excludes:
                        fixes = insert_after_last(ctx.source.text, layer.message, ("top",), "include { phase: TEST }", "Add include { phase: TEST }")
                    ctx.report_layer(layer, f'Accuracy "{layer.name}" also runs in the TRAIN net: it costs time every iteration '
                                 "and only prints training-batch accuracy — add include { phase: TEST } unless you want that", fixes=fixes)
