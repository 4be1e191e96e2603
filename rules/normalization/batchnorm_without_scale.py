"""B505 batchnorm-without-scale: batchNorm not followed by a Scale layer."""

from __future__ import annotations

from protolint.context import PerNet
from protolint.rule import Rule

from .._format import and_more


class BatchNormWithoutScale(Rule):
    code = "B505"
    name = "batchnorm-without-scale"
    severity = "info"
    applies_to = ("net",)
    layer_types = ("BatchNorm",)
    summary = "BatchNorm not followed by a Scale layer"
    what_it_does = "Reports a BatchNorm whose output is not read by a Scale layer."
    why_it_matters = "Caffe's BatchNorm only normalises; the learned scale and shift (gamma, beta) live in a separate Scale layer with `bias_term: true`. Without it the net cannot undo the normalisation, which usually costs accuracy."
    example = 'layer { name: "bn1" type: "BatchNorm" bottom: "conv1" top: "conv1" }\nlayer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }'
    how_to_fix = 'Add `layer { type: "Scale" bottom: X top: X scale_param { bias_term: true } }` after the BatchNorm.'

    def check(self, ctx):
        group = PerNet()
        for net in ctx.nets():
            for state in net.states():
                graph = net.graph(state)
                for layer in graph.layers:
                    if layer.type != "BatchNorm" or not layer.tops:
                        continue
                    readers = graph.readers_of_top(layer)
                    if readers and not any(u.layer.type == "Scale" for u in readers):
                        group.add(net, layer.message.last("type"), f'"{layer.name}"')
        for places in group:
            many = len(places) > 1
            ctx.report_places(places, f"BatchNorm {places[0][1]}{and_more(len(places) - 1, 'BatchNorm layer')} "
                              f"{'are' if many else 'is'} not followed by a Scale layer: Caffe's BatchNorm has no "
                              "learned scale/shift, so the next layer sees unit-variance inputs it cannot rescale — "
                              "add a Scale layer with bias_term: true, unless plain normalisation is what you want")
