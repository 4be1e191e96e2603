"""L312 conv-zero-kernel-or-stride: A convolution kernel or stride of 0."""

from __future__ import annotations

from protolint.rule import Rule
from protolint.syntax.nodes import number, values


class ConvZeroKernelOrStride(Rule):
    code = "L312"
    name = "conv-zero-kernel-or-stride"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("Convolution", "Deconvolution", "Im2col")
    summary = "A convolution kernel or stride of 0"
    what_it_does = (
        "Reports a kernel_size or stride element of 0, `kernel_h: 0`/`kernel_w: 0`, `stride_h: 0`/`stride_w: 0`, "
        "or only one of stride_h/stride_w (the other is then 0)."
    )
    why_it_matters = 'Caffe aborts with "Filter dimensions must be nonzero." or "Stride dimensions must be nonzero."'
    example = 'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 8 kernel_size: 3 stride: 0 } }'
    how_to_fix = "Use kernel and stride values of at least 1 (stride defaults to 1)."
    version_notes = "Same in every Caffe release."
    references = (
        "src/caffe/layers/base_conv_layer.cpp:44-46, 65-69 (BaseConvolutionLayer::LayerSetUp: CHECK_GT of each "
        "kernel and stride dimension)",
    )

    def check(self, ctx):
        for _, layer in ctx.layers(("Convolution", "Deconvolution", "Im2col")):
            conv = layer.sub("convolution_param")
            if conv is None:
                continue
            found = self._zero(conv, "kernel_size", "kernel", lone_is_zero=False)
            if found is not None:
                self._report(ctx, layer, found, "kernel", "Filter")
                continue
            found = self._zero(conv, "stride", "stride", lone_is_zero=True)
            if found is not None:
                self._report(ctx, layer, found, "stride", "Stride")

    @staticmethod
    def _zero(conv, single, prefix, lone_is_zero):
        h, w = conv.last(f"{prefix}_h"), conv.last(f"{prefix}_w")
        listed = values(conv, single)
        if h is not None or w is not None:
            if listed:
                return None  # both forms: conv-kernel-and-kernel-hw
            for node in (h, w):
                if node is not None and number(node.scalar) == 0:
                    return node
            if lone_is_zero and (h is None or w is None):
                return h or w
            return None
        for value, node in listed:
            if number(value) == 0:
                return node
        return None

    @staticmethod
    def _report(ctx, layer, node, what, word):
        lone = getattr(node, "name", "") in ("stride_h", "stride_w") and number(node.scalar) != 0
        detail = f"sets only {node.name}, so the other stride is 0" if lone else f"has a {what} of 0"
        ctx.report_node(node, f'{layer.type} "{layer.name}" {detail}: Caffe aborts with "{word} dimensions must be nonzero." '
                        "— use ≥ 1")
