"""Data and input rules (spec D601-D619): normalisation, deprecated transformation fields, batch
sizes and dimensions of data layers, mean/crop/colour settings, Input/DummyData shapes and the
legacy `input:` fields of a net.

`transform_param` (TransformationParameter, data_transformer.cpp) is read by Data, ImageData,
WindowData (crop, mirror and mean only) and MemoryData: it computes (x - mean) * scale.
Facts of BVLC Caffe 9b89154; `file:line` citations refer to that commit.
"""

from __future__ import annotations

from protolint.diagnostics import Fix, TextEdit
from protolint.model.net import Layer
from protolint.rule import Rule
from protolint.syntax.nodes import Field, Message, Scalar

from .net_common import (
    count_values,
    fmt,
    in_states,
    layer_label,
    layer_span,
    layers_in_states,
    net_views,
    node_span,
    report_at,
)

# The data parameter block whose transformation fields the V1 -> V2 data upgrade moves.
DATA_PARAM = {"Data": "data_param", "ImageData": "image_data_param", "WindowData": "window_data_param"}
TRANSFORM_READERS = ("Data", "ImageData", "WindowData", "MemoryData")
MOVED_FIELDS = ("scale", "mean_file", "crop_size", "mirror")


def transform_field(layer: Layer, name: str) -> Field | None:
    """`transform_param.<name>` as Caffe sees it: for V1 Data/ImageData/WindowData layers of a file,
    the upgrade (upgrade_proto.cpp:608-667) moves scale/mean_file/crop_size/mirror from the data
    parameter into transform_param."""
    node = layer.field(f"transform_param.{name}")
    if layer.v1 and name in MOVED_FIELDS and layer.type in DATA_PARAM:
        moved = layer.field(f"{DATA_PARAM[layer.type]}.{name}")
        if moved is not None:
            return moved
    return node


def mean_values(layer: Layer) -> list[Scalar]:
    block = layer.sub("transform_param")
    if block is None:
        return []
    return [v for f in block.all("mean_value") for v in f.values() if isinstance(v, Scalar)]


def _number(value) -> float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _block_span(layer: Layer, net, name: str) -> tuple[int, int]:
    """A parameter block's name, else the layer."""
    node = layer.message.last(name)
    return (node.name_start, node.name_end) if node is not None else layer_span(net, layer)


def _each_layer(ctx, types):
    for net in ctx.nets():
        for layer in net.layers:
            if layer.type in types:
                yield net, layer


# ---------------------------------------------------------------------------------------------
# D601, D602


def deprecated_transform_fields(layer: Layer) -> list[tuple[Field, str, str]]:
    """(field, what Caffe does instead, field path) for transformation settings that a V2 data layer
    never reads. Values that change nothing (scale 1, mirror false, ...) and fields that
    transform_param also sets are left out."""
    if layer.v1 or layer.type not in DATA_PARAM:
        return []
    param = DATA_PARAM[layer.type]
    block = layer.sub(param)
    found = []
    if block is not None:
        for name in MOVED_FIELDS:
            if layer.type == "WindowData" and name in ("scale", "crop_size"):
                continue  # WindowData still reads its scale; a missing crop is windowdata-crop-size-missing
            node = block.last(name)
            if node is None or layer.field(f"transform_param.{name}") is not None:
                continue
            value = node.scalar
            if name == "scale" and _number(value) is not None and value != 1:
                consequence = f"the data is fed unscaled (×1 instead of ×{fmt(value)})"
            elif name == "mean_file" and isinstance(value, str) and value:
                consequence = "no mean is subtracted"
            elif name == "crop_size" and (_number(value) or 0) > 0:
                consequence = "no cropping happens (whole images are fed)"
            elif name == "mirror" and value is True:
                consequence = "no mirroring happens"
            else:
                continue
            found.append((node, consequence, f"{param}.{name}"))
    if layer.type == "WindowData":
        scale = layer.field("transform_param.scale")
        if scale is not None and _number(scale.scalar) is not None and scale.scalar != 1:
            found.append((scale, f"WindowData never reads it (it scales by window_data_param.scale), so the data is "
                                 f"fed unscaled instead of ×{fmt(scale.scalar)}", "transform_param.scale"))
    return found


# Readers that pass raw values on (value-preserving or range-preserving), and layers with weights.
_RAW_THROUGH = frozenset("Split Slice Concat Reshape Flatten Dropout Pooling Crop ReLU".split())
_WEIGHTED = frozenset("Convolution Deconvolution InnerProduct".split())


def feeds_weights_raw(graph, layer: Layer) -> bool:
    """Whether the data top (top 0) reaches bottom 0 of a Convolution/Deconvolution/InnerProduct only
    through layers that keep raw values (so not a label map, an Embed index, or data that a
    BatchNorm/Scale/Power layer normalises first)."""
    stack, seen = [(layer, 0)], set()
    while stack:
        current, index = stack.pop()
        for use in graph.readers_of_top(current, index):
            reader = use.layer
            if reader.type in _WEIGHTED and use.index == 0:
                return True
            if reader.type in _RAW_THROUGH and id(reader) not in seen and not (reader.type == "Crop" and use.index):
                seen.add(id(reader))
                stack.extend((reader, j) for j in range(len(reader.tops)))
    return False


