"""What the loss layers are fed: probabilities vs. raw scores, class counts, H matrices, extra tops."""

from protolint.diagnostics import Fix, TextEdit
from protolint.rule import Rule

from .layers_common import (
    Once,
    bottom_use,
    channels,
    each_graph,
    effective_producer,
    has_unknown_fields,
    layers_of,
    report_layer,
)

_IN = 'layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 3 dim: 8 dim: 8 } shape { dim: 8 } } }\n'
_FC = 'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 10 weight_filler { type: "xavier" } } }\n'


def _loss_inputs(ctx, loss_type):
    """(graph, loss layer, bottom-0 use, effective producer top) once per loss bottom over all states."""
    once = Once()
    for net, state, graph in each_graph(ctx):
        for layer in graph.layers:
            if layer.type != loss_type or not layer.bottoms:
                continue
            use = bottom_use(graph, layer, 0)
            if use is None:
                continue
            top = effective_producer(graph, use)
            if top is not None:
                yield graph, layer, use, top, once


class SoftmaxLossOnProbabilities(Rule):
    code = "L307"
    name = "softmax-loss-on-probabilities"
    severity = "warning"
    applies_to = ("net",)
    summary = "SoftmaxWithLoss fed the output of a Softmax or Sigmoid"
    what_it_does = (
        "In each state, follows SoftmaxWithLoss's first bottom back through pass-through layers (Reshape, Flatten, "
        "Split, Dropout, ...) and reports it when it comes from a Softmax or Sigmoid in the same state. A Softmax "
        "that only exists in other states (a TEST-only `prob` output) or sits in a parallel branch is fine."
    )
    why_it_matters = (
        "SoftmaxWithLoss applies softmax itself (softmax_loss_layer.cpp): probabilities in [0, 1] are squashed a "
        "second time toward uniform, so the loss saturates near log(C) and the gradients become tiny — the net "
        "barely learns."
    )
    example = _IN + _FC + (
        'layer { name: "prob" type: "Softmax" bottom: "fc" top: "prob" }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "prob" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Feed the raw scores (the Softmax's input) to SoftmaxWithLoss; keep the Softmax only for a probability output, e.g. in TEST."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for graph, layer, use, top, once in _loss_inputs(ctx, "SoftmaxWithLoss"):
            source = top.layer
            if source.type in ("Softmax", "Sigmoid") and once.first(use.node):
                raw = source.bottoms[0][0] if source.bottoms else "its input"
                ctx.report_node(use.node, f'SoftmaxWithLoss "{layer.name}" reads "{use.node.scalar}", the output of '
                                f'{source.type} "{source.name}": it applies softmax again, so the loss saturates and gradients '
                                f'become tiny — feed the raw scores ("{raw}", the blob before "{source.name}")')


# Layers whose output is not a probability distribution (spec L308).
NOT_PROBABILITIES = frozenset(
    "InnerProduct Convolution Deconvolution Embed Scale Bias BatchNorm MVN LRN Pooling Eltwise Concat ReLU PReLU "
    "ELU TanH AbsVal BNLL Power Exp Log".split()
)


class MultinomialLogisticWithoutSoftmax(Rule):
    code = "L308"
    name = "multinomial-logistic-without-softmax"
    severity = "error"
    applies_to = ("net",)
    fixable = True
    summary = "MultinomialLogisticLoss fed raw scores instead of probabilities"
    what_it_does = (
        "Reports MultinomialLogisticLoss layers whose first bottom comes from a layer that does not output "
        "probabilities (InnerProduct, Convolution, Scale, BatchNorm, ReLU, Eltwise, Pooling, ...). Softmax, "
        "Sigmoid, data layers (pre-computed probabilities) and unknown producers are fine."
    )
    why_it_matters = (
        "The loss is -log(max(p, 1e-20)) with gradient -1/(N*max(p, 1e-20)) (multinomial_logistic_loss_layer.cpp): "
        "every raw value <= 0 is clamped to 1e-20, the gradient reaches 1e20/N and the weights become inf/NaN."
    )
    example = _IN + _FC + 'layer { name: "loss" type: "MultinomialLogisticLoss" bottom: "fc" bottom: "label" top: "loss" }'
    how_to_fix = "Use SoftmaxWithLoss on the raw scores (numerically stable), or put a Softmax layer before the loss."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for graph, layer, use, top, once in _loss_inputs(ctx, "MultinomialLogisticLoss"):
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


