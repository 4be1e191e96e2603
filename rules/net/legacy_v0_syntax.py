"""N209 legacy-v0-syntax: the net uses the oldest (V0) layer syntax."""

from __future__ import annotations

from protolint.rule import Rule

from ._helpers import net_files, v0_entry


class LegacyV0Syntax(Rule):
    code = "N209"
    name = "legacy-v0-syntax"
    severity = "info"
    applies_to = ("net",)
    summary = "The net uses the oldest (V0) layer syntax"
    what_it_does = "Reports a net file whose `layers` entries contain a nested `layer { ... }` (the V0 format)."
    why_it_matters = (
        "Caffe converts V0 nets to V1 and then to the current format on every load, folding `padding` layers into "
        "the following convolution or pooling. Unknown V0 type names abort the upgrade, and tools other than Caffe "
        "rarely read this format."
    )
    example = 'layers {\n  layer { name: "conv1" type: "conv" num_output: 20 kernelsize: 5 }\n  bottom: "data"\n  top: "conv1"\n}'
    how_to_fix = "Convert the file once with Caffe's `upgrade_net_proto_text` and keep the result."
    version_notes = "V0 predates every Caffe release with a version number; all releases still upgrade it."
    references = (
        "src/caffe/util/upgrade_proto.cpp:102-199 (NetNeedsV0ToV1Upgrade, UpgradeV0Net, UpgradeV0PaddingLayers)",
        "src/caffe/util/upgrade_proto.cpp:553-605 (UpgradeV0LayerType: LOG(FATAL) \"Unknown layer name\")",
    )

    def check(self, ctx):
        for net in net_files(ctx):
            nested = v0_entry(net.root)
            if nested is not None:
                ctx.report(
                    nested.name_start, nested.name_end,
                    'deprecated V0 layer syntax: Caffe upgrades it on load (and folds "padding" layers into conv/pool '
                    "pad); convert the file with upgrade_net_proto_text",
                )