class DataNotNormalized(Rule):
    code = "D601"
    name = "data-not-normalized"
    severity = "warning"
    applies_to = ("net",)
    summary = "A trained net's data layer feeds raw pixel values (no mean, scale 1)"
    what_it_does = (
        "In a trained net, reports Data, ImageData and WindowData layers without mean subtraction "
        "(`mean_file`/`mean_value`) and with scale 1 (`transform_param.scale`; WindowData: "
        "`window_data_param.scale`) whose data reaches a Convolution/InnerProduct without passing a "
        "normalising layer (BatchNorm, Scale, Power, ...). Label maps and Embed indices are not checked, nor "
        "are HDF5Data, MemoryData, Input, DummyData and Python layers (their data is expected to be prepared)."
    )
    why_it_matters = (
        "Without a transform Caffe feeds the stored bytes, typically 0…255 (data_transformer.cpp). With the "
        "usual learning rates and initialisations this is the most common cause of early divergence and "
        "NaN losses (BVLC issues #399, #409)."
    )
    example = (
        'layer {\n  name: "data"\n  type: "Data"\n  top: "data"\n  top: "label"\n'
        '  data_param { source: "train_lmdb" backend: LMDB batch_size: 64 }\n}\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 10 } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = (
        "Add `transform_param { mean_value: 104 mean_value: 117 mean_value: 123 }` (or a mean_file) and/or "
        "`scale: 0.00390625` (1/256). Ignore the warning when the net normalises itself (e.g. a BatchNorm "
        "right after the data)."
    )
    version_notes = "Same in every Caffe version."

    def check(self, ctx):
        for view in net_views(ctx):
            if not view.train_states:
                continue  # not a trained net
            net = view.net
            states = view.states or view.train_states
            for layer in layers_in_states(net, states):
                if layer.type not in DATA_PARAM:
                    continue
                if not any(layer in net.graph(s).layers and feeds_weights_raw(net.graph(s), layer) for s in states):
                    continue  # labels, indices, or data normalised by the net itself
                if transform_field(layer, "mean_file") is not None or mean_values(layer):
                    continue
                if layer.type == "WindowData":
                    scale = None if layer.v1 else layer.field("window_data_param.scale")
                else:
                    scale = transform_field(layer, "scale")
                if scale is not None and _number(scale.scalar) is not None and scale.scalar != 1:
                    continue
                if deprecated_transform_fields(layer):
                    continue  # deprecated-data-param-transform says why
                block = layer.message.last("transform_param")
                span = (block.name_start, block.name_end) if block is not None else layer_span(net, layer)
                report_at(
                    ctx, span,
                    f'{layer.type} "{layer_label(layer)}" feeds raw pixel values (no mean subtraction, scale 1 — typically '
                    "0…255): with standard learning rates and initialisations this is the most common cause of early "
                    "divergence/NaN — add transform_param { mean_value: … } and/or scale: 0.00390625",
                )


class DeprecatedDataParamTransform(Rule):
    code = "D602"
    name = "deprecated-data-param-transform"
    severity = "warning"
    applies_to = ("net",)
    fixable = False
    summary = "Transformation fields in a data parameter, which `layer` syntax ignores"
    what_it_does = (
        "Reports `scale`, `mean_file`, `crop_size` and `mirror` written in `data_param` / `image_data_param` "
        "(and `mean_file`/`mirror` in `window_data_param`; its crop_size is windowdata-crop-size-missing's) of a "
        "`layer` entry, and `transform_param.scale` on WindowData, which WindowData never reads. Values that "
        "change nothing (scale 1, mirror false) and fields transform_param also sets are not reported."
    )
    why_it_matters = (
        "Caffe moves these fields into transform_param only when it upgrades V1 `layers` files "
        "(upgrade_proto.cpp:608-667). A current `layer` reads transform_param alone, so the setting is silently "
        "ignored: the data is fed unscaled (raw 0–255), without mean subtraction, uncropped or unmirrored — "
        "a frequent cause of divergence after hand-converting a V1 net. WindowData scales by "
        "window_data_param.scale only (window_data_layer.cpp:238)."
    )
    example = (
        'layer {\n  name: "data"\n  type: "Data"\n  top: "data"\n  top: "label"\n'
        '  data_param { source: "train_lmdb" backend: LMDB batch_size: 64 scale: 0.00390625 }\n}'
    )
    how_to_fix = "Move the fields into `transform_param { ... }` (for WindowData: scale into window_data_param)."
    version_notes = "Since the V2 `layer` format (early 2015); V1 `layers` files are upgraded and fine — unless embedded in a solver."

    def check(self, ctx):
        for net, layer in _each_layer(ctx, DATA_PARAM):
            for node, consequence, written in deprecated_transform_fields(layer):
                if written == "transform_param.scale":
                    text = (f'WindowData "{layer_label(layer)}" sets transform_param.scale: {consequence} — move it to '
                            "window_data_param { scale: … }")
                else:
                    text = (f'{layer.type} "{layer_label(layer)}" sets {written}, which Caffe ignores in "layer" syntax '
                            f'(only V1 "layers" files are upgraded): {consequence} — move it to transform_param '
                            f"{{ {written.rsplit('.', 1)[1]}: … }}")
                report_at(ctx, node_span(node), text)


