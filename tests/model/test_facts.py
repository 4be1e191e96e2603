"""The layer facts table (blob counts, parameter blobs, what cannot backpropagate) matches Caffe's
layer headers."""

from __future__ import annotations

from protolint.api import default_options, lint_bytes
from protolint.model import facts
from protolint.model.usage import net_alone

IN = ('layer { name: "in" type: "Input" top: "data" top: "label" '
      'input_param { shape { dim: 8 dim: 4 } shape { dim: 8 } } }\n')


def _net(text):
    result = lint_bytes("net.prototxt", text.encode(), default_options())
    return net_alone(result.document.root)


def test_layer_facts_table():
    net = _net(IN + 'layer { name: "c" type: "Convolution" bottom: "data" top: "c" convolution_param { num_output: 1 kernel_size: 1 bias_term: false } }\n'
               'layer { name: "s" type: "Scale" bottom: "c" bottom: "data" top: "s" scale_param { bias_term: true } }\n'
               'layer { name: "l" type: "LSTM" bottom: "c" bottom: "label" bottom: "data" top: "h" recurrent_param { num_output: 2 } }\n'
               'layer { name: "py" type: "Python" bottom: "c" top: "py" }\n'
               'layer { name: "x" type: "NotACaffeLayer" bottom: "c" top: "x" }\n')
    layers = {layer.name: layer for layer in net.layers}
    assert [facts.param_blob_count(layers[n]) for n in "csl"] == [1, 1, 4]
    assert facts.param_blob_count(layers["py"]) is None and facts.blob_counts(layers["x"]) is None
    assert facts.blob_counts(layers["in"]).violation("Input", 0, 2) is None
    assert facts.nondiff_bottoms(layers["l"]) == {1: "Check failed: !propagate_down[1] Cannot backpropagate to sequence indicators."}
    assert facts.force_backward_excluded(layers["l"]) == {1}
    assert facts.whole_layer_nondiff("Threshold") and not facts.whole_layer_nondiff("ReLU")
    assert facts.is_loss_type("InfogainLoss") and not facts.is_loss_type("Accuracy")
    assert facts.BlobCounts(exact_bottoms=2, exact_tops=1, auto_tops=True).effective_tops(0) == 1
