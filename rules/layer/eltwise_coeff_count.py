"""L348 eltwise-coeff-count: eltwise coefficients not one per bottom."""

from __future__ import annotations

from protolint.rule import Rule

from ._helpers import eltwise_coeffs


class EltwiseCoeffCount(Rule):
    code = "L348"
    name = "eltwise-coeff-count"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("Eltwise",)
    summary = "Eltwise coefficients not one per bottom"
    what_it_does = "Reports Eltwise SUM/MAX layers whose number of `coeff` values is neither 0 nor the number of bottoms."
    why_it_matters = 'EltwiseLayer::LayerSetUp aborts with "Eltwise Layer takes one coefficient per bottom blob."'
    example = 'layer { name: "sum" type: "Eltwise" bottom: "a" bottom: "b" top: "c" eltwise_param { operation: SUM coeff: 1 } }'
    how_to_fix = "Give one coeff per bottom (e.g. coeff: 1 coeff: -1 for a difference), or none."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/eltwise_layer.cpp:13-14 (EltwiseLayer::LayerSetUp: CHECK on the number of coefficients)",
    )

    def check(self, ctx):
        for _, layer in ctx.layers(("Eltwise",)):
            coeffs = eltwise_coeffs(layer)
            if not coeffs or len(coeffs) == len(layer.bottoms) or layer.get("eltwise_param.operation") == "PROD":
                continue  # PROD with coefficients: eltwise-coeff-with-prod
            ctx.report_node(coeffs[0][1], f'Eltwise "{layer.name}" has {len(coeffs)} coeff values for {len(layer.bottoms)} '
                            'bottoms: Caffe aborts with "Eltwise Layer takes one coefficient per bottom blob." — give one coeff per bottom, or none')
