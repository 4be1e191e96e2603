"""N212 include-and-exclude: A layer with both include and exclude rules."""

from __future__ import annotations

from protolint.rule import Rule

from .._format import layer_name


class IncludeAndExclude(Rule):
    code = "N212"
    name = "include-and-exclude"
    severity = "error"
    applies_to = ("net",)
    summary = "A layer with both include and exclude rules"
    what_it_does = "Reports a layer that has both `include { }` and `exclude { }` NetStateRules."
    why_it_matters = (
        "Caffe's FilterNet refuses it: \"Specify either include rules or exclude rules; not both.\", so the net "
        "cannot be built in any phase."
    )
    example = 'layer {\n  name: "drop"\n  type: "Dropout"\n  bottom: "fc"\n  top: "fc"\n  include { phase: TRAIN }\n  exclude { stage: "deploy" }\n}'
    how_to_fix = "Express the condition with one kind: e.g. `include { phase: TRAIN not_stage: \"deploy\" }`."
    version_notes = "Same in every Caffe version."
    references = (
        "src/caffe/net.cpp:269-270 (Net::FilterNet: CHECK)",
    )

    def check(self, ctx):
        for net in ctx.nets():
            for layer in net.layers:
                if layer.includes and layer.excludes:
                    exclude = layer.message.first("exclude")
                    ctx.report(
                        exclude.name_start, exclude.name_end,
                        f'layer "{layer_name(layer)}" has both include and exclude rules: Caffe aborts with "Specify '
                        'either include rules or exclude rules; not both." — express the condition with one kind',
                    )
