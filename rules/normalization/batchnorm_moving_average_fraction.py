"""B504 batchnorm-moving-average-fraction: batchNorm moving_average_fraction outside [0, 1]."""

from __future__ import annotations

from protolint.rule import Rule

from ._helpers import _batchnorm_layers


class BatchNormMovingAverageFraction(Rule):
    code = "B504"
    name = "batchnorm-moving-average-fraction"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("BatchNorm",)
    summary = "BatchNorm moving_average_fraction outside [0, 1]"
    what_it_does = "Reports `moving_average_fraction` below 0 or above 1."
    why_it_matters = "Above 1 the running sums and their scale factor grow geometrically until inf/inf = NaN; below 0 they flip sign every iteration."
    example = 'layer {\n  name: "bn1"\n  type: "BatchNorm"\n  bottom: "conv1"\n  top: "conv1"\n  batch_norm_param { moving_average_fraction: 1.5 }\n}'
    how_to_fix = "Use a value in (0, 1]; the default 0.999 suits most nets (0.9 for short runs)."
    references = (
        "src/caffe/layers/batch_norm_layer.cpp:137-146 (BatchNormLayer::Forward_cpu: the running sums and their "
        "scale factor are multiplied by moving_average_fraction each iteration)",
    )

    def check(self, ctx):
        for net, layer in _batchnorm_layers(ctx):
            maf = layer.field("batch_norm_param.moving_average_fraction")
            if maf is not None and isinstance(maf.scalar, (int, float)) and not 0 <= maf.scalar <= 1:
                ctx.report_node(maf, f"BatchNorm \"{layer.name}\" moving_average_fraction {maf.value.source_text} is outside [0, 1]: "
                                "the running statistics diverge (NaN); use 0.999")
