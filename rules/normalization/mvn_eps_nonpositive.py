"""B511 mvn-eps-nonpositive: MVN eps <= 0 while normalising the variance."""

from __future__ import annotations

from ._helpers import NormRule


class MvnEpsNonpositive(NormRule):
    code = "B511"
    name = "mvn-eps-nonpositive"
    severity = "error"
    layer_types = ("MVN",)
    summary = "MVN eps <= 0 while normalising the variance"
    what_it_does = "Reports an MVN layer with `normalize_variance` true (the default) and `eps` of 0 or less."
    why_it_matters = (
        "MVN divides by sqrt(variance) + eps. With eps 0 any constant input region (a "
        "padded border, a dead ReLU channel, a constant image) divides 0 by 0: NaN; a negative eps can divide "
        "by zero or flip the sign."
    )
    example = 'layer { name: "mvn" type: "MVN" bottom: "data" top: "mvn" mvn_param { eps: 0 } }'
    how_to_fix = "Remove eps (default 1e-9) or use a small positive value."
    version_notes = "`eps` exists in MVNParameter since rc2."
    references = (
        "src/caffe/layers/mvn_layer.cpp:59-69 (MVNLayer::Forward_cpu: divides by sqrt(variance) + eps)",
    )

    def check(self, ctx):
        for net in ctx.nets():
            for layer in net.layers:
                if layer.type != "MVN" or layer.get("mvn_param.normalize_variance") is False:
                    continue
                node = layer.field("mvn_param.eps")
                if node is not None and isinstance(node.scalar, (int, float)) and node.scalar <= 0:
                    ctx.report_value(node, f"MVN \"{layer.name}\" eps {node.value.source_text}: eps is added to the standard "
                              "deviation, so a constant input region divides 0/0 = NaN — use eps > 0 (default 1e-9)")
