"""P006 mixed-layer-formats: A net mixes V1 `layers` blocks with `layer` blocks."""

from __future__ import annotations

from protolint.rule import Rule


class MixedLayerFormats(Rule):
    code = "P006"
    name = "mixed-layer-formats"
    severity = "error"
    applies_to = ("net",)
    summary = "A net mixes V1 `layers` blocks with `layer` blocks"
    what_it_does = "Reports a NetParameter that has both `layers` (V1 format) and `layer` (current format) entries."
    why_it_matters = (
        "When Caffe reads a net with `layers` it upgrades them to `layer`, but it refuses a net that has "
        "both (\"Refusing to upgrade inconsistent NetParameter input; the definition includes both 'layer' and "
        "'layers' fields.\"), so training never starts."
    )
    example = 'layers {\n  name: "data"\n  type: DATA\n}\nlayer {\n  name: "conv1"\n  type: "Convolution"\n}'
    how_to_fix = (
        "Convert the `layers` blocks to `layer` blocks (`type: CONVOLUTION` becomes `type: \"Convolution\"`, "
        "`blobs_lr`/`weight_decay` become `param { lr_mult decay_mult }`), or run Caffe's "
        "`upgrade_net_proto_text` tool on the file."
    )
    references = (
        "src/caffe/util/upgrade_proto.cpp:669-676 (UpgradeV1Net: LOG(FATAL) when the net has both `layer` and "
        "`layers`)",
    )

    message_types = ("NetParameter",)

    def visit(self, message, ctx):
        new = message.first("layer")
        old = message.first("layers")
        if new is None or old is None:
            return
        later, earlier = (new, old) if new.start > old.start else (old, new)
        ctx.report_node(
            later,
            f"`{later.name}` after `{earlier.name}` (line {ctx.source.position(earlier.start)[0]}): a net may use "
            "V1 `layers` or `layer` blocks, not both — Caffe refuses to upgrade it; convert the `layers` blocks",
            related=[(earlier.name_start, earlier.name_end, f"first `{earlier.name}` here")],
        )
