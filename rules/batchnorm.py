"""BatchNorm settings that stop learning, abort Caffe, or blow activations up."""

from protolint.rule import Rule


def _batchnorm_layers(ctx, trained_only: bool = False):
    for net in ctx.nets():
        layers = net.layers_in_any(net.train_states()) if trained_only else net.layers
        for layer in layers:
            if layer.type == "BatchNorm":
                yield net, layer


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
        "stack of them overflows to inf/NaN, the usual 'loss = 87.3365' (batch_norm_layer.cpp, reproduced "
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


class BatchNormParamLrNonzero(Rule):
    code = "B502"
    name = "batchnorm-param-lr-nonzero"
    severity = "error"
    applies_to = ("net",)
    summary = "A BatchNorm `param` block with lr_mult other than 0"
    what_it_does = "Reports `param { lr_mult: x }` with x != 0 on a BatchNorm layer (its three blobs are running statistics, not weights)."
    why_it_matters = (
        "Since Caffe rc4 the layer refuses it: `Cannot configure batch normalization statistics as layer "
        "parameters.` (batch_norm_layer.cpp, reproduced by running Caffe). Older Caffe let the solver "
        "update the statistics as if they were weights, corrupting them. A file net with exactly three "
        "param blocks is silently rewritten to lr_mult 0 when Caffe loads it; an inline net in a solver is not."
    )
    example = 'layer {\n  name: "bn1"\n  type: "BatchNorm"\n  bottom: "conv1"\n  top: "conv1"\n  param { lr_mult: 1 }\n}'
    how_to_fix = "Remove the param blocks (Caffe >= rc4 freezes the statistics itself) or set `lr_mult: 0` in each."
    version_notes = (
        "rc3 and earlier needed three `param { lr_mult: 0 }` blocks and silently trained the statistics "
        "otherwise (reported as a warning for --caffe-version rc3 and older); rc4+ adds them itself and "
        "rejects non-zero ones."
    )

    def check(self, ctx):
        for net, layer in _batchnorm_layers(ctx):
            params = layer.params()
            if not ctx.version_at_least("rc4") and net.trained and len(params) < 3 and not layer.v1:
                zeroed = sum(1 for p in params if p.last("lr_mult") is not None and p.last("lr_mult").scalar == 0)
                if zeroed == len(params):
                    ctx.report_node(layer.message.last("type") or layer.message,
                                    f"BatchNorm \"{layer.name}\" declares {len(params)} of its 3 `param` blocks: Caffe "
                                    f"{ctx.caffe_version} trains the others with lr_mult 1, corrupting the running mean and "
                                    "variance; add `param { lr_mult: 0 }` three times", severity="warning")
                    continue
            if len(params) == 3 and not net.embedded and ctx.version_at_least("rc4"):
                continue  # Caffe's file upgrade sets all three to lr_mult 0 (batchnorm-legacy-params says so)
            for param in params:
                lr = param.last("lr_mult")
                if lr is not None and not isinstance(lr.scalar, (int, float)):
                    continue  # an invalid value, already reported
                if lr is not None and lr.scalar == 0:
                    continue
                node = lr or param  # no lr_mult written: it is 1
                written = lr.value.source_text if lr is not None else "1 (the default)"
                if not ctx.version_at_least("rc4"):
                    ctx.report_node(node, f"BatchNorm \"{layer.name}\" param lr_mult {written}: Caffe {ctx.caffe_version} "
                                    "lets the solver update the running mean and variance as if they were weights, which "
                                    "corrupts them; use lr_mult: 0 on all three param blocks", severity="warning")
                else:
                    ctx.report_node(node, f"BatchNorm \"{layer.name}\" param lr_mult {written}: Caffe aborts (`Cannot "
                                    "configure batch normalization statistics as layer parameters`); use lr_mult: 0 or drop the param")


