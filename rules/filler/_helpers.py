"""Helpers shared by several filler rules."""

from __future__ import annotations

from protolint.model.facts import WEIGHT_BEARING
from protolint.model.fillers import filler_uses
from protolint.model.params import learned_from_filler
from protolint.model.usage import initialisation
from protolint.syntax.nodes import Field, Message, Scalar


def trained_weight_layers(ctx):
    """(net, layer, parameter block) for the layers with weights in the states a solver trains each
    net in; a net that is only run forward gets its weights from a .caffemodel."""
    for net, layer in ctx.layers(trained=True):
        block = WEIGHT_BEARING.get(layer.type)
        if block is not None:
            yield net, layer, block


def trained_fillers(ctx, role: str, types: tuple[str, ...]):
    """(net, graph, layer, use) for the `role` fillers ("weight"/"bias") of the given filler types on
    weight-bearing layers a solver trains, whose blob is learned from its filled value."""
    index = 0 if role == "weight" else 1
    for net, graph, layer in ctx.trained_layers():
        if layer.type not in WEIGHT_BEARING:
            continue
        for use in filler_uses(layer):
            if use.role == role and use.type in types and learned_from_filler(layer, index, graph):
                yield net, graph, layer, use


def text_of(node: Field | None, fallback) -> str:
    if node is not None and isinstance(node.value, Scalar):
        return node.value.source_text
    return str(fallback)


def scale_filler(layer):
    """The `scale_param.filler` field of a one-bottom Scale layer (None otherwise)."""
    if layer.type != "Scale" or len(layer.bottoms) > 1:
        return None
    node = layer.field("scale_param.filler")
    return node if node is not None and isinstance(node.value, Message) else None


def starting_value_severity(net, severity: str) -> tuple[str, str]:
    """The severity of a finding about the values a filler starts a layer with, and a note for the
    message: as given when the net is trained from scratch; an info when it starts from a
    .caffemodel (as a solver or the setting says, or as its text shows), since then the filler is
    used only for the layers the .caffemodel does not have."""
    init = initialisation(net)
    if init.pretrained():
        return "info", (f" (this net starts from a .caffemodel — {init.reason()} — so the filler matters only if "
                        "that .caffemodel has no layer of this name)")
    return severity, ""
