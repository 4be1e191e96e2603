"""Convolution, Deconvolution, Im2col and InnerProduct parameters (base_conv_layer.cpp, layer_factory.cpp)."""

from protolint.rule import Rule

from .layers_common import (
    Once,
    bottom_use,
    channels,
    delete_fields_fix,
    each_graph,
    fmt,
    has_unknown_fields,
    layers_of,
    number,
    report_at,
    unset_or_zero,
    values,
)

CONV_TYPES = ("Convolution", "Deconvolution")
KERNEL_TYPES = ("Convolution", "Deconvolution", "Im2col")  # Im2col repeats the kernel/stride checks


def _conv(layer):
    return layer.sub("convolution_param")


def _block_node(layer):
    return layer.field("convolution_param")


class ConvNumOutputMissing(Rule):
    code = "L309"
    name = "conv-num-output-missing"
    severity = "error"
    applies_to = ("net",)
    summary = "A Convolution/Deconvolution without num_output"
    what_it_does = "Reports Convolution and Deconvolution layers whose `convolution_param.num_output` is unset or 0."
    why_it_matters = 'BaseConvolutionLayer::LayerSetUp aborts with "Check failed: num_output_ > 0 (0 vs. 0)" (base_conv_layer.cpp).'
    example = 'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { kernel_size: 3 } }'
    how_to_fix = "Set num_output (the number of filters)."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for _, layer in layers_of(ctx, CONV_TYPES):
            if unset_or_zero(layer, "convolution_param.num_output") and not has_unknown_fields(layer, "convolution_param"):
                report_at(ctx, layer, _block_node(layer), f'{layer.type} "{layer.name}" has no num_output: Caffe aborts with '
                          '"Check failed: num_output_ > 0 (0 vs. 0)" — set num_output')


class ConvKernelMissing(Rule):
    code = "L310"
    name = "conv-kernel-missing"
    severity = "error"
    applies_to = ("net",)
    summary = "A Convolution/Deconvolution/Im2col without a kernel size, or with only kernel_h or kernel_w"
    what_it_does = (
        "Reports convolution-like layers with neither `kernel_size` nor `kernel_h`/`kernel_w`, or with only one "
        "of `kernel_h` and `kernel_w` (the other stays 0)."
    )
    why_it_matters = (
        'Caffe aborts at setup: "kernel_size must be specified once, or once per spatial dimension (kernel_size '
        'specified 0 times; 2 spatial dims)", or "Filter dimensions must be nonzero." for the missing half '
        "(base_conv_layer.cpp)."
    )
    example = 'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 8 kernel_h: 3 } }'
    how_to_fix = "Set kernel_size, or both kernel_h and kernel_w."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for _, layer in layers_of(ctx, KERNEL_TYPES):
            conv = _conv(layer)
            if values(conv, "kernel_size") or has_unknown_fields(layer, "convolution_param"):
                continue
            kh = conv.last("kernel_h") if conv is not None else None
            kw = conv.last("kernel_w") if conv is not None else None
            if kh is None and kw is None:
                report_at(ctx, layer, _block_node(layer), f'{layer.type} "{layer.name}" has no kernel size: Caffe aborts with '
                          '"kernel_size must be specified once, or once per spatial dimension (kernel_size specified 0 '
                          'times; 2 spatial dims)" — set kernel_size, or both kernel_h and kernel_w')
            elif kh is None or kw is None:
                lone = kh or kw
                ctx.report_node(lone, f'{layer.type} "{layer.name}" sets only {lone.name}: the other side stays 0 and Caffe '
                                'aborts with "Filter dimensions must be nonzero." — set kernel_size, or both kernel_h and kernel_w')


