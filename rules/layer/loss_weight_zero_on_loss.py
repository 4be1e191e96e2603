"""L342 loss-weight-zero-on-loss: A loss layer whose loss_weight is 0."""

from __future__ import annotations

from protolint.model.facts import LOSS_TYPES
from protolint.rule import Rule
from protolint.syntax.nodes import number, values

from ._helpers import EXAMPLE_INPUT


class LossWeightZeroOnLoss(Rule):
    code = "L342"
    name = "loss-weight-zero-on-loss"
    severity = "info"
    applies_to = ("net",)
    layer_types = tuple(sorted(LOSS_TYPES))
    summary = "A loss layer whose loss_weight is 0"
    what_it_does = "Reports loss layers (SoftmaxWithLoss, EuclideanLoss, ...) whose every `loss_weight` is 0."
    why_it_matters = "Caffe computes and displays such a loss but skips it in the objective: it trains nothing. Fine for a monitor, surprising otherwise."
    example = EXAMPLE_INPUT + (
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 1 } }\n'
        'layer { name: "l2" type: "EuclideanLoss" bottom: "fc" bottom: "label" top: "l2" loss_weight: 0 }'
    )
    how_to_fix = "Remove loss_weight (a loss layer defaults to 1) or set the weight you want; keep 0 only for a monitoring loss."
    version_notes = "Same in every Caffe release."
    references = (
        "include/caffe/layer.hpp:389-403 (Layer::SetLossWeights: a zero loss weight is skipped)",
    )

    def check(self, ctx):
        for _, layer in ctx.layers(LOSS_TYPES):
            weights = values(layer.message, "loss_weight")
            numbers = [number(v) for v, _ in weights]
            if weights and all(w == 0 for w in numbers):
                ctx.report_layer(layer, f'loss layer "{layer.name}" has loss_weight 0: it is computed and '
                          "displayed but does not train anything — remove loss_weight (loss layers default to 1) unless this loss is only a monitor", node=weights[0][1])
