"""L322 pooling-pad-stochastic: padding on a STOCHASTIC pooling layer."""

from __future__ import annotations

from protolint.model.geometry import pooling_axes
from protolint.rule import Rule


class PoolingPadStochastic(Rule):
    code = "L322"
    name = "pooling-pad-stochastic"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("Pooling",)
    summary = "Padding on a STOCHASTIC pooling layer"
    what_it_does = "Reports `pool: STOCHASTIC` with a non-zero pad (pad, pad_h or pad_w)."
    why_it_matters = 'PoolingLayer::LayerSetUp aborts with "Padding implemented only for average and max pooling."'
    example = 'layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1" pooling_param { pool: STOCHASTIC kernel_size: 3 stride: 2 pad: 1 } }'
    how_to_fix = "Remove the pad, or use MAX/AVE pooling."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/pooling_layer.cpp:68-73 (PoolingLayer::LayerSetUp: CHECK on the pooling method when pad > "
        "0)",
    )

    def check(self, ctx):
        for _, layer in ctx.layers(("Pooling",)):
            if layer.get("pooling_param.pool") != "STOCHASTIC":
                continue
            pad = pooling_axes(layer, "pad")
            for value, node in ((pad.h, pad.h_node), (pad.w, pad.w_node)):
                if value and node is not None:
                    ctx.report_node(node, f'Pooling "{layer.name}" pads a STOCHASTIC pooling: Caffe aborts with "Padding '
                                    'implemented only for average and max pooling." — remove pad or use MAX/AVE')
                    break
