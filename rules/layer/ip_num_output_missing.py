"""L317 ip-num-output-missing: an InnerProduct without num_output."""

from __future__ import annotations

from protolint.rule import Rule

from ._helpers import has_unknown_fields, unset_or_zero


class IpNumOutputMissing(Rule):
    code = "L317"
    name = "ip-num-output-missing"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("InnerProduct",)
    summary = "An InnerProduct without num_output"
    what_it_does = "Reports InnerProduct layers whose `inner_product_param.num_output` is unset or 0."
    why_it_matters = (
        "There is no explicit CHECK: the weight blob gets shape 0 x K, has no storage, and Caffe aborts with the "
        "opaque \"Check failed: data_\" (reproduced by running Caffe)."
    )
    example = 'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { weight_filler { type: "xavier" } } }'
    how_to_fix = "Set num_output (the number of outputs)."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/inner_product_layer.cpp:12-15, 32-44 (InnerProductLayer::LayerSetUp: weight shape "
        "num_output x K, then the filler)",
        "src/caffe/blob.cpp:131-135 (Blob::mutable_cpu_data: CHECK(data_), false for an empty blob)",
    )

    def check(self, ctx):
        for _, layer in ctx.layers(("InnerProduct",)):
            if unset_or_zero(layer, "inner_product_param.num_output") and not has_unknown_fields(layer, "inner_product_param"):
                ctx.report_layer(layer, f'InnerProduct "{layer.name}" has no num_output: the '
                          'weight blob is empty and Caffe aborts with the opaque "Check failed: data_" — set num_output', node=layer.field("inner_product_param"))
