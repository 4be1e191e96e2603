"""L305 dropout-ratio-range: A Dropout ratio outside (0, 1) in a layer that runs in TRAIN mode."""

from __future__ import annotations

from protolint.context import Once
from protolint.rule import Rule
from protolint.syntax.nodes import number

from .._format import fmt


def _phase_field(layer):
    f = layer.message.last("phase")
    return f.scalar if f is not None else None


class DropoutRatioRange(Rule):
    code = "L305"
    name = "dropout-ratio-range"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("Dropout",)
    summary = "A Dropout ratio outside (0, 1) in a layer that runs in TRAIN mode"
    what_it_does = (
        "Checks `dropout_param.dropout_ratio` of Dropout layers that run in TRAIN mode (the TRAIN state of a "
        "trained net, or a layer that carries `phase: TRAIN`): a ratio of 1 or more, or below 0, is an error; "
        "0 (dropout disabled) and ratios above 0.9 are reported as info."
    )
    why_it_matters = (
        "Caffe only DCHECKs 0 < ratio < 1, which release builds compile out. It scales the kept values by "
        "1/(1 - ratio): ratio 1 gives 0 * inf = NaN everywhere (reproduced by running Caffe). Outside [0, 1] "
        "the Bernoulli draw gets a probability outside [0, 1]: the CPU aborts in caffe_rng_bernoulli and the "
        "GPU produces garbage. In TEST the layer is the identity, so deploy nets are not affected."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 16 } shape { dim: 8 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 10 weight_filler { type: "xavier" } } }\n'
        'layer { name: "drop" type: "Dropout" bottom: "fc" top: "fc" dropout_param { dropout_ratio: 1.0 } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Use 0 < dropout_ratio < 1 (0.5 is the classic value); remove the layer to disable dropout."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/dropout_layer.cpp:14-17 (DropoutLayer::LayerSetUp: DCHECKs only, scale 1/(1 - ratio))",
        "src/caffe/layers/dropout_layer.cpp:37-42 (DropoutLayer::Forward_cpu: Bernoulli mask in TRAIN only)",
        "src/caffe/util/math_functions.cpp:319-323 (caffe_rng_bernoulli: CHECK_GE(p, 0), CHECK_LE(p, 1))",
    )

    def check(self, ctx):
        once = Once()
        for net in ctx.nets():
            candidates = []
            for state in net.train_states():
                candidates += [l for l in net.layers_in(state) if l.type == "Dropout" and _phase_field(l) != "TEST"]
            candidates += [l for l in net.built_layers() if l.type == "Dropout" and _phase_field(l) == "TRAIN"]
            for layer in candidates:
                node = layer.field("dropout_param.dropout_ratio")
                ratio = number(node.scalar) if node is not None else None
                if ratio is None or not once.first(node):
                    continue
                self._check(ctx, layer, node, ratio)

    @staticmethod
    def _check(ctx, layer, node, r):
        head = f'Dropout "{layer.name}" ratio {fmt(r)}: '
        tail = " — use 0 < dropout_ratio < 1 (typically 0.5)"
        if r == 1:
            ctx.report_node(node, head + "the kept values are scaled by 1/(1−1) = inf, so every output is NaN" + tail)
        elif r > 1 or r < 0:
            ctx.report_node(node, head + "the CPU aborts in caffe_rng_bernoulli and the GPU produces garbage" + tail)
        elif r == 0:
            ctx.report_node(node, head + "dropout is disabled (the layer copies its input in training too) — remove "
                            "the layer, or use a ratio such as 0.5", severity="info")
        elif r > 0.9:
            ctx.report_node(node, head + f"very aggressive: over 90% of the activations are dropped and the rest scaled "
                            f"by {1 / (1 - r):.3g}, so training is slow and noisy — typical ratios are 0.2 to 0.5",
                            severity="info")
