"""L364 exp-base-one: an Exp layer with base 1 (a constant output)."""

from __future__ import annotations

from protolint.rule import Rule
from protolint.syntax.nodes import number


class ExpBaseOne(Rule):
    code = "L364"
    name = "exp-base-one"
    severity = "warning"
    applies_to = ("net",)
    layer_types = ("Exp",)
    summary = "An Exp layer with base 1 (a constant output)"
    what_it_does = "Reports `exp_param { base: 1 }`."
    why_it_matters = "1^x is 1 for every input: the layer outputs a constant and its gradient (scaled by log(1) = 0) is zero, so nothing below it learns through it."
    example = 'layer { name: "exp" type: "Exp" bottom: "x" top: "y" exp_param { base: 1 } }'
    how_to_fix = "Use base -1 (e, the default) or another base."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for _, layer in ctx.layers(("Exp",)):
            node = layer.field("exp_param.base")
            if node is not None and number(node.scalar) == 1:
                ctx.report_node(node, f'Exp "{layer.name}" base 1: 1^x is constant 1, the layer passes no gradient — use '
                                "base −1 (e) or another base")
