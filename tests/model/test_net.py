"""The net model: the blob graph (versions of in-place blobs, where Caffe inserts Split layers) and
V0 layers upgraded as Caffe upgrades them."""

from __future__ import annotations

from protolint.api import default_options, lint_bytes
from protolint.model.usage import net_alone
from protolint.model.net import TRAIN


def test_blob_graph_split_points_and_versions():
    text = (
        'layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 4 } } }\n'
        'layer { name: "ip" type: "InnerProduct" bottom: "data" top: "ip" inner_product_param { num_output: 2 } }\n'
        'layer { name: "relu" type: "ReLU" bottom: "ip" top: "ip" }\n'  # in place: version 1 of "ip"
        'layer { name: "a" type: "Sigmoid" bottom: "ip" top: "a" }\n'
        'layer { name: "b" type: "TanH" bottom: "ip" top: "b" loss_weight: 1 }\n'
        'layer { name: "c" type: "Sigmoid" bottom: "b" top: "c" }\n'
    )
    result = lint_bytes("n.prototxt", text.encode(), default_options(select=["P"]))
    graph = net_alone(result.document.root).graph(TRAIN)
    assert graph.versions == {"data": 0, "ip": 1, "a": 0, "b": 0, "c": 0}
    relu = graph.layers[2]
    assert [(u.layer.name, u.in_place) for u in graph.consumers[("ip", 0)]] == [("relu", True)]
    splits = {(top.node.scalar, top.version): sorted(r.layer.name for r in readers) for top, readers in graph.split_points()}
    # "ip" v1 is read by a and b; "b" is read by c and carries a loss weight: both get a Split.
    assert splits == {("ip", 1): ["a", "b"], ("b", 0): ["c"]}
    assert graph.producer_of(graph.consumers[("ip", 1)][0]).layer is relu


def test_v0_layers_are_upgraded_in_the_model():
    text = (
        'layers { layer { name: "data" type: "data" source: "db" batchsize: 8 } top: "data" top: "label" }\n'
        'layers { layer { name: "pad1" type: "padding" pad: 1 } bottom: "data" top: "pad1" }\n'
        'layers { layer { name: "conv1" type: "conv" num_output: 4 kernelsize: 3 } bottom: "pad1" top: "conv1" }\n'
        'layers { layer { name: "loss" type: "softmax_loss" } bottom: "conv1" bottom: "label" }\n'
    )
    result = lint_bytes("v0.prototxt", text.encode(), default_options(select=["P"]))
    assert [d for d in result.diagnostics if d.severity == "error"] == []
    net = net_alone(result.document.root)
    assert [(layer.name, layer.type) for layer in net.layers] == [
        ("data", "Data"), ("pad1", ""), ("conv1", "Convolution"), ("loss", "SoftmaxWithLoss"),
    ]
    assert net.graph(TRAIN).unknown_bottoms == [] and net.trained
