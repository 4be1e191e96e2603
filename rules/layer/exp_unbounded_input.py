"""L365 exp-unbounded-input: an Exp layer (base > 1) applied to an input that is not bounded above."""

from __future__ import annotations

from protolint.context import Once
from protolint.model.dataflow import non_negative, producing_layer
from protolint.rule import Rule
from protolint.syntax.nodes import number

from ._helpers import affine


_BOUNDED_ABOVE = frozenset("Sigmoid TanH Softmax Clip Threshold".split())


def _negated_non_negative(graph, layer) -> bool:
    if layer.type != "Power":
        return False
    scale, _ = affine(layer, "power_param")
    power = number(layer.get("power_param.power"))
    source = producing_layer(graph, layer)
    return power == 1 and scale < 0 and source is not None and non_negative(source)


class ExpUnboundedInput(Rule):
    code = "L365"
    name = "exp-unbounded-input"
    severity = "info"
    applies_to = ("net",)
    layer_types = ("Exp",)
    summary = "An Exp layer (base > 1) applied to an input that is not bounded above"
    what_it_does = (
        "Reports an Exp layer with base e (or > 1) and scale > 0 whose input comes from a layer that is not "
        "bounded above (anything but Sigmoid, TanH, Softmax, Clip, Threshold, or a negated non-negative value)."
    )
    why_it_matters = "exp overflows float above about 88: the output becomes inf and the next operation NaN."
    example = (
        'layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 16 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 4 } }\n'
        'layer { name: "exp" type: "Exp" bottom: "fc" top: "expfc" }'
    )
    how_to_fix = "Bound or normalise the input first (TanH, Clip, BatchNorm), or use a Softmax if you need normalised exponentials."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        once = Once()
        for net, state, graph in ctx.graphs():
            for layer in graph.layers:
                if layer.type != "Exp" or not layer.bottoms or not once.first(layer.message):
                    continue
                base = number(layer.get("exp_param.base"))
                scale, _ = affine(layer, "exp_param")
                if not (base == -1 or (base is not None and base > 1)) or scale <= 0:
                    continue
                source = producing_layer(graph, layer)
                if source is None or source.type in _BOUNDED_ABOVE or _negated_non_negative(graph, source):
                    continue
                ctx.report_layer(layer, f'Exp "{layer.name}" exponentiates an unbounded input ("{layer.bottoms[0][0]}" from '
                             f'{source.type} "{source.name}"): values above ~88 overflow float to inf and then NaN '
                             "downstream — bound or normalise the input")