# ---------------------------------------------------------------------------------------------
# D603 - D613: data layer parameters

BATCH_PARAM = {"Data": "data_param", "HDF5Data": "hdf5_data_param", "WindowData": "window_data_param",
               "ImageData": "image_data_param"}


class DataBatchSizeMissing(Rule):
    code = "D603"
    name = "data-batch-size-missing"
    severity = "error"
    applies_to = ("net",)
    summary = "A data layer without batch_size"
    what_it_does = (
        "Reports Data, HDF5Data and WindowData layers whose `batch_size` is unset or 0 (these have no "
        "default), and ImageData with an explicit `batch_size: 0`."
    )
    why_it_matters = (
        "The batch blobs get 0 items and Caffe aborts at setup — ImageData with \"Positive batch size "
        "required\", the others with the opaque \"Check failed: data_\" or a CHECK in the prefetch thread "
        "(caffe.proto:671, 783, 1214; blob.cpp:131-135)."
    )
    example = 'layer {\n  name: "data"\n  type: "Data"\n  top: "data"\n  top: "label"\n  data_param { source: "train_lmdb" backend: LMDB }\n}'
    how_to_fix = "Set batch_size in the layer's data parameter."
    version_notes = "Same in every Caffe version."

    def check(self, ctx):
        for net, layer in _each_layer(ctx, BATCH_PARAM):
            param = BATCH_PARAM[layer.type]
            node = layer.field(f"{param}.batch_size")
            value = _number(node.scalar) if node is not None else None
            if layer.type == "ImageData":
                if node is None or value is None or value > 0:
                    continue
                detail = '"Positive batch size required"'
            else:
                if node is not None and (value is None or value > 0):
                    continue
                detail = 'the opaque "Check failed: data_" or a prefetch-thread CHECK'
            report_at(
                ctx, node_span(node) if node is not None else _block_span(layer, net, param),
                f'{layer.type} "{layer_label(layer)}" has no batch_size{" (0)" if node is not None else ""}: the batch blobs '
                f"are empty and Caffe aborts ({detail}) — set {param} {{ batch_size: … }}",
            )


class MemoryDataDimsMissing(Rule):
    code = "D604"
    name = "memory-data-dims-missing"
    severity = "error"
    applies_to = ("net",)
    summary = "MemoryData without batch_size, channels, height and width"
    what_it_does = "Reports MemoryData layers whose `batch_size`, `channels`, `height` or `width` is unset or 0."
    why_it_matters = (
        "MemoryData allocates its blobs from these four values and aborts otherwise: \"batch_size, channels, "
        "height, and width must be specified and positive in memory_data_param\" (memory_data_layer.cpp:14-21)."
    )
    example = 'layer {\n  name: "data"\n  type: "MemoryData"\n  top: "data"\n  top: "label"\n  memory_data_param { batch_size: 1 channels: 3 height: 224 }\n}'
    how_to_fix = "Give all four dimensions of the arrays you will feed."
    version_notes = "Same in every Caffe version."

    def check(self, ctx):
        for net, layer in _each_layer(ctx, ("MemoryData",)):
            missing = [n for n in ("batch_size", "channels", "height", "width")
                       if not (_number(layer.get(f"memory_data_param.{n}")) or 0) > 0]
            if missing:
                report_at(
                    ctx, _block_span(layer, net, "memory_data_param"),
                    f'MemoryData "{layer_label(layer)}" needs batch_size, channels, height and width > 0 ({", ".join(missing)} '
                    f'{"is" if len(missing) == 1 else "are"} missing): Caffe aborts with "batch_size, channels, height, '
                    'and width must be specified and positive in memory_data_param"',
                )


class Hdf5TransformParam(Rule):
    code = "D605"
    name = "hdf5-transform-param"
    severity = "error"
    applies_to = ("net",)
    summary = "HDF5Data with a transform_param block"
    what_it_does = "Reports HDF5Data layers that have `transform_param`."
    why_it_matters = "HDF5Data refuses any transformation: \"HDF5Data does not transform data.\" (hdf5_data_layer.cpp:77-78)."
    example = (
        'layer {\n  name: "data"\n  type: "HDF5Data"\n  top: "data"\n  top: "label"\n  transform_param { scale: 0.0039 }\n'
        '  hdf5_data_param { source: "train.txt" batch_size: 64 }\n}'
    )
    how_to_fix = "Store normalised data in the HDF5 file, or scale it with a Power/Scale layer after the data layer."
    version_notes = "Same in every Caffe version."

    def check(self, ctx):
        for net, layer in _each_layer(ctx, ("HDF5Data",)):
            node = layer.message.last("transform_param")
            if node is not None:
                ctx.report(
                    node.name_start, node.name_end,
                    f'HDF5Data "{layer_label(layer)}" has transform_param: Caffe aborts with "HDF5Data does not transform '
                    'data." — store normalised data in the HDF5 file, or use a Scale/Power layer',
                )


