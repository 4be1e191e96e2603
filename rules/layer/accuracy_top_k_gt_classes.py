"""L345 accuracy-top-k-gt-classes: accuracy top_k larger than the number of classes."""

from __future__ import annotations

from protolint.context import Once
from protolint.model.dataflow import channels
from protolint.rule import Rule
from protolint.syntax.nodes import number

from .._format import fmt


class AccuracyTopKGtClasses(Rule):
    code = "L345"
    name = "accuracy-top-k-gt-classes"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("Accuracy",)
    summary = "Accuracy top_k larger than the number of classes"
    what_it_does = "Reports Accuracy layers (axis 1) whose `top_k` exceeds the class count of their scores, when it can be read off the net (e.g. the num_output of the InnerProduct that computes them)."
    why_it_matters = 'AccuracyLayer::Reshape aborts with "top_k must be less than or equal to the number of classes."'
    example = (
        'layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 16 } shape { dim: 8 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 3 } }\n'
        'layer { name: "acc" type: "Accuracy" bottom: "fc" bottom: "label" top: "acc" accuracy_param { top_k: 5 } }'
    )
    how_to_fix = "Use a top_k no larger than the number of classes."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/accuracy_layer.cpp:25-26 (AccuracyLayer::Reshape: CHECK_LE(top_k_, number of classes))",
    )

    def check(self, ctx):
        once = Once()
        for net, state, graph in ctx.graphs():
            for layer in graph.layers:
                if layer.type != "Accuracy" or not layer.bottoms or layer.get("accuracy_param.axis") not in (1, None):
                    continue
                node = layer.field("accuracy_param.top_k")
                k = number(node.scalar) if node is not None else None
                if not k or k <= 1:
                    continue
                c = channels(graph, graph.bottom_use(layer, 0))
                if c and k > c and once.first(node):
                    ctx.report_node(node, f'Accuracy "{layer.name}" top_k {fmt(k)} exceeds the {fmt(c)} classes: Caffe aborts '
                                    'with "top_k must be less than or equal to the number of classes." — use a top_k no larger than the class count')
