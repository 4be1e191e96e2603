"""F407 constant-weight-filler: A hidden trained layer whose weights all start at the same constant."""

from __future__ import annotations

from protolint.model.dataflow import is_head
from protolint.model.fillers import value_of
from protolint.rule import Rule
from protolint.syntax.nodes import number

from .._format import layer_label
from ._helpers import starting_value_severity, text_of, trained_fillers


class ConstantWeightFiller(Rule):
    code = "F407"
    name = "constant-weight-filler"
    severity = "warning"
    applies_to = ("net",)
    summary = "A hidden trained layer whose weights all start at the same constant"
    what_it_does = (
        "Reports a `weight_filler` that is a constant filler (`type: \"constant\"`, or an empty `weight_filler {}`) "
        "on a trained Convolution, Deconvolution, InnerProduct, Embed, LSTM or RNN layer with learnable weights. "
        "Head layers (whose output goes straight to the loss) are skipped: they learn from zero."
    )
    why_it_matters = (
        "With every weight equal, all units of the layer compute the same value and receive the same gradient, "
        "so they stay identical: the layer behaves like a single unit. With value 0 and a "
        "following ReLU (gradient 0 at 0 in Caffe) nothing below the layer learns at all."
    )
    example = (
        'layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 3 dim: 8 dim: 8 } shape { dim: 8 } } }\n'
        'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"\n'
        '  convolution_param { num_output: 16 kernel_size: 3 weight_filler { type: "constant" value: 0.1 } } }\n'
        'layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "conv1" top: "fc" inner_product_param { num_output: 10 weight_filler { type: "xavier" } } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = 'Use a random filler: "msra" before ReLU, "xavier", or "gaussian" with a small std.'
    version_notes = "All Caffe versions. Silent when the weights are frozen (lr_mult 0) or come from a .caffemodel (the solver's `weights`)."
    references = (
        "include/caffe/filler.hpp:30-46 (ConstantFiller: every value is `value`)",
    )

    def check(self, ctx):
        for net, graph, layer, use in trained_fillers(ctx, "weight", ("constant",)):
            if is_head(graph, layer):
                continue
            value = value_of(use.filler, "value")
            if not (number(value) is not None):
                continue
            written = text_of(use.filler.last("value"), "0 (the default)")
            extra = " (and with 0 they also block the gradient below a ReLU)" if value == 0 else ""
            severity, note = starting_value_severity(net, self.severity)
            ctx.report_value(use.anchor, f"{layer_label(layer)} initialises its weights to the constant {written}: "
                             f"all units start identical and stay identical{extra}{note} — use \"msra\", \"xavier\" or "
                             "\"gaussian\"", severity=severity)
