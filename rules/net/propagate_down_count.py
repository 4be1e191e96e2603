"""N216 propagate-down-count: propagate_down given, but not once per bottom."""

from __future__ import annotations

from protolint.rule import Rule

from .._format import layer_name


class PropagateDownCount(Rule):
    code = "N216"
    name = "propagate-down-count"
    severity = "error"
    applies_to = ("net",)
    summary = "propagate_down given, but not once per bottom"
    what_it_does = "Reports layers whose number of `propagate_down` values is neither 0 nor the number of bottoms."
    why_it_matters = (
        "Caffe aborts while building the net: \"propagate_down param must be specified either 0 or "
        "bottom_size times\"."
    )
    example = 'layer {\n  name: "loss"\n  type: "SoftmaxWithLoss"\n  bottom: "fc"\n  bottom: "label"\n  top: "loss"\n  propagate_down: false\n}'
    how_to_fix = "Give one propagate_down per bottom, in bottom order (e.g. `propagate_down: true propagate_down: false`)."
    version_notes = "Same in every Caffe version that has propagate_down."
    references = (
        "src/caffe/net.cpp:78-83 (Net::Init: CHECK on the number of propagate_down values)",
    )

    def check(self, ctx):
        for net in ctx.nets():
            for layer in net.layers:
                if not layer.message.has("propagate_down"):
                    continue  # (most layers: a lookup rather than a count)
                k = layer.message.count("propagate_down")
                if k and k != len(layer.bottoms):
                    first = layer.message.first("propagate_down")
                    ctx.report(
                        first.name_start, first.name_end,
                        f'layer "{layer_name(layer)}" has {k} propagate_down value(s) for {len(layer.bottoms)} bottom(s): '
                        'Caffe aborts with "propagate_down param must be specified either 0 or bottom_size times"',
                    )
