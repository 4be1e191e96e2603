"""Shape inference (protolint/model/shapes.py): shapes match what Caffe computes (C++ int division,
CEIL/FLOOR pooling, pad clipping, dilation, N-D convolution), from every kind of input, in linear time."""

from __future__ import annotations


from protolint.api import default_options
from protolint.linter import prepare
from protolint.model.usage import net_alone
from protolint.model.net import TEST, TRAIN
from protolint.model.shapes import infer_shapes


def shapes_of(text, state=TEST):
    """{top blob name: shape of its last version} in `state`."""
    prepared = prepare("net.prototxt", text.encode(), default_options())
    net = net_alone(prepared.document.root)
    graph = net.graph(state)
    shapes = infer_shapes(graph)
    assert infer_shapes(graph) is shapes  # memoised per graph
    return {blob: shapes[(blob, version)] for blob, version in graph.versions.items()}


def inp(*dims, top="data"):
    return (f'layer {{ name: "in_{top}" type: "Input" top: "{top}" input_param {{ shape {{ '
            + " ".join(f"dim: {d}" for d in dims) + " } } }\n")


def conv(name, bottom, params, kind="Convolution"):
    return f'layer {{ name: "{name}" type: "{kind}" bottom: "{bottom}" top: "{name}" convolution_param {{ {params} }} }}\n'


def pool(name, bottom, params):
    return f'layer {{ name: "{name}" type: "Pooling" bottom: "{bottom}" top: "{name}" pooling_param {{ {params} }} }}\n'


def test_lenet_shapes():
    net = (inp(64, 1, 28, 28) + conv("conv1", "data", "num_output: 20 kernel_size: 5")
           + pool("pool1", "conv1", "pool: MAX kernel_size: 2 stride: 2")
           + conv("conv2", "pool1", "num_output: 50 kernel_size: 5")
           + pool("pool2", "conv2", "pool: MAX kernel_size: 2 stride: 2")
           + 'layer { name: "ip1" type: "InnerProduct" bottom: "pool2" top: "ip1" inner_product_param { num_output: 500 } }\n'
           + 'layer { name: "relu1" type: "ReLU" bottom: "ip1" top: "ip1" }\n'
           + 'layer { name: "ip2" type: "InnerProduct" bottom: "ip1" top: "ip2" inner_product_param { num_output: 10 } }\n'
           + 'layer { name: "prob" type: "Softmax" bottom: "ip2" top: "prob" }\n')
    s = shapes_of(net)
    assert s["conv1"] == (64, 20, 24, 24)
    assert s["pool1"] == (64, 20, 12, 12)
    assert s["conv2"] == (64, 50, 8, 8)
    assert s["pool2"] == (64, 50, 4, 4)
    assert s["ip1"] == (64, 500)
    assert s["ip2"] == s["prob"] == (64, 10)


def test_pooling_ceil_floor_and_pad_clipping():
    net = (inp(1, 8, 112, 112) + pool("ceil", "data", "pool: MAX kernel_size: 3 stride: 2")
           + pool("floor", "data", "pool: MAX kernel_size: 3 stride: 2 round_mode: FLOOR")
           + inp(1, 8, 5, 5, top="small")
           + pool("clipped", "small", "pool: MAX kernel_size: 2 stride: 2 pad: 1")
           + pool("unclipped", "small", "pool: MAX kernel_size: 3 stride: 2 pad: 1")
           + pool("global", "data", "pool: AVE global_pooling: true")
           + pool("rect", "data", "pool: AVE kernel_h: 2 kernel_w: 4 stride_h: 2 stride_w: 4"))
    s = shapes_of(net)
    assert s["ceil"] == (1, 8, 56, 56)  # ceil(109 / 2) + 1
    assert s["floor"] == (1, 8, 55, 55)
    assert s["clipped"] == (1, 8, 3, 3)  # ceil(5/2) + 1 = 4, last window starts at 6 >= 5 + 1: clipped
    assert s["unclipped"] == (1, 8, 3, 3)  # ceil(4/2) + 1 = 3, starts at 4 < 6
    assert s["global"] == (1, 8, 1, 1)
    assert s["rect"] == (1, 8, 56, 28)


