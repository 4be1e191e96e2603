"""L361 log-base-invalid: A Log layer with a base <= 0 or equal to 1."""

from __future__ import annotations

from protolint.rule import Rule
from protolint.syntax.nodes import number

from .._format import fmt


class LogBaseInvalid(Rule):
    code = "L361"
    name = "log-base-invalid"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("Log",)
    summary = "A Log layer with a base <= 0 or equal to 1"
    what_it_does = "Reports `log_param { base: b }` with b other than -1 (natural log) and b <= 0 or b == 1."
    why_it_matters = (
        "LogLayer::LayerSetUp aborts with \"base must be strictly positive.\" for b <= 0, and for b == 1 it "
        "computes 1/log(1) = inf and aborts with \"Inf result: 1/log(base) = 1/log(1) = inf\"."
    )
    example = 'layer { name: "log" type: "Log" bottom: "prob" top: "logp" log_param { base: 1 } }'
    how_to_fix = "Use base -1 (the default: natural log) or a positive base other than 1, e.g. 10 or 2."
    version_notes = "The Log layer exists since Caffe rc3."
    references = (
        "src/caffe/layers/log_layer.cpp:12-27 (LogLayer::LayerSetUp: CHECK_GT(base, 0) and the NaN/inf CHECKs)",
    )

    def check(self, ctx):
        for _, layer in ctx.layers(("Log",)):
            node = layer.field("log_param.base")
            base = number(node.scalar) if node is not None else None
            if base is None or base == -1:
                continue
            if base <= 0:
                reason = 'Caffe aborts with "base must be strictly positive."'
            elif base == 1:
                reason = 'Caffe aborts with "Inf result: 1/log(base) = 1/log(1) = inf"'
            else:
                continue
            ctx.report_node(node, f'Log "{layer.name}" base {fmt(base)}: {reason} — use base −1 (natural log) or a '
                            "positive base ≠ 1")
