"""Input shapes the user gives (`--input-shape data=64,3,224,224`, the `input-shapes` setting): how
they are read, and which blobs they may name.

A given shape replaces what shape inference would find for a top of a layer whose shapes do not
come from its bottoms: a layer without bottoms (Input, Data, HDF5Data, ImageData, MemoryData, a
Python data layer, ...) or a layer protolint does not model (Python, a fork's type, a layer with
fields the schema does not know). Any rank is accepted; every dimension must be a positive integer.
"""

from __future__ import annotations

from .inference import _HANDLERS
from .reasons import unmodelled_reason


def parse_input_shape(text: str) -> tuple[str, tuple[int, ...]]:
    """`BLOB=N,C,H,W` -> ("BLOB", (N, C, H, W)); ValueError with a message naming what is wrong."""
    name, sep, dims_text = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise ValueError(f"{text!r}: expected BLOB=N,C,H,W (a blob name, '=', its dimensions separated by commas)")
    items = [item.strip() for item in dims_text.split(",")]
    if not dims_text.strip() or any(not item for item in items):
        raise ValueError(f"{text!r}: expected dimensions after '=', separated by commas (e.g. {name}=1,3,224,224)")
    dims = []
    for item in items:
        try:
            value = int(item)
        except ValueError:
            raise ValueError(f"{text!r}: {item!r} is not an integer") from None
        dims.append(value)
    problem = dims_problem(dims)
    if problem:
        raise ValueError(f"{text!r}: {problem}")
    return name, tuple(dims)


def dims_problem(dims) -> str | None:
    """What is wrong with a list of dimensions, or None."""
    if not dims:
        return "no dimensions given"
    for d in dims:
        if not isinstance(d, int) or isinstance(d, bool):
            return f"{d!r} is not an integer"
        if d <= 0:
            return f"dimension {d} is not positive (every dimension must be at least 1)"
    return None


def takes_input_shape(layer) -> bool:
    """Whether a given input shape applies to this layer's tops."""
    return not layer.bottoms or unmodelled_reason(layer, layer.type in _HANDLERS) is not None


def input_targets(net) -> set[str]:
    """The blob names an input shape may name in this net, over all of its layers."""
    return {name for layer in net.layers if takes_input_shape(layer) for name, _ in layer.tops}
