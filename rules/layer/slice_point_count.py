"""L354 slice-point-count: A Slice with a slice_point count other than #tops - 1."""

from __future__ import annotations

from protolint.rule import Rule
from protolint.syntax.nodes import values


class SlicePointCount(Rule):
    code = "L354"
    name = "slice-point-count"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("Slice",)
    summary = "A Slice with a slice_point count other than #tops - 1"
    what_it_does = "Reports Slice layers that give `slice_point` values but not exactly one fewer than their tops."
    why_it_matters = 'SliceLayer::Reshape aborts with "Check failed: slice_point_.size() == top.size() - 1".'
    example = 'layer { name: "slice" type: "Slice" bottom: "a" top: "b" top: "c" top: "d" slice_param { slice_point: 10 } }'
    how_to_fix = "Give #tops - 1 slice points, or none to split evenly."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/slice_layer.cpp:42-43 (SliceLayer::Reshape: CHECK_EQ(slice_point_.size(), top.size() - 1))",
    )

    def check(self, ctx):
        for _, layer in ctx.layers(("Slice",)):
            points = values(layer.sub("slice_param"), "slice_point")
            if points and len(points) != len(layer.tops) - 1:
                ctx.report_node(points[0][1], f'Slice "{layer.name}" has {len(points)} slice_point values for {len(layer.tops)} '
                                'tops: Caffe aborts ("Check failed: slice_point_.size() == top.size() - 1") — give #tops−1 points')