class ConvKernelAndKernelHW(Rule):
    code = "L311"
    name = "conv-kernel-and-kernel-hw"
    severity = "error"
    applies_to = ("net",)
    summary = "kernel_size/stride/pad together with their _h/_w forms in a convolution"
    what_it_does = "Reports convolution-like layers that set `kernel_size` and `kernel_h`/`kernel_w`, `stride` and `stride_h`/`stride_w`, or `pad` and `pad_h`/`pad_w`."
    why_it_matters = 'Caffe aborts with "Either kernel_size or kernel_h/w should be specified; not both." (and likewise for stride and pad; base_conv_layer.cpp).'
    example = 'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 8 kernel_size: 3 kernel_h: 3 kernel_w: 3 } }'
    how_to_fix = "Keep one form: either the single value (or one per spatial axis), or the _h/_w pair."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for _, layer in layers_of(ctx, KERNEL_TYPES):
            conv = _conv(layer)
            if conv is None:
                continue
            for single, prefix in (("kernel_size", "kernel"), ("stride", "stride"), ("pad", "pad")):
                pair = conv.last(f"{prefix}_h") or conv.last(f"{prefix}_w")
                if pair is not None and values(conv, single):
                    ctx.report_node(pair, f'{layer.type} "{layer.name}" sets both {single} and {prefix}_h/{prefix}_w: Caffe '
                                    f'aborts with "Either {single} or {prefix}_h/w should be specified; not both." — keep one form')


class ConvZeroKernelOrStride(Rule):
    code = "L312"
    name = "conv-zero-kernel-or-stride"
    severity = "error"
    applies_to = ("net",)
    summary = "A convolution kernel or stride of 0"
    what_it_does = (
        "Reports a kernel_size or stride element of 0, `kernel_h: 0`/`kernel_w: 0`, `stride_h: 0`/`stride_w: 0`, "
        "or only one of stride_h/stride_w (the other is then 0)."
    )
    why_it_matters = 'Caffe aborts with "Filter dimensions must be nonzero." or "Stride dimensions must be nonzero." (base_conv_layer.cpp).'
    example = 'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 8 kernel_size: 3 stride: 0 } }'
    how_to_fix = "Use kernel and stride values of at least 1 (stride defaults to 1)."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for _, layer in layers_of(ctx, KERNEL_TYPES):
            conv = _conv(layer)
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


class ConvDilationZero(Rule):
    code = "L313"
    name = "conv-dilation-zero"
    severity = "warning"
    applies_to = ("net",)
    summary = "A convolution dilation of 0"
    what_it_does = "Reports a `dilation` element equal to 0 in Convolution/Deconvolution layers."
    why_it_matters = (
        "Caffe does not check dilation: the kernel extent d*(k-1)+1 becomes 1, so a k x k kernel samples one "
        "pixel k^2 times and the output keeps the input size (conv_layer.cpp; reproduced by running Caffe)."
    )
    example = 'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 8 kernel_size: 3 dilation: 0 } }'
    how_to_fix = "Use dilation 1 (no dilation, the default) or at least 2."
    version_notes = "Dilation exists since Caffe rc3."

    def check(self, ctx):
        for _, layer in layers_of(ctx, CONV_TYPES):
            conv = _conv(layer)
            for value, node in values(conv, "dilation"):
                if number(value) == 0:
                    k = _kernel(conv)
                    k_text = fmt(k[0]) if k and k[0] else "k"
                    area = fmt(k[0] * k[0]) if k and k[0] else "k²"
                    ctx.report_node(node, f'{layer.type} "{layer.name}" has dilation 0: Caffe accepts it but the kernel extent '
                                    f"becomes 1, so a {k_text}×{k_text} kernel samples one pixel {area} times and the output "
                                    "keeps the input size — use dilation 1 (no dilation) or ≥ 2")
                    break


def _kernel(conv):
    """The kernel per spatial axis as Caffe reads it (2 axes assumed for the _h/_w form)."""
    if conv is None:
        return []
    h, w = conv.last("kernel_h"), conv.last("kernel_w")
    if h is not None or w is not None:
        return [number(h.scalar) if h is not None else 0, number(w.scalar) if w is not None else 0]
    return [number(v) for v, _ in values(conv, "kernel_size")]


def _per_axis(items, axes, default):
    if not items:
        return [default] * axes
    if len(items) == 1:
        return items * axes
    return items[:axes] + [default] * (axes - len(items))


