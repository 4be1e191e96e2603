"""D605 hdf5-transform-param: HDF5Data with a transform_param block."""

from __future__ import annotations

from protolint.rule import Rule

from .._format import layer_name


class Hdf5TransformParam(Rule):
    code = "D605"
    name = "hdf5-transform-param"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("HDF5Data",)
    summary = "HDF5Data with a transform_param block"
    what_it_does = "Reports HDF5Data layers that have `transform_param`."
    why_it_matters = "HDF5Data refuses any transformation when it sets up the layer: \"HDF5Data does not transform data.\""
    example = (
        'layer {\n  name: "data"\n  type: "HDF5Data"\n  top: "data"\n  top: "label"\n  transform_param { scale: 0.0039 }\n'
        '  hdf5_data_param { source: "train.txt" batch_size: 64 }\n}'
    )
    how_to_fix = "Store normalised data in the HDF5 file, or scale it with a Power/Scale layer after the data layer."
    version_notes = "Same in every Caffe version."
    references = (
        "src/caffe/layers/hdf5_data_layer.cpp:76-78 (HDF5DataLayer::LayerSetUp: CHECK(!has_transform_param()))",
    )

    def check(self, ctx):
        for net, layer in ctx.layers(("HDF5Data",), unbuilt=True):
            node = layer.message.last("transform_param")
            if node is not None:
                ctx.report(
                    node.name_start, node.name_end,
                    f'HDF5Data "{layer_name(layer)}" has transform_param: Caffe aborts with "HDF5Data does not transform '
                    'data." — store normalised data in the HDF5 file, or use a Scale/Power layer',
                )
