"""[shape] rules: setup CHECKs that fail once blob shapes are known (protolint/model/shapes.py).

Each rule fires only where the shapes it needs are fully known (from Input layers, the legacy input
fields, DummyData, MemoryData, WindowData, or Data/ImageData with a fixed crop / resize), checks
every state the net is built in, and reports each layer once.
"""

from protolint.model.shapes import shape_issues
from protolint.rule import Rule

from .layers_common import report_at


class _ShapeRule(Rule):
    severity = "error"
    applies_to = ("net",)

    def check(self, ctx):
        for net in ctx.nets():
            states = net.states()
            found: dict = {}  # id(layer) -> [issue, [state labels]]
            for state in states:
                for issue in shape_issues(net.graph(state)):
                    if issue.code != self.code:
                        continue
                    entry = found.get(id(issue.layer))
                    if entry is None:
                        found[id(issue.layer)] = [issue, [state.describe()]]
                    elif state.describe() not in entry[1]:
                        entry[1].append(state.describe())
            for issue, labels in found.values():
                message = issue.message
                if len(states) > 1 and len(labels) < len(states):
                    message += f" (in the {', '.join(labels)} net)"
                report_at(ctx, issue.layer, issue.node, message)


class BlobDimNonpositive(_ShapeRule):
    code = "N228"
    name = "blob-dim-nonpositive"
    summary = "A layer would produce a blob with a dimension <= 0"
    what_it_does = (
        "Infers blob shapes from the net's inputs and reports the first layer whose top would get a size <= 0 "
        "on some axis: a convolution or pooling kernel larger than its (padded) input, a deconvolution with a "
        "huge pad, a Reshape with a negative dimension, an input declared with a size <= 0."
    )
    why_it_matters = (
        "Blob::Reshape aborts on a negative size (\"Check failed: shape[i] >= 0\"), and a blob with a 0 size "
        "aborts with the opaque \"Check failed: data_\" the first time a layer writes it (blob.cpp)."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 3 dim: 3 } } }\n'
        'layer {\n  name: "conv1"\n  type: "Convolution"\n  bottom: "data"\n  top: "conv1"\n'
        "  convolution_param { num_output: 1 kernel_size: 7 }\n}"
    )
    how_to_fix = (
        "Use a kernel no larger than the padded input (or pad it), remove downsampling steps for small inputs, or "
        "fix the declared input size."
    )
    version_notes = "No version differences known; checked against BVLC/caffe master (9b89154)."


class PoolingEmptyWindow(_ShapeRule):
    code = "L323"
    name = "pooling-empty-window"
    summary = "Ceil-rounded pooling whose last window lies outside the input"
    what_it_does = (
        "For MAX/AVE pooling with stride > kernel, no padding and the default CEIL rounding, checks with the "
        "known input size whether the last row or column of windows starts beyond the input "
        "((out - 1)·stride >= H)."
    )
    why_it_matters = (
        "Caffe only clips the last window when pad > 0. An empty AVE window divides 0 by 0 (NaN); an empty MAX "
        "window outputs -3.4e38 and its CPU backward writes out of bounds (pooling_layer.cpp; reproduced by "
        "running Caffe: 4×4 input, kernel 1, stride 2 gives a 3×3 output with 5 NaN cells)."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 4 dim: 4 } } }\n'
        'layer {\n  name: "pool1"\n  type: "Pooling"\n  bottom: "data"\n  top: "pool1"\n'
        "  pooling_param { pool: AVE kernel_size: 1 stride: 2 }\n}"
    )
    how_to_fix = "Use a stride no larger than the kernel, pad the input, or use `round_mode: FLOOR` (master only)."
    version_notes = "`round_mode` exists only on master after 1.0; older releases always round up."


class PoolingNon4d(_ShapeRule):
    code = "L325"
    name = "pooling-non-4d"
    summary = "Pooling over a blob that does not have 4 axes"
    what_it_does = "Reports a Pooling layer whose inferred input does not have exactly 4 axes (N×C×H×W)."
    why_it_matters = (
        "PoolingLayer::Reshape aborts with \"Input must have 4 axes, corresponding to (num, channels, height, "
        "width)\" (pooling_layer.cpp) — e.g. pooling after an InnerProduct, whose output is 2-D."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 16 } }\n'
        'layer {\n  name: "pool"\n  type: "Pooling"\n  bottom: "fc"\n  top: "pool"\n'
        "  pooling_param { pool: MAX kernel_size: 2 stride: 2 }\n}"
    )
    how_to_fix = "Pool a 4-D blob (before the InnerProduct), or Reshape the input to N×C×H×W first."
    version_notes = "No version differences known; checked against BVLC/caffe master (9b89154)."


