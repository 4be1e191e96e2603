"""N205 layer-phase-field: `phase:` written directly on a layer, which does not select the layer for a phase."""

from __future__ import annotations

from protolint.rule import Rule
from protolint.syntax.nodes import Message


class LayerPhaseField(Rule):
    code = "N205"
    name = "layer-phase-field"
    severity = "warning"
    applies_to = ("net",)
    summary = "`phase:` written directly on a layer, which does not select the layer for a phase"
    what_it_does = "Reports `phase: TRAIN|TEST` set directly on a layer instead of inside `include { }`."
    why_it_matters = (
        "A layer's own `phase` field does not filter the layer out of the other phase; it forces how the "
        "layer behaves there. A Dropout with `phase: TRAIN` keeps dropping in the TEST net (reproduced by "
        "running Caffe); a BatchNorm with `phase: TEST` uses global statistics while training."
    )
    example = 'layer {\n  name: "drop"\n  type: "Dropout"\n  bottom: "fc"\n  top: "fc"\n  phase: TRAIN\n}'
    how_to_fix = "Write `include { phase: TRAIN }` to keep the layer out of the TEST net."
    message_types = ("LayerParameter",)

    def visit(self, message, ctx):
        phase = message.last("phase")
        if phase is None or phase.scalar not in ("TRAIN", "TEST"):
            return
        other = "TEST" if phase.scalar == "TRAIN" else "TRAIN"
        rules = [f.value for f in message.all("include") if isinstance(f.value, Message)]
        only_same_phase = rules and all(
            (r.last("phase") is not None and r.last("phase").scalar == phase.scalar) for r in rules
        )
        if only_same_phase:
            ctx.report_node(
                phase,
                f"`phase: {phase.scalar}` has no effect: `include` already keeps this layer out of {other}; remove it",
                severity="info",
            )
            return
        ctx.report_node(
            phase,
            f"`phase: {phase.scalar}` on a layer does not remove it from the other phase — it forces the layer "
            f"to behave as in {phase.scalar} everywhere; did you mean `include {{ phase: {phase.scalar} }}`?",
        )
