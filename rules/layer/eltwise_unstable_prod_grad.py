"""L351 eltwise-unstable-prod-grad: A trained Eltwise PROD with stable_prod_grad: false."""

from __future__ import annotations

from protolint.context import Once
from protolint.edits import delete_fields
from protolint.rule import Rule


class EltwiseUnstableProdGrad(Rule):
    code = "L351"
    name = "eltwise-unstable-prod-grad"
    severity = "warning"
    applies_to = ("net",)
    layer_types = ("Eltwise",)
    fixable = True
    summary = "A trained Eltwise PROD with stable_prod_grad: false"
    what_it_does = "In the TRAIN state of a trained net, reports Eltwise PROD layers with `stable_prod_grad: false` whose inputs need a gradient."
    why_it_matters = (
        "The unstable gradient is computed as top / bottom: any input value of exactly 0 (e.g. after ReLU) gives "
        "0/0 = NaN (reproduced by running Caffe)."
    )
    example = (
        'layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 16 } shape { dim: 8 } } }\n'
        'layer { name: "a" type: "InnerProduct" bottom: "data" top: "a" inner_product_param { num_output: 4 weight_filler { type: "xavier" } } }\n'
        'layer { name: "b" type: "InnerProduct" bottom: "data" top: "b" inner_product_param { num_output: 4 weight_filler { type: "xavier" } } }\n'
        'layer { name: "prod" type: "Eltwise" bottom: "a" bottom: "b" top: "ab" eltwise_param { operation: PROD stable_prod_grad: false } }\n'
        'layer { name: "loss" type: "EuclideanLoss" bottom: "ab" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Remove `stable_prod_grad: false` (the default, true, multiplies the other inputs instead of dividing)."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/eltwise_layer.cpp:126-128 (EltwiseLayer::Backward_cpu, PROD without stable_prod_grad: top "
        "/ bottom)",
    )

    def check(self, ctx):
        once = Once()
        for net, _state, graph in ctx.graphs(trained=True):
            for layer in graph.layers:
                if layer.type != "Eltwise" or layer.get("eltwise_param.operation") != "PROD":
                    continue
                node = layer.field("eltwise_param.stable_prod_grad")
                if node is None or node.scalar is not False:
                    continue
                if ctx.backward(net, graph).propagates_any(layer) and once.first(node):
                    ctx.report_node(node, f'Eltwise PROD "{layer.name}" with stable_prod_grad: false computes gradients as '
                                    "top/bottom: any bottom value of exactly 0 (e.g. after ReLU) gives 0/0 = NaN — leave "
                                    "stable_prod_grad at its default (true)",
                                    fixes=delete_fields(ctx.source.text, "Remove stable_prod_grad: false", [node], safe=False))
