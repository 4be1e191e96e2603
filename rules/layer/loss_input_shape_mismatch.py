"""L343 loss-input-shape-mismatch: prediction and label shapes of a loss (or Accuracy) layer do not fit."""

from __future__ import annotations

from protolint.rule import Rule


class LossInputShapeMismatch(Rule):
    code = "L343"
    name = "loss-input-shape-mismatch"
    severity = "error"
    applies_to = ("net",)
    summary = "Prediction and label shapes of a loss (or Accuracy) layer do not fit"
    what_it_does = (
        "With known shapes, checks the Reshape CHECKs of loss layers: the first dimension of both bottoms "
        "(all LossLayers), label count = outer·inner of the prediction around the axis (SoftmaxWithLoss, "
        "InfogainLoss, Accuracy), equal counts (SigmoidCrossEntropyLoss), equal count(1) (EuclideanLoss), "
        "N×1×1×1 labels (MultinomialLogisticLoss), N×C×1×1 pairs and N×1×1×1 similarity (ContrastiveLoss)."
    )
    why_it_matters = "Caffe aborts when it sets up the layer, at the CHECK that compares the shapes."
    example = (
        'layer { name: "data" type: "Input" top: "pred" top: "label" input_param { shape { dim: 8 dim: 10 } '
        "shape { dim: 8 dim: 2 } } }\n"
        'layer {\n  name: "loss"\n  type: "SoftmaxWithLoss"\n  bottom: "pred"\n  bottom: "label"\n  top: "loss"\n}'
    )
    how_to_fix = (
        "Feed one class index per prediction position (an N×1 or N label for an N×C prediction); for "
        "regression losses give both inputs the same size."
    )
    version_notes = "No version differences known; checked against BVLC/caffe master (9b89154)."
    references = (
        "src/caffe/layers/loss_layer.cpp:19-20 (LossLayer::Reshape: the same first dimension)",
        "src/caffe/layers/softmax_loss_layer.cpp:47-51 (SoftmaxWithLossLayer::Reshape: label count)",
        "src/caffe/layers/infogain_loss_layer.cpp:60-64 (InfogainLossLayer::Reshape: label count)",
        "src/caffe/layers/accuracy_layer.cpp:31-35 (AccuracyLayer::Reshape: label count)",
        "src/caffe/layers/sigmoid_cross_entropy_loss_layer.cpp:41-42 (SigmoidCrossEntropyLossLayer::Reshape: equal "
        "counts)",
        "src/caffe/layers/euclidean_loss_layer.cpp:12-13 (EuclideanLossLayer::Reshape: equal count(1))",
        "src/caffe/layers/multinomial_logistic_loss_layer.cpp:14-16 (MultinomialLogisticLossLayer::Reshape: N x 1 x "
        "1 x 1 labels)",
        "src/caffe/layers/contrastive_loss_layer.cpp:13-20 (ContrastiveLossLayer::LayerSetUp: the pair and "
        "similarity shapes)",
    )

    def check(self, ctx):
        for issue, message in ctx.shape_issues("loss-shape-mismatch"):
            ctx.report_layer(issue.layer, message, node=issue.node)
