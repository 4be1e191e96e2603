"""B502 batchnorm-param-lr-nonzero: A BatchNorm `param` block with lr_mult other than 0."""

from __future__ import annotations

from protolint.rule import Rule

from ._helpers import _batchnorm_layers


class BatchNormParamLrNonzero(Rule):
    code = "B502"
    name = "batchnorm-param-lr-nonzero"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("BatchNorm",)
    summary = "A BatchNorm `param` block with lr_mult other than 0"
    what_it_does = "Reports `param { lr_mult: x }` with x != 0 on a BatchNorm layer (its three blobs are running statistics, not weights)."
    why_it_matters = (
        "Since Caffe rc4 the layer refuses it when it is set up: `Cannot configure batch normalization statistics "
        "as layer parameters.` (reproduced by running Caffe). Older Caffe let the solver "
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
    references = (
        "src/caffe/layers/batch_norm_layer.cpp:37-48 (BatchNormLayer::LayerSetUp: CHECK that every param block has "
        "lr_mult 0)",
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
                                    "variance; add `param { lr_mult: 0 }` three times", severity=ctx.version_severity("warning", "rc4"))
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
                                    "corrupts them; use lr_mult: 0 on all three param blocks", severity=ctx.version_severity("warning", "rc4"))
                else:
                    ctx.report_node(node, f"BatchNorm \"{layer.name}\" param lr_mult {written}: Caffe aborts (`Cannot "
                                    "configure batch normalization statistics as layer parameters`); use lr_mult: 0 or drop the param")
