"""F413 bilinear-nonsquare: A bilinear weight filler on a kernel that is not square and 2-D (Caffe aborts)."""

from __future__ import annotations

from protolint.model.fillers import filler_uses
from protolint.rule import Rule
from protolint.syntax.nodes import Scalar

from .._format import layer_label


def _kernel(layer):
    """(kernel dims as written, source node) of a convolution: kernel_h/kernel_w, else kernel_size values."""
    block = layer.sub("convolution_param")
    if block is None:
        return [], None
    kh, kw = block.last("kernel_h"), block.last("kernel_w")
    if kh is not None or kw is not None:
        return [layer.get("convolution_param.kernel_h"), layer.get("convolution_param.kernel_w")], kh or kw
    values, node = [], None
    for f in block.all("kernel_size"):
        node = node or f
        values += [v.value for v in f.values() if isinstance(v, Scalar)]
    return values, node


class BilinearNonsquare(Rule):
    code = "F413"
    name = "bilinear-nonsquare"
    severity = "error"
    applies_to = ("net",)
    summary = "A bilinear weight filler on a kernel that is not square and 2-D (Caffe aborts)"
    what_it_does = (
        "Reports `weight_filler { type: \"bilinear\" }` on a Convolution/Deconvolution whose kernel is not square "
        "(kernel_h != kernel_w, or two different kernel_size values) or not 2-D (three kernel_size values), and on "
        "an InnerProduct or Embed (2-D weight blob). Every net, trained or not."
    )
    why_it_matters = (
        "BilinearFiller checks `CHECK_EQ(blob->num_axes(), 4) << \"Blob must be 4 dim.\"` and `CHECK_EQ(width, "
        "height) << \"Filter must be square\"`: Caffe aborts when it builds the layer."
    )
    example = (
        'layer { name: "up" type: "Deconvolution" bottom: "score" top: "up"\n'
        '  convolution_param { num_output: 21 group: 21 kernel_h: 4 kernel_w: 2 stride: 2 bias_term: false\n'
        '    weight_filler { type: "bilinear" } } }'
    )
    how_to_fix = "Use a square 2-D kernel (kernel_size: 2*factor - factor%2 for upsampling by `factor`) or another filler."
    version_notes = "The bilinear filler exists since 2015 (rc2)."
    references = (
        "include/caffe/filler.hpp:255-256 (BilinearFiller::Fill: the two CHECKs)",
    )

    def check(self, ctx):
        for net, layer in ctx.layers(unbuilt=True):
            for use in filler_uses(layer):
                if use.role != "weight" or use.type != "bilinear":
                    continue
                if layer.type in ("InnerProduct", "Embed"):
                    reason = "Blob must be 4 dim.", "its weight blob is 2-D, not a 4-D kernel"
                elif layer.type in ("Convolution", "Deconvolution"):
                    dims, _ = _kernel(layer)
                    if len(dims) == 3:
                        reason = "Blob must be 4 dim.", "its kernel is 3-D"
                    elif len(dims) == 2 and all(isinstance(d, int) for d in dims) and dims[0] != dims[1]:
                        reason = "Filter must be square", f"its kernel is {dims[0]}x{dims[1]}"
                    else:
                        continue
                else:
                    continue
                check, detail = reason
                ctx.report_value(use.anchor, f"bilinear filler on {layer_label(layer)} needs a square 2-D kernel, but "
                          f"{detail}: Caffe aborts at construction with \"{check}\"")
