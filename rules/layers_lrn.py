"""LRN parameters (lrn_layer.cpp, layer_factory.cpp GetLRNLayer)."""

from protolint.rule import Rule

from .layers_common import fmt, layers_of, number

CUDNN_LRN_MAX_N = 16  # cuDNN's largest LRN window; larger windows fall back to Caffe's layer


class LrnLocalSizeEven(Rule):
    code = "L306"
    name = "lrn-local-size-even"
    severity = "error"
    applies_to = ("net",)
    summary = "An LRN local_size that is even (or 0)"
    what_it_does = "Reports LRN layers whose `lrn_param.local_size` is even, including 0."
    why_it_matters = (
        'LRNLayer::LayerSetUp aborts with "LRN only supports odd values for local_size" (lrn_layer.cpp); the '
        "cuDNN engine runs the same setup."
    )
    example = 'layer { name: "norm1" type: "LRN" bottom: "conv1" top: "norm1" lrn_param { local_size: 4 } }'
    how_to_fix = "Use an odd size (the default is 5; AlexNet uses 5, GoogLeNet 5)."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for _, layer in layers_of(ctx, ("LRN",)):
            node = layer.field("lrn_param.local_size")
            size = number(node.scalar) if node is not None else None
            if size is not None and size % 2 == 0:
                ctx.report_node(node, f'LRN "{layer.name}" local_size {fmt(size)} is even: Caffe aborts with "LRN only supports '
                                'odd values for local_size" — use an odd size (default 5)')


class LrnKNonpositive(Rule):
    code = "L326"
    name = "lrn-k-nonpositive"
    severity = "error"
    applies_to = ("net",)
    summary = "An ACROSS_CHANNELS LRN with k <= 0"
    what_it_does = "Reports LRN layers with norm_region ACROSS_CHANNELS (the default) and `k <= 0`. WITHIN_CHANNEL uses 1 instead of k."
    why_it_matters = (
        "The denominator is (k + alpha/n * sum x^2)^beta: wherever a neighbourhood is all zeros (common after "
        "ReLU) it is 0^-beta = inf and the output NaN (lrn_layer.cpp; reproduced by running Caffe)."
    )
    example = 'layer { name: "norm1" type: "LRN" bottom: "conv1" top: "norm1" lrn_param { k: 0 } }'
    how_to_fix = "Use k >= 1 (the default is 1; AlexNet uses 2)."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for _, layer in layers_of(ctx, ("LRN",)):
            if layer.get("lrn_param.norm_region") == "WITHIN_CHANNEL":
                continue
            node = layer.field("lrn_param.k")
            k = number(node.scalar) if node is not None else None
            if k is not None and k <= 0:
                ctx.report_node(node, f'LRN "{layer.name}" k {fmt(k)}: wherever a neighbourhood is all zeros (common after '
                                "ReLU) the denominator is 0^−β = inf and the output NaN — use k ≥ 1 (default 1; AlexNet uses 2)")


class LrnAlphaNegative(Rule):
    code = "L327"
    name = "lrn-alpha-negative"
    severity = "warning"
    applies_to = ("net",)
    summary = "An LRN with alpha < 0"
    what_it_does = "Reports LRN layers with `lrn_param.alpha < 0`."
    why_it_matters = "k + alpha/n * sum x^2 becomes negative for large activations, and its fractional power -beta is NaN (lrn_layer.cpp)."
    example = 'layer { name: "norm1" type: "LRN" bottom: "conv1" top: "norm1" lrn_param { alpha: -0.0001 } }'
    how_to_fix = "Use a positive alpha (AlexNet: 0.0001)."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for _, layer in layers_of(ctx, ("LRN",)):
            node = layer.field("lrn_param.alpha")
            alpha = number(node.scalar) if node is not None else None
            if alpha is not None and alpha < 0:
                ctx.report_node(node, f'LRN "{layer.name}" alpha {fmt(alpha)} < 0: k + α/n·Σx² becomes negative for large '
                                "activations and its fractional power is NaN — use alpha > 0")


class LrnCudnnLimits(Rule):
    code = "L328"
    name = "lrn-cudnn-limits"
    severity = "warning"
    applies_to = ("net",)
    summary = "An LRN that cuDNN runs with k < 1e-5 or beta < 0.01"
    what_it_does = (
        "Reports LRN layers that run on cuDNN — `engine: CUDNN`, or the DEFAULT engine when protolint is told the "
        "build uses cuDNN — (WITHIN_CHANNEL, or ACROSS_CHANNELS with local_size <= 16) whose k < 1e-5 or beta < 0.01."
    )
    why_it_matters = (
        "cudnnSetLRNDescriptor rejects such values with CUDNN_STATUS_BAD_PARAM and Caffe aborts in cuDNN builds. "
        "The limits are cuDNN's, not a Caffe CHECK, so CPU and non-cuDNN builds run the layer."
    )
    example = 'layer { name: "norm1" type: "LRN" bottom: "conv1" top: "norm1" lrn_param { beta: 0.001 engine: CUDNN } }'
    how_to_fix = "Raise k or beta to cuDNN's minimum, or set `engine: CAFFE` for this layer."
    version_notes = "Applies to cuDNN builds only (USE_CUDNN)."

    def check(self, ctx):
        use_cudnn = getattr(ctx.options, "use_cudnn", None) is True
        for _, layer in layers_of(ctx, ("LRN",)):
            engine = layer.get("lrn_param.engine")
            if not (engine == "CUDNN" or (engine == "DEFAULT" and use_cudnn)):
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


LRN_RULES = [LrnLocalSizeEven, LrnKNonpositive, LrnAlphaNegative, LrnCudnnLimits]