class MeanFileAndMeanValue(Rule):
    code = "D606"
    name = "mean-file-and-mean-value"
    severity = "error"
    applies_to = ("net",)
    summary = "transform_param with both mean_file and mean_value"
    what_it_does = "Reports data layers whose transformation has both `mean_file` and `mean_value`."
    why_it_matters = "DataTransformer refuses it: \"Cannot specify mean_file and mean_value at the same time\" (data_transformer.cpp:20-38)."
    example = (
        'layer {\n  name: "data"\n  type: "Data"\n  top: "data"\n  top: "label"\n'
        '  transform_param { mean_file: "mean.binaryproto" mean_value: 104 }\n'
        '  data_param { source: "train_lmdb" backend: LMDB batch_size: 64 }\n}'
    )
    how_to_fix = "Keep one of them."
    version_notes = "Same in every Caffe version."

    def check(self, ctx):
        for net, layer in _each_layer(ctx, TRANSFORM_READERS):
            values = mean_values(layer)
            if values and transform_field(layer, "mean_file") is not None:
                first = layer.field("transform_param.mean_value")
                first = layer.sub("transform_param").first("mean_value") or first
                ctx.report(
                    first.name_start, first.name_end,
                    f'"{layer_label(layer)}" sets both mean_file and mean_value: Caffe aborts with "Cannot specify '
                    'mean_file and mean_value at the same time" — keep one',
                )


def data_channels(layer: Layer) -> int | None:
    """The channel count of the data a layer transforms, when the file says it."""
    if layer.get("transform_param.force_color") is True:
        return 3
    if layer.get("transform_param.force_gray") is True:
        return 1
    if layer.type == "ImageData":
        return 3 if layer.get("image_data_param.is_color") is not False else 1
    if layer.type == "WindowData":
        return 3
    if layer.type == "MemoryData":
        channels = _number(layer.get("memory_data_param.channels"))
        return int(channels) if channels else None
    return None


class MeanValueCount(Rule):
    code = "D607"
    name = "mean-value-count"
    severity = "error"
    applies_to = ("net",)
    summary = "A number of mean_value entries that fits neither 1 nor the channel count"
    what_it_does = (
        "Counts `mean_value` entries: one, or one per channel. Error when the channel count is known "
        "(ImageData `is_color`, WindowData, MemoryData `channels`, `force_color`/`force_gray`); info when it "
        "is unknown and the count is neither 1 nor 3."
    )
    why_it_matters = "DataTransformer aborts with \"Specify either 1 mean_value or as many as channels: C\" (data_transformer.cpp:67-69)."
    example = (
        'layer {\n  name: "data"\n  type: "ImageData"\n  top: "data"\n  top: "label"\n'
        '  transform_param { mean_value: 104 mean_value: 117 mean_value: 123 }\n'
        '  image_data_param { source: "train.txt" batch_size: 32 is_color: false }\n}'
    )
    how_to_fix = "Give one mean_value for all channels, or exactly one per channel (B, G, R order for OpenCV-loaded images)."
    version_notes = "Same in every Caffe version."

    def check(self, ctx):
        for net, layer in _each_layer(ctx, TRANSFORM_READERS):
            values = mean_values(layer)
            c = len(values)
            if c <= 1:
                continue
            channels = data_channels(layer)
            if channels is not None:
                if c == channels:
                    continue
                node = values[channels] if c > channels else values[0]
                report_at(
                    ctx, node_span(node),
                    f'"{layer_label(layer)}" gives {c} mean_value entries for {channels}-channel data: Caffe aborts with '
                    f'"Specify either 1 mean_value or as many as channels: {channels}"',
                )
            elif c != 3:
                report_at(
                    ctx, node_span(values[0]),
                    f'"{layer_label(layer)}" gives {c} mean_value entries: Caffe needs 1 or one per channel of the stored '
                    'images and otherwise aborts with "Specify either 1 mean_value or as many as channels"',
                    severity="info",
                )


class ForceColorAndGray(Rule):
    code = "D608"
    name = "force-color-and-gray"
    severity = "error"
    applies_to = ("net",)
    summary = "transform_param with both force_color and force_gray"
    what_it_does = "Reports transformations that set both `force_color: true` and `force_gray: true`."
    why_it_matters = "Decoding an encoded image then aborts: \"cannot set both force_color and force_gray\" (data_transformer.cpp:136-137)."
    example = (
        'layer {\n  name: "data"\n  type: "Data"\n  top: "data"\n  top: "label"\n'
        '  transform_param { force_color: true force_gray: true }\n'
        '  data_param { source: "train_lmdb" backend: LMDB batch_size: 64 }\n}'
    )
    how_to_fix = "Keep the one you mean."
    version_notes = "Same in every Caffe version that has the fields."

    def check(self, ctx):
        for net, layer in _each_layer(ctx, TRANSFORM_READERS):
            color = layer.field("transform_param.force_color")
            gray = layer.field("transform_param.force_gray")
            if color is not None and gray is not None and color.scalar is True and gray.scalar is True:
                report_at(
                    ctx, node_span(gray),
                    f'"{layer_label(layer)}" sets both force_color and force_gray: Caffe aborts with "cannot set both '
                    'force_color and force_gray" when decoding encoded images',
                )


