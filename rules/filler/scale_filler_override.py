"""F417 scale-filler-override: A Scale after BatchNorm whose filler replaces the unit default."""

from __future__ import annotations

from protolint.diagnostics import Fix
from protolint.edits import delete_field
from protolint.model.dataflow import producing_layer
from protolint.model.fillers import FILLER_TYPES, value_of
from protolint.model.params import learned_from_filler
from protolint.rule import Rule

from ._helpers import scale_filler, starting_value_severity, text_of


class ScaleFillerOverride(Rule):
    code = "F417"
    name = "scale-filler-override"
    severity = "warning"
    applies_to = ("net",)
    fixable = True
    summary = "A Scale after BatchNorm whose filler replaces the unit default"
    what_it_does = (
        "Reports a trained net's Scale layer (one bottom) that follows a BatchNorm and has a `scale_param.filler` "
        "other than constant 1 (a filler that is constant 0 is scale-zero-filler). Frozen scales (lr_mult 0) are skipped."
    )
    why_it_matters = (
        "Scale starts at constant 1 only when `filler` is absent. After a BatchNorm that "
        "identity start is what keeps the normalised activations at unit variance; a random or other constant "
        "filler rescales every channel arbitrarily at the start."
    )
    example = (
        'layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 3 dim: 8 dim: 8 } shape { dim: 8 } } }\n'
        'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 16 kernel_size: 3 bias_term: false weight_filler { type: "msra" } } }\n'
        'layer { name: "bn1" type: "BatchNorm" bottom: "conv1" top: "conv1" }\n'
        'layer { name: "scale1" type: "Scale" bottom: "conv1" top: "conv1" scale_param { bias_term: true filler { type: "gaussian" std: 1 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "conv1" top: "fc" inner_product_param { num_output: 10 weight_filler { type: "xavier" } } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Remove `filler` from scale_param (the default is constant 1), as the suggested fix does."
    version_notes = "Scale exists since rc3."
    references = (
        "src/caffe/layers/scale_layer.cpp:35-40 (ScaleLayer::LayerSetUp: constant 1 only when `filler` is absent)",
    )

    def check(self, ctx):
        text = ctx.source.text
        for net, graph, layer in ctx.trained_layers():
            node = scale_filler(layer)
            if node is None or not learned_from_filler(layer, 0, graph):
                continue
            filler = node.value
            kind, value = value_of(filler, "type"), value_of(filler, "value")
            if kind == "constant" and (value == 1 or value == 0) or kind not in FILLER_TYPES:
                continue
            producer = producing_layer(graph, layer)
            if producer is None or producer.type != "BatchNorm":
                continue
            what = f"constant {text_of(filler.last('value'), value)}" if kind == "constant" else kind
            severity, note = starting_value_severity(net, self.severity)
            ctx.report_value(node, f"Scale \"{layer.name}\" after BatchNorm \"{producer.name}\" overrides the default unit "
                             f"scale with a {what} filler: the normalised activations are rescaled arbitrarily at the "
                             f"start{note} — remove filler (the default is constant 1)", severity=severity,
                             fixes=[Fix("Remove the filler (constant 1)", [delete_field(text, node)], safe=False)])
