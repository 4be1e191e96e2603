"""L358 tile-tiles-missing: A Tile layer without a positive tiles count."""

from __future__ import annotations

from protolint.rule import Rule
from protolint.syntax.nodes import number

from .._format import fmt
from ._helpers import has_unknown_fields


class TileTilesMissing(Rule):
    code = "L358"
    name = "tile-tiles-missing"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("Tile",)
    summary = "A Tile layer without a positive tiles count"
    what_it_does = "Reports Tile layers whose `tile_param.tiles` is unset or <= 0."
    why_it_matters = 'TileLayer::Reshape aborts with "Number of tiles must be specified" or "Number of tiles must be positive."'
    example = 'layer { name: "tile" type: "Tile" bottom: "a" top: "b" tile_param { axis: 1 } }'
    how_to_fix = "Set tile_param { tiles: n } with n >= 1."
    version_notes = "The Tile layer exists since Caffe rc3."
    references = (
        "src/caffe/layers/tile_layer.cpp:13-15 (TileLayer::Reshape: the two CHECKs)",
    )

    def check(self, ctx):
        for _, layer in ctx.layers(("Tile",)):
            node = layer.field("tile_param.tiles")
            tiles = number(node.scalar) if node is not None else None
            if node is None and not has_unknown_fields(layer, "tile_param"):
                ctx.report_layer(layer, f'Tile "{layer.name}" has no positive tiles: Caffe aborts with '
                          '"Number of tiles must be specified" — set tile_param { tiles: n }', node=layer.field("tile_param"))
            elif tiles is not None and tiles <= 0:
                ctx.report_node(node, f'Tile "{layer.name}" has no positive tiles ({fmt(tiles)}): Caffe aborts with "Number of '
                                'tiles must be positive." — use tiles ≥ 1')
