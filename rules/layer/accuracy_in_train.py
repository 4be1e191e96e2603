"""L347 accuracy-in-train: an Accuracy layer that also runs in the TRAIN net."""

from __future__ import annotations

from protolint.context import Once, PerNet
from protolint.diagnostics import Fix
from protolint.edits import insert_after_last
from protolint.rule import Rule

from .._format import and_more
from ._helpers import EXAMPLE_FLAT_NET


class AccuracyInTrain(Rule):
    code = "L347"
    name = "accuracy-in-train"
    severity = "info"
    applies_to = ("net",)
    layer_types = ("Accuracy",)
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
        group = PerNet()  # top-1 and top-5 of one net: one finding
        for net in ctx.nets():
            for state in net.train_states():
                for layer in net.layers_in(state):
                    if layer.type != "Accuracy" or not once.first(layer.message):
                        continue
                    fixes = []
                    if not layer.includes and not layer.excludes:
                        fixes = insert_after_last(ctx.source.text, layer.message, ("top",), "include { phase: TEST }", "Add include { phase: TEST }")
                    group.add(net, layer.message.last("name") or layer.message.last("type"), f'"{layer.name}"', fixes)
        for places in group:
            many = len(places) > 1
            fixes = [fix for _n, _l, layer_fixes in places for fix in layer_fixes]
            fix = ([Fix("Add include { phase: TEST }", [e for fix in fixes for e in fix.edits],
                        safe=all(f.safe for f in fixes))] if fixes else [])
            ctx.report_places(places, f"Accuracy {places[0][1]}{and_more(len(places) - 1, 'Accuracy layer')} also "
                              f"run{'' if many else 's'} in the TRAIN net: it costs time every iteration and only prints "
                              "training-batch accuracy — add include { phase: TEST } unless you want that", fixes=fix)
