"""F405 uniform-filler-default-range: A uniform weight filler without min/max: weights drawn from [0, 1]."""

from __future__ import annotations

from protolint.rule import Rule

from .._format import layer_label
from ._helpers import starting_value_severity, trained_fillers


class UniformFillerDefaultRange(Rule):
    code = "F405"
    name = "uniform-filler-default-range"
    severity = "warning"
    applies_to = ("net",)
    summary = "A uniform weight filler without min/max: weights drawn from [0, 1]"
    what_it_does = (
        "Reports a `weight_filler { type: \"uniform\" }` of a trained Convolution, Deconvolution, "
        "InnerProduct, Embed, LSTM or RNN layer (TRAIN state, learnable weights) that sets neither `min` nor `max`."
    )
    why_it_matters = (
        "The defaults are min 0 and max 1: every weight is positive and on average 0.5, so each output is a large "
        "positive sum of its inputs. Activations grow by about fan_in/2 per layer and saturate or overflow, and all "
        "units start strongly correlated."
    )
    example = (
        'layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 3 dim: 8 dim: 8 } shape { dim: 8 } } }\n'
        'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"\n'
        '  convolution_param { num_output: 16 kernel_size: 3 weight_filler { type: "uniform" } } }\n'
        'layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "conv1" top: "fc" inner_product_param { num_output: 10 weight_filler { type: "xavier" } } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = 'Set a range symmetric around 0 (e.g. `min: -0.08 max: 0.08`), or use `type: "xavier"`, which scales the range by the fan-in.'
    version_notes = "All Caffe versions."
    references = (
        "src/caffe/proto/caffe.proto:47-48 (FillerParameter: min defaults to 0, max to 1)",
        "include/caffe/filler.hpp:49-61 (UniformFiller)",
    )

    def check(self, ctx):
        for net, graph, layer, use in trained_fillers(ctx, "weight", ("uniform",)):
            if use.filler.last("min") is None and use.filler.last("max") is None:
                severity, note = starting_value_severity(net, self.severity)
                ctx.report_value(use.anchor, f"{layer_label(layer)} uses a uniform weight filler without min/max: "
                                 "the default range is [0, 1], so every weight is positive and large and activations "
                                 f"grow layer by layer{note} — set min/max symmetric around 0 (e.g. -0.08..0.08) or use "
                                 "\"xavier\"", severity=severity)
