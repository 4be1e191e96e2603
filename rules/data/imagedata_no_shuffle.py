"""D613 imagedata-no-shuffle: imageData in a training net without shuffle: true."""

from __future__ import annotations

from protolint.diagnostics import Fix, TextEdit
from protolint.rule import Rule
from protolint.syntax.nodes import Message

from .._format import layer_name
from ._helpers import _block_span


class ImageDataNoShuffle(Rule):
    code = "D613"
    name = "imagedata-no-shuffle"
    severity = "info"
    applies_to = ("net",)
    layer_types = ("ImageData",)
    fixable = True
    summary = "ImageData in a training net without shuffle: true"
    what_it_does = (
        "In the TRAIN state of a trained net, reports ImageData layers without `shuffle: true` — unless "
        "several ImageData layers read in step (images and label maps), which must not be shuffled separately."
    )
    why_it_matters = (
        "ImageData reads its list file in order (shuffle defaults to false). If the list is sorted by class, every "
        "batch holds a single class and training oscillates."
    )
    example = (
        'layer {\n  name: "data"\n  type: "ImageData"\n  top: "data"\n  top: "label"\n'
        '  image_data_param { source: "train.txt" batch_size: 32 }\n}\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 10 } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Set `shuffle: true` (or shuffle the list file once)."
    version_notes = "Same in every Caffe version."
    references = (
        "src/caffe/proto/caffe.proto:817 (ImageDataParameter.shuffle: default false)",
        "src/caffe/layers/image_data_layer.cpp:51-62 (ImageDataLayer::DataLayerSetUp shuffles only with shuffle: "
        "true)",
    )

    def check(self, ctx):
        for net in ctx.nets():
            if not net.train_states():
                continue
            for state in net.train_states():
                if sum(layer.type == "ImageData" for layer in net.layers_in(state)) > 1:
                    paired = True  # image and label lists read in step: shuffling one breaks the pairs
                    break
            else:
                paired = False
            if paired:
                continue
            for layer in net.layers_in_any(net.train_states()):
                if layer.type != "ImageData" or layer.get("image_data_param.shuffle") is True:
                    continue
                block = layer.message.last("image_data_param")
                fixes = None
                if block is not None and isinstance(block.value, Message) and not block.value.has("shuffle"):
                    inner = block.value
                    anchor = inner.fields[-1] if inner.fields else None
                    if anchor is not None:
                        fixes = [Fix("Set shuffle: true", [TextEdit(anchor.end, anchor.end, " shuffle: true")], safe=False)]
                ctx.report(*_block_span(layer, net, "image_data_param"), f'ImageData "{layer_name(layer)}" does not shuffle: if the list file is sorted by class, every batch '
                    "contains a single class and training oscillates — set shuffle: true (or shuffle the list file)", fixes=fixes)
