"""L308 multinomial-logistic-without-softmax: multinomialLogisticLoss fed raw scores instead of probabilities."""

from __future__ import annotations

from protolint.diagnostics import Fix, TextEdit
from protolint.rule import Rule

from ._helpers import EXAMPLE_CLASSIFIER, EXAMPLE_INPUT, loss_inputs


# Layers whose output is not a probability distribution.
NOT_PROBABILITIES = frozenset(
    "InnerProduct Convolution Deconvolution Embed Scale Bias BatchNorm MVN LRN Pooling Eltwise Concat ReLU PReLU "
    "ELU TanH AbsVal BNLL Power Exp Log".split()
)


class MultinomialLogisticWithoutSoftmax(Rule):
    code = "L308"
    name = "multinomial-logistic-without-softmax"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("MultinomialLogisticLoss",)
    fixable = True
    summary = "MultinomialLogisticLoss fed raw scores instead of probabilities"
    what_it_does = (
        "Reports MultinomialLogisticLoss layers whose first bottom comes from a layer that does not output "
        "probabilities (InnerProduct, Convolution, Scale, BatchNorm, ReLU, Eltwise, Pooling, ...). Softmax, "
        "Sigmoid, data layers (pre-computed probabilities) and unknown producers are fine."
    )
    why_it_matters = (
        "The loss is -log(max(p, 1e-20)) with gradient -1/(N*max(p, 1e-20)): every raw value <= 0 is clamped to "
        "1e-20, the gradient reaches 1e20/N and the weights become inf/NaN."
    )
    example = EXAMPLE_INPUT + EXAMPLE_CLASSIFIER + 'layer { name: "loss" type: "MultinomialLogisticLoss" bottom: "fc" bottom: "label" top: "loss" }'
    how_to_fix = "Use SoftmaxWithLoss on the raw scores (numerically stable), or put a Softmax layer before the loss."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/multinomial_logistic_loss_layer.cpp:29-31 (Forward_cpu: -log(max(p, kLOG_THRESHOLD)))",
        "src/caffe/layers/multinomial_logistic_loss_layer.cpp:51-56 (Backward_cpu: the gradient -1/(N*p))",
    )

    def check(self, ctx):
        for graph, layer, use, top, once in loss_inputs(ctx, "MultinomialLogisticLoss"):
            source = top.layer
            if source.type not in NOT_PROBABILITIES or not once.first(use.node):
                continue
            fixes = []
            type_field = layer.message.last("type")
            if type_field is not None and not layer.synthetic:
                new = "SOFTMAX_LOSS" if layer.v1 else '"SoftmaxWithLoss"'
                fixes = [Fix("Use SoftmaxWithLoss on the raw scores", [TextEdit(type_field.value.start, type_field.value.end, new)],
                             safe=False)]
            ctx.report_node(use.node, f'MultinomialLogisticLoss "{layer.name}" reads raw values from {source.type} '
                            f'"{source.name}" but expects probabilities: every value ≤ 0 is clamped to 1e-20, the gradient '
                            "−1/(N·p) reaches 1e20/N and the weights become inf/NaN — put a Softmax before it, or use "
                            "SoftmaxWithLoss on the raw scores", fixes=fixes)
