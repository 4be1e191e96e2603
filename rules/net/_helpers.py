"""Helpers shared by several net rules."""

from __future__ import annotations

from protolint.model.geometry import conv_kernel
from protolint.model.net import Layer
from protolint.syntax.nodes import Field, Message

from .._format import fmt


def bottom_text(layer: Layer, index: int | None) -> str:
    if index is None:
        return "its input"
    if index < len(layer.bottoms):
        return f'bottom {index} ("{layer.bottoms[index][0]}")'
    return f"bottom {index}"


def _kernel_shape(layer: Layer) -> tuple:
    """The kernel per axis: one kernel_size value stands for both axes of a 2-D convolution."""
    kernel = conv_kernel(layer)
    return tuple(kernel * 2 if len(kernel) == 1 else kernel)


def param_signature(layer: Layer, index: int) -> tuple | None:
    """What determines the shape of a layer's index-th param blob, as far as it is written in the layer
    (the input size is not known without shape inference); None when not comparable."""
    t = layer.type
    if t in ("Convolution", "Deconvolution"):
        num_output = layer.get("convolution_param.num_output")
        if index == 0:
            return ("num_output", num_output), ("kernel", _kernel_shape(layer)), ("group", layer.get("convolution_param.group"))
        return (("num_output", num_output),)
    if t == "InnerProduct":
        num_output = layer.get("inner_product_param.num_output")
        if index == 0:
            return ("num_output", num_output), ("transpose", layer.get("inner_product_param.transpose"))
        return (("num_output", num_output),)
    if t == "Embed":
        num_output = layer.get("embed_param.num_output")
        if index == 0:
            return ("num_output", num_output), ("input_dim", layer.get("embed_param.input_dim"))
        return (("num_output", num_output),)
    return None


def signature_difference(a: tuple, b: tuple) -> str:
    for (name, x), (_, y) in zip(a, b):
        if x != y:
            show = lambda v: "×".join(str(i) for i in v if i is not None) if isinstance(v, tuple) else fmt(v)  # noqa: E731
            return f"{name} {show(x)} vs {show(y)}"
    return "shapes differ"


def train_test_pairs(ctx):
    """(train net, train state, test net, test state, stand_alone) for every train/test pair a solver
    runs (or, for a trained net linted alone, its TRAIN and TEST states)."""
    nets = ctx.nets()
    trains = [(net, s, net.usage.from_solver) for net in nets for s in net.train_states()]
    tests = [(net, s, net.usage.from_solver) for net in nets for s in net.test_states()]
    for train_net, train_state, solver in trains:
        for test_net, test_state, test_solver in tests:
            if not solver and train_net is not test_net:
                continue
            yield train_net, train_state, test_net, test_state, not (solver and test_solver)


def downgrade(severity: str) -> str:
    return {"error": "warning", "warning": "info"}.get(severity, severity)


def legacy_problems(net_message: Message) -> list[tuple[Field, str]]:
    """What Caffe ignores in a NetParameter it does not upgrade, with the consequence."""
    problems: list[tuple[Field, str]] = []
    v1 = net_message.all("layers")
    v2 = net_message.all("layer")
    if v1:
        if v2:
            consequence = (f'its {len(v1)} V1 "layers" entr{"y is" if len(v1) == 1 else "ies are"} ignored — only the '
                           '"layer" entries are built')
        else:
            consequence = ('the V1 "layers" entries are ignored, so the net has no layers and training aborts with '
                           '"Check failed: end < layers_.size() (-1 vs. 0)"')
        problems.append((v1[0], consequence))
    legacy_inputs = [f for f in net_message.fields if f.name in ("input", "input_dim", "input_shape")]
    if legacy_inputs:
        names = [f.scalar for f in net_message.all("input") if isinstance(f.scalar, str)]
        blob = f' "{names[0]}"' if names else ""
        problems.append((legacy_inputs[0], f'the "input" fields are ignored, so layers reading{blob} fail with '
                                            '"Unknown bottom blob"'))
    for f in v2:
        layer = f.value
        if not isinstance(layer, Message):
            continue
        type_field = layer.last("type")
        if type_field is None or type_field.scalar != "BatchNorm":
            continue
        params = [p.value for p in layer.all("param") if isinstance(p.value, Message)]
        if len(params) != 3:
            continue  # other counts are not upgraded in files either (batchnorm-param-lr-nonzero)
        lrs = [p.last("lr_mult") for p in params]
        if any(lr is None or lr.scalar != 0 for lr in lrs):
            name = layer.last("name")
            label = name.scalar if name is not None else "BatchNorm"
            problems.append((f, f'BatchNorm "{label}" keeps its non-zero lr_mult (files get three param blocks rewritten '
                                'to lr_mult 0) and aborts with "Cannot configure batch normalization statistics as '
                                'layer parameters."'))
            break
    return problems


def net_files(ctx):
    """The net of a net file (embedded nets are inline-net-legacy-syntax's business)."""
    return [ctx.net] if ctx.kind == "net" else []


def v0_entry(net_message: Message) -> Field | None:
    for f in net_message.all("layers"):
        if isinstance(f.value, Message):
            nested = f.value.first("layer")
            if nested is not None:
                return nested
    return None
