"""Backward inference (which layers need backward, what propagates down, what aborts) mirrors
Caffe's net.cpp."""

from __future__ import annotations

from protolint.api import default_options, lint_bytes
from protolint.model.usage import net_alone
from protolint.model.net import TRAIN
from protolint.model import backward as nb

IN = ('layer { name: "in" type: "Input" top: "data" top: "label" '
      'input_param { shape { dim: 8 dim: 4 } shape { dim: 8 } } }\n')
FC = 'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 2 } }\n'
LOSS = 'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }\n'


def _net(text):
    result = lint_bytes("net.prototxt", text.encode(), default_options())
    return net_alone(result.document.root)


def test_backward_inference_mirrors_caffe():
    net = _net(IN + ('layer { name: "bn" type: "BatchNorm" bottom: "data" top: "data" }\n'
                     'layer { name: "relu" type: "ReLU" bottom: "data" top: "data" }\n' + FC + LOSS
                     + 'layer { name: "acc" type: "Accuracy" bottom: "fc" bottom: "label" top: "acc" }\n'))
    result = nb.backward(net, TRAIN)
    need = {layer.name: result.need[layer] for layer in net.layers}
    # BatchNorm without param blocks counts as learnable for need_backward (net.cpp uses the net's ParamSpec).
    assert need == {"in": False, "bn": True, "relu": True, "fc": True, "loss": True, "acc": False}
    loss = net.layers[4]
    assert result.pd[loss] == [True, False]
    assert result.contributes[net.layers[5]] is False
    forced = nb.backward(net, TRAIN, forced=True)
    assert forced.need[net.layers[5]] and forced.pd[net.layers[5]] == [True, True]
    assert forced.pd[loss] == [True, False]  # labels stay exempt
    assert [a.layer.name for a in nb.aborts(forced)] == ["acc"]
