"""L337 euclidean-on-integer-labels: euclideanLoss regressing onto the class label of a data layer."""

from __future__ import annotations

from protolint.context import Once
from protolint.model.dataflow import producer
from protolint.rule import Rule


_LABEL_SOURCES = frozenset("Data ImageData WindowData MemoryData".split())


class EuclideanOnIntegerLabels(Rule):
    code = "L337"
    name = "euclidean-on-integer-labels"
    severity = "info"
    applies_to = ("net",)
    layer_types = ("EuclideanLoss",)
    summary = "EuclideanLoss regressing onto the class label of a data layer"
    what_it_does = "Reports EuclideanLoss layers whose second bottom is the label top (top 1) of a Data, ImageData, WindowData or MemoryData layer."
    why_it_matters = "Those labels are scalar class indices: regressing onto them treats class 7 as 'closer' to 8 than to 2, which is rarely meant."
    example = (
        'layer { name: "d" type: "Data" top: "data" top: "label" data_param { source: "train_lmdb" backend: LMDB batch_size: 8 } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 1 } }\n'
        'layer { name: "l2" type: "EuclideanLoss" bottom: "fc" bottom: "label" top: "l2" }'
    )
    how_to_fix = "Use SoftmaxWithLoss for classification, or real-valued targets (e.g. from HDF5Data) for regression."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        once = Once()
        for net, state, graph in ctx.graphs():
            for layer in graph.layers:
                if layer.type != "EuclideanLoss" or len(layer.bottoms) < 2:
                    continue
                use = graph.bottom_use(layer, 1)
                top = producer(graph, use) if use is not None else None
                if top is not None and top.layer.type in _LABEL_SOURCES and top.index == 1 and once.first(use.node):
                    ctx.report_node(use.node, f'EuclideanLoss "{layer.name}" regresses onto the integer class label '
                                    f'"{use.node.scalar}": class indices are not a metric target — use SoftmaxWithLoss for '
                                    "classification, or a real-valued target (HDF5Data)")
