"""L363 exp-base-invalid: an Exp layer with a base <= 0."""

from __future__ import annotations

from protolint.rule import Rule
from protolint.syntax.nodes import number

from .._format import fmt


class ExpBaseInvalid(Rule):
    code = "L363"
    name = "exp-base-invalid"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("Exp",)
    summary = "An Exp layer with a base <= 0"
    what_it_does = "Reports `exp_param { base: b }` with b other than -1 (e) and b <= 0."
    why_it_matters = 'ExpLayer::LayerSetUp aborts with "base must be strictly positive."'
    example = 'layer { name: "exp" type: "Exp" bottom: "x" top: "y" exp_param { base: 0 } }'
    how_to_fix = "Use base -1 (the default, e) or a positive base such as 2."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/exp_layer.cpp:14 (ExpLayer::LayerSetUp: CHECK_GT(base, 0))",
    )

    def check(self, ctx):
        for _, layer in ctx.layers(("Exp",)):
            node = layer.field("exp_param.base")
            base = number(node.scalar) if node is not None else None
            if base is not None and base != -1 and base <= 0:
                ctx.report_node(node, f'Exp "{layer.name}" base {fmt(base)}: Caffe aborts with "base must be strictly '
                                'positive." — use base −1 (e) or a positive base')
