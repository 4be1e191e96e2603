"""F409 filler-sparse-invalid: `sparse` on a filler that does not support it, below -1, or above the blob's outputs (Caffe aborts)."""

from __future__ import annotations

from protolint.model.facts import WEIGHT_BEARING
from protolint.model.fillers import FILLER_TYPES, FillerUse, filler_uses
from protolint.rule import Rule

from .._format import layer_label
from ._helpers import text_of


def _positive_int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _blob_rows(layer, use: FillerUse) -> int | None:
    """shape(0) of the blob a filler fills, when the layer parameters tell it."""
    block = WEIGHT_BEARING.get(layer.type)
    if layer.type in ("Convolution", "InnerProduct") and use.role in ("weight", "bias"):
        if layer.type == "InnerProduct" and use.role == "weight" and layer.get("inner_product_param.transpose"):
            return None
        return _positive_int(layer.get(f"{block}.num_output"))
    if layer.type == "Deconvolution" and use.role == "bias":
        return _positive_int(layer.get("convolution_param.num_output"))
    if layer.type == "Embed":
        if use.role == "weight":
            return _positive_int(layer.get("embed_param.input_dim"))
        return _positive_int(layer.get("embed_param.num_output"))
    return None


class FillerSparseInvalid(Rule):
    code = "F409"
    name = "filler-sparse-invalid"
    severity = "error"
    applies_to = ("net",)
    summary = "`sparse` on a filler that does not support it, below -1, or above the blob's outputs (Caffe aborts)"
    what_it_does = (
        "Reports a filler whose `sparse` is written and: is below -1; or is >= 0 on a filler other than "
        "gaussian; or, on a gaussian filler, exceeds shape(0) of the filled blob (num_output of a Convolution or "
        "InnerProduct, input_dim of an Embed's weights)."
    )
    why_it_matters = (
        "Every filler except gaussian ends with `CHECK_EQ(sparse, -1) << \"Sparsity not supported by this "
        "Filler.\"`; the gaussian filler checks `CHECK_GE(sparse, -1)` and keeps each weight with probability "
        "sparse/shape(0), which caffe_rng_bernoulli requires to be <= 1. Any of these aborts when Caffe builds the "
        "layer."
    )
    example = (
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc"\n'
        '  inner_product_param { num_output: 10 weight_filler { type: "xavier" sparse: 15 } } }'
    )
    how_to_fix = 'Use `sparse` only with `type: "gaussian"`, with a value between 0 and the number of outputs; remove it otherwise.'
    version_notes = "All Caffe versions."
    references = (
        "include/caffe/filler.hpp:43-44, 58-59, 122-123, 166-167, 211-212, 265-266 (the constant, uniform, "
        "positive_unitball, xavier, msra and bilinear fillers: CHECK_EQ(sparse, -1))",
        "include/caffe/filler.hpp:74-86 (GaussianFiller::Fill: CHECK_GE(sparse, -1), keeps a weight with "
        "probability sparse/shape(0))",
        "src/caffe/util/math_functions.cpp:298-303 (caffe_rng_bernoulli: CHECK_LE(p, 1))",
    )

    def check(self, ctx):
        for net, layer in ctx.layers(unbuilt=True):
            for use in filler_uses(layer):
                node = use.filler.last("sparse")
                sparse = node.scalar if node is not None else None
                kind = use.type
                if not isinstance(sparse, int) or isinstance(sparse, bool) or kind not in FILLER_TYPES:
                    continue
                written = text_of(node, sparse)
                if kind != "gaussian" and sparse != -1:
                    problem = (f"only the gaussian filler supports sparse, this {kind} filler fails \"Sparsity not supported "
                               "by this Filler.\"")
                elif sparse < -1:
                    problem = "sparse must be >= -1 (\"Check failed: sparse >= -1\")"
                else:
                    rows = _blob_rows(layer, use)
                    if kind != "gaussian" or sparse < 0 or rows is None or sparse <= rows:
                        continue
                    problem = (f"sparse {written} > {rows} outputs makes the keep probability {sparse}/{rows} > 1 "
                               "(\"Check failed: p <= 1\" in caffe_rng_bernoulli)")
                ctx.report_value(node, f"{use.role} filler of {layer_label(layer)} has sparse {written}: {problem} — "
                          "Caffe aborts at net construction")
