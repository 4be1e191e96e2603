"""F401 missing-weight-filler: A trained Convolution/InnerProduct/Embed layer without weight_filler."""

from __future__ import annotations

from protolint.model.dataflow import is_head
from protolint.model.facts import WEIGHT_BEARING
from protolint.model.params import lr_mult
from protolint.model.usage import initialisation
from protolint.rule import Rule

from ._helpers import trained_weight_layers


class MissingWeightFiller(Rule):
    code = "F401"
    name = "missing-weight-filler"
    severity = "warning"
    applies_to = ("net",)
    summary = "A trained layer with weights but no weight_filler, in a net trained from scratch"
    what_it_does = (
        "Reports layers with weights (Convolution, Deconvolution, InnerProduct, Embed, LSTM, RNN) in the "
        "states a solver trains the net in whose parameter block has no `weight_filler`, unless their weights "
        "are frozen (lr_mult 0). A layer that feeds the loss directly (the classifier) is not reported: from "
        "zero it still learns."
    )
    why_it_matters = (
        "A missing filler is an empty FillerParameter: constant 0. With all-zero weights every unit "
        "computes the same value and gets the same gradient, and layers below receive exactly zero "
        "gradient: the net does not learn."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 16 } shape { dim: 8 } } }\n'
        'layer {\n  name: "fc1"\n  type: "InnerProduct"\n  bottom: "data"\n  top: "fc1"\n  inner_product_param { num_output: 32 }\n}\n'
        'layer { name: "relu1" type: "ReLU" bottom: "fc1" top: "fc1" }\n'
        'layer { name: "fc2" type: "InnerProduct" bottom: "fc1" top: "fc2"\n'
        '  inner_product_param { num_output: 10 weight_filler { type: "xavier" } } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc2" bottom: "label" top: "loss" }'
    )
    how_to_fix = 'Add `weight_filler { type: "xavier" }` (or "msra" before ReLU, or "gaussian" with a small std).'
    version_notes = (
        "Where the weights start decides the severity. When the solver that trains the net names a .caffemodel in "
        "`weights`, or the `pretrained` setting says so (weights passed as `caffe train --weights` or from "
        "Python), nothing is reported. When the text shows fine-tuning — layers without fillers that are frozen, "
        "that a released model (VGG, ResNet, GoogLeNet, AlexNet, SqueezeNet, MobileNet) can fill by name and "
        "size, or that form a backbone feeding a head with fillers, or a file named for fine-tuning — one info "
        "per net names that evidence. Otherwise each such layer is a warning (one per net when no layer has a "
        "filler)."
    )
    references = (
        "src/caffe/proto/caffe.proto:43-46 (FillerParameter: type defaults to \"constant\", value to 0)",
        "include/caffe/filler.hpp:30-46 (ConstantFiller: every value is `value`)",
    )

    def check(self, ctx):
        by_net: dict[int, tuple] = {}
        for net, layer, block in trained_weight_layers(ctx):
            entry = by_net.setdefault(id(net), (net, [], []))
            if lr_mult(layer, 0) == 0:
                continue  # frozen: whatever it holds comes from a .caffemodel
            (entry[2] if layer.field(f"{block}.weight_filler") is None else entry[1]).append((layer, block))
        for net, with_filler, missing in by_net.values():
            if not missing:
                continue
            init = initialisation(net)
            pretrained = init.pretrained()
            if pretrained and init.told:
                continue  # its layers get the .caffemodel's weights, as the user says
            none_filled, unfilled = not with_filler and len(missing) > 1, len(missing)
            graphs = [net.graph(state) for state in net.train_states()]
            missing = [(layer, block) for layer, block in missing
                       if not any(is_head(graph, layer) for graph in graphs)]  # a classifier still learns from 0
            if not missing:
                continue
            layer, block = missing[0]
            node = layer.field(block) or layer.message.last("type")
            if pretrained:
                ctx.report_node(
                    node,
                    f"{_count(missing)} without a weight_filler: this net looks fine-tuned ({init.reason()}), so they "
                    "get the weights of the .caffemodel you start from — any layer that .caffemodel does not have "
                    "starts at 0 and does not learn",
                    severity="info",
                )
                continue
            why = "you say it is trained from scratch" if pretrained is False else (
                "nothing shows it starts from a .caffemodel")
            if none_filled:
                ctx.report_node(
                    node,
                    f"no layer of this net has a weight_filler ({unfilled} layers with weights) and {why}: every "
                    "weight starts at 0, every unit learns the same thing and the net does not learn — add fillers "
                    "(e.g. `weight_filler { type: \"msra\" }`), or set `pretrained = true` if you fine-tune "
                    "(caffe train --weights)",
                )
                continue
            zero = {id(layer) for layer, _block in missing}
            for layer, block in missing:
                node = layer.field(block) or layer.message.last("type")
                after = [w for graph in graphs for w in _next_weight_layers(graph, layer)]
                if any(id(w) in zero for w in after):
                    ctx.report_node(node, f"layer \"{layer.name}\" ({layer.type}) has no weight_filler and {why}: its "
                                    "weights start at 0 and so do those of the layer after it, so their units stay "
                                    "identical and lower layers get no gradient; add `weight_filler { type: \"xavier\" }`")
                else:
                    ctx.report_node(node, f"layer \"{layer.name}\" ({layer.type}) has no weight_filler and {why}: its "
                                    "weights start at 0 — it still learns, since the layers after it are filled, but "
                                    "layers below it get no gradient until it has moved; add "
                                    "`weight_filler { type: \"xavier\" }`", severity="info")


def _count(layers) -> str:
    return f"{len(layers)} layer{'s' if len(layers) != 1 else ''}"


def _next_weight_layers(graph, layer) -> list:
    """The layers with weights that first read what `layer` computes (through layers without weights)."""
    found, seen = [], {id(layer)}
    stack = [(layer, i) for i in range(len(layer.tops))]
    while stack:
        current, index = stack.pop()
        for use in graph.readers_of_top(current, index):
            reader = use.layer
            if id(reader) in seen:
                continue
            seen.add(id(reader))
            if reader.type in WEIGHT_BEARING:
                found.append(reader)
            else:
                stack.extend((reader, i) for i in range(len(reader.tops)))
    return found
