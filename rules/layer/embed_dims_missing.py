"""L370 embed-dims-missing: an Embed layer without num_output or input_dim."""

from __future__ import annotations

from protolint.rule import Rule

from ._helpers import has_unknown_fields, unset_or_zero


class EmbedDimsMissing(Rule):
    code = "L370"
    name = "embed-dims-missing"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("Embed",)
    summary = "An Embed layer without num_output or input_dim"
    what_it_does = "Reports Embed layers whose `embed_param.num_output` or `embed_param.input_dim` is unset or 0."
    why_it_matters = 'EmbedLayer::LayerSetUp aborts with "EmbedLayer num_output must be positive." / "EmbedLayer input_dim must be positive."'
    example = 'layer { name: "embed" type: "Embed" bottom: "words" top: "vec" embed_param { num_output: 128 } }'
    how_to_fix = "Set input_dim (the vocabulary size) and num_output (the embedding size)."
    version_notes = "The Embed layer exists since Caffe rc3."
    references = (
        "src/caffe/layers/embed_layer.cpp:13-15 (EmbedLayer::LayerSetUp: CHECK_GT(N_, 0), CHECK_GT(K_, 0))",
    )

    def check(self, ctx):
        for _, layer in ctx.layers(("Embed",)):
            if has_unknown_fields(layer, "embed_param"):
                continue
            for name in ("num_output", "input_dim"):
                if unset_or_zero(layer, f"embed_param.{name}"):
                    ctx.report_layer(layer, f'Embed "{layer.name}" needs {name} > 0: Caffe aborts with '
                              f'"EmbedLayer {name} must be positive." — set input_dim (the vocabulary size) and num_output (the embedding size)', node=layer.field("embed_param"))
                    break
