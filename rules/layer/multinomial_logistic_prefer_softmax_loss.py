"""L331 multinomial-logistic-prefer-softmax-loss: softmax followed by MultinomialLogisticLoss instead of SoftmaxWithLoss."""

from __future__ import annotations

from protolint.rule import Rule

from ._helpers import EXAMPLE_CLASSIFIER, EXAMPLE_INPUT, loss_inputs


class MultinomialLogisticPreferSoftmaxLoss(Rule):
    code = "L331"
    name = "multinomial-logistic-prefer-softmax-loss"
    severity = "info"
    applies_to = ("net",)
    layer_types = ("MultinomialLogisticLoss",)
    summary = "Softmax followed by MultinomialLogisticLoss instead of SoftmaxWithLoss"
    what_it_does = "Reports MultinomialLogisticLoss layers fed by a Softmax."
    why_it_matters = (
        "Softmax + MultinomialLogisticLoss computes the same loss as SoftmaxWithLoss but less stably: the "
        "probability is clamped at 1e-20 and the gradient -1/p can explode (BVLC issue #4084)."
    )
    example = EXAMPLE_INPUT + EXAMPLE_CLASSIFIER + (
        'layer { name: "prob" type: "Softmax" bottom: "fc" top: "prob" }\n'
        'layer { name: "loss" type: "MultinomialLogisticLoss" bottom: "prob" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Use SoftmaxWithLoss on the raw scores."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for graph, layer, use, top, once in loss_inputs(ctx, "MultinomialLogisticLoss"):
            if top.layer.type == "Softmax" and once.first(layer.message):
                ctx.report_layer(layer, f'MultinomialLogisticLoss "{layer.name}": Softmax + MultinomialLogisticLoss is '
                             "numerically weaker than SoftmaxWithLoss (the probability is clamped at 1e-20 and the gradient "
                             "−1/p can explode) — use SoftmaxWithLoss on the raw scores")
