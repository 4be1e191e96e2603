"""L304 infogain-input: infogainLoss fed the wrong kind of scores for the targeted Caffe version."""

from __future__ import annotations

from protolint.model.dataflow import producing_layer
from protolint.model.facts import VALUE_PRESERVING
from protolint.rule import Rule


class InfogainInput(Rule):
    code = "L304"
    name = "infogain-input"
    severity = "warning"
    applies_to = ("net",)
    layer_types = ("InfogainLoss",)
    summary = "InfogainLoss fed the wrong kind of scores for the targeted Caffe version"
    what_it_does = (
        "Looks at the layer producing InfogainLoss's first bottom (through Flatten, Reshape, Split and Dropout). Caffe 1.0 and later (the schema has "
        "`InfogainLossParameter.axis`) apply softmax inside the layer, so a Softmax before it normalises "
        "twice. Caffe rc5 and earlier take probabilities, so raw scores from e.g. an InnerProduct are "
        "taken the log of directly."
    )
    why_it_matters = (
        "Before 1.0 the loss is -sum H*log(max(p, 1e-20)): unnormalised scores give logs of negative or "
        "huge numbers, and the gradient -H/p reaches 1e20/N when p underflows: NaN within a few "
        "iterations. From 1.0 an extra Softmax squashes the probabilities toward uniform and training "
        "stalls (PR #3855)."
    )
    example = (
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 3 } }\n'
        'layer { name: "prob" type: "Softmax" bottom: "fc" top: "prob" }\n'
        'layer { name: "loss" type: "InfogainLoss" bottom: "prob" bottom: "label" top: "loss" '
        'infogain_loss_param { source: "H.binaryproto" } }'
    )
    how_to_fix = (
        "Caffe 1.0+: feed the raw scores (remove the Softmax). Caffe rc5 and earlier: put a Softmax layer "
        "between the scores and InfogainLoss."
    )
    version_notes = (
        "The layer began to apply softmax itself in Caffe 1.0 (when InfogainLossParameter gained `axis`). "
        "protolint uses the target version: `caffe-version` in the configuration or --caffe-version, else "
        "read off the schema (BVLC master by default, or the --proto file: `axis` present means 1.0+)."
    )
    references = (
        "src/caffe/layers/infogain_loss_layer.cpp:15-27 (InfogainLossLayer::LayerSetUp: the internal Softmax, there "
        "since 1.0)",
    )

    def check(self, ctx):
        applies_softmax = ctx.version_at_least("1.0")
        reported = set()
        for net in ctx.nets():
            for state in net.states():
                graph = net.graph(state)
                for (blob, version), uses in graph.consumers.items():
                    for use in uses:
                        if use.layer.type != "InfogainLoss" or use.index != 0 or id(use.node) in reported:
                            continue
                        reported.add(id(use.node))
                        source = producing_layer(graph, use.layer, 0, VALUE_PRESERVING)
                        if source is not None:
                            self._check_input(ctx, use, blob, source, applies_softmax)

    @staticmethod
    def _check_input(ctx, use, blob, source, applies_softmax):
        layer = use.layer
        if applies_softmax and source.type == "Softmax":
            ctx.report_node(use.node, f"InfogainLoss \"{layer.name}\" takes \"{blob}\" from Softmax \"{source.name}\", but "
                            "since Caffe 1.0 the layer applies softmax itself: the probabilities are normalised twice and "
                            "learning stalls; feed it the raw scores", severity=ctx.version_severity("warning", "1.0"))
        elif not applies_softmax and source.type not in ("Softmax", "Sigmoid"):
            ctx.report_node(use.node, f"InfogainLoss \"{layer.name}\" takes raw scores \"{blob}\" from {source.type} "
                            f"\"{source.name}\", but Caffe {ctx.caffe_version} (before 1.0) expects probabilities: the log "
                            "of unnormalised scores gives NaN; put a Softmax layer before it",
                            severity=ctx.version_severity("error", "1.0"))