class SoftmaxLossTwoTops(Rule):
    code = "L329"
    name = "softmax-loss-two-tops"
    severity = "error"
    applies_to = ("net",)
    summary = "SoftmaxWithLoss with a second (probability) top"
    what_it_does = "Reports SoftmaxWithLoss layers with two tops, whatever their loss_weight."
    why_it_matters = (
        "LossLayer adds exactly one loss weight, so a second top aborts with \"Check failed: top.size() == "
        "num_loss_weights (2 vs. 1)\"; with two loss_weight values the internal Softmax copies them and aborts with "
        "\"(1 vs. 2)\" (loss_layer.cpp, softmax_loss_layer.cpp; both reproduced by running Caffe). The second top "
        "exists only in forks (PR #6364 was never merged)."
    )
    example = _IN + _FC + 'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" top: "prob" }'
    how_to_fix = "Remove the second top and add a separate Softmax layer on the scores for the probabilities."
    version_notes = "Same in every BVLC release."

    def check(self, ctx):
        for _, layer in layers_of(ctx, ("SoftmaxWithLoss",)):
            if len(layer.tops) == 2:
                ctx.report_node(layer.tops[1][1], f'SoftmaxWithLoss "{layer.name}" has a second (probability) top: BVLC Caffe '
                                'aborts either way ("Check failed: top.size() == num_loss_weights (2 vs. 1)", or "(1 vs. 2)" '
                                "with two loss_weights) — remove the second top and add a separate Softmax layer for the "
                                "probabilities")


