"""L349 eltwise-coeff-with-prod: eltwise PROD with coefficients."""

from __future__ import annotations

from protolint.edits import delete_fields
from protolint.rule import Rule

from ._helpers import eltwise_coeff_fields, eltwise_coeffs


class EltwiseCoeffWithProd(Rule):
    code = "L349"
    name = "eltwise-coeff-with-prod"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("Eltwise",)
    fixable = True
    summary = "Eltwise PROD with coefficients"
    what_it_does = "Reports `eltwise_param { operation: PROD }` with any `coeff`."
    why_it_matters = 'EltwiseLayer::LayerSetUp aborts with "Eltwise layer only takes coefficients for summation."'
    example = 'layer { name: "prod" type: "Eltwise" bottom: "a" bottom: "b" top: "c" eltwise_param { operation: PROD coeff: 1 coeff: 1 } }'
    how_to_fix = "Remove the coefficients (scale an input with a Power or Scale layer if needed), or use SUM."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/eltwise_layer.cpp:16-18 (EltwiseLayer::LayerSetUp: coefficients only with SUM)",
    )

    def check(self, ctx):
        for _, layer in ctx.layers(("Eltwise",)):
            coeffs = eltwise_coeffs(layer)
            if coeffs and layer.get("eltwise_param.operation") == "PROD":
                ctx.report_node(coeffs[0][1], f'Eltwise "{layer.name}" is PROD with coefficients: Caffe aborts with "Eltwise '
                                'layer only takes coefficients for summation." — remove the coefficients (or use SUM)',
                                fixes=delete_fields(ctx.source.text, "Remove the coefficients", eltwise_coeff_fields(layer), safe=False))
