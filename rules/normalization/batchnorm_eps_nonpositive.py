"""B503 batchnorm-eps-nonpositive: batchNorm eps <= 0."""

from __future__ import annotations

from protolint.rule import Rule

from ._helpers import _batchnorm_layers


class BatchNormEpsNonpositive(Rule):
    code = "B503"
    name = "batchnorm-eps-nonpositive"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("BatchNorm",)
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
