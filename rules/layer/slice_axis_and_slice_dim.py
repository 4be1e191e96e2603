"""L353 slice-axis-and-slice-dim: slice with both axis and the deprecated slice_dim."""

from __future__ import annotations

from ._helpers import AxisAndLegacyDim


class SliceAxisAndSliceDim(AxisAndLegacyDim):
    code = "L353"
    name = "slice-axis-and-slice-dim"
    severity = "error"
    layer_types = ("Slice",)
    summary = "Slice with both axis and the deprecated slice_dim"
    what_it_does = "Reports `slice_param` setting both `axis` and `slice_dim`."
    why_it_matters = 'SliceLayer::LayerSetUp aborts with "Either axis or slice_dim should be specified; not both."'
    example = 'layer { name: "slice" type: "Slice" bottom: "a" top: "b" top: "c" slice_param { axis: 1 slice_dim: 1 } }'
    how_to_fix = "Keep axis and remove slice_dim."
    version_notes = "`axis` was added in Caffe rc3 and replaces `slice_dim`; both fields are still parsed."
    references = (
        "src/caffe/layers/slice_layer.cpp:12-14 (SliceLayer::LayerSetUp: CHECK)",
    )
    layer_type, block, legacy = "Slice", "slice_param", "slice_dim"
