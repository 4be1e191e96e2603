"""Helpers shared by several solver rules."""

from __future__ import annotations

from protolint.diagnostics import Fix, TextEdit
from protolint.syntax.nodes import Scalar


def related(node, text):
    return [(node.name_start, node.name_end, text)] if node is not None else None


def case_fix(node, value: str, known) -> list[Fix] | None:
    """A safe fix when the value differs from a known name only in case or surrounding spaces."""
    match = {k.lower(): k for k in known}.get(value.strip().lower())
    if match is None or not isinstance(node.value, Scalar):
        return None
    return [Fix(f'Replace with "{match}"', [TextEdit(node.value.start, node.value.end, f'"{match}"')])]


FLT_MAX = 3.4028235e38
