"""L378 ignored-param-block: a parameter block the layer's type never reads."""

from __future__ import annotations

from protolint.rule import Rule

from .._format import layer_label

_DATA = ("transform_param",)
_LOSS = ("loss_param",)
# The LayerParameter blocks each BVLC layer type reads (its own, the data transformer of data
# layers, the loss options of loss layers, and those of the layers a loss builds inside it).
READS: dict[str, tuple[str, ...]] = {
    "Accuracy": ("accuracy_param",), "ArgMax": ("argmax_param",), "BatchNorm": ("batch_norm_param",),
    "Bias": ("bias_param",), "Clip": ("clip_param",), "Concat": ("concat_param",),
    "ContrastiveLoss": ("contrastive_loss_param", *_LOSS), "Convolution": ("convolution_param",),
    "Deconvolution": ("convolution_param",), "Im2col": ("convolution_param",), "Crop": ("crop_param",),
    "Data": ("data_param", *_DATA), "Dropout": ("dropout_param",), "DummyData": ("dummy_data_param",),
    "Eltwise": ("eltwise_param",), "ELU": ("elu_param",), "Embed": ("embed_param",), "Exp": ("exp_param",),
    "Flatten": ("flatten_param",), "HDF5Data": ("hdf5_data_param",), "HDF5Output": ("hdf5_output_param",),
    "HingeLoss": ("hinge_loss_param", *_LOSS), "ImageData": ("image_data_param", *_DATA),
    "InfogainLoss": ("infogain_loss_param", "softmax_param", *_LOSS), "InnerProduct": ("inner_product_param",),
    "Input": ("input_param",), "Log": ("log_param",), "LRN": ("lrn_param",),
    "MemoryData": ("memory_data_param", *_DATA), "MVN": ("mvn_param",), "Parameter": ("parameter_param",),
    "Pooling": ("pooling_param",), "Power": ("power_param",), "PReLU": ("prelu_param",),
    "LSTM": ("recurrent_param",), "RNN": ("recurrent_param",), "Reduction": ("reduction_param",),
    "ReLU": ("relu_param",), "Reshape": ("reshape_param",), "Scale": ("scale_param", "bias_param"),
    "Sigmoid": ("sigmoid_param",), "SigmoidCrossEntropyLoss": ("sigmoid_param", *_LOSS),
    "Softmax": ("softmax_param",), "SoftmaxWithLoss": ("softmax_param", *_LOSS),
    "MultinomialLogisticLoss": _LOSS, "EuclideanLoss": _LOSS, "SPP": ("spp_param",), "Slice": ("slice_param",),
    "Swish": ("swish_param",), "TanH": ("tanh_param",), "Threshold": ("threshold_param",), "Tile": ("tile_param",),
    "WindowData": ("window_data_param", *_DATA), "Split": (), "Silence": (), "AbsVal": (), "BNLL": (),
    "Filter": (), "BatchReindex": (), "LSTMUnit": (),
}
# Reported by a rule of its own.
_ELSEWHERE = {("HDF5Data", "transform_param")}


class IgnoredParamBlock(Rule):
    code = "L378"
    name = "ignored-param-block"
    severity = "warning"
    applies_to = ("net",)
    summary = "A parameter block the layer's type never reads"
    what_it_does = (
        "Reports `*_param` blocks (and `transform_param`, `loss_param`) on a layer whose type does not read them: "
        "`data_param` on an Input layer, `pooling_param` on a Convolution, `transform_param` on a layer that is not "
        "a data layer. Python layers and types protolint does not know are not checked (their code may read "
        "anything)."
    )
    why_it_matters = (
        "Caffe accepts the block and never looks at it: the settings in it silently do nothing. A mean subtraction "
        "in a `transform_param` that no data layer reads, a batch size in a `data_param` on an Input layer, a "
        "kernel in a `pooling_param` on a Convolution — the net trains without them, usually on data or with a "
        "layer that is not what the file says."
    )
    example = (
        'layer {\n  name: "data"\n  type: "Input"\n  top: "data"\n'
        '  input_param { shape { dim: 1 dim: 3 dim: 32 dim: 32 } }\n'
        '  transform_param { mean_value: 104 mean_value: 117 mean_value: 123 }\n}'
    )
    how_to_fix = (
        "Move the settings to the block the layer reads (an Input layer's data is prepared by whoever fills it; "
        "a Data layer reads `transform_param`), or delete the block."
    )
    version_notes = "Which blocks each type reads is that of BVLC Caffe 9b89154; with `--proto` only known types are checked."
    references = (
        "src/caffe/proto/caffe.proto:326-424 (LayerParameter: one optional block per layer type)",
        "src/caffe/layers/base_data_layer.cpp:14-17 (BaseDataLayer: the data layers read transform_param)",
    )

    def check(self, ctx):
        known = ctx.known_layer_types()
        for _net, layer in ctx.layers(unbuilt=True):
            reads = READS.get(layer.type)
            if reads is None or layer.synthetic or layer.type not in known:
                continue
            for f in layer.message.fields:
                name = f.name
                if f.schema is None or f.schema.message is None or name in reads or (layer.type, name) in _ELSEWHERE:
                    continue
                if name.endswith("_param") and name != "param" or name == "transform_param":
                    reader = "reads none" if not reads else "reads only " + ", ".join(f"`{r}`" for r in reads)
                    ctx.report_node(f, f"`{name}` on {layer_label(layer)} is ignored: a {layer.type} layer {reader}, so "
                                       "the settings in it do nothing — move them to the block this layer reads, or "
                                       "delete it")
