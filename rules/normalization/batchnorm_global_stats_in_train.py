"""B501 batchnorm-global-stats-in-train: use_global_stats: true in a net that is trained."""

from __future__ import annotations

from protolint.rule import Rule

from ._helpers import _batchnorm_layers


class BatchNormGlobalStatsInTrain(Rule):
    code = "B501"
    name = "batchnorm-global-stats-in-train"
    severity = "warning"
    applies_to = ("net",)
    summary = "use_global_stats: true in a net that is trained"
    what_it_does = (
        "Reports BatchNorm layers that use global statistics in the states a solver trains the net in: "
        "`use_global_stats: true`, or the option unset with `phase: TEST` written on the layer (the "
        "default follows the layer's phase). Deploy nets are fine."
    )
    why_it_matters = (
        "With global statistics the layer never updates its running mean and variance while training; "
        "from scratch they are 0, so each BatchNorm multiplies its input by 1/sqrt(eps) (about 316): a "
        "stack of them overflows to inf/NaN, the usual 'loss = 87.3365' (reproduced "
        "by running Caffe)."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 16 } shape { dim: 8 } } }\n'
        'layer {\n  name: "bn1"\n  type: "BatchNorm"\n  bottom: "data"\n  top: "data"\n  batch_norm_param { use_global_stats: true }\n}\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "data" bottom: "label" top: "loss" }'
    )
    how_to_fix = (
        "Remove `use_global_stats` (Caffe then uses batch statistics in TRAIN and global ones in TEST), or "
        "put it only in the deploy net. Keep it only when fine-tuning with frozen, already trained statistics: "
        "when the solver that trains the net names a .caffemodel in `weights`, the finding is only an info."
    )
    references = (
        "src/caffe/layers/batch_norm_layer.cpp:98-105 (BatchNormLayer::Forward_cpu: with use_global_stats the "
        "stored mean and variance are used)",
        "src/caffe/layers/batch_norm_layer.cpp:149-161 (Forward_cpu: the input is divided by sqrt(variance + eps))",
    )

    def check(self, ctx):
        for net, layer in _batchnorm_layers(ctx, trained_only=True):
            node = layer.field("batch_norm_param.use_global_stats")
            if node is not None and node.scalar is True:
                if net.pretrained:
                    # Fine-tuning with frozen statistics from the .caffemodel is a deliberate choice.
                    ctx.report_node(node, f"BatchNorm \"{layer.name}\" keeps the statistics of the pretrained weights "
                                    "frozen while training; fine when they come from the .caffemodel the solver loads",
                                    severity="info")
                    continue
                ctx.report_node(node, f"BatchNorm \"{layer.name}\" uses global statistics while training: they are never "
                                "updated (0 from scratch), inputs get multiplied by ~1/sqrt(eps) and activations blow up to "
                                "NaN; remove use_global_stats from the train net")
                continue
            phase = layer.message.last("phase")
            if node is None and phase is not None and phase.scalar == "TEST":
                # Unset, use_global_stats follows the layer's phase, and `phase: TEST` forces it.
                ctx.report_node(phase, f"BatchNorm \"{layer.name}\" has `phase: TEST`, so it uses global statistics even "
                                "while training: they are never updated (0 from scratch) and activations blow up to NaN; "
                                "remove the phase field (use `include { phase: TEST }` to keep a layer out of training)")
