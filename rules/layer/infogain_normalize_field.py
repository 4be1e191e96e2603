"""L332 infogain-normalize-field: infogainLoss with the deprecated loss_param.normalize (Caffe 1.0+ aborts)."""

from __future__ import annotations

from protolint.diagnostics import Fix, TextEdit
from protolint.rule import Rule

from ._helpers import EXAMPLE_CLASSIFIER, EXAMPLE_INPUT


class InfogainNormalizeField(Rule):
    code = "L332"
    name = "infogain-normalize-field"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("InfogainLoss",)
    fixable = True
    summary = "InfogainLoss with the deprecated loss_param.normalize (Caffe 1.0+ aborts)"
    what_it_does = "For Caffe 1.0 and later, reports `loss_param { normalize: ... }` on InfogainLoss layers."
    why_it_matters = (
        "Since 1.0 InfogainLossLayer::LayerSetUp aborts with \"normalize is deprecated. use \\\"normalization\\\"\" "
        "— stricter than the other losses, which still accept it."
    )
    example = EXAMPLE_INPUT + EXAMPLE_CLASSIFIER + (
        'layer { name: "loss" type: "InfogainLoss" bottom: "fc" bottom: "label" top: "loss" '
        'infogain_loss_param { source: "H.binaryproto" } loss_param { normalize: true } }'
    )
    how_to_fix = "Write `normalization: VALID` instead of `normalize: true`, `normalization: BATCH_SIZE` instead of `normalize: false`."
    version_notes = "Caffe 1.0 and later; earlier InfogainLoss read `normalize` like the other losses."
    references = (
        "src/caffe/layers/infogain_loss_layer.cpp:36-37 (InfogainLossLayer::LayerSetUp: CHECK(!has_normalize()))",
    )

    def check(self, ctx):
        if not ctx.version_at_least("1.0"):
            return
        for _, layer in ctx.layers(("InfogainLoss",)):
            node = layer.field("loss_param.normalize")
            if node is None:
                continue
            mode = "BATCH_SIZE" if node.scalar is False else "VALID"
            fixes = []
            if not layer.has("loss_param.normalization") and isinstance(node.scalar, bool):
                fixes = [Fix(f"Replace with normalization: {mode}", [TextEdit(node.start, node.end, f"normalization: {mode}")])]
            ctx.report_node(node, f'InfogainLoss "{layer.name}" uses the deprecated loss_param.normalize: since Caffe 1.0 it '
                            f'aborts with "normalize is deprecated. use \\"normalization\\"" — write normalization: {mode}',
                            fixes=fixes, severity=ctx.version_severity(self.severity, "1.0"))
