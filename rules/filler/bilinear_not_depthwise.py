"""F414 bilinear-not-depthwise: A bilinear Deconvolution that is not channel-wise (group != num_output)."""

from __future__ import annotations

from protolint.model.dataflow import channels
from protolint.model.fillers import filler_uses
from protolint.rule import Rule

from .._format import layer_label
from ._helpers import starting_value_severity


class BilinearNotDepthwise(Rule):
    code = "F414"
    name = "bilinear-not-depthwise"
    severity = "warning"
    applies_to = ("net",)
    summary = "A bilinear Deconvolution that is not channel-wise (group != num_output)"
    what_it_does = (
        "Reports a trained net's Deconvolution with a bilinear weight filler whose `group` differs from "
        "`num_output`, or whose input channel count (when protolint can tell it) differs from num_output. "
        "Frozen layers (lr_mult 0) are checked too: that is the usual recipe."
    )
    why_it_matters = (
        "The bilinear filler writes the same interpolation kernel into every (output, input) channel pair. With "
        "group 1 each output channel is the sum of all upsampled input channels, so the class scores are mixed "
        "together instead of being upsampled one by one; Caffe's own upsampling recipe for this filler "
        "uses num_output = group = C."
    )
    example = (
        'layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } shape { dim: 1 dim: 1 dim: 16 dim: 16 } } }\n'
        'layer { name: "score" type: "Convolution" bottom: "data" top: "score" convolution_param { num_output: 21 kernel_size: 1 weight_filler { type: "xavier" } } }\n'
        'layer { name: "up" type: "Deconvolution" bottom: "score" top: "up" param { lr_mult: 0 }\n'
        '  convolution_param { num_output: 21 kernel_size: 4 stride: 2 pad: 1 bias_term: false weight_filler { type: "bilinear" } } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "up" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Set `group` equal to `num_output` and to the number of input channels (channel-wise upsampling)."
    version_notes = "The bilinear filler exists since 2015 (rc2)."
    references = (
        "include/caffe/filler.hpp:216-247 (the documented upsampling recipe: num_output = group = C)",
        "include/caffe/filler.hpp:254-267 (BilinearFiller::Fill: the same kernel for every channel pair)",
    )

    def check(self, ctx):
        for net in ctx.nets():
            seen = set()
            for state in net.train_states():
                graph = net.graph(state)
                for layer in graph.layers:
                    if layer.type != "Deconvolution" or id(layer) in seen:
                        continue
                    seen.add(id(layer))
                    if not any(u.role == "weight" and u.type == "bilinear" for u in filler_uses(layer)):
                        continue
                    outputs, group = layer.get("convolution_param.num_output"), layer.get("convolution_param.group")
                    if not (isinstance(outputs, int) and isinstance(group, int)):
                        continue
                    inputs = channels(graph, graph.bottom_use(layer))
                    if group == outputs and (inputs is None or inputs == outputs):
                        continue
                    detail = f", input channels {inputs}" if inputs is not None else ""
                    node = layer.field("convolution_param.group") or layer.field("convolution_param.num_output")
                    severity, note = starting_value_severity(net, self.severity)
                    ctx.report_value(node, f"bilinear {layer_label(layer)} has group {group}, num_output {outputs}{detail}: "
                                     "the filler writes the same kernel for every input/output channel pair, so channels "
                                     f"are summed together instead of upsampled independently{note} — use group = "
                                     "num_output = input channels", severity=severity)
