"""L350 eltwise-coeff-with-max: eltwise MAX with coefficients (silently ignored)."""

from __future__ import annotations

from protolint.edits import delete_fields
from protolint.rule import Rule

from ._helpers import eltwise_coeff_fields, eltwise_coeffs


class EltwiseCoeffWithMax(Rule):
    code = "L350"
    name = "eltwise-coeff-with-max"
    severity = "warning"
    applies_to = ("net",)
    layer_types = ("Eltwise",)
    fixable = True
    summary = "Eltwise MAX with coefficients (silently ignored)"
    what_it_does = "Reports `eltwise_param { operation: MAX }` with coefficients (one per bottom)."
    why_it_matters = "Only SUM uses the coefficients; MAX silently ignores them, so the layer does not compute what the file says."
    example = 'layer { name: "max" type: "Eltwise" bottom: "a" bottom: "b" top: "c" eltwise_param { operation: MAX coeff: 0.5 coeff: 0.5 } }'
    how_to_fix = "Remove the coefficients, or use SUM if a weighted sum was meant."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for _, layer in ctx.layers(("Eltwise",)):
            coeffs = eltwise_coeffs(layer)
            if coeffs and len(coeffs) == len(layer.bottoms) and layer.get("eltwise_param.operation") == "MAX":
                ctx.report_node(coeffs[0][1], f'Eltwise "{layer.name}" is MAX with coefficients: Caffe silently ignores them — '
                                "remove them or use SUM",
                                fixes=delete_fields(ctx.source.text, "Remove the ignored coefficients", eltwise_coeff_fields(layer), safe=True))
