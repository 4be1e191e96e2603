"""L373 recurrent-no-clip: LSTM/RNN trained without gradient clipping."""

from __future__ import annotations

from protolint.context import Once
from protolint.rule import Rule
from protolint.syntax.nodes import number


class RecurrentNoClip(Rule):
    code = "L373"
    name = "recurrent-no-clip"
    severity = "info"
    applies_to = ("net", "solver")
    layer_types = ("LSTM", "RNN")
    summary = "LSTM/RNN trained without gradient clipping"
    what_it_does = (
        "Reports LSTM and RNN layers in the train net of a solver that does not clip gradients (clip_gradients "
        "unset or negative). Checked where the solver's values are known: nets embedded in the solver file."
    )
    why_it_matters = "Gradients through long unrolled sequences can explode; a single huge step turns the weights into NaN."
    example = (
        'base_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 100\nsolver_mode: GPU\n'
        'net_param {\n  layer { name: "in" type: "Input" top: "x" top: "cont" top: "y" input_param { shape { dim: 10 dim: 4 dim: 8 } '
        "shape { dim: 10 dim: 4 } shape { dim: 10 dim: 4 dim: 16 } } }\n"
        '  layer { name: "lstm" type: "LSTM" bottom: "x" bottom: "cont" top: "h" recurrent_param { num_output: 16 '
        'weight_filler { type: "uniform" min: -0.08 max: 0.08 } } }\n'
        '  layer { name: "loss" type: "EuclideanLoss" bottom: "h" bottom: "y" top: "loss" }\n}'
    )
    how_to_fix = "Set clip_gradients in the solver (e.g. clip_gradients: 10)."
    version_notes = "LSTM and RNN exist since Caffe rc4."

    def check(self, ctx):
        for net in ctx.nets():
            solver, role = ctx.solver, net.usage.embedded_role
            if solver is None or role != "train":
                continue
            clip = number(solver.get("clip_gradients"))
            if clip is None or clip >= 0:
                continue
            node = solver.field("clip_gradients")
            related = [(node.start, node.end, "clip_gradients is negative (off)")] if node is not None else None
            seen = Once()
            for state in net.train_states():
                for layer in net.layers_in(state):
                    if layer.type in ("LSTM", "RNN") and seen.first(layer.message):
                        ctx.report_layer(layer, f'{layer.type} "{layer.name}" is trained without gradient clipping: gradients '
                                     "through long sequences can explode — consider clip_gradients (e.g. 10) in the solver", related=related)