class ConvGroupDivisibility(Rule):
    code = "L314"
    name = "conv-group-divisibility"
    severity = "error"
    applies_to = ("net",)
    summary = "A convolution group that is 0 or does not divide num_output or the input channels"
    what_it_does = (
        "Reports Convolution/Deconvolution layers with `group: 0`, a num_output that is not a multiple of "
        "group, or (when the input channel count can be read off the net) input channels that are not a "
        "multiple of group."
    )
    why_it_matters = (
        'Caffe aborts with "Number of output should be multiples of group." or "Check failed: channels_ % '
        'group_ == 0"; group 0 is an integer division by zero that crashes the process (base_conv_layer.cpp).'
    )
    example = 'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 10 group: 4 kernel_size: 3 } }'
    how_to_fix = "Choose a group that divides both the input channels and num_output (depthwise: group = channels = num_output)."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        once = Once()
        for _, layer in layers_of(ctx, CONV_TYPES):
            node = layer.field("convolution_param.group")
            group = number(layer.get("convolution_param.group"))
            n = number(layer.get("convolution_param.num_output"))
            if node is None or group is None:
                continue
            if group == 0:
                once.first(layer.message)
                ctx.report_node(node, f'{layer.type} "{layer.name}": group is 0 (integer division by zero crashes Caffe) — use '
                                "group ≥ 1")
            elif n and n % group:
                once.first(layer.message)
                ctx.report_node(node, f'{layer.type} "{layer.name}": num_output {fmt(n)} is not a multiple of group {fmt(group)} '
                                '("Number of output should be multiples of group.") — use a group that divides num_output and the input channels')
        for net, state, graph in each_graph(ctx):
            for layer in graph.layers:
                if layer.type not in CONV_TYPES or not layer.bottoms or id(layer.message) in once.seen:
                    continue
                group = number(layer.get("convolution_param.group"))
                if not group or group == 1:
                    continue
                c = channels(graph, bottom_use(graph, layer))
                if c and c % group and once.first(layer.message):
                    ctx.report_node(layer.field("convolution_param.group"), f'{layer.type} "{layer.name}": the {fmt(c)} input '
                                    f'channels are not a multiple of group {fmt(group)} ("Check failed: channels_ % group_ == 0") — use a group that '
                                    "divides the input channels and num_output")


class ConvPadGeKernelExtent(Rule):
    code = "L315"
    name = "conv-pad-ge-kernel-extent"
    severity = "info"
    applies_to = ("net",)
    summary = "A convolution pad at least as large as the kernel extent"
    what_it_does = "Reports Convolution/Deconvolution layers where, on some axis, pad >= the kernel extent d*(k-1)+1."
    why_it_matters = "Caffe has no upper bound on pad: the border outputs are then computed purely from zero padding, which is almost always a typo (e.g. pad 3 for a 3x3 kernel)."
    example = 'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 8 kernel_size: 3 pad: 3 } }'
    how_to_fix = "Usually pad = (extent - 1) / 2, e.g. pad 1 for a 3x3 kernel."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for _, layer in layers_of(ctx, CONV_TYPES):
            conv = _conv(layer)
            if conv is None:
                continue
            ph, pw = conv.last("pad_h"), conv.last("pad_w")
            if ph is not None or pw is not None:
                pads = [(number(ph.scalar) if ph is not None else 0, ph), (number(pw.scalar) if pw is not None else 0, pw)]
            else:
                pads = [(number(v), node) for v, node in values(conv, "pad")]
            if not pads or not any(p for p, _ in pads):
                continue
            kernel = _kernel(conv)
            dilation = [number(v) for v, _ in values(conv, "dilation")]
            axes = max(len(kernel), len(pads), len(dilation), 2 if len(kernel) <= 1 else len(kernel))
            ks = _per_axis(kernel, axes, None)
            ds = _per_axis(dilation, axes, 1)
            ps = _per_axis(pads, axes, (0, None))
            for k, d, (p, node) in zip(ks, ds, ps):
                if not k or k <= 0 or d is None or p is None or p <= 0:
                    continue
                extent = max(d, 0) * (k - 1) + 1
                if p >= extent:
                    ctx.report_node(node or layer.field("convolution_param"),
                                    f'{layer.type} "{layer.name}" pads {fmt(p)} ≥ its kernel extent {fmt(extent)}: the border '
                                    "outputs are computed purely from zero padding — usually pad = (extent−1)/2")
                    break