class SoftmaxLossSingleClass(Rule):
    code = "L330"
    name = "softmax-loss-single-class"
    severity = "error"
    applies_to = ("net",)
    summary = "SoftmaxWithLoss over a single class"
    what_it_does = (
        "Reports SoftmaxWithLoss layers (softmax over axis 1) whose scores have one channel, e.g. from an "
        "InnerProduct with `num_output: 1`."
    )
    why_it_matters = "A softmax over one value is always 1: the loss is always 0 and no gradient flows, so nothing is learned."
    example = (
        _IN + 'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 1 } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Use num_output >= 2 (one score per class), or SigmoidCrossEntropyLoss for a single binary output."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        once = Once()
        for net, state, graph in each_graph(ctx):
            for layer in graph.layers:
                if layer.type != "SoftmaxWithLoss" or not layer.bottoms or layer.get("softmax_param.axis") not in (1, None):
                    continue
                if channels(graph, bottom_use(graph, layer, 0)) == 1 and once.first(layer.message):
                    report_layer(ctx, layer, f'SoftmaxWithLoss "{layer.name}" normalises over 1 class: the probability is always '
                                 "1, the loss always 0 and no gradient flows — use num_output ≥ 2, or SigmoidCrossEntropyLoss "
                                 "for a single binary output")


class MultinomialLogisticPreferSoftmaxLoss(Rule):
    code = "L331"
    name = "multinomial-logistic-prefer-softmax-loss"
    severity = "info"
    applies_to = ("net",)
    summary = "Softmax followed by MultinomialLogisticLoss instead of SoftmaxWithLoss"
    what_it_does = "Reports MultinomialLogisticLoss layers fed by a Softmax."
    why_it_matters = (
        "Softmax + MultinomialLogisticLoss computes the same loss as SoftmaxWithLoss but less stably: the "
        "probability is clamped at 1e-20 and the gradient -1/p can explode (BVLC issue #4084)."
    )
    example = _IN + _FC + (
        'layer { name: "prob" type: "Softmax" bottom: "fc" top: "prob" }\n'
        'layer { name: "loss" type: "MultinomialLogisticLoss" bottom: "prob" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Use SoftmaxWithLoss on the raw scores."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for graph, layer, use, top, once in _loss_inputs(ctx, "MultinomialLogisticLoss"):
            if top.layer.type == "Softmax" and once.first(layer.message):
                report_layer(ctx, layer, f'MultinomialLogisticLoss "{layer.name}": Softmax + MultinomialLogisticLoss is '
                             "numerically weaker than SoftmaxWithLoss (the probability is clamped at 1e-20 and the gradient "
                             "−1/p can explode) — use SoftmaxWithLoss on the raw scores")


class InfogainNormalizeField(Rule):
    code = "L332"
    name = "infogain-normalize-field"
    severity = "error"
    applies_to = ("net",)
    fixable = True
    summary = "InfogainLoss with the deprecated loss_param.normalize (Caffe 1.0+ aborts)"
    what_it_does = "For Caffe 1.0 and later, reports `loss_param { normalize: ... }` on InfogainLoss layers."
    why_it_matters = (
        "Since 1.0 InfogainLossLayer::LayerSetUp aborts with \"normalize is deprecated. use \\\"normalization\\\"\" "
        "(infogain_loss_layer.cpp) — stricter than the other losses, which still accept it."
    )
    example = _IN + _FC + (
        'layer { name: "loss" type: "InfogainLoss" bottom: "fc" bottom: "label" top: "loss" '
        'infogain_loss_param { source: "H.binaryproto" } loss_param { normalize: true } }'
    )
    how_to_fix = "Write `normalization: VALID` instead of `normalize: true`, `normalization: BATCH_SIZE` instead of `normalize: false`."
    version_notes = "Caffe 1.0 and later; earlier InfogainLoss read `normalize` like the other losses."

    def check(self, ctx):
        if not ctx.version_at_least("1.0"):
            return
        for _, layer in layers_of(ctx, ("InfogainLoss",)):
            node = layer.field("loss_param.normalize")
            if node is None:
                continue
            mode = "BATCH_SIZE" if node.scalar is False else "VALID"
            fixes = []
            if not layer.has("loss_param.normalization") and isinstance(node.scalar, bool):
                fixes = [Fix(f"Replace with normalization: {mode}", [TextEdit(node.start, node.end, f"normalization: {mode}")])]
            ctx.report_node(node, f'InfogainLoss "{layer.name}" uses the deprecated loss_param.normalize: since Caffe 1.0 it '
                            f'aborts with "normalize is deprecated. use \\"normalization\\"" — write normalization: {mode}',
                            fixes=fixes)


class InfogainMissingSource(Rule):
    code = "L333"
    name = "infogain-missing-source"
    severity = "error"
    applies_to = ("net",)
    summary = "InfogainLoss with two bottoms and no infogain_loss_param.source"
    what_it_does = "Reports InfogainLoss layers that have no third bottom (the H matrix) and no `infogain_loss_param.source`."
    why_it_matters = 'InfogainLossLayer::LayerSetUp aborts with "Infogain matrix source must be specified." (infogain_loss_layer.cpp).'
    example = _IN + _FC + 'layer { name: "loss" type: "InfogainLoss" bottom: "fc" bottom: "label" top: "loss" }'
    how_to_fix = "Set infogain_loss_param { source: \"H.binaryproto\" }, or pass H as a third bottom."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for _, layer in layers_of(ctx, ("InfogainLoss",)):
            if len(layer.bottoms) < 3 and not layer.has("infogain_loss_param.source") and not has_unknown_fields(
                    layer, "infogain_loss_param"):
                report_layer(ctx, layer, f'InfogainLoss "{layer.name}" has no H matrix: with two bottoms Caffe needs '
                             'infogain_loss_param.source and aborts with "Infogain matrix source must be specified." — set '
                             "source or pass H as a third bottom")


class SigmoidCeOnSigmoid(Rule):
    code = "L334"
    name = "sigmoid-ce-on-sigmoid"
    severity = "warning"
    applies_to = ("net",)
    summary = "SigmoidCrossEntropyLoss fed the output of a Sigmoid or Softmax"
    what_it_does = "Reports SigmoidCrossEntropyLoss layers whose first bottom comes from a Sigmoid (or Softmax)."
    why_it_matters = (
        "SigmoidCrossEntropyLoss applies the sigmoid itself (sigmoid_cross_entropy_loss_layer.cpp): inputs already "
        "in [0, 1] are squashed again into [0.5, 0.73], so the loss can never approach 0 and learning is weak."
    )
    example = _IN + _FC + (
        'layer { name: "sig" type: "Sigmoid" bottom: "fc" top: "sig" }\n'
        'layer { name: "loss" type: "SigmoidCrossEntropyLoss" bottom: "sig" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Feed the logits (the Sigmoid's input) to the loss; keep the Sigmoid only for a probability output."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for graph, layer, use, top, once in _loss_inputs(ctx, "SigmoidCrossEntropyLoss"):
            source = top.layer
            if source.type in ("Sigmoid", "Softmax") and once.first(use.node):
                ctx.report_node(use.node, f'SigmoidCrossEntropyLoss "{layer.name}" reads the output of {source.type} '
                                f'"{source.name}": it applies the sigmoid itself, so inputs are squashed twice and learning is '
                                "weak — feed the logits")


LOSS_RULES = [
    SoftmaxLossOnProbabilities,
    MultinomialLogisticWithoutSoftmax,
    SoftmaxLossTwoTops,
    SoftmaxLossSingleClass,
    MultinomialLogisticPreferSoftmaxLoss,
    InfogainNormalizeField,
    InfogainMissingSource,
    SigmoidCeOnSigmoid,
]
