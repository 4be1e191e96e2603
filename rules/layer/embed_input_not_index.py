"""L371 embed-input-not-index: an Embed layer fed values that are not integer indices."""

from __future__ import annotations

from protolint.context import Once
from protolint.model.dataflow import producer
from protolint.model.facts import BVLC_LAYER_TYPES
from protolint.rule import Rule


# Producers of integer values: label tops of data layers, HDF5/Input/DummyData/Python, ArgMax indices.
_LABEL_TOP_SOURCES = frozenset("Data ImageData WindowData MemoryData".split())


_INDEX_SOURCES = frozenset("HDF5Data Input DummyData Python".split())


def _is_index(top) -> bool:
    layer = top.layer
    if layer.type in _INDEX_SOURCES:
        return True
    if layer.type in _LABEL_TOP_SOURCES:
        return top.index == 1
    if layer.type == "ArgMax":
        return layer.get("argmax_param.out_max_val") is not True
    return False


class EmbedInputNotIndex(Rule):
    code = "L371"
    name = "embed-input-not-index"
    severity = "warning"
    applies_to = ("net",)
    layer_types = ("Embed",)
    summary = "An Embed layer fed values that are not integer indices"
    what_it_does = (
        "Reports Embed layers whose input comes from a layer that does not produce integer indices (anything but "
        "a data layer's label top, HDF5Data, Input, DummyData, Python or an ArgMax). Unknown layer types are not judged."
    )
    why_it_matters = (
        "Embed truncates its input to ints and only DCHECKs the range: out-of-range values read "
        "out of bounds in release builds, and the layer cannot back-propagate to its input, so the layer that "
        "computes it gets no gradient from this path."
    )
    example = (
        'layer { name: "in" type: "Input" top: "data" input_param { shape { dim: 8 dim: 16 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 4 } }\n'
        'layer { name: "embed" type: "Embed" bottom: "fc" top: "vec" embed_param { num_output: 8 input_dim: 100 } }'
    )
    how_to_fix = "Feed token ids in [0, input_dim), e.g. from HDF5Data or an Input blob filled from Python."
    version_notes = "The Embed layer exists since Caffe rc3."
    references = (
        "src/caffe/layers/embed_layer.cpp:72-75 (EmbedLayer::Forward_cpu: static_cast<int> of the input, DCHECKs "
        "only)",
        "src/caffe/layers/embed_layer.cpp:88 (EmbedLayer::Backward_cpu: CHECK(!propagate_down[0]))",
    )

    def check(self, ctx):
        once = Once()
        for net, state, graph in ctx.graphs():
            for layer in graph.layers:
                if layer.type != "Embed" or not layer.bottoms:
                    continue
                use = graph.bottom_use(layer, 0)
                top = producer(graph, use) if use is not None else None
                if top is None or top.layer.type not in BVLC_LAYER_TYPES or _is_index(top) or not once.first(use.node):
                    continue
                p = top.layer
                ctx.report_node(use.node, f'Embed "{layer.name}" reads "{use.node.scalar}" from {p.type} "{p.name}", which does '
                                "not produce integer indices: values are truncated to ints and out-of-range indices read out of "
                                f'bounds in release builds (and the layer cannot pass gradient back to "{p.name}") — feed token '
                                "ids in [0, input_dim)")
