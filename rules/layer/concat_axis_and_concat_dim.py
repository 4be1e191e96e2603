"""L352 concat-axis-and-concat-dim: concat with both axis and the deprecated concat_dim."""

from __future__ import annotations

from ._helpers import AxisAndLegacyDim


class ConcatAxisAndConcatDim(AxisAndLegacyDim):
    code = "L352"
    name = "concat-axis-and-concat-dim"
    severity = "error"
    layer_types = ("Concat",)
    summary = "Concat with both axis and the deprecated concat_dim"
    what_it_does = "Reports `concat_param` setting both `axis` and `concat_dim`."
    why_it_matters = 'ConcatLayer::LayerSetUp aborts with "Either axis or concat_dim should be specified; not both."'
    example = 'layer { name: "cat" type: "Concat" bottom: "a" bottom: "b" top: "c" concat_param { axis: 1 concat_dim: 1 } }'
    how_to_fix = "Keep axis and remove concat_dim."
    version_notes = "`axis` was added in Caffe rc3 and replaces `concat_dim`; both fields are still parsed."
    references = (
        "src/caffe/layers/concat_layer.cpp:11-13 (ConcatLayer::LayerSetUp: CHECK)",
    )
    layer_type, block, legacy = "Concat", "concat_param", "concat_dim"
