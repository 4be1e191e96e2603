"""N226 test-layer-not-in-train: A layer with weights that exists only in the test net."""

from __future__ import annotations

from protolint.model import facts

from protolint.context import layer_span
from protolint.rule import Rule

from .._format import describe_states, layer_name
from ._helpers import downgrade, train_test_pairs


class TestLayerNotInTrain(Rule):
    __test__ = False  # not a pytest class
    code = "N226"
    name = "test-layer-not-in-train"
    severity = "warning"
    applies_to = ("solver", "net")
    summary = "A layer with weights that exists only in the test net"
    what_it_does = (
        "Reports layers with parameter blobs (BatchNorm included) in a test net of a solver that have no "
        "layer of the same name in the train net."
    )
    why_it_matters = (
        "The solver gives test nets their trained weights by layer name; a layer without a "
        "namesake in the train net is skipped and is evaluated with its freshly initialised weights (for "
        "BatchNorm: zero statistics), so the test scores are meaningless."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 4 } shape { dim: 8 } } }\n'
        'layer { name: "fc8" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 2 } include { phase: TRAIN } }\n'
        'layer { name: "fc8_test" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 2 } include { phase: TEST } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Give the test layer the name of its training counterpart."
    version_notes = "Same in every Caffe version with solver test nets."
    references = (
        "src/caffe/net.cpp:667-680 (Net::ShareTrainedLayersWith: a layer is matched by name, else ignored)",
    )

    def check(self, ctx):
        found: dict[int, list] = {}
        for train_net, train_state, test_net, test_state, alone in train_test_pairs(ctx):
            train_names = {layer.name for layer in train_net.layers_in(train_state)}
            for layer in test_net.layers_in(test_state):
                if layer.name in train_names or layer.synthetic:
                    continue
                if not facts.param_blob_count(layer):
                    continue
                item = found.setdefault(id(layer), [test_net, layer, [], alone])
                item[2].append(test_state)
                item[3] = item[3] and alone
        for net, layer, states, alone in found.values():
            ctx.report(*layer_span(layer), f'layer "{layer_name(layer)}" exists only in the test net ({describe_states(states)}): Caffe shares trained '
                "weights by layer name, so it is evaluated with its freshly initialised weights — give it the name of "
                "its training counterpart", severity=downgrade(self.severity) if alone else None)
