"""L355 slice-point-order: slice points not strictly increasing (or starting at 0)."""

from __future__ import annotations

from protolint.rule import Rule
from protolint.syntax.nodes import number, values

from .._format import fmt


class SlicePointOrder(Rule):
    code = "L355"
    name = "slice-point-order"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("Slice",)
    summary = "Slice points not strictly increasing (or starting at 0)"
    what_it_does = "Reports Slice layers whose `slice_point` values are not strictly increasing, or whose first point is 0."
    why_it_matters = 'SliceLayer::Reshape aborts with "Check failed: slice_point_[i] > prev".'
    example = 'layer { name: "slice" type: "Slice" bottom: "a" top: "b" top: "c" top: "d" slice_param { slice_point: 20 slice_point: 10 } }'
    how_to_fix = "List the points in increasing order, each > 0 (they are offsets along the axis, not sizes)."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/slice_layer.cpp:49-50 (SliceLayer::Reshape: CHECK_GT(slice_point_[i], prev))",
    )

    def check(self, ctx):
        for _, layer in ctx.layers(("Slice",)):
            points = values(layer.sub("slice_param"), "slice_point")
            previous = 0
            for value, node in points:
                v = number(value)
                if v is None:
                    break
                if v <= previous:
                    listed = ", ".join(fmt(number(x)) for x, _ in points)
                    ctx.report_node(node, f'Slice "{layer.name}" slice_point values {listed} must be strictly increasing and '
                                    '> 0: Caffe aborts ("Check failed: slice_point_[i] > prev") — list increasing offsets along the axis')
                    break
                previous = v