class LossInputShapeMismatch(_ShapeRule):
    code = "L343"
    name = "loss-input-shape-mismatch"
    summary = "Prediction and label shapes of a loss (or Accuracy) layer do not fit"
    what_it_does = (
        "With known shapes, checks the Reshape CHECKs of loss layers: the first dimension of both bottoms "
        "(all LossLayers), label count = outer·inner of the prediction around the axis (SoftmaxWithLoss, "
        "InfogainLoss, Accuracy), equal counts (SigmoidCrossEntropyLoss), equal count(1) (EuclideanLoss), "
        "N×1×1×1 labels (MultinomialLogisticLoss), N×C×1×1 pairs and N×1×1×1 similarity (ContrastiveLoss)."
    )
    why_it_matters = "Caffe aborts at setup with the CHECK of the layer's Reshape (loss_layer.cpp, softmax_loss_layer.cpp, ...)."
    example = (
        'layer { name: "data" type: "Input" top: "pred" top: "label" input_param { shape { dim: 8 dim: 10 } '
        "shape { dim: 8 dim: 2 } } }\n"
        'layer {\n  name: "loss"\n  type: "SoftmaxWithLoss"\n  bottom: "pred"\n  bottom: "label"\n  top: "loss"\n}'
    )
    how_to_fix = (
        "Feed one class index per prediction position (an N×1 or N label for an N×C prediction); for "
        "regression losses give both inputs the same size."
    )
    version_notes = "No version differences known; checked against BVLC/caffe master (9b89154)."


class LayerShapeMismatch(_ShapeRule):
    code = "L360"
    name = "layer-shape-mismatch"
    summary = "A layer's input shapes fail its geometry CHECKs"
    what_it_does = (
        "With known shapes, checks the geometry CHECKs of layer setup: identical Eltwise (and multi-input "
        "Convolution) bottoms, Concat inputs equal off the concat axis, Slice points inside the axis and even "
        "splits, Reshape copies/-1/count, Crop offsets and bounds, Scale/Bias parameter blobs matching bottom 0, "
        "pooling windows clipped into the input, and axis indices within the blob's axes."
    )
    why_it_matters = "Each of these is a CHECK in the layer's LayerSetUp/Reshape: Caffe aborts when it builds the net."
    example = (
        'layer { name: "a" type: "Input" top: "a" input_param { shape { dim: 1 dim: 64 dim: 56 dim: 56 } } }\n'
        'layer { name: "b" type: "Input" top: "b" input_param { shape { dim: 1 dim: 64 dim: 28 dim: 28 } } }\n'
        'layer {\n  name: "sum"\n  type: "Eltwise"\n  bottom: "a"\n  bottom: "b"\n  top: "sum"\n'
        "  eltwise_param { operation: SUM }\n}"
    )
    how_to_fix = (
        "Make the inputs agree (e.g. add a stride-2 projection on the shortcut of a downsampling residual block, "
        "crop or pad one branch), or fix the axis / slice points / offsets."
    )
    version_notes = "No version differences known; checked against BVLC/caffe master (9b89154)."


class CropLargerThanInput(_ShapeRule):
    code = "D609"
    name = "crop-larger-than-input"
    summary = "transform_param.crop_size larger than the resized images"
    what_it_does = (
        "Reports an ImageData layer whose `transform_param.crop_size` is larger than the size it resizes its "
        "images to (`new_height` × `new_width`)."
    )
    why_it_matters = (
        "The data transformer checks that the image is at least as large as the crop (data_transformer.cpp) and "
        "Caffe aborts at setup (\"Check failed: img_height >= crop_size\")."
    )
    example = (
        'layer {\n  name: "data"\n  type: "ImageData"\n  top: "data"\n  top: "label"\n'
        "  transform_param { crop_size: 227 }\n"
        '  image_data_param { source: "train.txt" batch_size: 32 new_height: 200 new_width: 200 }\n}'
    )
    how_to_fix = "Use a crop no larger than the resized image, or resize to at least the crop size (e.g. 256×256 for a 227 crop)."
    version_notes = "No version differences known; checked against BVLC/caffe master (9b89154)."


SHAPE_RULES = [
    BlobDimNonpositive,
    PoolingEmptyWindow,
    PoolingNon4d,
    LossInputShapeMismatch,
    LayerShapeMismatch,
    CropLargerThanInput,
]
