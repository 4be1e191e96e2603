"""D615 input-shape-count: an Input layer whose number of shapes fits neither 1 nor its tops."""

from __future__ import annotations

from protolint.context import layer_span, node_span
from protolint.rule import Rule

from .._format import layer_name


class InputShapeCount(Rule):
    code = "D615"
    name = "input-shape-count"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("Input",)
    summary = "An Input layer whose number of shapes fits neither 1 nor its tops"
    what_it_does = (
        "Reports Input layers whose `input_param.shape` count is not 0, 1 or the number of tops, and Input layers "
        "with no shape at all whose tops other layers read."
    )
    why_it_matters = (
        "InputLayer aborts at setup: \"Must specify 'shape' once, once per top blob, or not at all\". With no shape "
        "at all it leaves its tops empty (0-D, no elements) and the first layer that reads one aborts when Caffe "
        "sets the net up (\"axis 1 out of range for 0-D blob\", or \"Check failed: count_ == top[i]->count() (0 vs. "
        "1)\", BVLC/caffe issue 4549) — before anything could reshape the blob from Python."
    )
    example = (
        'layer {\n  name: "input"\n  type: "Input"\n  top: "a"\n  top: "b"\n  top: "c"\n'
        '  input_param { shape { dim: 1 dim: 3 } shape { dim: 1 } }\n}'
    )
    how_to_fix = "Give one shape for all tops, or exactly one per top in top order."
    version_notes = "The Input layer exists since rc4."
    references = (
        "src/caffe/layers/input_layer.cpp:13-15 (InputLayer::LayerSetUp: CHECK on the number of shapes)",
    )

    def check(self, ctx):
        for net, layer in ctx.layers(("Input",), unbuilt=True):
            if layer.synthetic:
                continue
            block = layer.sub("input_param")
            shapes = [f for f in block.all("shape")] if block is not None else []
            k, n = sum(len(f.values()) for f in shapes), len(layer.tops)
            if k == 0:
                self._no_shape(ctx, net, layer)
                continue
            if k in (1, n):
                continue
            ctx.report(*node_span(shapes[0]), f'Input "{layer_name(layer)}" has {k} shapes for {n} tops: Caffe aborts with "Must specify \'shape\' '
                "once, once per top blob, or not at all\"")

    def _no_shape(self, ctx, net, layer):
        for state in net.states():
            graph = net.graph(state)
            if layer not in graph.layers:
                continue
            readers = [use.layer for j in range(len(layer.tops)) for use in graph.readers_of_top(layer, j)]
            if readers:
                reader = readers[0]
                ctx.report(*layer_span(layer), f'Input "{layer_name(layer)}" has no shape: its top "{layer.tops[0][0]}" '
                           f'stays empty (0-D) and {reader.type} "{layer_name(reader)}", which reads it, aborts when Caffe '
                           "sets the net up — give input_param { shape { dim: N dim: C dim: H dim: W } }")
                return
