"""Helpers shared by several normalization rules."""

from __future__ import annotations

from protolint.rule import Rule


def _batchnorm_layers(ctx, trained_only: bool = False):
    for net in ctx.nets():
        layers = net.layers_in_any(net.train_states()) if trained_only else net.layers
        for layer in layers:
            if layer.type == "BatchNorm":
                yield net, layer


class NormRule(Rule):
    applies_to = ("net",)


def _layer_phase(layer) -> str | None:
    node = layer.message.last("phase")
    return node.scalar if node is not None and node.scalar in ("TRAIN", "TEST") else None
