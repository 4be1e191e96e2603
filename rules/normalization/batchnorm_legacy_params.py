"""B506 batchnorm-legacy-params: A BatchNorm with the three pre-rc4 `param` blocks, which Caffe rewrites on load."""

from __future__ import annotations

from protolint.diagnostics import Fix
from protolint.edits import delete_field
from protolint.syntax.nodes import Message

from ._helpers import NormRule


class BatchNormLegacyParams(NormRule):
    code = "B506"
    name = "batchnorm-legacy-params"
    severity = "info"
    fixable = True
    summary = "A BatchNorm with the three pre-rc4 `param` blocks, which Caffe rewrites on load"
    what_it_does = (
        "Reports a BatchNorm layer of a net file with exactly three `param` blocks (the rc3 idiom "
        "`param { lr_mult: 0 }` x3), when the target is Caffe rc4 or later. Nets embedded in a solver are not "
        "upgraded by Caffe; their param blocks are batchnorm-param-lr-nonzero's business."
    )
    why_it_matters = (
        "Since rc4 BatchNorm freezes its statistics itself, and when Caffe reads a net file it rewrites exactly "
        "three BatchNorm param blocks to lr_mult 0 / decay_mult 0, keeping only their names. Whatever lr_mult the "
        "blocks say is silently ignored, so they are noise at best and misleading when they say lr_mult 1."
    )
    example = (
        'layer { name: "bn1" type: "BatchNorm" bottom: "conv1" top: "conv1"\n'
        '  param { lr_mult: 0 } param { lr_mult: 0 } param { lr_mult: 0 } }'
    )
    how_to_fix = "Delete the three param blocks (the fix does it when none of them names a shared parameter)."
    version_notes = (
        "rc3 and older need the three `param { lr_mult: 0 }` blocks (otherwise the solver updates the statistics); "
        "remove them only if you target rc4 or later."
    )
    references = (
        "src/caffe/util/upgrade_proto.cpp:1005-1032 (NetNeedsBatchNormUpgrade, UpgradeNetBatchNorm: three param "
        "blocks become lr_mult 0, decay_mult 0)",
    )

    def check(self, ctx):
        if not ctx.version_at_least("rc4"):
            return
        text = ctx.source.text
        for net in ctx.nets():
            if net.embedded:
                continue
            for layer in net.layers:
                if layer.type != "BatchNorm":
                    continue
                fields = [f for f in layer.message.all("param") if isinstance(f.value, Message)]
                if len(fields) != 3:
                    continue
                ignored = []
                for f in fields:
                    lr = f.value.last("lr_mult")
                    value = lr.scalar if lr is not None else 1.0
                    if isinstance(value, (int, float)) and value != 0:
                        ignored.append(lr.value.source_text if lr is not None else "1 (the default)")
                note = f", ignoring your lr_mult {ignored[0]}" if ignored else ""
                fixes = None
                if not any(f.value.last("name") is not None for f in fields):
                    fixes = [Fix("Remove the three param blocks", [delete_field(text, f) for f in fields])]
                ctx.report_node(fields[0], f"BatchNorm \"{layer.name}\" declares three param blocks (pre-rc4 style): Caffe "
                                f"rewrites them to lr_mult 0 / decay_mult 0 on load{note} — they can be removed", fixes=fixes)
