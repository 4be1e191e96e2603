"""L328 lrn-cudnn-limits: an LRN that cuDNN runs with k < 1e-5 or beta < 0.01."""

from __future__ import annotations

from protolint.rule import Rule
from protolint.syntax.nodes import number

from .._format import fmt


CUDNN_LRN_MAX_N = 16  # cuDNN's largest LRN window; larger windows fall back to Caffe's layer


class LrnCudnnLimits(Rule):
    code = "L328"
    name = "lrn-cudnn-limits"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("LRN",)
    summary = "An LRN that cuDNN runs with k < 1e-5 or beta < 0.01"
    what_it_does = (
        "Reports LRN layers that ask for cuDNN with `engine: CUDNN` (WITHIN_CHANNEL, or ACROSS_CHANNELS with "
        "local_size <= 16) whose k < 1e-5 or beta < 0.01. With the DEFAULT engine the build decides, which the text "
        "does not show, so nothing is reported."
    )
    why_it_matters = (
        "cudnnSetLRNDescriptor rejects such values with CUDNN_STATUS_BAD_PARAM and Caffe aborts in cuDNN builds; a "
        "build without cuDNN aborts on the CUDNN engine itself (\"unknown engine\"). Either way the net does not start."
    )
    example = 'layer { name: "norm1" type: "LRN" bottom: "conv1" top: "norm1" lrn_param { beta: 0.001 engine: CUDNN } }'
    how_to_fix = "Raise k or beta to cuDNN's minimum, or set `engine: CAFFE` for this layer."
    version_notes = "Applies to cuDNN builds only (USE_CUDNN)."

    def check(self, ctx):
        for _, layer in ctx.layers(("LRN",)):
            if layer.get("lrn_param.engine") != "CUDNN":
                continue
            size = number(layer.get("lrn_param.local_size"))
            if layer.get("lrn_param.norm_region") != "WITHIN_CHANNEL" and size is not None and size > CUDNN_LRN_MAX_N:
                continue  # Caffe's own layer is used
            for name, limit in (("k", 1e-5), ("beta", 0.01)):
                node = layer.field(f"lrn_param.{name}")
                value = number(node.scalar) if node is not None else None
                if value is not None and value < limit:
                    ctx.report_node(node, f'LRN "{layer.name}" {name} {fmt(value)} is below cuDNN\'s limit ({limit:g}): '
                                    "cudnnSetLRNDescriptor returns CUDNN_STATUS_BAD_PARAM and Caffe aborts in cuDNN builds "
                                    "— raise it or set engine: CAFFE")
                    break
