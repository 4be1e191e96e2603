"""F415 bilinear-learnable: A bilinear upsampling Deconvolution whose weights are learned."""

from __future__ import annotations

from protolint.diagnostics import Fix, TextEdit
from protolint.model.fillers import filler_uses
from protolint.model.params import learned_from_filler, lr_mult
from protolint.rule import Rule

from .._format import layer_label


class BilinearLearnable(Rule):
    code = "F415"
    name = "bilinear-learnable"
    severity = "info"
    applies_to = ("net",)
    fixable = True
    summary = "A bilinear upsampling Deconvolution whose weights are learned"
    what_it_does = "Reports a trained net's Deconvolution with a bilinear weight filler and weight lr_mult != 0."
    why_it_matters = (
        "A bilinear filler usually means fixed bilinear upsampling; Caffe's own upsampling recipe for this filler "
        "freezes it with `param { lr_mult: 0 decay_mult: 0 }` and `bias_term: false`. Learned, the kernel drifts "
        "away from interpolation (which may be intended, as in FCN's learned upsampling — then ignore this)."
    )
    example = (
        'layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 1 dim: 21 dim: 8 dim: 8 } shape { dim: 1 dim: 1 dim: 16 dim: 16 } } }\n'
        'layer { name: "up" type: "Deconvolution" bottom: "data" top: "up"\n'
        '  convolution_param { num_output: 21 group: 21 kernel_size: 4 stride: 2 pad: 1 bias_term: false weight_filler { type: "bilinear" } } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "up" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Add `param { lr_mult: 0 decay_mult: 0 }` (the suggested fix) if fixed upsampling is meant."
    version_notes = "The bilinear filler exists since 2015 (rc2)."
    references = (
        "include/caffe/filler.hpp:216-247 (the documented upsampling recipe: lr_mult 0, decay_mult 0, bias_term "
        "false)",
    )

    def check(self, ctx):
        for net, graph, layer in ctx.trained_layers():
            if layer.type != "Deconvolution" or layer.v1:
                continue
            if not any(u.role == "weight" and u.type == "bilinear" for u in filler_uses(layer)):
                continue
            if not learned_from_filler(layer, 0, graph):
                continue
            fixes = None
            if not layer.params():
                anchor = layer.message.last("type")
                if anchor is not None:
                    fixes = [Fix("Freeze the weights (param { lr_mult: 0 decay_mult: 0 })",
                                 [TextEdit(anchor.end, anchor.end, " param { lr_mult: 0 decay_mult: 0 }")], safe=False)]
            ctx.report_layer(layer, f"bilinear {layer_label(layer)} is learnable (lr_mult {lr_mult(layer, 0):g}): fixed "
                      "bilinear upsampling usually uses param { lr_mult: 0 decay_mult: 0 } and bias_term: false", fixes=fixes)
