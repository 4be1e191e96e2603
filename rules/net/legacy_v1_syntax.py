"""N208 legacy-v1-syntax: the net uses the deprecated V1 `layers` syntax."""

from __future__ import annotations

from protolint.model.net import V1_TYPE_NAMES
from protolint.rule import Rule
from protolint.syntax.nodes import Message

from ._helpers import net_files, v0_entry


class LegacyV1Syntax(Rule):
    code = "N208"
    name = "legacy-v1-syntax"
    severity = "info"
    applies_to = ("net",)
    summary = "The net uses the deprecated V1 `layers` syntax"
    what_it_does = "Reports a net file written with V1 `layers { type: ENUM }` entries (and no V0 nesting)."
    why_it_matters = (
        "Caffe upgrades V1 nets every time it loads them (enum types become strings, "
        "`blobs_lr` becomes `param { lr_mult }`, `weight_decay` becomes `decay_mult`). It works, but newer "
        "layer types (BatchNorm, Scale, Input, ...) have no V1 form, mixing both forms aborts, and an embedded "
        "copy of the net in a solver is not upgraded at all."
    )
    example = 'layers {\n  name: "conv1"\n  type: CONVOLUTION\n  bottom: "data"\n  top: "conv1"\n  blobs_lr: 1\n  blobs_lr: 2\n  convolution_param { num_output: 20 kernel_size: 5 }\n}'
    how_to_fix = "Run Caffe's `upgrade_net_proto_text old.prototxt new.prototxt`, or rewrite the entries as `layer` blocks."
    version_notes = "The V1 format was replaced by `layer` in early 2015 (before rc2); every later release still upgrades it."
    references = (
        "src/caffe/util/upgrade_proto.cpp:669-962 (UpgradeV1Net, UpgradeV1LayerParameter, UpgradeV1LayerType)",
    )

    def check(self, ctx):
        for net in net_files(ctx):
            root = net.root
            entries = root.all("layers")
            if not entries or root.has("layer") or v0_entry(root) is not None:
                continue
            example = ""
            for f in entries:
                if isinstance(f.value, Message):
                    type_field = f.value.last("type")
                    enum = type_field.scalar if type_field is not None else None
                    if isinstance(enum, str) and V1_TYPE_NAMES.get(enum):
                        example = f', {enum} → "{V1_TYPE_NAMES[enum]}"'
                        break
            first = entries[0]
            ctx.report(
                first.name_start, first.name_end,
                f'deprecated V1 "layers" syntax: Caffe upgrades it on load (blobs_lr → lr_mult, weight_decay → '
                f'decay_mult{example}); run upgrade_net_proto_text or rewrite as "layer" entries',
            )
