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

from .common import Shape, ShapeIssue, ShapeResult, count, fmt_shape, known
from .inference import Inference

__all__ = ["Shape", "ShapeIssue", "ShapeResult", "count", "fmt_shape", "infer_shapes", "known", "shape_issues",
           "shape_result", "why_unknown"]


def infer_shapes(graph, inputs=()) -> dict:
    """{(blob, version): shape or None} for one BlobGraph (memoised per graph and input shapes).
    `inputs`: (blob, shape) pairs the user gave for blobs data layers produce (--input-shape)."""
    return shape_result(graph, inputs).shapes


def shape_issues(graph, inputs=()) -> list[ShapeIssue]:
    """The shape CHECK failures found while inferring the graph's shapes, in layer order."""
    return shape_result(graph, inputs).issues


def why_unknown(graph, inputs=()) -> dict:
    """{(blob, version): why its shape is not (fully) known} — for the tops whose shape has a None."""
    return shape_result(graph, inputs).why


def shape_result(graph, inputs=()) -> ShapeResult:
    """Shapes, issues and reasons of one graph (memoised per graph and input shapes)."""
    if isinstance(inputs, dict):
        inputs = sorted(inputs.items())
    inputs = tuple((name, tuple(dims)) for name, dims in inputs)
    key = ("shapes", inputs)
    found = graph.memo.get(key)
    if found is None:
        found = graph.memo[key] = Inference(graph, inputs).run()
    return found
