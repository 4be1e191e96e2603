"""L368 clip-min-gt-max: A Clip layer with min > max."""

from __future__ import annotations

from protolint.rule import Rule
from protolint.syntax.nodes import number

from .._format import fmt


class ClipMinGtMax(Rule):
    code = "L368"
    name = "clip-min-gt-max"
    severity = "warning"
    applies_to = ("net",)
    layer_types = ("Clip",)
    summary = "A Clip layer with min > max"
    what_it_does = "Reports `clip_param { min: a max: b }` with a > b."
    why_it_matters = "Clip computes max(min, min(x, max)) without checking the bounds: with min > max every output equals min, the layer is constant and passes no gradient."
    example = 'layer { name: "clip" type: "Clip" bottom: "x" top: "y" clip_param { min: 1 max: 0 } }'
    how_to_fix = "Swap the bounds (e.g. min: 0 max: 6 for ReLU6)."
    version_notes = "The Clip layer exists only in BVLC master after 1.0."
    references = (
        "src/caffe/layers/clip_layer.cpp:15-20 (ClipLayer::Forward_cpu: max(min, min(x, max)), no check of the "
        "bounds)",
    )

    def check(self, ctx):
        for _, layer in ctx.layers(("Clip",)):
            low, high = layer.field("clip_param.min"), layer.field("clip_param.max")
            a = number(low.scalar) if low is not None else None
            b = number(high.scalar) if high is not None else None
            if a is not None and b is not None and a > b:
                ctx.report_node(low, f'Clip "{layer.name}" has min {fmt(a)} > max {fmt(b)}: every output equals min, so the '
                                "layer is constant and passes no gradient — swap them")
