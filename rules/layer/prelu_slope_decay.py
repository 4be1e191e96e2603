"""L369 prelu-slope-decay: trained PReLU slopes with weight decay."""

from __future__ import annotations

from protolint.context import Once, PerNet
from protolint.diagnostics import Fix
from protolint.edits import insert_after_last
from protolint.rule import Rule
from protolint.syntax.nodes import number

from .._format import and_more


class PReLUSlopeDecay(Rule):
    code = "L369"
    name = "prelu-slope-decay"
    severity = "info"
    applies_to = ("net",)
    layer_types = ("PReLU",)
    fixable = True
    summary = "Trained PReLU slopes with weight decay"
    what_it_does = (
        "In the TRAIN state of a trained net, reports PReLU layers whose slope blob is weight-decayed: its "
        "`param` has no `decay_mult: 0` and the solver's weight_decay is positive (or unknown)."
    )
    why_it_matters = (
        "Weight decay pulls the learned negative slopes toward 0, i.e. toward a plain ReLU; the PReLU paper "
        "(He et al. 2015) trains them without decay."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 16 } shape { dim: 8 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 4 weight_filler { type: "xavier" } } }\n'
        'layer { name: "prelu" type: "PReLU" bottom: "fc" top: "fc" }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Add `param { decay_mult: 0 }` to the PReLU layer."
    version_notes = "The PReLU layer exists since Caffe rc3."

    def check(self, ctx):
        once = Once()
        group = PerNet()
        for net in ctx.nets():
            solver = ctx.solver
            if solver is not None and not (number(solver.get("weight_decay")) or 0) > 0:
                continue
            for state in net.train_states():
                for layer in net.layers_in(state):
                    if layer.type != "PReLU" or not once.first(layer.message):
                        continue
                    params = layer.params()
                    decay = params[0].last("decay_mult") if params else None
                    lr = params[0].last("lr_mult") if params else None
                    if (decay is not None and number(decay.scalar) == 0) or (lr is not None and number(lr.scalar) == 0):
                        continue
                    fixes = []
                    if not params:
                        fixes = insert_after_last(ctx.source.text, layer.message, ("top", "bottom"), "param { decay_mult: 0 }", "Add param { decay_mult: 0 }")
                    group.add(net, layer.message.last("name") or layer.message.last("type"), f'"{layer.name}"', fixes)
        for places in group:
            (_node, _label, _fixes), rest = places[0], places[1:]
            fixes = [fix for _n, _l, layer_fixes in places for fix in layer_fixes]
            edits = [edit for fix in fixes for edit in fix.edits]
            fix = ([Fix("Add param { decay_mult: 0 } to every PReLU without param blocks", edits,
                        safe=all(f.safe for f in fixes))] if edits else None)
            ctx.report_places(places, f"the slopes of PReLU {places[0][1]}{and_more(len(rest), 'PReLU layer')} are "
                              "weight-decayed toward 0 (toward a plain ReLU); the PReLU paper does not decay them — "
                              "add param { decay_mult: 0 }", fixes=fix)
