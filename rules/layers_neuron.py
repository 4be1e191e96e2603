"""Element-wise layers: Dropout ratio, Log/Exp/Power domains, Clip bounds, PReLU slope decay."""

from protolint.rule import Rule

from .layers_common import (
    STRICTLY_POSITIVE,
    Once,
    backward,
    bottom_use,
    built_layers,
    each_graph,
    effective_layer,
    fmt,
    insert_after_fix,
    layers_of,
    non_negative,
    number,
    report_at,
    report_layer,
    solver_of,
    train_states,
)


def _phase_field(layer):
    f = layer.message.last("phase")
    return f.scalar if f is not None else None


class DropoutRatioRange(Rule):
    code = "L305"
    name = "dropout-ratio-range"
    severity = "error"
    applies_to = ("net",)
    summary = "A Dropout ratio outside (0, 1) in a layer that runs in TRAIN mode"
    what_it_does = (
        "Checks `dropout_param.dropout_ratio` of Dropout layers that run in TRAIN mode (the TRAIN state of a "
        "trained net, or a layer that carries `phase: TRAIN`): a ratio of 1 or more, or below 0, is an error; "
        "0 (dropout disabled) and ratios above 0.9 are reported as info."
    )
    why_it_matters = (
        "Caffe only DCHECKs 0 < ratio < 1, which release builds compile out. It scales the kept values by "
        "1/(1 - ratio): ratio 1 gives 0 * inf = NaN everywhere (reproduced by running Caffe). Outside [0, 1] "
        "the Bernoulli draw gets a probability outside [0, 1]: the CPU aborts in caffe_rng_bernoulli and the "
        "GPU produces garbage. In TEST the layer is the identity, so deploy nets are not affected."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 16 } shape { dim: 8 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 10 weight_filler { type: "xavier" } } }\n'
        'layer { name: "drop" type: "Dropout" bottom: "fc" top: "fc" dropout_param { dropout_ratio: 1.0 } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Use 0 < dropout_ratio < 1 (0.5 is the classic value); remove the layer to disable dropout."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        once = Once()
        for net in ctx.nets():
            candidates = []
            for state in train_states(ctx, net):
                candidates += [l for l in net.layers_in(state) if l.type == "Dropout" and _phase_field(l) != "TEST"]
            candidates += [l for l in built_layers(net) if l.type == "Dropout" and _phase_field(l) == "TRAIN"]
            for layer in candidates:
                node = layer.field("dropout_param.dropout_ratio")
                ratio = number(node.scalar) if node is not None else None
                if ratio is None or not once.first(node):
                    continue
                self._check(ctx, layer, node, ratio)

    @staticmethod
    def _check(ctx, layer, node, r):
        head = f'Dropout "{layer.name}" ratio {fmt(r)}: '
        tail = " — use 0 < dropout_ratio < 1 (typically 0.5)"
        if r == 1:
            ctx.report_node(node, head + "the kept values are scaled by 1/(1−1) = inf, so every output is NaN" + tail)
        elif r > 1 or r < 0:
            ctx.report_node(node, head + "the CPU aborts in caffe_rng_bernoulli and the GPU produces garbage" + tail)
        elif r == 0:
            ctx.report_node(node, head + "dropout is disabled (the layer copies its input in training too) — remove "
                            "the layer, or use a ratio such as 0.5", severity="info")
        elif r > 0.9:
            ctx.report_node(node, head + f"very aggressive: over 90% of the activations are dropped and the rest scaled "
                            f"by {1 / (1 - r):.3g}, so training is slow and noisy — typical ratios are 0.2 to 0.5",
                            severity="info")


class LogBaseInvalid(Rule):
    code = "L361"
    name = "log-base-invalid"
    severity = "error"
    applies_to = ("net",)
    summary = "A Log layer with a base <= 0 or equal to 1"
    what_it_does = "Reports `log_param { base: b }` with b other than -1 (natural log) and b <= 0 or b == 1."
    why_it_matters = (
        "LogLayer::LayerSetUp aborts with \"base must be strictly positive.\" for b <= 0, and for b == 1 it "
        "computes 1/log(1) = inf and aborts with \"Inf result: 1/log(base) = 1/log(1) = inf\" (log_layer.cpp)."
    )
    example = 'layer { name: "log" type: "Log" bottom: "prob" top: "logp" log_param { base: 1 } }'
    how_to_fix = "Use base -1 (the default: natural log) or a positive base other than 1, e.g. 10 or 2."
    version_notes = "The Log layer exists since Caffe rc3."

    def check(self, ctx):
        for _, layer in layers_of(ctx, ("Log",)):
            node = layer.field("log_param.base")
            base = number(node.scalar) if node is not None else None
            if base is None or base == -1:
                continue
            if base <= 0:
                reason = 'Caffe aborts with "base must be strictly positive."'
            elif base == 1:
                reason = 'Caffe aborts with "Inf result: 1/log(base) = 1/log(1) = inf"'
            else:
                continue
            ctx.report_node(node, f'Log "{layer.name}" base {fmt(base)}: {reason} — use base −1 (natural log) or a '
                            "positive base ≠ 1")


