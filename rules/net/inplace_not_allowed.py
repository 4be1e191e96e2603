"""N215 inplace-not-allowed: A Reshape or Flatten layer written in place."""

from __future__ import annotations

from protolint.context import node_span
from protolint.rule import Rule

from .._format import layer_name


class InplaceNotAllowed(Rule):
    code = "N215"
    name = "inplace-not-allowed"
    severity = "error"
    applies_to = ("net",)
    summary = "A Reshape or Flatten layer written in place"
    what_it_does = "Reports Reshape and Flatten layers whose top has the name of their bottom."
    why_it_matters = (
        "Both layers share the bottom's data under a new shape and refuse in-place use: \"Reshape Layer does "
        "not allow in-place computation.\" (Flatten says the same with its own name)."
    )
    example = 'layer {\n  name: "flat"\n  type: "Flatten"\n  bottom: "pool5"\n  top: "pool5"\n}'
    how_to_fix = "Give the top a new name and let the following layers read it."
    version_notes = "Same in every Caffe version."
    references = (
        "src/caffe/layers/reshape_layer.cpp:10-11 (ReshapeLayer::LayerSetUp: CHECK_NE(top[0], bottom[0]))",
        "src/caffe/layers/flatten_layer.cpp:10-11 (FlattenLayer::Reshape: CHECK_NE(top[0], bottom[0]))",
    )

    def check(self, ctx):
        for net in ctx.nets():
            for layer in net.layers:
                if layer.type not in ("Reshape", "Flatten") or not layer.bottoms or not layer.tops:
                    continue
                if layer.tops[0][0] == layer.bottoms[0][0]:
                    ctx.report(*node_span(layer.tops[0][1]), f'{layer.type} layer "{layer_name(layer)}" cannot run in place: Caffe aborts with "{layer.type} '
                        'Layer does not allow in-place computation." — give the top a new name')
