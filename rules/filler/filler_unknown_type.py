"""F408 filler-unknown-type: A filler type Caffe does not know (Caffe aborts)."""

from __future__ import annotations

from protolint.diagnostics import Fix, TextEdit
from protolint.model.fillers import FILLER_TYPES, filler_uses
from protolint.rule import Rule
from protolint.suggest import closest
from protolint.syntax.nodes import Scalar

from .._format import layer_label


FILLER_LIST = ", ".join(FILLER_TYPES)


# Names from other frameworks: a hint only (no fix, since the parameters differ).
FILLER_ALIASES = {
    "he": "msra", "kaiming": "msra", "he_normal": "msra", "kaiming_normal": "msra", "glorot": "xavier",
    "glorot_uniform": "xavier", "normal": "gaussian", "gauss": "gaussian", "const": "constant", "zeros": "constant",
    "zero": "constant", "unitball": "positive_unitball",
}


class FillerUnknownType(Rule):
    code = "F408"
    name = "filler-unknown-type"
    severity = "error"
    applies_to = ("net",)
    fixable = True
    summary = "A filler type Caffe does not know (Caffe aborts)"
    what_it_does = (
        f"Checks the `type` of every filler Caffe creates (weights, biases, Scale/Bias/PReLU, DummyData) against "
        f"{FILLER_LIST} (case-sensitive), in every net, and suggests the closest."
    )
    why_it_matters = (
        "GetFiller compares the string exactly and otherwise fails `CHECK(false) << \"Unknown filler name: \"`: "
        "Caffe aborts when it builds the layer, deploy nets included."
    )
    example = (
        'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"\n'
        '  convolution_param { num_output: 16 kernel_size: 3 weight_filler { type: "Xavier" } } }'
    )
    how_to_fix = f"Use one of {FILLER_LIST}, in lower case. He/Kaiming initialisation is \"msra\", Glorot is \"xavier\"."
    version_notes = (
        "All Caffe versions have these seven fillers (msra and bilinear since 2015). With a fork's schema (--proto), "
        "a type that is not a near-miss of a known one is a warning (the fork may register it in C++; declare it "
        "with `extra-filler-types`); the fillers of a recognised fork (e.g. NVIDIA's) are known."
    )
    references = (
        "include/caffe/filler.hpp:276-297 (GetFiller: exact comparison of the type, then CHECK(false) \"Unknown "
        "filler name\")",
    )

    def check(self, ctx):
        known = ctx.known_names("filler_types")
        for net, layer in ctx.layers(unbuilt=True):
            for use in filler_uses(layer):
                node = use.type_node
                value = node.scalar if node is not None else None
                if not isinstance(value, str) or value in known:
                    continue
                lowered = value.strip().lower()
                exact = lowered if lowered in FILLER_TYPES else None
                guess = exact or FILLER_ALIASES.get(lowered) or closest(lowered, sorted(known))
                undeclared = None if guess else ctx.undeclared("filler_types", value, known)
                if undeclared:  # a fork's schema: its C++ may know the filler
                    ctx.report_value(node, f"unknown filler type \"{value}\" in {layer_label(layer)}: {undeclared} at net "
                                     f"construction with \"Unknown filler name: {value}\"", severity="warning")
                    continue
                hint = f'; did you mean "{guess}"?' if guess else f"; use one of {FILLER_LIST}"
                fixes = None
                if exact and isinstance(node.value, Scalar):
                    fixes = [Fix(f'Replace with "{exact}"', [TextEdit(node.value.start, node.value.end, f'"{exact}"')])]
                ctx.report_value(node, f"unknown filler type \"{value}\" in {layer_label(layer)}: Caffe aborts at net construction "
                          f"with \"Unknown filler name: {value}\"{hint}", fixes=fixes)
