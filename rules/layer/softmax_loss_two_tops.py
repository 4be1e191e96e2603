"""L329 softmax-loss-two-tops: softmaxWithLoss with a second (probability) top."""

from __future__ import annotations

from protolint.rule import Rule

from ._helpers import EXAMPLE_CLASSIFIER, EXAMPLE_INPUT


class SoftmaxLossTwoTops(Rule):
    code = "L329"
    name = "softmax-loss-two-tops"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("SoftmaxWithLoss",)
    summary = "SoftmaxWithLoss with a second (probability) top"
    what_it_does = "Reports SoftmaxWithLoss layers with two tops, whatever their loss_weight."
    why_it_matters = (
        "LossLayer adds exactly one loss weight, so a second top aborts with \"Check failed: top.size() == "
        "num_loss_weights (2 vs. 1)\"; with two loss_weight values the internal Softmax copies them and aborts with "
        "\"(1 vs. 2)\" (both reproduced by running Caffe). The second top exists only in forks (PR #6364 was never "
        "merged)."
    )
    example = EXAMPLE_INPUT + EXAMPLE_CLASSIFIER + 'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" top: "prob" }'
    how_to_fix = "Remove the second top and add a separate Softmax layer on the scores for the probabilities."
    version_notes = "Same in every BVLC release."
    references = (
        "src/caffe/layers/loss_layer.cpp:10-13 (LossLayer::LayerSetUp: one loss weight 1 when none is given)",
        "include/caffe/layer.hpp:389-393 (Layer::SetLossWeights: CHECK_EQ(top.size(), num_loss_weights))",
        "src/caffe/layers/softmax_loss_layer.cpp:14-21 (SoftmaxWithLossLayer::LayerSetUp: the internal Softmax "
        "copies the layer's parameters)",
    )

    def check(self, ctx):
        for _, layer in ctx.layers(("SoftmaxWithLoss",)):
            if len(layer.tops) == 2:
                ctx.report_node(layer.tops[1][1], f'SoftmaxWithLoss "{layer.name}" has a second (probability) top: BVLC Caffe '
                                'aborts either way ("Check failed: top.size() == num_loss_weights (2 vs. 1)", or "(1 vs. 2)" '
                                "with two loss_weights) — remove the second top and add a separate Softmax layer for the "
                                "probabilities")
