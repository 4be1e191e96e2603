"""Inlay hints: the inferred shape of each top after its `top:` (`1×64×112×112`), from the same
shape inference the shape rules use (model.shapes), per state when the states differ."""

from __future__ import annotations

from lsprotocol import types as T

from ..tree import nets_of, shapes_by_state


def register(server) -> None:
    @server.feature(T.TEXT_DOCUMENT_INLAY_HINT, T.InlayHintOptions(resolve_provider=False))
    async def inlay_hints(ls, params: T.InlayHintParams):
        if not ls.workspace_state.inlay_hints_enabled():
            return []
        snapshot = await ls.scheduler.linted(params.text_document.uri)
        if snapshot is None:
            return []
        return shape_hints(snapshot, snapshot.offset(params.range.start), snapshot.offset(params.range.end))


def shape_label(per_state) -> str | None:
    """`1×64×112×112`, or `TRAIN 32×… · TEST 10×…` when the states differ; None when unknown."""
    from ...model.shapes import fmt_shape

    known = [(state, shape) for state, shape, _ in per_state if shape is not None and any(d is not None for d in shape)]
    if not known:
        return None
    distinct = {shape for _, shape in known}
    if len(distinct) == 1 and len(known) == len(per_state):
        return fmt_shape(known[0][1])
    return " · ".join(f"{state.describe()} {fmt_shape(shape)}" for state, shape in known)


def shape_hints(snapshot, start: int, end: int) -> list[T.InlayHint]:
    hints = []
    for net in nets_of(snapshot):
        for layer in net.layers:
            if layer.message.end < start or (layer.keyword is not None and layer.keyword.start > end):
                continue
            for _, node in layer.tops:
                value = node.value
                if not start <= value.end <= end:
                    continue
                label = shape_label(shapes_by_state(net, layer, node, "top"))
                if label is None:
                    continue
                hints.append(T.InlayHint(position=snapshot.position(value.end), label=label, kind=T.InlayHintKind.Type,
                                         padding_left=True, tooltip=f"inferred shape of blob `{node.scalar}`"))
    hints.sort(key=lambda h: (h.position.line, h.position.character))
    return hints