class ImageDataNewSizePartial(Rule):
    code = "D610"
    name = "imagedata-new-size-partial"
    severity = "error"
    applies_to = ("net",)
    summary = "ImageData with only one of new_height and new_width"
    what_it_does = "Reports ImageData layers where exactly one of `new_height` and `new_width` is > 0."
    why_it_matters = (
        "ImageData resizes only to both dimensions: \"Current implementation requires new_height and new_width "
        "to be set at the same time.\" (image_data_layer.cpp:33-35)."
    )
    example = (
        'layer {\n  name: "data"\n  type: "ImageData"\n  top: "data"\n  top: "label"\n'
        '  image_data_param { source: "train.txt" batch_size: 32 new_height: 256 }\n}'
    )
    how_to_fix = "Set both new_height and new_width (or neither)."
    version_notes = "Same in every Caffe version."

    def check(self, ctx):
        for net, layer in _each_layer(ctx, ("ImageData",)):
            h = layer.field("image_data_param.new_height")
            w = layer.field("image_data_param.new_width")
            h_set = h is not None and (_number(h.scalar) or 0) > 0
            w_set = w is not None and (_number(w.scalar) or 0) > 0
            if h_set != w_set:
                node, name = (h, "new_height") if h_set else (w, "new_width")
                report_at(
                    ctx, node_span(node),
                    f'ImageData "{layer_label(layer)}" sets only {name}: Caffe aborts with "Current implementation requires '
                    'new_height and new_width to be set at the same time."',
                )


class WindowDataCropSizeMissing(Rule):
    code = "D611"
    name = "windowdata-crop-size-missing"
    severity = "error"
    applies_to = ("net",)
    summary = "WindowData without transform_param.crop_size"
    what_it_does = "Reports WindowData layers without `transform_param.crop_size > 0` (window_data_param.crop_size is ignored in `layer` syntax)."
    why_it_matters = "WindowData crops every window to crop_size and aborts without it: \"Check failed: crop_size > 0\" (window_data_layer.cpp:172-173)."
    example = (
        'layer {\n  name: "data"\n  type: "WindowData"\n  top: "data"\n  top: "label"\n'
        '  window_data_param { source: "windows.txt" batch_size: 128 crop_size: 227 }\n}'
    )
    how_to_fix = "Set `transform_param { crop_size: 227 }` (the network's input size)."
    version_notes = "Same in every Caffe version with transform_param."

    def check(self, ctx):
        for net, layer in _each_layer(ctx, ("WindowData",)):
            crop = transform_field(layer, "crop_size")
            if crop is not None and (_number(crop.scalar) or 0) > 0:
                continue
            report_at(
                ctx, layer_span(net, layer),
                f'WindowData "{layer_label(layer)}" needs transform_param.crop_size > 0 (window_data_param.crop_size is '
                'ignored): Caffe aborts with "Check failed: crop_size > 0"',
            )


class DataBackendDefaultLeveldb(Rule):
    code = "D612"
    name = "data-backend-default-leveldb"
    severity = "warning"
    applies_to = ("net",)
    fixable = True
    summary = "A Data layer reading an LMDB without backend: LMDB"
    what_it_does = "Reports Data layers without `backend` whose `source` contains \"lmdb\"."
    why_it_matters = (
        "`backend` defaults to LEVELDB (caffe.proto:678); opening an LMDB directory as LevelDB fails when the "
        "layer is set up (data_layer.cpp:18-19)."
    )
    example = 'layer {\n  name: "data"\n  type: "Data"\n  top: "data"\n  top: "label"\n  data_param { source: "train_lmdb" batch_size: 64 }\n}'
    how_to_fix = "Add `backend: LMDB`."
    version_notes = "Same in every Caffe version."

    def check(self, ctx):
        for net, layer in _each_layer(ctx, ("Data",)):
            source = layer.field("data_param.source")
            if source is None or layer.has("data_param.backend") or not isinstance(source.scalar, str):
                continue
            if "lmdb" not in source.scalar.lower():
                continue
            edit = TextEdit(source.value.end, source.value.end, " backend: LMDB")
            report_at(
                ctx, node_span(source),
                f'Data "{layer_label(layer)}" reads "{source.scalar}" but backend defaults to LEVELDB: opening an LMDB '
                "directory as LevelDB fails at start-up — add backend: LMDB",
                fixes=[Fix("Add backend: LMDB", [edit], safe=False)],
            )


