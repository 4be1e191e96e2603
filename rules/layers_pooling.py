"""Pooling parameters that PoolingLayer::LayerSetUp rejects, and STOCHASTIC pooling on the CPU
(pooling_layer.cpp). global_pooling with pad/stride is reported by pooling-global-with-kernel."""

from protolint.rule import Rule

from .layers_common import built_layers, has_unknown_fields, layers_of, number, report_at, solver_of


def _pool(layer):
    return layer.sub("pooling_param")


def _global(layer) -> bool:
    return layer.get("pooling_param.global_pooling") is True


def _effective(pool, single, prefix, default):
    """(h, w, node_h, node_w) as Caffe resolves them: name_h/name_w when `_h` is set, else the single value."""
    h = pool.last(f"{prefix}_h") if pool is not None else None
    w = pool.last(f"{prefix}_w") if pool is not None else None
    s = pool.last(single) if pool is not None else None
    if h is not None:
        return number(h.scalar), (number(w.scalar) if w is not None else 0), h, w or h
    value = number(s.scalar) if s is not None else default
    return value, value, s, s


class PoolingKernelMissing(Rule):
    code = "L318"
    name = "pooling-kernel-missing"
    severity = "error"
    applies_to = ("net",)
    summary = "A (non-global) Pooling layer without a kernel, with only kernel_h or kernel_w, or with a kernel of 0"
    what_it_does = (
        "Reports Pooling layers without global_pooling that set neither kernel_size nor both kernel_h and "
        "kernel_w, or whose kernel is 0. kernel_size with a lone kernel_h is accepted (kernel_h is ignored)."
    )
    why_it_matters = (
        'PoolingLayer::LayerSetUp aborts with "Filter size is kernel_size OR kernel_h and kernel_w; not both" '
        'when the kernel is missing or half given, and with "Filter dimensions cannot be zero." for 0.'
    )
    example = 'layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1" pooling_param { pool: MAX stride: 2 } }'
    how_to_fix = "Set kernel_size (or kernel_h and kernel_w), or global_pooling: true to pool over the whole input."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for _, layer in layers_of(ctx, ("Pooling",)):
            if _global(layer) or has_unknown_fields(layer, "pooling_param"):
                continue
            pool = _pool(layer)
            size = pool.last("kernel_size") if pool is not None else None
            h = pool.last("kernel_h") if pool is not None else None
            w = pool.last("kernel_w") if pool is not None else None
            tail = " — set kernel_size (or kernel_h and kernel_w), or global_pooling: true"
            if size is None and (h is None or w is None):
                if h is None and w is None:
                    report_at(ctx, layer, layer.field("pooling_param"), f'Pooling "{layer.name}" has no kernel: Caffe aborts with '
                              '"Filter size is kernel_size OR kernel_h and kernel_w; not both"' + tail)
                else:
                    lone = h or w
                    ctx.report_node(lone, f'Pooling "{layer.name}" has only {lone.name}: Caffe aborts with "Filter size is '
                                    'kernel_size OR kernel_h and kernel_w; not both"' + tail)
                continue
            if size is not None and h is not None and w is not None:
                continue  # both forms: pooling-spec-partial
            nodes = [size] if size is not None else [h, w]
            for node in nodes:
                if number(node.scalar) == 0:
                    ctx.report_node(node, f'Pooling "{layer.name}" has a kernel of 0: Caffe aborts with "Filter dimensions '
                                    'cannot be zero."' + tail)
                    break


class PoolingSpecPartial(Rule):
    code = "L320"
    name = "pooling-spec-partial"
    severity = "error"
    applies_to = ("net",)
    summary = "Pooling mixes kernel_size/pad/stride with their _h/_w forms, or gives only one of pad_h/pad_w or stride_h/stride_w"
    what_it_does = (
        "Reports Pooling layers with kernel_size together with both kernel_h and kernel_w, pad with pad_h or "
        "pad_w, stride with stride_h or stride_w, or only one of pad_h/pad_w or stride_h/stride_w."
    )
    why_it_matters = (
        'PoolingLayer::LayerSetUp aborts: "Filter size is kernel_size OR kernel_h and kernel_w; not both", '
        '"pad is pad OR pad_h and pad_w are required." or "Stride is stride OR stride_h and stride_w are required."'
    )
    example = 'layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1" pooling_param { kernel_size: 3 pad_h: 1 } }'
    how_to_fix = "Use either the single value or both _h and _w values."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for _, layer in layers_of(ctx, ("Pooling",)):
            pool = _pool(layer)
            if pool is None:
                continue
            size, kh, kw = pool.last("kernel_size"), pool.last("kernel_h"), pool.last("kernel_w")
            if size is not None and kh is not None and kw is not None and not _global(layer):
                ctx.report_node(kh, f'Pooling "{layer.name}" mixes kernel_size and kernel_h/kernel_w: Caffe aborts with '
                                '"Filter size is kernel_size OR kernel_h and kernel_w; not both" — keep one form')
            for single, text in (("pad", "pad is pad OR pad_h and pad_w are required."),
                                 ("stride", "Stride is stride OR stride_h and stride_w are required.")):
                s, h, w = pool.last(single), pool.last(f"{single}_h"), pool.last(f"{single}_w")
                if h is None and w is None:
                    continue
                if s is not None:
                    detail = f"mixes {single} and {(h or w).name}"
                elif h is None or w is None:
                    detail = f"sets only {(h or w).name}"
                else:
                    continue
                ctx.report_node(h or w, f'Pooling "{layer.name}" {detail}: Caffe aborts with "{text}" — use {single}, or '
                                f"both {single}_h and {single}_w")


