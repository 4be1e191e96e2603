"""F401 missing-weight-filler: A trained Convolution/InnerProduct/Embed layer without weight_filler."""

from __future__ import annotations

from protolint.model.dataflow import is_head
from protolint.model.params import lr_mult
from protolint.rule import Rule

from ._helpers import trained_weight_layers


class MissingWeightFiller(Rule):
    code = "F401"
    name = "missing-weight-filler"
    severity = "warning"
    applies_to = ("net",)
    summary = "A trained Convolution/InnerProduct/Embed layer without weight_filler"
    what_it_does = (
        "Reports layers with weights (Convolution, Deconvolution, InnerProduct, Embed) in the TRAIN "
        "state of a trained net whose parameter block has no `weight_filler`, unless their weights are "
        "frozen (lr_mult 0). A layer that feeds the loss directly (the classifier) is not reported: from "
        "zero it still learns. When no layer of the net has a filler at all, one info says so instead "
        "(a net meant for fine-tuning)."
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
        "When the solver that trains the net names a .caffemodel in `weights`, the layers get its weights and "
        "nothing is reported. If you pass the weights on the command line (`caffe train --weights`), suppress "
        "the rule for the pretrained layers."
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
            if not missing or net.pretrained:
                continue  # the solver loads a .caffemodel: those layers get its weights
            if not with_filler and len(missing) > 1:
                # No layer says how to initialise: a net meant to be fine-tuned from a .caffemodel.
                layer, block = missing[0]
                ctx.report_node(
                    layer.field(block) or layer.message.last("type"),
                    f"no layer of this net has a weight_filler ({len(missing)} layers with weights): fine when it is "
                    "always fine-tuned from a .caffemodel (--weights), but trained from scratch every weight starts "
                    "at 0 and the net does not learn",
                    severity="info",
                )
                continue
            graphs = [net.graph(state) for state in net.train_states()]
            for layer, block in missing:
                if any(is_head(graph, layer) for graph in graphs):
                    continue  # the classifier right before the loss still learns from zero
                ctx.report_node(
                    layer.field(block) or layer.message.last("type"),
                    f"layer \"{layer.name}\" ({layer.type}) has no weight_filler: its weights start at 0, every unit "
                    "learns the same thing and lower layers get no gradient; add `weight_filler { type: \"xavier\" }`",
                )
