"""L341 valid-normalization-old-caffe: ignore_label with VALID normalisation in Caffe before rc3 (0/0 when a batch is all ignored)."""

from __future__ import annotations

from protolint.model.facts import LOSS_TYPES
from protolint.rule import Rule

from ._helpers import EXAMPLE_INPUT


class ValidNormalizationOldCaffe(Rule):
    code = "L341"
    name = "valid-normalization-old-caffe"
    severity = "warning"
    applies_to = ("net",)
    layer_types = tuple(sorted(LOSS_TYPES))
    summary = "ignore_label with VALID normalisation in Caffe before rc3 (0/0 when a batch is all ignored)"
    what_it_does = (
        "For Caffe versions before rc3, reports loss layers with `loss_param.ignore_label` that normalise by the "
        "number of valid labels (`normalize: true`, the old default)."
    )
    why_it_matters = (
        "Before rc3 the loss was divided by the count of non-ignored labels without a lower bound: a batch in "
        "which every label is ignored gives 0/0 = NaN. PR #3296 (rc3) clamps the normaliser to at least 1."
    )
    example = EXAMPLE_INPUT + (
        'layer { name: "score" type: "Convolution" bottom: "data" top: "score" convolution_param { num_output: 21 kernel_size: 1 } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "score" bottom: "label" top: "loss" loss_param { ignore_label: 255 } }'
    )
    how_to_fix = "Upgrade Caffe (rc3 or later), or make sure no batch consists of ignored labels only."
    version_notes = "Only for --caffe-version rc1/rc2; rc3 and later are safe."
    example_caffe_version = "rc2"

    def check(self, ctx):
        if ctx.version_at_least("rc3"):
            return
        for _, layer in ctx.layers(LOSS_TYPES):
            node = layer.field("loss_param.ignore_label")
            if node is None or layer.field("loss_param.normalize") is not None and layer.get("loss_param.normalize") is False:
                continue
            if layer.has("loss_param.normalization") and layer.get("loss_param.normalization") != "VALID":
                continue
            ctx.report_node(node, f'loss "{layer.name}": with ignore_label, Caffe versions before rc3 divide the loss by the '
                            "number of valid labels without a lower bound: a batch where every label is ignored gives "
                            "0/0 = NaN — upgrade Caffe or avoid all-ignored batches" + ctx.version_note(),
                            severity=ctx.version_severity(self.severity, version_rule=True))
