"""D606 mean-file-and-mean-value: transform_param with both mean_file and mean_value."""

from __future__ import annotations

from protolint.rule import Rule

from .._format import layer_name
from ._helpers import TRANSFORM_READERS, mean_values, transform_field


class MeanFileAndMeanValue(Rule):
    code = "D606"
    name = "mean-file-and-mean-value"
    severity = "error"
    applies_to = ("net",)
    layer_types = TRANSFORM_READERS
    summary = "transform_param with both mean_file and mean_value"
    what_it_does = "Reports data layers whose transformation has both `mean_file` and `mean_value`."
    why_it_matters = "The data transformer refuses it when the layer is set up: \"Cannot specify mean_file and mean_value at the same time\"."
    example = (
        'layer {\n  name: "data"\n  type: "Data"\n  top: "data"\n  top: "label"\n'
        '  transform_param { mean_file: "mean.binaryproto" mean_value: 104 }\n'
        '  data_param { source: "train_lmdb" backend: LMDB batch_size: 64 }\n}'
    )
    how_to_fix = "Keep one of them."
    version_notes = "Same in every Caffe version."
    references = (
        "src/caffe/data_transformer.cpp:20-38 (DataTransformer::DataTransformer: the two CHECKs)",
    )

    def check(self, ctx):
        for net, layer in ctx.layers(TRANSFORM_READERS, unbuilt=True):
            values = mean_values(layer)
            if values and transform_field(layer, "mean_file") is not None:
                first = layer.field("transform_param.mean_value")
                first = layer.sub("transform_param").first("mean_value") or first
                ctx.report(
                    first.name_start, first.name_end,
                    f'"{layer_name(layer)}" sets both mean_file and mean_value: Caffe aborts with "Cannot specify '
                    'mean_file and mean_value at the same time" — keep one',
                )
