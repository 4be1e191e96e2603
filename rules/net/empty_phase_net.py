"""N214 empty-phase-net: A net that has no layers left in a phase it is built in."""

from __future__ import annotations

from protolint.context import net_span
from protolint.model.net import NetState
from protolint.rule import Rule

from .._format import describe_states, net_label
from ._helpers import legacy_problems


class EmptyPhaseNet(Rule):
    code = "N214"
    name = "empty-phase-net"
    severity = "error"
    applies_to = ("net",)
    summary = "A net that has no layers left in a phase it is built in"
    what_it_does = (
        "Reports a state Caffe instantiates — the solver's train net, each of its test nets, or (for a net "
        "linted alone) the TEST phase — in which include/exclude rules remove every layer."
    )
    why_it_matters = (
        "A net with no layers builds, but the first forward pass aborts with \"Check failed: end < "
        "layers_.size() (-1 vs. 0)\" — for a test net only when the first test runs."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 4 } } include { phase: TRAIN } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 2 } include { phase: TRAIN } }'
    )
    how_to_fix = "Give the phase its layers (a data layer for it and the model layers unfiltered), or do not build the net in that phase."
    version_notes = "Same in every Caffe version."
    references = (
        "src/caffe/net.cpp:518-520 (Net::ForwardFromTo: CHECK_LT(end, layers_.size()))",
    )

    def check(self, ctx):
        for net in ctx.nets():
            if net.usage.embedded_field is not None and legacy_problems(net.root):
                continue  # inline-net-legacy-syntax explains it
            if net.usage.from_solver:
                empty = [s for s in net.states() if not net.layers_in(s)]
                severity = None
            else:
                if not net.layers:
                    continue
                plain_test = NetState("TEST", label="TEST")
                empty = [plain_test] if not net.layers_in(plain_test) else []
                severity = "warning"  # only the stand-alone default state: the net may be train-only
            if not empty:
                continue
            ctx.report(*net_span(net), f"the {describe_states(empty)} net of {'this file' if net.usage.embedded_field is None else net_label(net)} has "
                'no layers after include/exclude filtering: Caffe aborts at the first forward with "Check failed: '
                'end < layers_.size() (-1 vs. 0)"' + ("" if net.usage.from_solver else
                                                      " — loading it in TEST phase (caffe test, pycaffe caffe.TEST, a "
                                                      "solver test net) fails"), severity=severity)