def _affine(layer, block):
    scale = number(layer.get(f"{block}.scale"))
    shift = number(layer.get(f"{block}.shift"))
    return (1.0 if scale is None else scale), (0.0 if shift is None else shift)


class LogUnboundedInput(Rule):
    code = "L362"
    name = "log-unbounded-input"
    severity = "warning"
    applies_to = ("net",)
    summary = "A Log layer whose input shift + scale*x can be 0 or negative"
    what_it_does = (
        "Reports a Log layer unless its argument shift + scale*x is provably positive: a positive shift with "
        "scale >= 0 on a non-negative input (ReLU, AbsVal, Sigmoid, Softmax, Exp, BNLL, Threshold, even Power), "
        "or no shift with scale > 0 on a strictly positive input (Sigmoid, Softmax, Exp, BNLL)."
    )
    why_it_matters = (
        "log of 0 is -inf and of a negative number NaN, and the gradient scale/(shift + scale*x) explodes near "
        "0: one such value turns the loss and then every weight into NaN (log_layer.cpp)."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 16 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 4 } }\n'
        'layer { name: "log" type: "Log" bottom: "fc" top: "logfc" }'
    )
    how_to_fix = "Feed a positive quantity (Softmax, Sigmoid, Exp), or rectify it and add a positive shift: log_param { shift: 1 }."
    version_notes = "The Log layer exists since Caffe rc3."

    def check(self, ctx):
        once = Once()
        for net, state, graph in each_graph(ctx):
            for layer in graph.layers:
                if layer.type != "Log" or not layer.bottoms or not once.first(layer.message):
                    continue
                scale, shift = _affine(layer, "log_param")
                source = effective_layer(graph, bottom_use(graph, layer))
                if source is not None and (
                    (shift > 0 and scale >= 0 and non_negative(source))
                    or (shift == 0 and scale > 0 and source.type in STRICTLY_POSITIVE)
                ):
                    continue
                blob = layer.bottoms[0][0]
                report_layer(ctx, layer, f'Log "{layer.name}" computes log({fmt(shift)} + {fmt(scale)}·x) on "{blob}", which '
                             "can be ≤ 0: the output is −inf/NaN and the gradient 1/x explodes at 0 — add a positive "
                             "shift or feed a positive quantity")


class ExpBaseInvalid(Rule):
    code = "L363"
    name = "exp-base-invalid"
    severity = "error"
    applies_to = ("net",)
    summary = "An Exp layer with a base <= 0"
    what_it_does = "Reports `exp_param { base: b }` with b other than -1 (e) and b <= 0."
    why_it_matters = 'ExpLayer::LayerSetUp aborts with "base must be strictly positive." (exp_layer.cpp).'
    example = 'layer { name: "exp" type: "Exp" bottom: "x" top: "y" exp_param { base: 0 } }'
    how_to_fix = "Use base -1 (the default, e) or a positive base such as 2."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for _, layer in layers_of(ctx, ("Exp",)):
            node = layer.field("exp_param.base")
            base = number(node.scalar) if node is not None else None
            if base is not None and base != -1 and base <= 0:
                ctx.report_node(node, f'Exp "{layer.name}" base {fmt(base)}: Caffe aborts with "base must be strictly '
                                'positive." — use base −1 (e) or a positive base')


class ExpBaseOne(Rule):
    code = "L364"
    name = "exp-base-one"
    severity = "warning"
    applies_to = ("net",)
    summary = "An Exp layer with base 1 (a constant output)"
    what_it_does = "Reports `exp_param { base: 1 }`."
    why_it_matters = "1^x is 1 for every input: the layer outputs a constant and its gradient (scaled by log(1) = 0) is zero, so nothing below it learns through it."
    example = 'layer { name: "exp" type: "Exp" bottom: "x" top: "y" exp_param { base: 1 } }'
    how_to_fix = "Use base -1 (e, the default) or another base."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for _, layer in layers_of(ctx, ("Exp",)):
            node = layer.field("exp_param.base")
            if node is not None and number(node.scalar) == 1:
                ctx.report_node(node, f'Exp "{layer.name}" base 1: 1^x is constant 1, the layer passes no gradient — use '
                                "base −1 (e) or another base")


_BOUNDED_ABOVE = frozenset("Sigmoid TanH Softmax Clip Threshold".split())