def test_convolution_geometry():
    net = (inp(2, 3, 32, 32) + conv("dil", "data", "num_output: 8 kernel_size: 3 dilation: 2")
           + conv("strided", "data", "num_output: 8 kernel_size: 3 stride: 2 pad: 1")
           + conv("hw", "data", "num_output: 4 kernel_h: 3 kernel_w: 1 pad_h: 1 stride_w: 2 stride_h: 1")
           + conv("grouped", "data", "num_output: 6 kernel_size: 1 group: 3")
           + conv("up", "data", "num_output: 3 kernel_size: 4 stride: 2 pad: 1", kind="Deconvolution")
           + inp(1, 1, 16, 32, 32, top="vol")
           + conv("nd", "vol", "num_output: 4 kernel_size: 3 stride: 1 stride: 2 stride: 2 pad: 1")
           + inp(1, 1, 3, 3, top="tiny")
           + conv("trunc", "tiny", "num_output: 1 kernel_size: 6 stride: 2"))
    s = shapes_of(net)
    assert s["dil"] == (2, 8, 28, 28)  # extent 2 * (3 - 1) + 1 = 5
    assert s["strided"] == (2, 8, 16, 16)  # (32 + 2 - 3) / 2 + 1
    assert s["hw"] == (2, 4, 32, 16)
    assert s["grouped"] == (2, 6, 32, 32)
    assert s["up"] == (2, 3, 64, 64)  # 2 * 31 + 4 - 2
    assert s["nd"] == (1, 4, 16, 16, 16)
    assert s["trunc"] == (1, 1, 0, 0)  # (3 - 6) / 2 truncates to -1 (not -2): 0


def test_other_layers():
    net = (inp(4, 3, 8, 8) + inp(4, 5, 8, 8, top="other") + inp(4, 3, 6, 6, top="ref")
           + 'layer { name: "cat" type: "Concat" bottom: "data" bottom: "other" top: "cat" }\n'
           + 'layer { name: "sl" type: "Slice" bottom: "cat" top: "s1" top: "s2" top: "s3" slice_param { slice_point: 1 slice_point: 3 } }\n'
           + 'layer { name: "half" type: "Slice" bottom: "data" top: "h1" top: "h2" slice_param { axis: 2 } }\n'
           + 'layer { name: "fl" type: "Flatten" bottom: "cat" top: "flat" }\n'
           + 'layer { name: "rs" type: "Reshape" bottom: "cat" top: "rs" reshape_param { shape { dim: 0 dim: -1 dim: 16 } } }\n'
           + 'layer { name: "crop" type: "Crop" bottom: "data" bottom: "ref" top: "crop" crop_param { axis: 2 offset: 1 } }\n'
           + 'layer { name: "sum" type: "Eltwise" bottom: "data" bottom: "data" top: "sum" }\n'
           + 'layer { name: "split" type: "Split" bottom: "data" top: "a" top: "b" }\n'
           + 'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 7 axis: 2 } }\n'
           + 'layer { name: "lbl" type: "DummyData" top: "label" dummy_data_param { shape { dim: 4 } } }\n'
           + 'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "flat" bottom: "label" top: "loss" top: "p" }\n'
           + 'layer { name: "acc" type: "Accuracy" bottom: "flat" bottom: "label" top: "acc" }\n'
           + 'layer { name: "unknown" type: "Python" bottom: "data" top: "py" }\n')
    s = shapes_of(net)
    assert s["cat"] == (4, 8, 8, 8)
    assert (s["s1"], s["s2"], s["s3"]) == ((4, 1, 8, 8), (4, 2, 8, 8), (4, 5, 8, 8))
    assert s["h1"] == s["h2"] == (4, 3, 4, 8)
    assert s["flat"] == (4, 512)
    assert s["rs"] == (4, 32, 16)
    assert s["crop"] == (4, 3, 6, 6)
    assert s["sum"] == s["a"] == s["b"] == (4, 3, 8, 8)
    assert s["fc"] == (4, 3, 7)
    assert s["loss"] == s["acc"] == ()
    assert s["p"] == (4, 512)
    assert s["py"] is None


