"""N228 blob-dim-nonpositive: A layer would produce a blob with a dimension <= 0."""

from __future__ import annotations

from protolint.rule import Rule


class BlobDimNonpositive(Rule):
    code = "N228"
    name = "blob-dim-nonpositive"
    severity = "error"
    applies_to = ("net",)
    summary = "A layer would produce a blob with a dimension <= 0"
    what_it_does = (
        "Infers blob shapes from the net's inputs and reports the first layer whose top would get a size <= 0 "
        "on some axis: a convolution or pooling kernel larger than its (padded) input, a deconvolution with a "
        "huge pad, a Reshape with a negative dimension, an input declared with a size <= 0."
    )
    why_it_matters = (
        "Blob::Reshape aborts on a negative size (\"Check failed: shape[i] >= 0\"), and a blob with a 0 size "
        "aborts with the opaque \"Check failed: data_\" the first time a layer writes it."
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
    references = (
        "src/caffe/blob.cpp:31-32 (Blob::Reshape: CHECK_GE(shape[i], 0))",
        "src/caffe/blob.cpp:131-135 (Blob::mutable_cpu_data: CHECK(data_), false for an empty blob)",
    )

    def check(self, ctx):
        for issue, message in ctx.shape_issues("nonpositive-dim"):
            ctx.report_layer(issue.layer, message, node=issue.node)