class ExpUnboundedInput(Rule):
    code = "L365"
    name = "exp-unbounded-input"
    severity = "info"
    applies_to = ("net",)
    summary = "An Exp layer (base > 1) applied to an input that is not bounded above"
    what_it_does = (
        "Reports an Exp layer with base e (or > 1) and scale > 0 whose input comes from a layer that is not "
        "bounded above (anything but Sigmoid, TanH, Softmax, Clip, Threshold, or a negated non-negative value)."
    )
    why_it_matters = "exp overflows float above about 88: the output becomes inf and the next operation NaN."
    example = (
        'layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 16 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 4 } }\n'
        'layer { name: "exp" type: "Exp" bottom: "fc" top: "expfc" }'
    )
    how_to_fix = "Bound or normalise the input first (TanH, Clip, BatchNorm), or use a Softmax if you need normalised exponentials."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        once = Once()
        for net, state, graph in each_graph(ctx):
            for layer in graph.layers:
                if layer.type != "Exp" or not layer.bottoms or not once.first(layer.message):
                    continue
                base = number(layer.get("exp_param.base"))
                scale, _ = _affine(layer, "exp_param")
                if not (base == -1 or (base is not None and base > 1)) or scale <= 0:
                    continue
                source = effective_layer(graph, bottom_use(graph, layer))
                if source is None or source.type in _BOUNDED_ABOVE or _negated_non_negative(graph, source):
                    continue
                report_layer(ctx, layer, f'Exp "{layer.name}" exponentiates an unbounded input ("{layer.bottoms[0][0]}" from '
                             f'{source.type} "{source.name}"): values above ~88 overflow float to inf and then NaN '
                             "downstream — bound or normalise the input")


def _negated_non_negative(graph, layer) -> bool:
    if layer.type != "Power":
        return False
    scale, _ = _affine(layer, "power_param")
    power = number(layer.get("power_param.power"))
    source = effective_layer(graph, bottom_use(graph, layer))
    return power == 1 and scale < 0 and source is not None and non_negative(source)


class PowerFractionalOnSignedInput(Rule):
    code = "L366"
    name = "power-fractional-on-signed-input"
    severity = "warning"
    applies_to = ("net",)
    summary = "A non-integer Power of a base that can be negative"
    what_it_does = (
        "Reports a Power layer with a non-integer `power` unless its base shift + scale*x is provably >= 0 "
        "(shift >= 0, scale >= 0, and the input comes from ReLU, AbsVal, Sigmoid, Softmax, Exp, BNLL, "
        "Threshold or an even Power)."
    )
    why_it_matters = "pow() of a negative number to a fractional power is NaN, which then spreads to the loss and the weights (power_layer.cpp)."
    example = (
        'layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 16 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 4 } }\n'
        'layer { name: "sqrt" type: "Power" bottom: "fc" top: "sqrtfc" power_param { power: 0.5 } }'
    )
    how_to_fix = "Make the base non-negative first (ReLU or AbsVal), add a shift, or use an integer power."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        once = Once()
        for net, state, graph in each_graph(ctx):
            for layer in graph.layers:
                if layer.type != "Power" or not layer.bottoms or not once.first(layer.message):
                    continue
                power = number(layer.get("power_param.power"))
                if power is None or float(power).is_integer():
                    continue
                scale, shift = _affine(layer, "power_param")
                source = effective_layer(graph, bottom_use(graph, layer))
                if shift >= 0 and scale >= 0 and source is not None and non_negative(source):
                    continue
                if scale == 0 and shift >= 0:
                    continue  # a constant, non-negative base
                report_at(ctx, layer, layer.field("power_param.power"),
                          f'Power "{layer.name}" raises ({fmt(shift)} + {fmt(scale)}·x) to the non-integer power {fmt(power)}: '
                          "negative bases give NaN — make the base non-negative (e.g. ReLU/AbsVal first, or a shift)")


