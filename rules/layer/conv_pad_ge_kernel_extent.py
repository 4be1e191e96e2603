"""L315 conv-pad-ge-kernel-extent: A convolution pad at least as large as the kernel extent."""

from __future__ import annotations

from protolint.model.geometry import conv_kernel, spread
from protolint.rule import Rule
from protolint.syntax.nodes import number, values

from .._format import fmt


class ConvPadGeKernelExtent(Rule):
    code = "L315"
    name = "conv-pad-ge-kernel-extent"
    severity = "info"
    applies_to = ("net",)
    layer_types = ("Convolution", "Deconvolution")
    summary = "A convolution pad at least as large as the kernel extent"
    what_it_does = (
        "Reports Convolution/Deconvolution layers where, on some axis, pad >= the kernel extent d*(k-1)+1 — "
        "except a padding of 10 or more that is at least three times the extent: that is a design (FCN's "
        "`pad: 100` cropped back later, a context module padding its input once), not a slip."
    )
    why_it_matters = "Caffe has no upper bound on pad: the border outputs are then computed purely from zero padding, which is almost always a typo (e.g. pad 3 for a 3x3 kernel)."
    example = 'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 8 kernel_size: 3 pad: 3 } }'
    how_to_fix = "Usually pad = (extent - 1) / 2, e.g. pad 1 for a 3x3 kernel."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for _, layer in ctx.layers(("Convolution", "Deconvolution")):
            conv = layer.sub("convolution_param")
            if conv is None:
                continue
            ph, pw = conv.last("pad_h"), conv.last("pad_w")
            if ph is not None or pw is not None:
                pads = [(number(ph.scalar) if ph is not None else 0, ph), (number(pw.scalar) if pw is not None else 0, pw)]
            else:
                pads = [(number(v), node) for v, node in values(conv, "pad")]
            if not pads or not any(p for p, _ in pads):
                continue
            kernel = conv_kernel(layer)
            dilation = [number(v) for v, _ in values(conv, "dilation")]
            axes = max(len(kernel), len(pads), len(dilation), 2 if len(kernel) <= 1 else len(kernel))
            ks = spread(kernel, axes, None)
            ds = spread(dilation, axes, 1)
            ps = spread(pads, axes, (0, None))
            for k, d, (p, node) in zip(ks, ds, ps):
                if not k or k <= 0 or d is None or p is None or p <= 0:
                    continue
                extent = max(d, 0) * (k - 1) + 1
                if p >= 10 and p >= 3 * extent:
                    break  # padding many times the kernel is a design, not a slip: FCN's pad 100 cropped
                    #        back later, a context module padding its input once for the dilated layers after it
                if p >= extent:
                    ctx.report_node(node or layer.field("convolution_param"),
                                    f'{layer.type} "{layer.name}" pads {fmt(p)} ≥ its kernel extent {fmt(extent)}: the border '
                                    "outputs are computed purely from zero padding — usually pad = (extent−1)/2")
                    break
