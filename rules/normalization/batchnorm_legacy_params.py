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
    layer_types = ("BatchNorm",)
    fixable = True
    summary = "A BatchNorm with the three pre-rc4 `param` blocks, which Caffe rewrites on load"
    what_it_does = (
        "Reports a BatchNorm layer of a net file whose three `param` blocks (the rc3 idiom) say a non-zero lr_mult "
        "that Caffe rc4 and later ignore. The idiom itself, three `param { lr_mult: 0 }`, is what rc3 needs and "
        "what rc4+ rewrites to anyway: it is reported only when you target rc4 or later explicitly "
        "(`--caffe-version`), once per net, as a clean-up. Nets embedded in a solver are not upgraded by Caffe; "
        "their param blocks are batchnorm-param-lr-nonzero's business."
    )
    why_it_matters = (
        "Since rc4 BatchNorm freezes its statistics itself, and when Caffe reads a net file it rewrites exactly "
        "three BatchNorm param blocks to lr_mult 0 / decay_mult 0, keeping only their names. An lr_mult the "
        "blocks give is silently ignored: a reader believes the statistics learn at that rate, and they do not."
    )
    example = (
        'layer { name: "bn1" type: "BatchNorm" bottom: "conv1" top: "conv1"\n'
        '  param { lr_mult: 1 } param { lr_mult: 1 } param { lr_mult: 1 } }'
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
            idioms = []  # (layer, its three blocks) saying lr_mult 0 as rc3 wants
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
                if not ignored:
                    idioms.append((layer, fields))
                    continue
                ctx.report_node(fields[0], f"BatchNorm \"{layer.name}\" declares three param blocks (pre-rc4 style) "
                                f"with lr_mult {ignored[0]}: Caffe rewrites them to lr_mult 0 / decay_mult 0 on load and "
                                f"ignores your lr_mult {ignored[0]} — remove the blocks",
                                fixes=_removal(text, [fields]))
            if idioms and ctx.version.given:
                layer, fields = idioms[0]
                others = f" and {len(idioms) - 1} more BatchNorm layers" if len(idioms) > 1 else ""
                ctx.report_node(fields[0], f"BatchNorm \"{layer.name}\"{others} declare the three "
                                "`param { lr_mult: 0 }` blocks rc3 needed: Caffe "
                                f"{ctx.caffe_version} freezes the statistics itself and rewrites the blocks on load "
                                "— they can be removed", fixes=_removal(text, [f for _l, f in idioms]),
                                related=[(f[0].name_start, f[0].name_end, f'"{l.name}"') for l, f in idioms[1:21]])


def _removal(text: str, blocks: list[list]) -> list[Fix] | None:
    """Delete the blocks, unless one names a shared parameter (then the names matter)."""
    if any(f.value.last("name") is not None for fields in blocks for f in fields):
        return None
    return [Fix("Remove the param blocks", [delete_field(text, f) for fields in blocks for f in fields])]
