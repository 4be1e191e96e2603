"""N225 train-test-param-mismatch: A layer name in the train and test nets with different parameter blobs."""

from __future__ import annotations

from protolint.model import facts

from protolint.context import layer_span
from protolint.model.net import Layer
from protolint.rule import Rule

from .._format import describe_states
from ._helpers import downgrade, param_signature, signature_difference, train_test_pairs


class TrainTestParamMismatch(Rule):
    code = "N225"
    name = "train-test-param-mismatch"
    severity = "error"
    applies_to = ("solver", "net")
    summary = "A layer name in the train and test nets with different parameter blobs"
    what_it_does = (
        "For each layer of the train net, takes the first test-net layer with the same name (that is how the "
        "solver shares trained weights) and compares their parameter blobs: the number of blobs (e.g. with and "
        "without bias_term, Convolution vs Pooling), and for layers of the same type the fields that decide "
        "the shapes (num_output, kernel, group)."
    )
    why_it_matters = (
        "Before every test the solver copies weights into the test net by layer name and aborts with \"Incompatible "
        "number of blobs for layer X\" or \"Cannot share param 0 weights from layer 'X'; shape mismatch.\" — with "
        "test_initialization (the default) before the first iteration."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 4 } shape { dim: 8 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 10 } include { phase: TRAIN } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 5 } include { phase: TEST } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Give the two layers identical definitions, or different names if they are not meant to share weights."
    version_notes = "Same in every Caffe version with solver test nets."
    references = (
        "src/caffe/net.cpp:667-696 (Net::ShareTrainedLayersWith: the blob count and shape CHECKs)",
    )

    def check(self, ctx):
        found: dict[int, list] = {}
        for train_net, train_state, test_net, test_state, alone in train_test_pairs(ctx):
            first_by_name: dict[str, Layer] = {}
            for layer in test_net.layers_in(test_state):
                first_by_name.setdefault(layer.name, layer)
            for source in train_net.layers_in(train_state):
                target = first_by_name.get(source.name)
                if target is None or target is source or not source.name:
                    continue
                n, m = facts.param_blob_count(source), facts.param_blob_count(target)
                if n is None or m is None:
                    continue
                problem = None
                if n != m:
                    problem = (f'layer "{source.name}" has {n} parameter blob(s) in the training net but {m} in the test '
                               "net: before each test Caffe copies weights by layer name and aborts with \"Incompatible "
                               f'number of blobs for layer {source.name}"')
                elif source.type == target.type:
                    for i in range(n):
                        a, b = param_signature(source, i), param_signature(target, i)
                        if a is not None and b is not None and a != b:
                            problem = (f'layer "{source.name}" differs between the training and the test net '
                                       f"({signature_difference(a, b)}): before each test Caffe copies weights by layer "
                                       f"name and aborts with \"Cannot share param {i} weights from layer "
                                       f"'{source.name}'; shape mismatch.\"")
                            break
                if problem is None:
                    continue
                item = found.setdefault(id(target), [test_net, target, problem, [], alone])
                item[3].append(test_state)
                item[4] = item[4] and alone
        for net, target, problem, states, alone in found.values():
            ctx.report(*layer_span(target), f"{problem} ({describe_states(states)}) — rename one of them or make them identical", severity=downgrade(self.severity) if alone else None)
