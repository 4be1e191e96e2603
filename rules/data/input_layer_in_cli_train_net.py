"""D614 input-layer-in-cli-train-net: the net a solver trains takes its data from an Input layer."""

from __future__ import annotations

from protolint.context import layer_span
from protolint.rule import Rule

from .._format import in_states, layer_name


class InputLayerInCliTrainNet(Rule):
    code = "D614"
    name = "input-layer-in-cli-train-net"
    severity = "info"
    applies_to = ("solver", "net")
    summary = "The net a solver trains takes its data from an Input layer"
    what_it_does = (
        "For a net a solver trains (its net file linted with it, or an embedded train net), reports Input "
        "layers in the TRAIN state — including the one Caffe makes from legacy `input:` fields — whose tops "
        "are read by other layers. An info: trained from Python (the usual reason to write it this way) the blob "
        "is filled before each step; the text cannot show how the solver is run."
    )
    why_it_matters = (
        "An Input layer only holds a blob; its Forward does nothing. `caffe train` never fills it, so the blob stays "
        "zero and the model trains on zeros."
    )
    example = (
        'train_net_param {\n'
        '  layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 4 } shape { dim: 8 } } }\n'
        '  layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 2 } }\n'
        '  layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }\n'
        '}\nbase_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 100'
    )
    how_to_fix = "Use a data layer (Data, ImageData, HDF5Data, ...) for training, or feed net.blobs[...] from Python before each step."
    version_notes = "The Input layer exists since rc4; earlier the legacy input fields behaved the same way."
    references = (
        "include/caffe/layers/input_layer.hpp:34-37 (InputLayer: empty Forward_cpu and Backward_cpu)",
        "src/caffe/syncedmem.cpp:42-44 (SyncedMemory::to_cpu: new memory is zeroed)",
    )

    def check(self, ctx):
        for net in ctx.nets():
            if not net.usage.from_solver or not net.train_states():
                continue
            found: dict[int, list] = {}
            for state in net.train_states():
                graph = net.graph(state)
                for layer in graph.layers:
                    if layer.type != "Input":
                        continue
                    read = [layer.tops[j][0] for j in range(len(layer.tops)) if graph.readers_of_top(layer, j)]
                    if read:
                        item = found.setdefault(id(layer), [layer, read, []])
                        item[2].append(state)
            for layer, read, states in found.values():
                ctx.report(*layer_span(layer), f'the training net{in_states(net, states)} takes its data from Input '
                           f'"{layer_name(layer)}": fine when you step the solver from Python and fill '
                           f'net.blobs["{read[0]}"] before each step, but "caffe train" never fills it — the blob stays zero '
                           "and the model trains on zeros; use a data layer for command-line training")