class BatchNormEpsNonpositive(Rule):
    code = "B503"
    name = "batchnorm-eps-nonpositive"
    severity = "error"
    applies_to = ("net",)
    summary = "BatchNorm eps <= 0"
    what_it_does = "Reports `batch_norm_param { eps: x }` with x <= 0."
    why_it_matters = "eps is added to the variance before the square root; with 0, any constant channel (dead ReLU, padding, batch of 1) divides 0 by 0: NaN. BVLC has no lower bound check."
    example = 'layer {\n  name: "bn1"\n  type: "BatchNorm"\n  bottom: "conv1"\n  top: "conv1"\n  batch_norm_param { eps: 0 }\n}'
    how_to_fix = "Use the default 1e-5 (cuDNN-based forks reject anything smaller)."

    def check(self, ctx):
        for net, layer in _batchnorm_layers(ctx):
            eps = layer.field("batch_norm_param.eps")
            if eps is not None and isinstance(eps.scalar, (int, float)) and eps.scalar <= 0:
                ctx.report_node(eps, f"BatchNorm \"{layer.name}\" eps {eps.value.source_text}: a constant channel gives 0/0 = NaN; "
                                "use eps: 1e-5")


class BatchNormMovingAverageFraction(Rule):
    code = "B504"
    name = "batchnorm-moving-average-fraction"
    severity = "error"
    applies_to = ("net",)
    summary = "BatchNorm moving_average_fraction outside [0, 1]"
    what_it_does = "Reports `moving_average_fraction` below 0 or above 1."
    why_it_matters = "Above 1 the running sums and their scale factor grow geometrically until inf/inf = NaN; below 0 they flip sign every iteration (batch_norm_layer.cpp)."
    example = 'layer {\n  name: "bn1"\n  type: "BatchNorm"\n  bottom: "conv1"\n  top: "conv1"\n  batch_norm_param { moving_average_fraction: 1.5 }\n}'
    how_to_fix = "Use a value in (0, 1]; the default 0.999 suits most nets (0.9 for short runs)."

    def check(self, ctx):
        for net, layer in _batchnorm_layers(ctx):
            maf = layer.field("batch_norm_param.moving_average_fraction")
            if maf is not None and isinstance(maf.scalar, (int, float)) and not 0 <= maf.scalar <= 1:
                ctx.report_node(maf, f"BatchNorm \"{layer.name}\" moving_average_fraction {maf.value.source_text} is outside [0, 1]: "
                                "the running statistics diverge (NaN); use 0.999")


class BatchNormWithoutScale(Rule):
    code = "B505"
    name = "batchnorm-without-scale"
    severity = "info"
    applies_to = ("net",)
    summary = "BatchNorm not followed by a Scale layer"
    what_it_does = "Reports a BatchNorm whose output is not read by a Scale layer."
    why_it_matters = "Caffe's BatchNorm only normalises; the learned scale and shift (gamma, beta) live in a separate Scale layer with `bias_term: true`. Without it the net cannot undo the normalisation, which usually costs accuracy."
    example = 'layer { name: "bn1" type: "BatchNorm" bottom: "conv1" top: "conv1" }\nlayer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }'
    how_to_fix = 'Add `layer { type: "Scale" bottom: X top: X scale_param { bias_term: true } }` after the BatchNorm.'

    def check(self, ctx):
        reported = set()
        for net in ctx.nets():
            for state in net.states():
                graph = net.graph(state)
                for layer in graph.layers:
                    if layer.type != "BatchNorm" or not layer.tops or id(layer.message) in reported:
                        continue
                    readers = graph.readers_of_top(layer)
                    if readers and not any(u.layer.type == "Scale" for u in readers):
                        reported.add(id(layer.message))
                        ctx.report_node(layer.message.last("type"), f"BatchNorm \"{layer.name}\" is not followed by a Scale layer: "
                                        "Caffe's BatchNorm has no learned scale/shift; add a Scale layer with bias_term: true")
