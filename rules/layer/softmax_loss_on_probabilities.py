"""L307 softmax-loss-on-probabilities: softmaxWithLoss fed the output of a Softmax or Sigmoid."""

from __future__ import annotations

from protolint.rule import Rule

from ._helpers import EXAMPLE_CLASSIFIER, EXAMPLE_INPUT, loss_inputs


class SoftmaxLossOnProbabilities(Rule):
    code = "L307"
    name = "softmax-loss-on-probabilities"
    severity = "warning"
    applies_to = ("net",)
    layer_types = ("SoftmaxWithLoss",)
    summary = "SoftmaxWithLoss fed the output of a Softmax or Sigmoid"
    what_it_does = (
        "In each state, follows SoftmaxWithLoss's first bottom back through pass-through layers (Reshape, Flatten, "
        "Split, Dropout, ...) and reports it when it comes from a Softmax or Sigmoid in the same state. A Softmax "
        "that only exists in other states (a TEST-only `prob` output) or sits in a parallel branch is fine."
    )
    why_it_matters = (
        "SoftmaxWithLoss applies softmax itself: probabilities in [0, 1] are squashed a "
        "second time toward uniform, so the loss saturates near log(C) and the gradients become tiny — the net "
        "barely learns."
    )
    example = EXAMPLE_INPUT + EXAMPLE_CLASSIFIER + (
        'layer { name: "prob" type: "Softmax" bottom: "fc" top: "prob" }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "prob" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Feed the raw scores (the Softmax's input) to SoftmaxWithLoss; keep the Softmax only for a probability output, e.g. in TEST."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/softmax_loss_layer.cpp:14-21, 92 (SoftmaxWithLossLayer: an internal Softmax layer runs on "
        "the input)",
    )

    def check(self, ctx):
        for graph, layer, use, top, once in loss_inputs(ctx, "SoftmaxWithLoss"):
            source = top.layer
            if source.type in ("Softmax", "Sigmoid") and once.first(use.node):
                raw = source.bottoms[0][0] if source.bottoms else "its input"
                ctx.report_node(use.node, f'SoftmaxWithLoss "{layer.name}" reads "{use.node.scalar}", the output of '
                                f'{source.type} "{source.name}": it applies softmax again, so the loss saturates and gradients '
                                f'become tiny — feed the raw scores ("{raw}", the blob before "{source.name}")')
