"""F402 missing-bias-filler: A trained layer with a bias term but no bias_filler (the bias starts at 0)."""

from __future__ import annotations

from protolint.context import PerNet
from protolint.model.params import lr_mult
from protolint.model.usage import initialisation
from protolint.rule import Rule

from .._format import and_more, layer_label
from ._helpers import trained_weight_layers


class MissingBiasFiller(Rule):
    code = "F402"
    name = "missing-bias-filler"
    severity = "info"
    applies_to = ("net",)
    summary = "A trained layer with a bias term but no bias_filler (the bias starts at 0)"
    what_it_does = (
        "Reports trained Convolution/Deconvolution/InnerProduct/Embed layers with `bias_term` (the default) "
        "and a learnable bias whose parameter block has no `bias_filler`."
    )
    why_it_matters = (
        "Without a filler the bias is constant 0. That is a sound start on its own, but together with a "
        "missing or zero weight filler the layer starts fully symmetric, and before a ReLU a zero bias "
        "can leave units dead; stating the filler makes the initialisation explicit and reviewable."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 3 dim: 8 dim: 8 } shape { dim: 8 } } }\n'
        'layer {\n  name: "conv1"\n  type: "Convolution"\n  bottom: "data"\n  top: "conv1"\n'
        '  convolution_param { num_output: 16 kernel_size: 3 weight_filler { type: "xavier" } }\n}\n'
        'layer { name: "loss" type: "EuclideanLoss" bottom: "conv1" bottom: "label" top: "loss" }'
    )
    how_to_fix = 'Add `bias_filler { type: "constant" value: 0 }` (or a small positive value before ReLU).'

    def check(self, ctx):
        weight_rule_on = ctx.rule_enabled("missing-weight-filler")
        group = PerNet()  # the same default said once per net
        for net, layer, block in trained_weight_layers(ctx):
            if initialisation(net).pretrained():
                continue  # the biases come with the .caffemodel's weights
            if not layer.get(f"{block}.bias_term"):
                continue
            if lr_mult(layer, 1) == 0:
                continue
            if weight_rule_on and layer.field(f"{block}.weight_filler") is None and lr_mult(layer, 0) != 0:
                continue  # missing-weight-filler reports the layer; one finding for the root cause
            if layer.field(f"{block}.bias_filler") is None:
                group.add(net, layer.field(block) or layer.message.last("type"), f"{layer_label(layer)}")
        for places in group:
            many = len(places) > 1
            ctx.report_places(
                places,
                f"{places[0][1]}{and_more(len(places) - 1, 'layer')} {'have' if many else 'has'} a bias but no "
                f"bias_filler: {'they start' if many else 'it starts'} at constant 0 (Caffe's default, a sound start "
                "for most nets) — write `bias_filler { type: \"constant\" value: 0 }` to make it explicit, or a "
                "small positive value to keep units after a ReLU alive",
            )
