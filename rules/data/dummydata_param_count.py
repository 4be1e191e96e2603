"""D616 dummydata-param-count: dummyData fillers or shapes that fit neither 1 nor its tops."""

from __future__ import annotations

from protolint.context import node_span
from protolint.rule import Rule
from protolint.syntax.nodes import Message

from .._format import layer_name
from ._helpers import _block_span


def _dummy_problem(block: Message, n: int):
    fillers = block.all("data_filler")
    if len(fillers) not in (0, 1, n):
        return fillers[0], "data_filler", len(fillers), "Number of data fillers must be 0, 1 or equal to the number of tops"
    legacy = {name: block.count(name) for name in ("num", "channels", "height", "width")}
    shapes = block.all("shape")
    if any(legacy.values()):
        if shapes:
            return shapes[0], "shape", len(shapes), "Both shape and legacy fields were specified"
        for name, k in legacy.items():
            if k not in (1, n):
                return block.first(name), name, k, f"Must specify '{name}' once, or once per top blob"
        return None
    if len(shapes) not in (1, n):
        return (shapes[0] if shapes else None), "shape", len(shapes), "Must specify 'shape' once, or once per top blob"
    return None


class DummyDataParamCount(Rule):
    code = "D616"
    name = "dummydata-param-count"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("DummyData",)
    summary = "DummyData fillers or shapes that fit neither 1 nor its tops"
    what_it_does = (
        "Checks DummyData in Caffe's order: `data_filler` count 0, 1 or #tops; legacy num/channels/height/width "
        "not together with `shape`; each legacy field once or once per top; otherwise `shape` once or once per top."
    )
    why_it_matters = "DummyDataLayer aborts at setup with the CHECK for the count that does not fit."
    example = (
        'layer {\n  name: "dummy"\n  type: "DummyData"\n  top: "a"\n  top: "b"\n'
        '  dummy_data_param { shape { dim: 1 } shape { dim: 2 } shape { dim: 3 } }\n}'
    )
    how_to_fix = "Give one shape (and filler) for all tops, or one per top; do not mix `shape` with num/channels/height/width."
    version_notes = "Same in every Caffe version that has DummyData `shape`."
    references = (
        "src/caffe/layers/dummy_data_layer.cpp:14-41 (DummyDataLayer::LayerSetUp: CHECKs on the numbers of data "
        "fillers, shapes and legacy dimensions)",
    )

    def check(self, ctx):
        for net, layer in ctx.layers(("DummyData",), unbuilt=True):
            block = layer.sub("dummy_data_param")
            n = len(layer.tops)
            problem = _dummy_problem(block, n) if block is not None else (None, "shape", 0, "Must specify 'shape' once, or once per top blob")
            if problem is None:
                continue
            node, field_name, k, check = problem
            span = node_span(node) if node is not None else _block_span(layer, net, "dummy_data_param")
            ctx.report(*span, f'DummyData "{layer_name(layer)}": {field_name} given {k} time(s) for {n} top(s) — Caffe aborts ("{check}")')