class ConvCudnnDilation(Rule):
    code = "L316"
    name = "conv-cudnn-dilation"
    severity = "error"
    applies_to = ("net",)
    fixable = True
    summary = "engine: CUDNN on a dilated convolution"
    what_it_does = "Reports Convolution/Deconvolution layers with an explicit `engine: CUDNN` and a dilation above 1."
    why_it_matters = (
        'cuDNN builds abort with "CuDNN doesn\'t support the dilated convolution at Layer X"; builds without '
        'cuDNN abort on any explicit CUDNN engine with "Layer X has unknown engine." (layer_factory.cpp).'
    )
    example = 'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 8 kernel_size: 3 dilation: 2 engine: CUDNN } }'
    how_to_fix = "Remove `engine: CUDNN`: the DEFAULT engine picks Caffe's own implementation for dilated convolutions."
    version_notes = "Dilation exists since Caffe rc3."

    def check(self, ctx):
        no_cudnn = getattr(ctx.options, "use_cudnn", None) is False
        for _, layer in layers_of(ctx, CONV_TYPES):
            engine = layer.field("convolution_param.engine")
            if engine is None or engine.scalar != "CUDNN":
                continue
            dilations = [number(v) for v, _ in values(_conv(layer), "dilation")]
            dilated = [d for d in dilations if d is not None and d > 1]
            fixes = delete_fields_fix(ctx, "Remove engine: CUDNN", [engine], safe=False)
            what = "convolution" if layer.type == "Convolution" else "deconvolution"
            if dilated:
                ctx.report_node(engine, f'{layer.type} "{layer.name}" requests engine CUDNN with dilation {fmt(dilated[0])}: '
                                f'Caffe aborts with "CuDNN doesn\'t support the dilated {what} at Layer {layer.name}" — drop '
                                "engine: CUDNN (DEFAULT picks the Caffe engine for dilated convolutions)", fixes=fixes)
            elif no_cudnn:
                ctx.report_node(engine, f'{layer.type} "{layer.name}": engine: CUDNN in a build without cuDNN: Caffe aborts with '
                                f'"Layer {layer.name} has unknown engine." — drop engine: CUDNN', fixes=fixes)


class IpNumOutputMissing(Rule):
    code = "L317"
    name = "ip-num-output-missing"
    severity = "error"
    applies_to = ("net",)
    summary = "An InnerProduct without num_output"
    what_it_does = "Reports InnerProduct layers whose `inner_product_param.num_output` is unset or 0."
    why_it_matters = (
        "There is no explicit CHECK: the weight blob gets shape 0 x K, has no storage, and Caffe aborts with the "
        'opaque "Check failed: data_" (inner_product_layer.cpp, blob.cpp; reproduced by running Caffe).'
    )
    example = 'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { weight_filler { type: "xavier" } } }'
    how_to_fix = "Set num_output (the number of outputs)."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for _, layer in layers_of(ctx, ("InnerProduct",)):
            if unset_or_zero(layer, "inner_product_param.num_output") and not has_unknown_fields(layer, "inner_product_param"):
                report_at(ctx, layer, layer.field("inner_product_param"), f'InnerProduct "{layer.name}" has no num_output: the '
                          'weight blob is empty and Caffe aborts with the opaque "Check failed: data_" — set num_output')


CONV_RULES = [
    ConvNumOutputMissing,
    ConvKernelMissing,
    ConvKernelAndKernelHW,
    ConvZeroKernelOrStride,
    ConvDilationZero,
    ConvGroupDivisibility,
    ConvPadGeKernelExtent,
    ConvCudnnDilation,
    IpNumOutputMissing,
]
