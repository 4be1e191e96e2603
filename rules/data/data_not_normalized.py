"""D601 data-not-normalized: A trained net's data layer feeds raw pixel values (no mean, scale 1)."""

from __future__ import annotations


from protolint import patterns
from protolint.context import layer_span
from protolint.model.facts import LINEAR_ON_INPUT, RANGE_PRESERVING
from protolint.model.net import Layer
from protolint.rule import Rule
from protolint.syntax.nodes import number

from .._format import layer_name
from ._helpers import DATA_PARAM, deprecated_transform_fields, mean_values, transform_field


def raw_readers(graph, layer: Layer) -> set[str]:
    """The types of the Convolution/Deconvolution/InnerProduct layers whose bottom 0 the data top
    (top 0) reaches only through layers that keep raw values (so not a label map, an Embed index,
    or data that a BatchNorm/Scale/Power layer normalises first)."""
    found: set[str] = set()
    stack, seen = [(layer, 0)], set()
    while stack:
        current, index = stack.pop()
        for use in graph.readers_of_top(current, index):
            reader = use.layer
            if reader.type in LINEAR_ON_INPUT and use.index == 0:
                found.add(reader.type)
            elif reader.type in RANGE_PRESERVING and id(reader) not in seen and not (reader.type == "Crop" and use.index):
                seen.add(id(reader))
                stack.extend((reader, j) for j in range(len(reader.tops)))
    return found


# A database or list named like this holds values someone already prepared (features, floats).
_PREPARED_SOURCE = patterns.compile(r"feat|float|norm|whiten|zscore|scaled|standardi[sz]")


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
        "Without a transform Caffe feeds the stored bytes, typically 0…255. With the "
        "usual learning rates and initialisations this is the most common cause of early divergence and "
        "NaN losses (BVLC issues #399, #409)."
    )
    example = (
        'layer {\n  name: "data"\n  type: "Data"\n  top: "data"\n  top: "label"\n'
        '  data_param { source: "train_lmdb" backend: LMDB batch_size: 64 }\n}\n'
        'layer { name: "conv" type: "Convolution" bottom: "data" top: "conv" convolution_param { num_output: 8 kernel_size: 3 } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "conv" top: "fc" inner_product_param { num_output: 10 } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = (
        "Add `transform_param { mean_value: 104 mean_value: 117 mean_value: 123 }` (or a mean_file) and/or "
        "`scale: 0.00390625` (1/256). Ignore the warning when the net normalises itself (e.g. a BatchNorm "
        "right after the data)."
    )
    version_notes = "Same in every Caffe version."
    references = (
        "src/caffe/data_transformer.cpp:107-122 (DataTransformer::Transform: each stored value, minus the mean if "
        "one is given, times scale, which defaults to 1)",
    )

    def check(self, ctx):
        for net in ctx.nets():
            if not net.train_states():
                continue  # not a trained net
            states = net.states() or net.train_states()
            for layer in net.layers_in_any(states):
                if layer.type not in DATA_PARAM:
                    continue
                readers = set()
                for s in states:
                    if layer in net.graph(s).layers:
                        readers |= raw_readers(net.graph(s), layer)
                if not readers:
                    continue  # labels, indices, or data normalised by the net itself
                if transform_field(layer, "mean_file") is not None or mean_values(layer):
                    continue
                if layer.type == "WindowData":
                    scale = None if layer.v1 else layer.field("window_data_param.scale")
                else:
                    scale = transform_field(layer, "scale")
                if scale is not None and number(scale.scalar) is not None and scale.scalar != 1:
                    continue
                if deprecated_transform_fields(layer):
                    continue  # deprecated-data-param-transform says why
                block = layer.message.last("transform_param")
                span = (block.name_start, block.name_end) if block is not None else layer_span(layer)
                source = str(layer.get(f"{DATA_PARAM[layer.type]}.source") or "")
                if _PREPARED_SOURCE.search(source.lower()) or not readers & {"Convolution", "Deconvolution"}:
                    # Features rather than images (an InnerProduct reads them, or the source says so):
                    # they may well be normalised already.
                    what = f'its source "{source}" looks prepared' if _PREPARED_SOURCE.search(source.lower()) else (
                        "only InnerProduct layers read it, so it may hold prepared features rather than pixels")
                    ctx.report(*span, f'{layer.type} "{layer_name(layer)}" feeds its values unchanged (no mean subtraction, '
                               f"scale 1) and {what}: fine if they are already normalised, but raw 0…255 pixels with the "
                               "usual learning rates diverge — add transform_param { mean_value: … } and/or scale: "
                               "0.00390625 if they are pixels", severity="info")
                    continue
                ctx.report(*span, f'{layer.type} "{layer_name(layer)}" feeds raw pixel values to convolutions (no mean '
                           "subtraction, scale 1 — typically 0…255): with standard learning rates and initialisations "
                           "this is the most common cause of early divergence/NaN — add transform_param { mean_value: … } "
                           "and/or scale: 0.00390625")
