"""L372 recurrent-num-output-missing: an LSTM/RNN layer without num_output."""

from __future__ import annotations

from protolint.rule import Rule

from ._helpers import has_unknown_fields, unset_or_zero


class RecurrentNumOutputMissing(Rule):
    code = "L372"
    name = "recurrent-num-output-missing"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("LSTM", "RNN")
    summary = "An LSTM/RNN layer without num_output"
    what_it_does = "Reports LSTM and RNN layers whose `recurrent_param.num_output` is unset or 0."
    why_it_matters = 'Building the unrolled net aborts with "num_output must be positive".'
    example = (
        'layer { name: "lstm" type: "LSTM" bottom: "x" bottom: "cont" top: "h" '
        'recurrent_param { weight_filler { type: "uniform" min: -0.08 max: 0.08 } } }'
    )
    how_to_fix = "Set recurrent_param { num_output: n } (the hidden size)."
    version_notes = "LSTM and RNN exist since Caffe rc4."
    references = (
        "src/caffe/layers/lstm_layer.cpp:49 (LSTMLayer::FillUnrolledNet: CHECK_GT(num_output, 0))",
        "src/caffe/layers/rnn_layer.cpp:44 (RNNLayer::FillUnrolledNet: CHECK_GT(num_output, 0))",
    )

    def check(self, ctx):
        for _, layer in ctx.layers(("LSTM", "RNN")):
            if unset_or_zero(layer, "recurrent_param.num_output") and not has_unknown_fields(layer, "recurrent_param"):
                ctx.report_layer(layer, f'{layer.type} "{layer.name}" has no num_output: Caffe '
                          'aborts with "num_output must be positive" when building the unrolled net — set recurrent_param { num_output: n }', node=layer.field("recurrent_param"))
