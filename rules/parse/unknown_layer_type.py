"""P005 unknown-layer-type: A layer type that Caffe has not registered."""

from __future__ import annotations

from protolint.diagnostics import Fix, TextEdit
from protolint.rule import Rule
from protolint.suggest import closest


class UnknownLayerType(Rule):
    code = "P005"
    name = "unknown-layer-type"
    severity = "error"
    applies_to = ("net",)
    fixable = True
    summary = "A layer type that Caffe has not registered"
    what_it_does = (
        "Checks each `layer { type: \"...\" }` against the layer types BVLC Caffe registers, plus the "
        "extra types you configure for custom C++ layers or forks (`extra-layer-types`, "
        "`--extra-layer-types`). Suggests the closest registered name."
    )
    why_it_matters = (
        "Caffe looks the type up in its layer registry when the net is built and aborts with "
        "`Unknown layer type: X (known types: ...)` — after data loading has been set up, sometimes "
        "minutes into a job. Type names are case-sensitive (`ReLu` is not `ReLU`)."
    )
    example = 'layer {\n  name: "relu1"\n  type: "Relu"\n  bottom: "conv1"\n  top: "conv1"\n}'
    how_to_fix = (
        "Use the registered spelling. For a layer your own build or fork adds (e.g. SSD's PriorBox), "
        "list it under `extra-layer-types` in the configuration, or pass `--proto` with that fork's "
        "caffe.proto: layer types named after its parameter messages are then known too."
    )
    version_notes = (
        "With a fork's schema (--proto), a type that is not a near-miss of a known one is a warning: the fork may "
        "register it in C++, where no caffe.proto shows it; declare it with `extra-layer-types`. The C++ types of "
        "well-known forks (SSD, R-FCN, PSPNet, ...) are known when the schema is recognised as that fork. "
        "Swish and Clip were added late in BVLC's history (1.0+); older builds lack them."
    )

    message_types = ("LayerParameter",)

    def __init__(self):
        self.known: frozenset[str] | None = None

    def visit(self, message, ctx):
        type_field = message.last("type")
        if type_field is None or not isinstance(type_field.scalar, str):
            return
        if type_field.schema is not None and type_field.schema.enum is not None:
            return  # a V1-era schema's LayerParameter: the type is an enum value, which the parser checks
        layer_type = type_field.scalar
        known = self.known
        if known is None:
            known = self.known = ctx.known_layer_types()
        if layer_type in known:
            return
        lowered = {k.lower(): k for k in known}
        guess = closest(layer_type, sorted(known))
        undeclared = None if guess else ctx.undeclared("layer_types", layer_type, known)
        if undeclared:  # a fork's schema: its C++ may register the type
            ctx.report(type_field.value.start, type_field.value.end, f'unknown layer type "{layer_type}": {undeclared} '
                       "with `Unknown layer type` when it builds the net", severity="warning")
            return
        hint = f"; did you mean \"{guess}\"?" if guess else (
            "; if it is a custom or fork layer, add it to `extra-layer-types` in the configuration"
        )
        fixes = None
        if layer_type.lower() in lowered:  # only the case differs: the registered name is certainly meant
            fixes = [Fix(f'Write "{guess}"', [TextEdit(type_field.value.start, type_field.value.end, f'"{guess}"')])]
        ctx.report(type_field.value.start, type_field.value.end, f'unknown layer type "{layer_type}": Caffe aborts '
                   f"with `Unknown layer type` when it builds the net{hint}", fixes=fixes)
