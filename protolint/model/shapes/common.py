"""Shapes, the issues shape inference records, and the small helpers its layer handlers share."""

from __future__ import annotations

from ...syntax.nodes import Message
from ..geometry import int_values as ints

# Plain classes, not dataclasses: creating a dataclass costs ~0.3 ms of start-up each.

Shape = tuple  # tuple[int | None, ...]


class ShapeIssue:
    """A setup CHECK that fails (or a top with a dimension <= 0) with the inferred shapes."""

    __slots__ = ("kind", "layer", "node", "message")

    def __init__(self, kind: str, layer: object, node: object, message: str):
        # what failed: nonpositive-dim, empty-window, pooling-non-4d, loss-shape-mismatch, shape-mismatch,
        # crop-too-large
        self.kind = kind
        self.layer = layer  # protolint.model.net.Layer
        self.node = node  # where to point; None: at the layer
        self.message = message

    def __repr__(self):
        return f"ShapeIssue({self.kind!r}, {self.layer!r}, {self.message!r})"


class ShapeResult:
    __slots__ = ("shapes", "issues", "why", "given")

    def __init__(self, shapes: dict, issues: list, why: dict, given: frozenset):
        self.shapes = shapes
        self.issues = issues
        self.why = why  # (blob, version) -> why its shape is not (fully) known, in words the user can act on
        self.given = given  # the blob names whose shape came from the input shapes the user gave


def fmt_shape(shape) -> str:
    if shape is None:
        return "?"
    if not shape:
        return "scalar"
    return "×".join("?" if d is None else str(d) for d in shape)


def known(shape) -> bool:
    return shape is not None and all(d is not None for d in shape)


def count(shape, start: int = 0, end: int | None = None):
    """Product of shape[start:end], None when an axis is unknown."""
    total = 1
    for d in shape[start:end]:
        if d is None:
            return None
        total *= d
    return total


def int_value(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def blob_shape(message) -> Shape | None:
    """A BlobShape message (`shape { dim: ... }`) as a tuple, None when a value is not an int."""
    if not isinstance(message, Message):
        return None
    dims = ints(message, "dim")
    if any(d is None for d in dims):
        return None
    return tuple(dims)


def canonical_axis(axis, num_axes: int):
    """Blob::CanonicalAxisIndex; None when out of range (Caffe aborts)."""
    if axis is None or not -num_axes <= axis < num_axes:
        return None
    return axis + num_axes if axis < 0 else axis


def checked_axis(inf, layer, shape, path: str):
    """The canonical axis a layer's `path` (e.g. "inner_product_param.axis") names in `shape`; None,
    with a shape-mismatch issue, when it is out of range (Caffe aborts at setup)."""
    axis = canonical_axis(int_value(layer.get(path)), len(shape))
    if axis is None:
        inf.issue("shape-mismatch", layer, layer.field(path), axis_error(layer, layer.get(path), shape))
    return axis


def axis_error(layer, axis, shape, field=None) -> str:
    return (f'{layer.type} "{layer.name}": axis {axis} is out of range for its {len(shape)}-D input '
            f'({fmt_shape(shape)}) — Caffe aborts at setup with "axis {axis} out of range for {len(shape)}-D input '
            'blob"')


def positive(shape) -> bool:
    """No dimension is known to be <= 0 (such a blob already got its own report)."""
    for d in shape:  # (a loop, not all(...): called for every blob of the net)
        if d is not None and d <= 0:
            return False
    return True