class ImageDataNoShuffle(Rule):
    code = "D613"
    name = "imagedata-no-shuffle"
    severity = "info"
    applies_to = ("net",)
    fixable = True
    summary = "ImageData in a training net without shuffle: true"
    what_it_does = (
        "In the TRAIN state of a trained net, reports ImageData layers without `shuffle: true` — unless "
        "several ImageData layers read in step (images and label maps), which must not be shuffled separately."
    )
    why_it_matters = (
        "ImageData reads its list file in order (shuffle defaults to false, image_data_layer.cpp:51-62). "
        "If the list is sorted by class, every batch holds a single class and training oscillates."
    )
    example = (
        'layer {\n  name: "data"\n  type: "ImageData"\n  top: "data"\n  top: "label"\n'
        '  image_data_param { source: "train.txt" batch_size: 32 }\n}\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 10 } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Set `shuffle: true` (or shuffle the list file once)."
    version_notes = "Same in every Caffe version."

    def check(self, ctx):
        for view in net_views(ctx):
            if not view.train_states:
                continue
            for state in view.train_states:
                if sum(layer.type == "ImageData" for layer in view.net.layers_in(state)) > 1:
                    paired = True  # image and label lists read in step: shuffling one breaks the pairs
                    break
            else:
                paired = False
            if paired:
                continue
            for layer in layers_in_states(view.net, view.train_states):
                if layer.type != "ImageData" or layer.get("image_data_param.shuffle") is True:
                    continue
                block = layer.message.last("image_data_param")
                fixes = None
                if block is not None and isinstance(block.value, Message) and not block.value.has("shuffle"):
                    inner = block.value
                    anchor = inner.fields[-1] if inner.fields else None
                    if anchor is not None:
                        fixes = [Fix("Set shuffle: true", [TextEdit(anchor.end, anchor.end, " shuffle: true")], safe=False)]
                report_at(
                    ctx, _block_span(layer, view.net, "image_data_param"),
                    f'ImageData "{layer_label(layer)}" does not shuffle: if the list file is sorted by class, every batch '
                    "contains a single class and training oscillates — set shuffle: true (or shuffle the list file)",
                    fixes=fixes,
                )


# ---------------------------------------------------------------------------------------------
# D614 - D619: Input, DummyData, legacy inputs


class InputLayerInCliTrainNet(Rule):
    code = "D614"
    name = "input-layer-in-cli-train-net"
    severity = "warning"
    applies_to = ("solver", "net")
    summary = "The net a solver trains takes its data from an Input layer"
    what_it_does = (
        "For a net a solver trains (its net file linted with it, or an embedded train net), reports Input "
        "layers in the TRAIN state — including the one Caffe makes from legacy `input:` fields — whose tops "
        "are read by other layers."
    )
    why_it_matters = (
        "An Input layer only holds a blob; its Forward does nothing (input_layer.hpp). `caffe train` never "
        "fills it, so the blob stays zero (syncedmem.cpp:44) and the model trains on zeros."
    )
    example = (
        'train_net_param {\n'
        '  layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 4 } shape { dim: 8 } } }\n'
        '  layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 2 } }\n'
        '  layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }\n'
        '}\nbase_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 100'
    )
    how_to_fix = "Use a data layer (Data, ImageData, HDF5Data, ...) for training, or feed net.blobs[...] from Python before each step."
    version_notes = "The Input layer exists since rc4; earlier the legacy input fields behaved the same way."

    def check(self, ctx):
        for view in net_views(ctx):
            if not view.from_solver or not view.train_states:
                continue
            found: dict[int, list] = {}
            for state in view.train_states:
                graph = view.net.graph(state)
                for layer in graph.layers:
                    if layer.type != "Input":
                        continue
                    read = [layer.tops[j][0] for j in range(len(layer.tops)) if graph.readers_of_top(layer, j)]
                    if read:
                        item = found.setdefault(id(layer), [layer, read, []])
                        item[2].append(state)
            for layer, read, states in found.values():
                report_at(
                    ctx, layer_span(view.net, layer),
                    f'the training net{in_states(view.net, states)} takes its data from Input "{layer_label(layer)}", which '
                    f'"caffe train" never fills: the blob stays zero and the model trains on zeros — use a data layer, or '
                    f'feed net.blobs["{read[0]}"] from Python before each step',
                )


class InputShapeCount(Rule):
    code = "D615"
    name = "input-shape-count"
    severity = "error"
    applies_to = ("net",)
    summary = "An Input layer whose number of shapes fits neither 1 nor its tops"
    what_it_does = "Reports Input layers whose `input_param.shape` count is not 0, 1 or the number of tops."
    why_it_matters = "InputLayer aborts at setup: \"Must specify 'shape' once, once per top blob, or not at all\" (input_layer.cpp:8-15)."
    example = (
        'layer {\n  name: "input"\n  type: "Input"\n  top: "a"\n  top: "b"\n  top: "c"\n'
        '  input_param { shape { dim: 1 dim: 3 } shape { dim: 1 } }\n}'
    )
    how_to_fix = "Give one shape for all tops, or exactly one per top in top order."
    version_notes = "The Input layer exists since rc4."

    def check(self, ctx):
        for net, layer in _each_layer(ctx, ("Input",)):
            if layer.synthetic:
                continue
            block = layer.sub("input_param")
            shapes = [f for f in block.all("shape")] if block is not None else []
            k, n = sum(len(f.values()) for f in shapes), len(layer.tops)
            if k in (0, 1, n):
                continue
            report_at(
                ctx, node_span(shapes[0]),
                f'Input "{layer_label(layer)}" has {k} shapes for {n} tops: Caffe aborts with "Must specify \'shape\' '
                "once, once per top blob, or not at all\"",
            )


class DummyDataParamCount(Rule):
    code = "D616"
    name = "dummydata-param-count"
    severity = "error"
    applies_to = ("net",)
    summary = "DummyData fillers or shapes that fit neither 1 nor its tops"
    what_it_does = (
        "Checks DummyData in Caffe's order: `data_filler` count 0, 1 or #tops; legacy num/channels/height/width "
        "not together with `shape`; each legacy field once or once per top; otherwise `shape` once or once per top."
    )
    why_it_matters = "DummyDataLayer aborts at setup with the matching CHECK (dummy_data_layer.cpp:10-38)."
    example = (
        'layer {\n  name: "dummy"\n  type: "DummyData"\n  top: "a"\n  top: "b"\n'
        '  dummy_data_param { shape { dim: 1 } shape { dim: 2 } shape { dim: 3 } }\n}'
    )
    how_to_fix = "Give one shape (and filler) for all tops, or one per top; do not mix `shape` with num/channels/height/width."
    version_notes = "Same in every Caffe version that has DummyData `shape`."

    def check(self, ctx):
        for net, layer in _each_layer(ctx, ("DummyData",)):
            block = layer.sub("dummy_data_param")
            n = len(layer.tops)
            problem = _dummy_problem(block, n) if block is not None else (None, "shape", 0, "Must specify 'shape' once, or once per top blob")
            if problem is None:
                continue
            node, field_name, k, check = problem
            span = node_span(node) if node is not None else _block_span(layer, net, "dummy_data_param")
            report_at(
                ctx, span,
                f'DummyData "{layer_label(layer)}": {field_name} given {k} time(s) for {n} top(s) — Caffe aborts ("{check}")',
            )


def _dummy_problem(block: Message, n: int):
    fillers = block.all("data_filler")
    if len(fillers) not in (0, 1, n):
        return fillers[0], "data_filler", len(fillers), "Number of data fillers must be 0, 1 or equal to the number of tops"
    legacy = {name: count_values(block, name) for name in ("num", "channels", "height", "width")}
    shapes = block.all("shape")
    if any(legacy.values()):
        if shapes:
            return shapes[0], "shape", len(shapes), "Both shape and legacy fields were specified"
        for name, k in legacy.items():
            if k not in (1, n):
                return block.first(name), name, k, f"Must specify '{name}' once, or once per top blob"
        return None
    if len(shapes) not in (1, n):
        return (shapes[0] if shapes else None), "shape", len(shapes), "Must specify 'shape' once, or once per top blob"
    return None


def _legacy_fields(ctx):
    """(net, input fields, input_shape fields, input_dim value count) of a net file using legacy inputs."""
    if ctx.kind != "net":
        return None
    root = ctx.net.root
    inputs = root.all("input")
    if not inputs:
        return None
    return ctx.net, inputs, root.all("input_shape"), count_values(root, "input_dim")


class LegacyInputFields(Rule):
    code = "D617"
    name = "legacy-input-fields"
    severity = "info"
    applies_to = ("net",)
    fixable = True
    summary = "Net inputs declared with the deprecated input / input_shape / input_dim fields"
    what_it_does = "Reports a net file that declares its inputs with top-level `input:` plus `input_shape` or `input_dim`."
    why_it_matters = (
        "Caffe (rc4+) converts the fields into an Input layer named \"input\" when it loads the file "
        "(upgrade_proto.cpp:964-1003); the fields are not upgraded in nets embedded in a solver, are handled "
        "differently by older releases, and many converters only understand the Input layer."
    )
    example = 'input: "data"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 224\ninput_dim: 224'
    how_to_fix = 'Write `layer { name: "input" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 224 dim: 224 } } }`.'
    version_notes = "Before rc4 Net::Init read the fields itself; from rc4 they are upgraded to an Input layer."

    def check(self, ctx):
        found = _legacy_fields(ctx)
        if found is None:
            return
        net, inputs, shapes, dims = found
        if not shapes and not dims:
            return  # legacy-input-without-shape
        kind = "input_shape" if shapes else "input_dim"
        first = inputs[0]
        fix = _input_layer_fix(ctx, net.root, inputs, shapes, dims)
        ctx.report(
            first.name_start, first.name_end,
            f'deprecated net inputs (input / {kind}): Caffe converts them into an Input layer named "input" — write '
            'layer { name: "input" type: "Input" top: … input_param { shape { … } } }',
            fixes=[fix] if fix else None,
        )


def _input_layer_fix(ctx, root: Message, inputs, shapes, dims: int) -> Fix | None:
    """Rewrite the legacy fields as the Input layer Caffe builds from them, when the counts fit exactly."""
    names = [f.scalar for f in inputs]
    if not all(isinstance(n, str) for n in names):
        return None
    text = ctx.source.text
    if shapes:
        if len(shapes) != len(names) or root.has("input_dim"):
            return None
        if not all(isinstance(f.value, Message) for f in shapes):
            return None
        shape_texts = [" ".join(text[f.value.start:f.value.end].split()) for f in shapes]
        shape_texts = [f"shape {t}" for t in shape_texts]
    else:
        values = [v for f in root.all("input_dim") for v in f.values()]
        if dims != 4 * len(names) or not all(isinstance(v, Scalar) and isinstance(v.value, int) for v in values):
            return None
        shape_texts = [
            "shape { " + " ".join(f"dim: {v.value}" for v in values[4 * i: 4 * i + 4]) + " }" for i in range(len(names))
        ]
    legacy = [f for f in root.fields if f.name in ("input", "input_shape", "input_dim")]
    first = legacy[0]
    tops = "".join(f'  top: "{n}"\n' for n in names)
    layer = f'layer {{\n  name: "input"\n  type: "Input"\n{tops}  input_param {{ {" ".join(shape_texts)} }}\n}}'
    edits = [TextEdit(first.start, first.end, layer)]
    for f in legacy[1:]:
        start, end = f.start, f.end
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        if not text[line_start:start].strip() and not text[end:line_end].strip():
            start, end = line_start, min(line_end + 1, len(text))  # the field is alone on its line(s)
        edits.append(TextEdit(start, end, ""))
    # The Input layer must come first; the legacy fields usually do. Otherwise offer nothing.
    first_layer = root.first("layer") or root.first("layers")
    if first_layer is not None and first_layer.start < first.start:
        return None
    return Fix('Rewrite as an Input layer named "input"', edits, safe=True)


class LegacyInputShapeCount(Rule):
    code = "D618"
    name = "legacy-input-shape-count"
    severity = "error"
    applies_to = ("net",)
    summary = "Legacy net inputs whose input_shape / input_dim count does not fit the inputs"
    what_it_does = (
        "For top-level `input:` fields, checks one `input_shape` per input, or (without input_shape) exactly "
        "four `input_dim` values per input. Info when both input_shape and input_dim are given."
    )
    why_it_matters = (
        "The upgrade to an Input layer does not validate the counts (upgrade_proto.cpp:972-995): with too few "
        "it indexes past the end of the list (crash or garbage shapes); surplus values are silently ignored. "
        "With both fields, current Caffe uses input_shape and ignores input_dim, while rc3 aborted."
    )
    example = 'input: "a"\ninput: "b"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 32\ninput_dim: 32'
    how_to_fix = "Give one input_shape per input, or exactly 4 input_dim values (N, C, H, W) per input."
    version_notes = "rc3 and earlier checked the counts in Net::Init; rc4+ does not."

    def check(self, ctx):
        found = _legacy_fields(ctx)
        if found is None:
            return
        net, inputs, shapes, dims = found
        n = len(inputs)
        root = net.root
        if shapes:
            k = sum(len(f.values()) for f in shapes)
            if k != n:
                self._count(ctx, shapes[0], n, k, "input_shape", "one input_shape per input", k < n)
            if dims:
                node = root.first("input_dim")
                ctx.report(
                    node.name_start, node.name_end,
                    "both input_shape and input_dim are given: current Caffe uses input_shape and silently ignores "
                    "input_dim (Caffe rc3 aborts) — keep one",
                    severity="info",
                )
        elif dims and dims != 4 * n:
            self._count(ctx, root.first("input_dim"), n, dims, "input_dim", "exactly 4 input_dim values per input", dims < 4 * n)

    @staticmethod
    def _count(ctx, node, n, k, name, wanted, too_few):
        if too_few:
            effect = "the upgrade indexes past the end of the list (crash or garbage shapes)"
            severity = None
        else:
            effect = "the surplus values are silently ignored"
            severity = "warning"
        ctx.report(
            node.name_start, node.name_end,
            f"{n} net input(s) but {k} {name} value(s): {effect} — give {wanted}",
            severity=severity,
        )


class LegacyInputWithoutShape(Rule):
    code = "D619"
    name = "legacy-input-without-shape"
    severity = "error"
    applies_to = ("net",)
    summary = "A legacy net input without input_shape or input_dim"
    what_it_does = "Reports top-level `input:` fields in a net file that has neither `input_shape` nor `input_dim`."
    why_it_matters = (
        "Without a shape Caffe takes the net for a legacy .caffemodel and simply drops the inputs "
        "(upgrade_proto.cpp:964-1003), so the layers reading them fail with \"Unknown bottom blob\"."
    )
    example = 'input: "data"\nlayer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 2 } }'
    how_to_fix = "Add `input_shape { dim: … }` for each input, or replace the fields by an Input layer."
    version_notes = "rc4+ drops shapeless inputs; older releases aborted in Net::Init."

    def check(self, ctx):
        found = _legacy_fields(ctx)
        if found is None:
            return
        net, inputs, shapes, dims = found
        if shapes or dims:
            return
        for f in inputs:
            blob = f.scalar if isinstance(f.scalar, str) else "?"
            report_at(
                ctx, node_span(f),
                f'input "{blob}" has no shape: Caffe treats the file as a legacy caffemodel and drops the inputs, so '
                f'layers reading "{blob}" fail with "Unknown bottom blob" — add input_shape, or an Input layer',
            )


DATA_RULES = [
    DataNotNormalized,
    DeprecatedDataParamTransform,
    DataBatchSizeMissing,
    MemoryDataDimsMissing,
    Hdf5TransformParam,
    MeanFileAndMeanValue,
    MeanValueCount,
    ForceColorAndGray,
    ImageDataNewSizePartial,
    WindowDataCropSizeMissing,
    DataBackendDefaultLeveldb,
    ImageDataNoShuffle,
    InputLayerInCliTrainNet,
    InputShapeCount,
    DummyDataParamCount,
    LegacyInputFields,
    LegacyInputShapeCount,
    LegacyInputWithoutShape,
]
