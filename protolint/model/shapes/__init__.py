"""Static blob-shape inference, one pass over a state's BlobGraph in Caffe's layer order.

`infer_shapes(graph)` maps every blob version `(blob, version)` to its shape: a tuple of ints, with
None for an axis whose size is unknown (a Data layer's channels), or None when even the number of
axes is unknown. Shapes come only from what the file states: Input layers (and the legacy
`input`/`input_shape`/`input_dim` fields), DummyData, MemoryData, WindowData, and Data/ImageData
when the batch size and crop (or resize) fix them. They flow through the layers whose top shapes
Caffe computes from their parameters; anything else gives unknown tops. Nothing is guessed.

The same pass records the setup CHECKs that fail with those shapes (`shape_issues(graph)`), so the
shape rules only read the results. A layer whose CHECK fails, or whose parameters Caffe rejects
anyway (other rules report those), gets unknown tops, and a top with a dimension <= 0 is unknown to
the layers that read it: every problem is reported once, where it starts.

Everything is memoised per graph (graphs are cached per state by the Net), and linear in the
number of layers.
"""

from __future__ import annotations

from .common import Shape, ShapeIssue, count, fmt_shape, known
from .inference import Inference

__all__ = ["Shape", "ShapeIssue", "count", "fmt_shape", "infer_shapes", "known", "shape_issues"]


def infer_shapes(graph) -> dict:
    """{(blob, version): shape or None} for one BlobGraph (memoised per graph)."""
    return _result(graph).shapes


def shape_issues(graph) -> list[ShapeIssue]:
    """The shape CHECK failures found while inferring the graph's shapes, in layer order."""
    return _result(graph).issues


def _result(graph):
    found = graph.memo.get("shapes")
    if found is None:
        found = graph.memo["shapes"] = Inference(graph).run()
    return found
