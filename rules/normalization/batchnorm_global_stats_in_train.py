"""B501 batchnorm-global-stats-in-train: use_global_stats: true in a net that is trained."""

from __future__ import annotations

from protolint.model.facts import WEIGHT_BEARING
from protolint.model.usage import initialisation
from protolint.rule import Rule


class BatchNormGlobalStatsInTrain(Rule):
    code = "B501"
    name = "batchnorm-global-stats-in-train"
    severity = "warning"
    applies_to = ("net",)
    layer_types = ("BatchNorm",)
    summary = "use_global_stats: true in a net that is trained"
    what_it_does = (
        "Reports BatchNorm layers that use global statistics in the states a solver trains the net in: "
        "`use_global_stats: true`, or the option unset with `phase: TEST` written on the layer (the "
        "default follows the layer's phase). Deploy nets are fine. Frozen statistics are how a BN-trained "
        "backbone is fine-tuned, so the severity follows how the net starts: silent when you say it is "
        "pretrained; an info naming the evidence when the text shows fine-tuning, or when the net is written "
        "with fillers (a training set-up whose weights come from `caffe train --weights`); a warning when you "
        "say it is trained from scratch, or when no layer has a filler either (a deploy net copied for "
        "training). `phase: TEST` on the layer is always a warning."
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
        "put it only in the deploy net. Keep it when fine-tuning with frozen, already trained statistics, and say "
        "so: a solver's `weights`, or the `pretrained` setting when the weights come from `caffe train --weights` "
        "or Python."
    )
    version_notes = (
        "One finding per net, at its first such layer (the others as related locations). When the text shows "
        "the net is fine-tuned (see missing-weight-filler) it is an info naming that evidence; when a solver's "
        "`weights` or the `pretrained` setting says so, nothing is reported."
    )
    references = (
        "src/caffe/layers/batch_norm_layer.cpp:98-105 (BatchNormLayer::Forward_cpu: with use_global_stats the "
        "stored mean and variance are used)",
        "src/caffe/layers/batch_norm_layer.cpp:149-161 (Forward_cpu: the input is divided by sqrt(variance + eps))",
    )

    def check(self, ctx):
        for net in ctx.nets():
            frozen, forced = [], []
            for layer in net.trained_layers():
                if layer.type != "BatchNorm":
                    continue
                node = layer.field("batch_norm_param.use_global_stats")
                phase = layer.message.last("phase")
                if node is not None and node.scalar is True:
                    frozen.append((layer, node))
                elif node is None and phase is not None and phase.scalar == "TEST":
                    forced.append((layer, phase))
            for layer, phase in forced:
                # Unset, use_global_stats follows the layer's phase, and `phase: TEST` forces it.
                ctx.report_node(phase, f"BatchNorm \"{layer.name}\" has `phase: TEST`, so it uses global statistics even "
                                "while training: they are never updated (0 from scratch) and activations blow up to NaN; "
                                "remove the phase field (use `include { phase: TEST }` to keep a layer out of training)")
            if frozen:
                self._report_frozen(ctx, net, frozen)

    def _report_frozen(self, ctx, net, frozen):
        init = initialisation(net)
        pretrained = init.pretrained()
        if pretrained and init.told:
            return  # fine-tuning from a .caffemodel with its statistics, as the user says
        layer, node = frozen[0]
        which = f'BatchNorm "{layer.name}"' + (f" and {len(frozen) - 1} more" if len(frozen) > 1 else "")
        related = [(n.name_start, n.name_end, f'BatchNorm "{other.name}" too') for other, n in frozen[1:20]]
        if pretrained:
            ctx.report_node(node, f"{which} keep{'s' if len(frozen) == 1 else ''} the statistics frozen while "
                            f"training: right when they come from the .caffemodel this net is fine-tuned from "
                            f"({init.reason()}); from scratch they are 0 and activations blow up to NaN",
                            severity="info", related=related)
            return
        if pretrained is None and _has_fillers(net):
            # Written as a training set-up (fillers), with the statistics frozen on purpose: the way a
            # BN-trained backbone is fine-tuned (Faster R-CNN, DeepLab, PSPNet, FCN-style nets), the
            # weights given as `caffe train --weights`, which no file shows.
            ctx.report_node(node, f"{which} use{'s' if len(frozen) == 1 else ''} global statistics while training: "
                            "the usual set-up for fine-tuning a BN-trained backbone, with the weights from `caffe train "
                            "--weights`, which the files do not show; from scratch the statistics stay 0 and "
                            "activations blow up to NaN at the first iteration — then remove use_global_stats from "
                            "the train net (set `pretrained = true` or `false` to say which)",
                            severity="info", related=related)
            return
        why = "you say it is trained from scratch" if pretrained is False else (
            "nothing shows the weights come from a .caffemodel (no layer of the net has a weight_filler either)")
        ctx.report_node(node, f"{which} use{'s' if len(frozen) == 1 else ''} global statistics while training and "
                        f"{why}: they are never updated (0 from scratch), inputs get multiplied by ~1/sqrt(eps) and "
                        "activations blow up to NaN — remove use_global_stats from the train net, or set "
                        "`pretrained = true` if you fine-tune from a .caffemodel (caffe train --weights)",
                        related=related)


def _has_fillers(net) -> bool:
    """Some trained layer with weights says how to fill them: the net was written for training, not
    copied from a deploy net (which has no fillers and freezes its statistics)."""
    return any(layer.type in WEIGHT_BEARING and layer.field(f"{WEIGHT_BEARING[layer.type]}.weight_filler") is not None
               for layer in net.trained_layers())