class PoolingStrideZero(Rule):
    code = "L321"
    name = "pooling-stride-zero"
    severity = "error"
    applies_to = ("net",)
    summary = "A (non-global) Pooling stride of 0"
    what_it_does = "Reports Pooling layers (not global) whose effective stride is 0 on an axis (`stride: 0`, `stride_h: 0` or `stride_w: 0`)."
    why_it_matters = (
        "Caffe does not check the stride: the output size divides by zero and the layer aborts with "
        '"Check failed: shape[i] >= 0 (-2147483647 vs. 0)" (pooling_layer.cpp; reproduced by running Caffe).'
    )
    example = 'layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1" pooling_param { kernel_size: 2 stride: 0 } }'
    how_to_fix = "Use a stride of at least 1 (usually equal to the kernel size)."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for _, layer in layers_of(ctx, ("Pooling",)):
            if _global(layer):
                continue
            pool = _pool(layer)
            if pool is None or (pool.last("stride_h") is None) != (pool.last("stride_w") is None):
                continue  # a lone stride_h/stride_w is pooling-spec-partial
            h, w, node_h, node_w = _effective(pool, "stride", "stride", 1)
            for value, node in ((h, node_h), (w, node_w)):
                if value == 0 and node is not None:
                    ctx.report_node(node, f'Pooling "{layer.name}" has stride 0: the output size divides by zero and Caffe '
                                    'aborts with "Check failed: shape[i] >= 0 (-2147483647 vs. 0)" — use stride ≥ 1')
                    break


class PoolingPadStochastic(Rule):
    code = "L322"
    name = "pooling-pad-stochastic"
    severity = "error"
    applies_to = ("net",)
    summary = "Padding on a STOCHASTIC pooling layer"
    what_it_does = "Reports `pool: STOCHASTIC` with a non-zero pad (pad, pad_h or pad_w)."
    why_it_matters = 'PoolingLayer::LayerSetUp aborts with "Padding implemented only for average and max pooling." (pooling_layer.cpp).'
    example = 'layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1" pooling_param { pool: STOCHASTIC kernel_size: 3 stride: 2 pad: 1 } }'
    how_to_fix = "Remove the pad, or use MAX/AVE pooling."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for _, layer in layers_of(ctx, ("Pooling",)):
            if layer.get("pooling_param.pool") != "STOCHASTIC":
                continue
            h, w, node_h, node_w = _effective(_pool(layer), "pad", "pad", 0)
            for value, node in ((h, node_h), (w, node_w)):
                if value and node is not None:
                    ctx.report_node(node, f'Pooling "{layer.name}" pads a STOCHASTIC pooling: Caffe aborts with "Padding '
                                    'implemented only for average and max pooling." — remove pad or use MAX/AVE')
                    break


class PoolingStochasticCpu(Rule):
    code = "L324"
    name = "pooling-stochastic-cpu"
    severity = "error"
    applies_to = ("net", "solver")
    summary = "STOCHASTIC pooling, which has no CPU implementation"
    what_it_does = (
        "Reports `pool: STOCHASTIC`. Error when the solver runs on the CPU (`solver_mode: CPU`), warning when the "
        "solver does not say (caffe train then runs on the CPU unless --gpu is given), info without a solver."
    )
    why_it_matters = (
        'Forward_cpu and Backward_cpu of STOCHASTIC pooling are NOT_IMPLEMENTED: on the CPU Caffe aborts with '
        '"Not Implemented Yet" in the first forward pass (pooling_layer.cpp).'
    )
    example = (
        "solver_mode: CPU\nbase_lr: 0.01\nlr_policy: \"fixed\"\nmax_iter: 100\n"
        'net_param {\n  layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } } }\n'
        '  layer { name: "pool1" type: "Pooling" bottom: "data" top: "pool1" pooling_param { pool: STOCHASTIC kernel_size: 3 stride: 2 } }\n}'
    )
    how_to_fix = "Run on a GPU (solver_mode: GPU, caffe train --gpu 0), or use MAX or AVE pooling."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for net in ctx.nets():
            solver, _ = solver_of(ctx, net)
            for layer in built_layers(net):
                node = layer.field("pooling_param.pool") if layer.type == "Pooling" else None
                if node is None or node.scalar != "STOCHASTIC":
                    continue
                severity = "info"
                if solver is not None:
                    mode = solver.field("solver_mode")
                    severity = "warning" if mode is None else ("error" if mode.scalar == "CPU" else None)
                if severity is None:
                    continue
                where = {"error": "the solver runs on the CPU", "warning": "the solver sets no solver_mode, so caffe "
                         "train runs on the CPU unless --gpu is given", "info": "on the CPU"}[severity]
                ctx.report_node(node, f'STOCHASTIC pooling "{layer.name}" has no CPU implementation: {where}, Caffe aborts '
                                'with "Not Implemented Yet" in the first forward — run on a GPU (solver_mode: GPU) or use '
                                "MAX/AVE", severity=severity)


POOLING_RULES = [
    PoolingKernelMissing,
    PoolingSpecPartial,
    PoolingStrideZero,
    PoolingPadStochastic,
    PoolingStochasticCpu,
]
