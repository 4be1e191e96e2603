"""L314 conv-group-divisibility: A convolution group that is 0 or does not divide num_output or the input channels."""

from __future__ import annotations

from protolint.context import Once
from protolint.model.dataflow import channels
from protolint.rule import Rule
from protolint.syntax.nodes import number

from .._format import fmt


class ConvGroupDivisibility(Rule):
    code = "L314"
    name = "conv-group-divisibility"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("Convolution", "Deconvolution")
    summary = "A convolution group that is 0 or does not divide num_output or the input channels"
    what_it_does = (
        "Reports Convolution/Deconvolution layers with `group: 0`, a num_output that is not a multiple of "
        "group, or (when the input channel count can be read off the net) input channels that are not a "
        "multiple of group."
    )
    why_it_matters = (
        'Caffe aborts with "Number of output should be multiples of group." or "Check failed: channels_ % '
        'group_ == 0"; group 0 is an integer division by zero that crashes the process.'
    )
    example = 'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 10 group: 4 kernel_size: 3 } }'
    how_to_fix = "Choose a group that divides both the input channels and num_output (depthwise: group = channels = num_output)."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/base_conv_layer.cpp:120-123 (BaseConvolutionLayer::LayerSetUp: channels_ % group_ and "
        "num_output_ % group_ CHECKs)",
    )

    def check(self, ctx):
        once = Once()
        for _, layer in ctx.layers(("Convolution", "Deconvolution")):
            node = layer.field("convolution_param.group")
            group = number(layer.get("convolution_param.group"))
            n = number(layer.get("convolution_param.num_output"))
            if node is None or group is None:
                continue
            if group == 0:
                once.first(layer.message)
                ctx.report_node(node, f'{layer.type} "{layer.name}": group is 0 (integer division by zero crashes Caffe) — use '
                                "group ≥ 1")
            elif n and n % group:
                once.first(layer.message)
                ctx.report_node(node, f'{layer.type} "{layer.name}": num_output {fmt(n)} is not a multiple of group {fmt(group)} '
                                '("Number of output should be multiples of group.") — use a group that divides num_output and the input channels')
        for net, state, graph in ctx.graphs():
            for layer in graph.layers:
                if layer.type not in ("Convolution", "Deconvolution") or not layer.bottoms or id(layer.message) in once.seen:
                    continue
                group = number(layer.get("convolution_param.group"))
                if not group or group == 1:
                    continue
                c = channels(graph, graph.bottom_use(layer))
                if c and c % group and once.first(layer.message):
                    ctx.report_node(layer.field("convolution_param.group"), f'{layer.type} "{layer.name}": the {fmt(c)} input '
                                    f'channels are not a multiple of group {fmt(group)} ("Check failed: channels_ % group_ == 0") — use a group that '
                                    "divides the input channels and num_output")
