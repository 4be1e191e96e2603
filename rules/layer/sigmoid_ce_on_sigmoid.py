"""L334 sigmoid-ce-on-sigmoid: sigmoidCrossEntropyLoss fed the output of a Sigmoid or Softmax."""

from __future__ import annotations

from protolint.rule import Rule

from ._helpers import EXAMPLE_CLASSIFIER, EXAMPLE_INPUT, loss_inputs


class SigmoidCeOnSigmoid(Rule):
    code = "L334"
    name = "sigmoid-ce-on-sigmoid"
    severity = "warning"
    applies_to = ("net",)
    layer_types = ("SigmoidCrossEntropyLoss",)
    summary = "SigmoidCrossEntropyLoss fed the output of a Sigmoid or Softmax"
    what_it_does = "Reports SigmoidCrossEntropyLoss layers whose first bottom comes from a Sigmoid (or Softmax)."
    why_it_matters = (
        "SigmoidCrossEntropyLoss applies the sigmoid itself: inputs already in [0, 1] are squashed again into [0.5, "
        "0.73], so the loss can never approach 0 and learning is weak."
    )
    example = EXAMPLE_INPUT + EXAMPLE_CLASSIFIER + (
        'layer { name: "sig" type: "Sigmoid" bottom: "fc" top: "sig" }\n'
        'layer { name: "loss" type: "SigmoidCrossEntropyLoss" bottom: "sig" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Feed the logits (the Sigmoid's input) to the loss; keep the Sigmoid only for a probability output."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/sigmoid_cross_entropy_loss_layer.cpp:79-98 (SigmoidCrossEntropyLossLayer::Forward_cpu: "
        "the loss of sigmoid(input))",
    )

    def check(self, ctx):
        for graph, layer, use, top, once in loss_inputs(ctx, "SigmoidCrossEntropyLoss"):
            source = top.layer
            if source.type in ("Sigmoid", "Softmax") and once.first(use.node):
                ctx.report_node(use.node, f'SigmoidCrossEntropyLoss "{layer.name}" reads the output of {source.type} '
                                f'"{source.name}": it applies the sigmoid itself, so inputs are squashed twice and learning is '
                                "weak — feed the logits")
