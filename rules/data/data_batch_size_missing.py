"""D603 data-batch-size-missing: A data layer without batch_size."""

from __future__ import annotations

from protolint.context import node_span
from protolint.rule import Rule
from protolint.syntax.nodes import number

from .._format import layer_name
from ._helpers import _block_span


BATCH_PARAM = {"Data": "data_param", "HDF5Data": "hdf5_data_param", "WindowData": "window_data_param",
               "ImageData": "image_data_param"}


class DataBatchSizeMissing(Rule):
    code = "D603"
    name = "data-batch-size-missing"
    severity = "error"
    applies_to = ("net",)
    layer_types = tuple(BATCH_PARAM)
    summary = "A data layer without batch_size"
    what_it_does = (
        "Reports Data, HDF5Data and WindowData layers whose `batch_size` is unset or 0 (these have no "
        "default), and ImageData with an explicit `batch_size: 0`."
    )
    why_it_matters = (
        "The batch blobs get 0 items and Caffe aborts at setup — ImageData with \"Positive batch size "
        "required\", the others with the opaque \"Check failed: data_\" or a CHECK in the prefetch thread."
    )
    example = 'layer {\n  name: "data"\n  type: "Data"\n  top: "data"\n  top: "label"\n  data_param { source: "train_lmdb" backend: LMDB }\n}'
    how_to_fix = "Set batch_size in the layer's data parameter."
    version_notes = "Same in every Caffe version."
    references = (
        "src/caffe/proto/caffe.proto:671 (DataParameter.batch_size: no default)",
        "src/caffe/proto/caffe.proto:783 (HDF5DataParameter.batch_size: no default)",
        "src/caffe/proto/caffe.proto:1214 (WindowDataParameter.batch_size: no default)",
        "src/caffe/layers/image_data_layer.cpp:82-83 (ImageDataLayer::DataLayerSetUp: CHECK_GT(batch_size, 0))",
        "src/caffe/blob.cpp:131-135 (Blob::mutable_cpu_data: CHECK(data_), false for an empty blob)",
    )

    def check(self, ctx):
        for net, layer in ctx.layers(BATCH_PARAM, unbuilt=True):
            param = BATCH_PARAM[layer.type]
            node = layer.field(f"{param}.batch_size")
            value = number(node.scalar) if node is not None else None
            if layer.type == "ImageData":
                if node is None or value is None or value > 0:
                    continue
                detail = '"Positive batch size required"'
            else:
                if node is not None and (value is None or value > 0):
                    continue
                detail = 'the opaque "Check failed: data_" or a prefetch-thread CHECK'
            ctx.report(*node_span(node) if node is not None else _block_span(layer, net, param), f'{layer.type} "{layer_name(layer)}" has no batch_size{" (0)" if node is not None else ""}: the batch blobs '
                f"are empty and Caffe aborts ({detail}) — set {param} {{ batch_size: … }}")
