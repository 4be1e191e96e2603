"""B508 batchnorm-tiny-batch: A training BatchNorm that sees one value per channel (batch 1 after an InnerProduct)."""

from __future__ import annotations

from protolint.model.dataflow import producing_layer
from protolint.model.facts import SPATIAL_PRESERVING, batchnorm_global_stats
from protolint.syntax.nodes import Message, Scalar

from ._helpers import NormRule


_BATCH_FIELDS = {
    "Data": "data_param.batch_size",
    "ImageData": "image_data_param.batch_size",
    "HDF5Data": "hdf5_data_param.batch_size",
    "MemoryData": "memory_data_param.batch_size",
    "WindowData": "window_data_param.batch_size",
}


def _first_dim(message: Message | None) -> int | None:
    if message is None:
        return None
    for f in message.all("dim"):
        for value in f.values():
            return value.value if isinstance(value, Scalar) and isinstance(value.value, int) else None
    return None


def _batch_sizes(layer) -> list[int] | None:
    """The batch sizes a source layer produces; None when they cannot be told."""
    path = _BATCH_FIELDS.get(layer.type)
    if path is not None:
        value = layer.get(path)
        return [value] if isinstance(value, int) and not isinstance(value, bool) else None
    if layer.type == "Input":
        if layer.synthetic:
            return None
        block = layer.sub("input_param")
        shapes = [f.value for f in block.all("shape")] if block is not None else []
        sizes = [_first_dim(s) for s in shapes if isinstance(s, Message)]
        return sizes if sizes and all(s is not None for s in sizes) else None
    if layer.type == "DummyData":
        block = layer.sub("dummy_data_param")
        if block is None:
            return None
        shapes = [f.value for f in block.all("shape") if isinstance(f.value, Message)]
        if shapes:
            sizes = [_first_dim(s) for s in shapes]
        else:
            sizes = [v.value for f in block.all("num") for v in f.values() if isinstance(v, Scalar)]
        return sizes if sizes and all(isinstance(s, int) for s in sizes) else None
    return None


def _one_by_one(graph, layer) -> object | None:
    """The layer that makes a BatchNorm's input 1x1 spatial (an InnerProduct, a Flatten, a global
    pooling), following layers that keep the spatial size; None otherwise."""
    producer = producing_layer(graph, layer, 0, through=SPATIAL_PRESERVING)
    if producer is None:
        return None
    if producer.type in ("InnerProduct", "Flatten"):
        return producer
    if producer.type == "Pooling" and producer.get("pooling_param.global_pooling"):
        return producer
    return None


class BatchNormTinyBatch(NormRule):
    code = "B508"
    name = "batchnorm-tiny-batch"
    severity = "warning"
    layer_types = ("BatchNorm",)
    summary = "A training BatchNorm that sees one value per channel (batch 1 after an InnerProduct)"
    what_it_does = (
        "Reports a BatchNorm with batch statistics in the TRAIN state of a trained net when every data source of "
        "that state has batch size 1 (Data/ImageData/HDF5Data/MemoryData/WindowData batch_size — ImageData's "
        "default is 1 — or Input/DummyData dim 0) and the BatchNorm's input is 1x1 spatial: it comes from an "
        "InnerProduct, a Flatten or a global pooling, possibly through element-wise layers."
    )
    why_it_matters = (
        "BatchNorm averages over the batch and the spatial positions of each channel. "
        "With a single value per channel the mean is that value and the variance 0, so the output is exactly 0 "
        "(NaN with eps 0): nothing is learned through the layer."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 1 dim: 16 } shape { dim: 1 } } }\n'
        'layer { name: "fc1" type: "InnerProduct" bottom: "data" top: "fc1" inner_product_param { num_output: 8 weight_filler { type: "xavier" } } }\n'
        'layer { name: "bn1" type: "BatchNorm" bottom: "fc1" top: "fc1" }\n'
        'layer { name: "fc2" type: "InnerProduct" bottom: "fc1" top: "fc2" inner_product_param { num_output: 2 weight_filler { type: "xavier" } } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc2" bottom: "label" top: "loss" }'
    )
    how_to_fix = (
        "Train with a larger batch (iter_size does not help: each forward pass normalises its own batch), or freeze "
        "the layer with use_global_stats and pretrained statistics."
    )
    version_notes = "BatchNorm exists since rc3."
    references = (
        "src/caffe/layers/batch_norm_layer.cpp:106-161 (BatchNormLayer::Forward_cpu: batch mean and variance per "
        "channel, then normalisation)",
    )

    def check(self, ctx):
        reported = set()
        for net in ctx.nets():
            if not net.trained:
                continue
            for state in net.states():
                if state.phase != "TRAIN":
                    continue
                graph = net.graph(state)
                sources = [layer for layer in graph.layers if not layer.bottoms and layer.tops and layer.type != "Parameter"]
                sizes = [_batch_sizes(layer) for layer in sources]
                if not sources or any(s is None for s in sizes) or any(b != 1 for s in sizes for b in s):
                    continue
                for layer in graph.layers:
                    if layer.type != "BatchNorm" or id(layer) in reported:
                        continue
                    uses_global, _ = batchnorm_global_stats(layer, "TRAIN")
                    if uses_global is not False:
                        continue
                    cause = _one_by_one(graph, layer)
                    if cause is None:
                        continue
                    reported.add(id(layer))
                    ctx.report_layer(layer, f"BatchNorm \"{layer.name}\" sees one value per channel per batch in "
                              f"{state.describe()} (batch size 1, and its input from {cause.type} \"{cause.name}\" is 1x1): the "
                              "batch variance is 0, so the output is 0 (NaN with eps 0) and nothing is learned through it — "
                              "increase the batch size or use use_global_stats with pretrained statistics")
