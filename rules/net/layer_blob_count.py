"""N211 layer-blob-count: A layer with a number of bottoms or tops its type does not accept."""

from __future__ import annotations

from protolint.model import facts

from protolint.context import layer_span
from protolint.rule import Rule

from .._format import layer_name


class LayerBlobCount(Rule):
    code = "N211"
    name = "layer-blob-count"
    severity = "error"
    applies_to = ("net",)
    summary = "A layer with a number of bottoms or tops its type does not accept"
    what_it_does = (
        "Checks each layer's number of bottoms and tops against what its type requires (e.g. Accuracy: 2 "
        "bottoms and 1-2 tops; Eltwise: at least 2 bottoms; Convolution: one top per bottom; Filter: one top "
        "fewer than bottoms). Loss layers get their missing top automatically. Python layers are exempt."
    )
    why_it_matters = (
        "Caffe checks the counts when it sets the layer up and aborts with e.g. \"Accuracy Layer produces at least 1 "
        "top blob(s) as output.\". Only loss layers get automatic tops."
    )
    example = 'layer {\n  name: "acc"\n  type: "Accuracy"\n  bottom: "fc"\n  bottom: "label"\n}'
    how_to_fix = "Add or remove bottoms/tops to match the layer type (see the message for the accepted counts)."
    version_notes = "Same in every Caffe version that has the layer type."
    references = (
        "include/caffe/layer.hpp:346-383 (Layer::CheckBlobCounts)",
        "src/caffe/net.cpp:108-121 (Net::Init: automatic tops for layers whose AutoTopBlobs() is true)",
    )

    def check(self, ctx):
        for net in ctx.nets():
            for layer in net.layers:
                counts = facts.blob_counts(layer)
                if counts is None:
                    continue
                failure = counts.violation(layer.type, len(layer.bottoms), len(layer.tops))
                if failure is None:
                    continue
                side, check = failure
                n_bottoms, n_tops = len(layer.bottoms), len(layer.tops)
                if layer.type == "Filter" and check.startswith("Check failed"):
                    spec = "one top per filtered bottom (#tops = #bottoms - 1)"
                elif counts.equal_bottom_top and "each bottom" in check:
                    spec = "one top per bottom"
                else:
                    spec = f"{counts.describe(side)} {side}(s)"
                have = f"{n_bottoms} bottom(s)" if side == "bottom" else f"{n_tops} top(s)"
                if side == "top" and counts.auto_tops and n_tops == 0:
                    have = "no top"
                ctx.report(*layer_span(layer), f'{layer.type} layer "{layer_name(layer)}" has {have} but takes {spec}: Caffe aborts with "{check}"')
