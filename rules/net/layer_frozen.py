"""N224 layer-frozen: A trained layer whose every parameter has lr_mult 0."""

from __future__ import annotations

from protolint.context import PerNet
from protolint.model import facts
from protolint.model.params import param_specs
from protolint.model.usage import initialisation
from protolint.rule import Rule

from .._format import and_more, layer_name


class LayerFrozen(Rule):
    code = "N224"
    name = "layer-frozen"
    severity = "info"
    applies_to = ("net",)
    summary = "A trained layer whose every parameter has lr_mult 0"
    what_it_does = (
        "In the TRAIN state of a trained net, reports layers with parameter blobs (BatchNorm excluded) whose "
        "every blob has lr_mult 0 — once per net, with the other frozen layers as related places — unless its weights "
        "come from a .caffemodel: the training solver's `weights`, the `pretrained` setting, or signs of fine-tuning "
        "in the text (frozen layers without fillers, layers named and sized like a released model, a backbone "
        "without fillers feeding a head with them, a file named for fine-tuning)."
    )
    why_it_matters = (
        "lr_mult 0 disables the update: the layer keeps its initial filler values. That is "
        "right when fine-tuning from a .caffemodel, and a silent bug when training from scratch."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 4 } shape { dim: 8 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" param { lr_mult: 0 } param { lr_mult: 0 } '
        'inner_product_param { num_output: 2 weight_filler { type: "xavier" } } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Load pretrained weights for the layer (caffe train --weights), or give it a non-zero lr_mult."
    version_notes = "Same in every Caffe version."
    references = (
        "src/caffe/net.cpp:145-153 (Net::Init: a parameter with lr_mult 0 gets no gradient)",
    )

    def check(self, ctx):
        if ctx.kind == "solver" and ctx.solver.has("weights"):
            return  # the solver loads weights (post-1.0 `weights` field)
        for net in ctx.nets():
            if not net.train_states() or initialisation(net).pretrained():
                continue  # frozen layers of a fine-tuned net keep the .caffemodel's weights, as meant
            group = PerNet()
            layers = net.layers_in_any(net.train_states())
            learning = {spec.name for layer in layers for spec in param_specs(layer) if spec.name and spec.effective_lr != 0}
            for layer in layers:
                n = facts.param_blob_count(layer)
                if not n or facts.statistics_only_params(layer.type):
                    continue
                specs = param_specs(layer)
                if len(specs) < n or any(specs[i].effective_lr != 0 for i in range(n)):
                    continue
                if all(specs[i].name in learning for i in range(n)):
                    continue  # its blobs are shared with a layer that learns them (a siamese twin)
                if layer.type == "Deconvolution" and layer.get("convolution_param.weight_filler.type") == "bilinear":
                    continue  # a fixed upsampling (bilinear-learnable)
                group.add(net, layer.message.last("name") or layer.message.last("type"), f'"{layer_name(layer)}"')
            for places in group:
                ctx.report_places(places, f"every parameter of {places[0][1]}{and_more(len(places) - 1, 'layer')} has "
                                  f"lr_mult 0: {'they are' if len(places) > 1 else 'the layer is'} frozen and keep"
                                  f"{'' if len(places) > 1 else 's'} the initial (filler) values unless weights are "
                                  "loaded from a .caffemodel (`caffe train --weights`, a solver's `weights`; say so "
                                  "with `pretrained = true`)")