def test_sources():
    legacy = 'input: "data"\ninput_dim: 10\ninput_dim: 3\ninput_dim: 227\ninput_dim: 227\n'
    assert shapes_of(legacy)["data"] == (10, 3, 227, 227)
    legacy_shape = 'input: "a"\ninput: "b"\ninput_shape { dim: 1 dim: 2 }\ninput_shape { dim: 3 }\n'
    assert shapes_of(legacy_shape) == {"a": (1, 2), "b": (3,)}
    data = ('layer { name: "d" type: "Data" top: "data" top: "label" include { phase: TRAIN } '
            'transform_param { crop_size: 227 } data_param { source: "x" batch_size: 32 } }\n'
            'layer { name: "i" type: "ImageData" top: "data" top: "label" include { phase: TEST } '
            'image_data_param { source: "y" batch_size: 5 new_height: 64 new_width: 48 } }\n')
    assert shapes_of(data, TRAIN) == {"data": (32, None, 227, 227), "label": (32,)}
    assert shapes_of(data, TEST) == {"data": (5, 3, 64, 48), "label": (5,)}
    dummy = 'layer { name: "d" type: "DummyData" top: "x" top: "y" dummy_data_param { num: 2 channels: 3 height: 4 width: 5 } }\n'
    assert shapes_of(dummy) == {"x": (2, 3, 4, 5), "y": (2, 3, 4, 5)}
    # Data without a crop: channels and size come from the database; never guessed.
    s = shapes_of('layer { name: "d" type: "Data" top: "data" data_param { source: "x" batch_size: 8 } }\n'
                  + conv("c", "data", "num_output: 4 kernel_size: 3"))
    assert s["data"] == (8, None, None, None) and s["c"] == (8, 4, None, None)


def test_inference_is_linear(monkeypatch):
    """Each layer's bottoms are looked up a bounded number of times, however long the chain (counted,
    not timed: a timing would depend on the machine)."""
    from protolint.model.shapes.inference import Inference

    lookups = []
    real_bottom = Inference.bottom
    monkeypatch.setattr(Inference, "bottom", lambda self, layer, i: lookups.append(1) or real_bottom(self, layer, i))
    layers = [inp(1, 4, 16, 16, top="b0")]
    for i in range(20000):
        layers.append(f'layer {{ name: "r{i}" type: "ReLU" bottom: "b{i}" top: "b{i + 1}" }}\n')
    prepared = prepare("net.prototxt", "".join(layers).encode(), default_options())
    graph = net_alone(prepared.document.root).graph(TEST)
    shapes = infer_shapes(graph)
    assert shapes[("b20000", 0)] == (1, 4, 16, 16)
    assert len(lookups) <= 2 * 20000


def result_of(text, inputs=(), state=TEST):
    from protolint.model.shapes import shape_result

    prepared = prepare("net.prototxt", text.encode(), default_options())
    graph = net_alone(prepared.document.root).graph(state)
    result = shape_result(graph, inputs)
    last = {blob: (blob, version) for blob, version in graph.versions.items()}
    return ({blob: result.shapes[key] for blob, key in last.items()},
            {blob: result.why.get(key) for blob, key in last.items()}, result)


def test_every_unknown_top_says_why():
    net = ('layer { name: "h5" type: "HDF5Data" top: "data" top: "label" hdf5_data_param { source: "x" batch_size: 64 } }\n'
           + conv("c1", "data", "num_output: 8 kernel_size: 3")
           + 'layer { name: "db" type: "Data" top: "img" top: "lbl" data_param { source: "y" batch_size: 4 } }\n'
           + 'layer { name: "py" type: "Python" bottom: "c1" top: "py" python_param { module: "m" layer: "L" } }\n'
           + 'layer { name: "prop" type: "Proposal" bottom: "c1" top: "rois" }\n'
           + inp(1, 3, 8, 8, top="x") + conv("nonum", "x", "kernel_size: 3"))
    shapes, why, _ = result_of(net)
    assert shapes["data"] is None and "HDF5Data reads its shapes from the HDF5 files" in why["data"]
    assert "--input-shape data=64,C,H,W" in why["data"]
    assert why["c1"] == 'its input "data" is unknown (from layer "h5")'
    assert shapes["img"] == (4, None, None, None) and "--input-shape img=4,C,H,W" in why["img"]
    assert shapes["lbl"] == (4,) and why["lbl"] is None
    assert why["py"].startswith("Python layer (m.L): its shapes are set by its code")
    assert why["rois"].startswith("a layer type protolint does not model (Proposal)")
    assert "parameters do not give the shape" in why["nonum"]
    assert why["x"] is None


def test_a_layer_with_fields_the_schema_does_not_know_gives_unknown_tops():
    # A fork's dilation field: computed as if it were not there, conv would be 6x6 and the Eltwise
    # with the 4x4 branch a (false) mismatch.
    net = (inp(1, 3, 8, 8) + conv("fork", "data", "num_output: 3 kernel_size: 3 hole: 2")
           + conv("plain", "data", "num_output: 3 kernel_size: 5")
           + 'layer { name: "sum" type: "Eltwise" bottom: "fork" bottom: "plain" top: "sum" }\n')
    shapes, why, result = result_of(net)
    assert shapes["fork"] is None and "`convolution_param.hole`" in why["fork"]
    assert shapes["sum"] is None and not result.issues
    from protolint.api import lint_text

    rules = {d.rule for d in lint_text(net).diagnostics}
    assert "unknown-field" in rules and "layer-shape-mismatch" not in rules