class PowerGradientAtZero(Rule):
    code = "L367"
    name = "power-gradient-at-zero"
    severity = "warning"
    applies_to = ("net",)
    summary = "A trained Power layer (power not 0, 1 or 2, no shift) whose gradient is y/x"
    what_it_does = (
        "In the TRAIN state of a trained net, reports Power layers with power other than 0, 1 and 2, scale "
        "!= 0 and shift 0 whose input needs a gradient."
    )
    why_it_matters = (
        "For shift 0 Caffe computes the gradient as power * y / x: wherever the input is exactly 0 (ReLU "
        "outputs, zero padding) this is 0/0 = NaN, and the NaN reaches every weight below "
        "(power_layer.cpp; reproduced by running Caffe)."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 16 } shape { dim: 8 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 4 weight_filler { type: "xavier" } } }\n'
        'layer { name: "relu" type: "ReLU" bottom: "fc" top: "fc" }\n'
        'layer { name: "sqrt" type: "Power" bottom: "fc" top: "sqrtfc" power_param { power: 0.5 } }\n'
        'layer { name: "loss" type: "EuclideanLoss" bottom: "sqrtfc" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Add a small shift, e.g. power_param { power: 0.5 shift: 1e-8 }."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        once = Once()
        for net in ctx.nets():
            for state in train_states(ctx, net):
                graph = net.graph(state)
                info = None
                for layer in graph.layers:
                    if layer.type != "Power":
                        continue
                    power = number(layer.get("power_param.power"))
                    scale, shift = _affine(layer, "power_param")
                    if power is None or power in (0, 1, 2) or scale == 0 or shift != 0:
                        continue
                    info = info or backward(ctx, net, graph)
                    if info.propagate_down(layer, 0) and once.first(layer.message):
                        report_at(ctx, layer, layer.field("power_param.power"),
                                  f'Power "{layer.name}" with power {fmt(power)} and no shift computes its gradient as y/x: '
                                  "wherever the input is exactly 0 (ReLU outputs, padding) the gradient is 0/0 = NaN — "
                                  "add a small shift (e.g. 1e-8)")


class ClipMinGtMax(Rule):
    code = "L368"
    name = "clip-min-gt-max"
    severity = "warning"
    applies_to = ("net",)
    summary = "A Clip layer with min > max"
    what_it_does = "Reports `clip_param { min: a max: b }` with a > b."
    why_it_matters = "Clip computes max(min, min(x, max)) without checking the bounds: with min > max every output equals min, the layer is constant and passes no gradient (clip_layer.cpp)."
    example = 'layer { name: "clip" type: "Clip" bottom: "x" top: "y" clip_param { min: 1 max: 0 } }'
    how_to_fix = "Swap the bounds (e.g. min: 0 max: 6 for ReLU6)."
    version_notes = "The Clip layer exists only in BVLC master after 1.0."

    def check(self, ctx):
        for _, layer in layers_of(ctx, ("Clip",)):
            low, high = layer.field("clip_param.min"), layer.field("clip_param.max")
            a = number(low.scalar) if low is not None else None
            b = number(high.scalar) if high is not None else None
            if a is not None and b is not None and a > b:
                ctx.report_node(low, f'Clip "{layer.name}" has min {fmt(a)} > max {fmt(b)}: every output equals min, so the '
                                "layer is constant and passes no gradient — swap them")


class PReLUSlopeDecay(Rule):
    code = "L369"
    name = "prelu-slope-decay"
    severity = "info"
    applies_to = ("net",)
    fixable = True
    summary = "Trained PReLU slopes with weight decay"
    what_it_does = (
        "In the TRAIN state of a trained net, reports PReLU layers whose slope blob is weight-decayed: its "
        "`param` has no `decay_mult: 0` and the solver's weight_decay is positive (or unknown)."
    )
    why_it_matters = (
        "Weight decay pulls the learned negative slopes toward 0, i.e. toward a plain ReLU; the PReLU paper "
        "(He et al. 2015) trains them without decay."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 16 } shape { dim: 8 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 4 weight_filler { type: "xavier" } } }\n'
        'layer { name: "prelu" type: "PReLU" bottom: "fc" top: "fc" }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Add `param { decay_mult: 0 }` to the PReLU layer."
    version_notes = "The PReLU layer exists since Caffe rc3."

    def check(self, ctx):
        once = Once()
        for net in ctx.nets():
            solver, _ = solver_of(ctx, net)
            if solver is not None and not (number(solver.get("weight_decay")) or 0) > 0:
                continue
            for state in train_states(ctx, net):
                for layer in net.layers_in(state):
                    if layer.type != "PReLU" or not once.first(layer.message):
                        continue
                    params = layer.params()
                    decay = params[0].last("decay_mult") if params else None
                    lr = params[0].last("lr_mult") if params else None
                    if (decay is not None and number(decay.scalar) == 0) or (lr is not None and number(lr.scalar) == 0):
                        continue
                    fixes = []
                    if not params:
                        fixes = insert_after_fix(ctx, layer, ("top", "bottom"), "param { decay_mult: 0 }",
                                                 "Add param { decay_mult: 0 }")
                    report_layer(ctx, layer, f'PReLU "{layer.name}" slopes are weight-decayed toward 0 (ReLU); the PReLU '
                                 "paper does not decay them — add param { decay_mult: 0 }", fixes=fixes)


NEURON_RULES = [
    DropoutRatioRange,
    LogBaseInvalid,
    LogUnboundedInput,
    ExpBaseInvalid,
    ExpBaseOne,
    ExpUnboundedInput,
    PowerFractionalOnSignedInput,
    PowerGradientAtZero,
    ClipMinGtMax,
    PReLUSlopeDecay,
]
