"""F418 scale-zero-filler: A Scale layer whose filler is constant 0 (an empty `filler {}` is 0, not the unit default)."""

from __future__ import annotations

from protolint.diagnostics import Fix
from protolint.edits import delete_field
from protolint.model.fillers import value_of
from protolint.model.params import lr_mult
from protolint.rule import Rule
from protolint.syntax.nodes import Message, number

from ._helpers import scale_filler, starting_value_severity


def _constant_zero(filler: Message) -> bool:
    kind, value = value_of(filler, "type"), value_of(filler, "value")
    return kind == "constant" and (number(value) is not None) and value == 0


class ScaleZeroFiller(Rule):
    code = "F418"
    name = "scale-zero-filler"
    severity = "warning"
    applies_to = ("net",)
    fixable = True
    summary = "A Scale layer whose filler is constant 0 (an empty `filler {}` is 0, not the unit default)"
    what_it_does = (
        "Reports a trained net's Scale layer (one bottom) with a `scale_param.filler` that evaluates to constant 0: "
        "an empty `filler {}`, `type: \"constant\"` without value, or `value: 0`. Also when the scale is frozen."
    )
    why_it_matters = (
        "Scale uses constant 1 only when `filler` is absent; a present FillerParameter is read as written, and its "
        "defaults are type \"constant\", value 0. The layer then multiplies its input by 0: it outputs 0 and blocks "
        "all gradient to the layers below at the start — forever if its lr_mult is 0."
    )
    example = (
        'layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 3 dim: 8 dim: 8 } shape { dim: 8 } } }\n'
        'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 16 kernel_size: 3 weight_filler { type: "msra" } } }\n'
        'layer { name: "scale1" type: "Scale" bottom: "conv1" top: "conv1" scale_param { filler {} } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "conv1" top: "fc" inner_product_param { num_output: 10 weight_filler { type: "xavier" } } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Remove `filler` (the default is constant 1, as the suggested fix does), or write `filler { value: 1 }`."
    version_notes = "Scale exists since rc3."
    references = (
        "src/caffe/layers/scale_layer.cpp:35-40 (ScaleLayer::LayerSetUp: constant 1 only when `filler` is absent)",
        "src/caffe/proto/caffe.proto:43-46 (FillerParameter: type defaults to \"constant\", value to 0)",
    )

    def check(self, ctx):
        text = ctx.source.text
        for net, graph, layer in ctx.trained_layers():
            node = scale_filler(layer)
            if node is None or not _constant_zero(node.value):
                continue
            empty = "an empty filler {} is constant 0, not the unit default" if not node.value.fields else "constant 0"
            frozen = " — permanently, since its lr_mult is 0" if lr_mult(layer, 0) == 0 else ""
            severity, note = starting_value_severity(net, self.severity)
            ctx.report_value(node, f"Scale \"{layer.name}\" has a filler that evaluates to constant 0 ({empty}): the layer "
                             f"outputs 0 and blocks all gradient below it at the start{frozen}{note} — remove filler or use "
                             "value: 1", severity=severity,
                             fixes=[Fix("Remove the filler (constant 1)", [delete_field(text, node)], safe=False)])
