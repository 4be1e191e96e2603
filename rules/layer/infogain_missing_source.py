"""L333 infogain-missing-source: infogainLoss with two bottoms and no infogain_loss_param.source."""

from __future__ import annotations

from protolint.rule import Rule

from ._helpers import EXAMPLE_CLASSIFIER, EXAMPLE_INPUT, has_unknown_fields


class InfogainMissingSource(Rule):
    code = "L333"
    name = "infogain-missing-source"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("InfogainLoss",)
    summary = "InfogainLoss with two bottoms and no infogain_loss_param.source"
    what_it_does = "Reports InfogainLoss layers that have no third bottom (the H matrix) and no `infogain_loss_param.source`."
    why_it_matters = 'InfogainLossLayer::LayerSetUp aborts with "Infogain matrix source must be specified."'
    example = EXAMPLE_INPUT + EXAMPLE_CLASSIFIER + 'layer { name: "loss" type: "InfogainLoss" bottom: "fc" bottom: "label" top: "loss" }'
    how_to_fix = "Set infogain_loss_param { source: \"H.binaryproto\" }, or pass H as a third bottom."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/infogain_loss_layer.cpp:40-42 (InfogainLossLayer::LayerSetUp: without a third bottom, "
        "CHECK(has_source()))",
    )

    def check(self, ctx):
        for _, layer in ctx.layers(("InfogainLoss",)):
            if len(layer.bottoms) < 3 and not layer.has("infogain_loss_param.source") and not has_unknown_fields(
                    layer, "infogain_loss_param"):
                ctx.report_layer(layer, f'InfogainLoss "{layer.name}" has no H matrix: with two bottoms Caffe needs '
                             'infogain_loss_param.source and aborts with "Infogain matrix source must be specified." — set '
                             "source or pass H as a third bottom")