def test_input_shapes_feed_the_data_layers():
    net = ('layer { name: "h5" type: "HDF5Data" top: "data" top: "label" hdf5_data_param { source: "x" batch_size: 2 } }\n'
           + conv("c1", "data", "num_output: 8 kernel_size: 3")
           + 'layer { name: "py" type: "Python" bottom: "c1" top: "py" python_param { module: "m" layer: "L" } }\n'
           + 'layer { name: "r" type: "ReLU" bottom: "py" top: "py" }\n')
    shapes, why, result = result_of(net, (("data", (2, 3, 10, 10)), ("py", (2, 5))))
    assert shapes["data"] == (2, 3, 10, 10) and shapes["c1"] == (2, 8, 8, 8)
    assert shapes["py"] == (2, 5) and why["py"] is None
    assert shapes["label"] is None
    assert result.given == {"data", "py"}
    # memoised per input shapes: without them the same graph still knows nothing
    assert result_of(net)[0]["c1"] is None


def test_input_shapes_reach_the_shape_rules():
    from protolint.api import lint_text

    net = ('layer { name: "h5" type: "HDF5Data" top: "data" hdf5_data_param { source: "x" batch_size: 2 } }\n'
           + conv("c1", "data", "num_output: 8 kernel_size: 7"))
    assert not any(d.rule == "blob-dim-nonpositive" for d in lint_text(net).diagnostics)
    found = lint_text(net, input_shapes={"data": (2, 3, 5, 5)}).diagnostics
    assert any(d.rule == "blob-dim-nonpositive" for d in found)


def test_more_layers():
    net = (inp(5, 4, top="x") + inp(3, 2, 6, top="seq")
           + 'layer { name: "emb" type: "Embed" bottom: "x" top: "emb" embed_param { num_output: 7 input_dim: 10 } }\n'
           + 'layer { name: "tile" type: "Tile" bottom: "x" top: "tile" tile_param { axis: 1 tiles: 3 } }\n'
           + 'layer { name: "red" type: "Reduction" bottom: "x" top: "red" reduction_param { axis: 1 } }\n'
           + 'layer { name: "par" type: "Parameter" top: "par" parameter_param { shape { dim: 2 dim: 9 } } }\n'
           + 'layer { name: "cont" type: "DummyData" top: "cont" dummy_data_param { shape { dim: 3 dim: 2 } } }\n'
           + 'layer { name: "lstm" type: "LSTM" bottom: "seq" bottom: "cont" top: "lstm" recurrent_param { num_output: 11 } }\n')
    shapes, _, _ = result_of(net)
    assert shapes["emb"] == (5, 4, 7) and shapes["tile"] == (5, 12) and shapes["red"] == (5,)
    assert shapes["par"] == (2, 9) and shapes["lstm"] == (3, 2, 11)


def test_with_a_forks_schema_a_field_bvlc_lacks_leaves_the_shape_unknown(tmp_path):
    from pathlib import Path

    import protolint.schema
    from protolint.model.shapes import shape_result
    from protolint.schema.loader import load_schema

    bvlc = (Path(protolint.schema.__file__).parent / "caffe.proto").read_text()
    fork_text = bvlc.replace("message PoolingParameter {", "message PoolingParameter {\n  optional bool ceil_mode = 1013;", 1)
    assert fork_text != bvlc
    (tmp_path / "caffe.proto").write_text(fork_text)
    fork = load_schema(str(tmp_path / "caffe.proto"))
    net = (inp(1, 3, 7, 7) + pool("floor", "data", "pool: MAX kernel_size: 2 stride: 2 ceil_mode: false")
           + pool("plain", "data", "pool: MAX kernel_size: 2 stride: 2"))
    prepared = prepare("net.prototxt", net.encode(), default_options(schema=fork))
    graph = net_alone(prepared.document.root).graph(TEST)
    result = shape_result(graph)
    assert result.shapes[("floor", 0)] is None  # ceil_mode: false would make it 3×3, not Caffe's 4×4
    assert "a field of your fork that BVLC Caffe does not have (`pooling_param.ceil_mode`)" in result.why[("floor", 0)]
    assert result.shapes[("plain", 0)] == (1, 3, 4, 4)
