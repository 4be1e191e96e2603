"""N221 too-many-param-specs: more `param { }` blocks than the layer has parameter blobs."""

from __future__ import annotations

from protolint.model import facts

from protolint.context import node_span
from protolint.model.net import Layer
from protolint.model.params import param_specs
from protolint.rule import Rule

from .._format import layer_name


def _blob_detail(layer: Layer) -> str:
    if layer.type in ("Convolution", "Deconvolution") and layer.get("convolution_param.bias_term") is False:
        return " with bias_term: false"
    if layer.type == "InnerProduct" and layer.get("inner_product_param.bias_term") is False:
        return " with bias_term: false"
    if layer.type == "Embed" and layer.get("embed_param.bias_term") is False:
        return " with bias_term: false"
    if layer.type == "Scale":
        return f" with {len(layer.bottoms)} bottom(s) and bias_term: {str(layer.get('scale_param.bias_term') is True).lower()}"
    if layer.type == "Bias" and len(layer.bottoms) > 1:
        return " with 2 bottoms"
    return ""


class TooManyParamSpecs(Rule):
    code = "N221"
    name = "too-many-param-specs"
    severity = "error"
    applies_to = ("net",)
    summary = "More `param { }` blocks than the layer has parameter blobs"
    what_it_does = (
        "Compares the number of `param` blocks (V1: `blobs_lr`/`weight_decay`/`param` entries) with the "
        "number of parameter blobs of the layer type: none for ReLU, Pooling, data layers ...; 1 + bias for "
        "Convolution/InnerProduct/Embed; 3 for BatchNorm; for Scale 1 (one bottom) plus 1 with bias_term. "
        "Python layers are exempt."
    )
    why_it_matters = (
        "Caffe aborts while building the net: \"Too many params specified for layer X\". "
        "Typical causes: two param blocks on a layer with `bias_term: false`, or param blocks copied onto a "
        "ReLU or Pooling layer."
    )
    example = (
        'layer {\n  name: "conv1"\n  type: "Convolution"\n  bottom: "data"\n  top: "conv1"\n  param { lr_mult: 1 }\n'
        '  param { lr_mult: 2 }\n  convolution_param { num_output: 16 kernel_size: 3 bias_term: false }\n}'
    )
    how_to_fix = "Delete the surplus param blocks (the message names the layer's blob count)."
    version_notes = "Same in every Caffe version."
    references = (
        "src/caffe/net.cpp:141-144 (Net::Init: CHECK_LE(param_size, num_param_blobs))",
    )

    def check(self, ctx):
        for net in ctx.nets():
            for layer in net.layers:
                n = facts.param_blob_count(layer)
                if n is None:
                    continue
                specs = param_specs(layer)
                if len(specs) <= n:
                    continue
                surplus = specs[n].node
                word = "param block" if not layer.v1 else "param entry (blobs_lr/weight_decay/param)"
                ctx.report(*node_span(surplus) if layer.v1 else (surplus.name_start, surplus.name_end), f'layer "{layer_name(layer)}" has {len(specs)} {word}{"s" if len(specs) > 1 else ""} but a '
                    f"{layer.type} layer{_blob_detail(layer)} has {n} parameter blob(s): Caffe aborts with \"Too many "
                    f'params specified for layer {layer.name}" — delete the surplus param')
