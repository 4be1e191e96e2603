"""N223 lr-mult-negative: A negative lr_mult in a trained net."""

from __future__ import annotations

from protolint.context import node_span
from protolint.model.params import param_specs
from protolint.rule import Rule

from .._format import fmt, layer_name


class LrMultNegative(Rule):
    code = "N223"
    name = "lr-mult-negative"
    severity = "warning"
    applies_to = ("net",)
    summary = "A negative lr_mult in a trained net"
    what_it_does = "Reports `lr_mult` (V1: `blobs_lr`) values below 0 on layers of the TRAIN state of a trained net."
    why_it_matters = (
        "The solver multiplies the learning rate by lr_mult: a negative value turns the "
        "update into gradient ascent for that parameter, which diverges."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 4 } shape { dim: 8 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" param { lr_mult: -1 } '
        'inner_product_param { num_output: 2 } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Use lr_mult >= 0 (0 freezes the parameter). Gradient reversal needs a dedicated layer, not a negative lr_mult."
    version_notes = "Same in every Caffe version."
    references = (
        "src/caffe/solvers/sgd_solver.cpp:228 (SGDSolver::ComputeUpdateValue: local_rate = rate * lr_mult)",
    )

    def check(self, ctx):
        for net in ctx.nets():
            if not net.train_states():
                continue
            for layer in net.layers_in_any(net.train_states()):
                for spec in param_specs(layer):
                    if spec.lr is not None and spec.lr < 0:
                        ctx.report(*node_span(spec.lr_node), f'layer "{layer_name(layer)}" has lr_mult {fmt(spec.lr)} < 0: that parameter is updated by '
                            "gradient ascent and diverges — use lr_mult >= 0")
