"""Weight and bias initialisation of trained layers."""

import math

from protolint.rule import Rule

# Layer type -> its parameter block and whether it has a bias term by default.
_LEARNABLE = {
    "Convolution": "convolution_param",
    "Deconvolution": "convolution_param",
    "InnerProduct": "inner_product_param",
    "Embed": "embed_param",
}


def _trained_learnable_layers(ctx):
    """Layers with weights that the solver updates: in the TRAIN state of a trained net, lr_mult != 0."""
    for net in ctx.nets():
        # A deploy net gets its weights from a .caffemodel; a trained one is trained in its solver's
        # train_state (stages, level), or plain TRAIN.
        for layer in net.layers_in_any(net.train_states()):
            block = _LEARNABLE.get(layer.type)
            if block is None:
                continue
            mults = layer.lr_mults()
            yield layer, block, mults


class MissingWeightFiller(Rule):
    code = "F401"
    name = "missing-weight-filler"
    severity = "warning"
    applies_to = ("net",)
    summary = "A trained Convolution/InnerProduct/Embed layer without weight_filler"
    what_it_does = (
        "Reports layers with weights (Convolution, Deconvolution, InnerProduct, Embed) in the TRAIN "
        "state of a trained net whose parameter block has no `weight_filler`, unless their weights are "
        "frozen (lr_mult 0)."
    )
    why_it_matters = (
        "A missing filler is an empty FillerParameter: constant 0. With all-zero weights every unit "
        "computes the same value and gets the same gradient, and layers below receive exactly zero "
        "gradient: the net does not learn (filler.hpp)."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 16 } shape { dim: 8 } } }\n'
        'layer {\n  name: "fc"\n  type: "InnerProduct"\n  bottom: "data"\n  top: "fc"\n  inner_product_param { num_output: 10 }\n}\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = 'Add `weight_filler { type: "xavier" }` (or "msra" before ReLU, or "gaussian" with a small std).'
    version_notes = "If you always fine-tune from a .caffemodel that has this layer's weights, the filler is never used; suppress the rule for that layer."

    def check(self, ctx):
        for layer, block, mults in _trained_learnable_layers(ctx):
            if mults and mults[0] == 0:
                continue
            if layer.field(f"{block}.weight_filler") is None:
                node = layer.field(block) or layer.message.last("type")
                ctx.report_node(
                    node,
                    f"layer \"{layer.name}\" ({layer.type}) has no weight_filler: its weights start at 0, every unit "
                    "learns the same thing and lower layers get no gradient; add `weight_filler { type: \"xavier\" }`",
                )


class MissingBiasFiller(Rule):
    code = "F402"
    name = "missing-bias-filler"
    severity = "info"
    applies_to = ("net",)
    summary = "A trained layer with a bias term but no bias_filler (the bias starts at 0)"
    what_it_does = (
        "Reports trained Convolution/Deconvolution/InnerProduct/Embed layers with `bias_term` (the default) "
        "and a learnable bias whose parameter block has no `bias_filler`."
    )
    why_it_matters = (
        "Without a filler the bias is constant 0. That is a sound start on its own, but together with a "
        "missing or zero weight filler the layer starts fully symmetric, and before a ReLU a zero bias "
        "can leave units dead; stating the filler makes the initialisation explicit and reviewable."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 3 dim: 8 dim: 8 } shape { dim: 8 } } }\n'
        'layer {\n  name: "conv1"\n  type: "Convolution"\n  bottom: "data"\n  top: "conv1"\n'
        '  convolution_param { num_output: 16 kernel_size: 3 weight_filler { type: "xavier" } }\n}\n'
        'layer { name: "loss" type: "EuclideanLoss" bottom: "conv1" bottom: "label" top: "loss" }'
    )
    how_to_fix = 'Add `bias_filler { type: "constant" value: 0 }` (or a small positive value before ReLU).'

    def check(self, ctx):
        weight_rule_on = MissingWeightFiller in ctx.options.enabled_rules()
        for layer, block, mults in _trained_learnable_layers(ctx):
            if not layer.get(f"{block}.bias_term"):
                continue
            if len(mults) > 1 and mults[1] == 0:
                continue
            if weight_rule_on and layer.field(f"{block}.weight_filler") is None and not (mults and mults[0] == 0):
                continue  # missing-weight-filler reports the layer; one finding for the root cause
            if layer.field(f"{block}.bias_filler") is None:
                node = layer.field(block) or layer.message.last("type")
                ctx.report_node(
                    node,
                    f"layer \"{layer.name}\" ({layer.type}) has a bias but no bias_filler: it starts at constant 0; "
                    "write `bias_filler { type: \"constant\" value: 0 }` to make that explicit",
                )


def _std_limit(filler) -> float:
    """The std above which a gaussian filler is suspicious. With `sparse: k` each output sums only
    k inputs, so the fan-in is k and std can be ~3*sqrt(2/k) (Caffe's mnist autoencoder: std 1, sparse 15)."""
    sparse = filler.last("sparse")
    if sparse is not None and isinstance(sparse.scalar, int) and sparse.scalar > 0:
        return max(1.0, 3 * math.sqrt(2 / sparse.scalar)) + 1e-9
    return 1.0


class GaussianFillerStd(Rule):
    code = "F403"
    name = "gaussian-filler-std"
    severity = "warning"
    applies_to = ("net",)
    summary = "A gaussian filler without std, or with std >= 1"
    what_it_does = (
        "Reports `type: \"gaussian\"` fillers whose std is unset (Caffe's default is 1) or at least 1 "
        "(with `sparse: k`, above 3*sqrt(2/k), since each output then sums only k inputs); std <= 0 is an error."
    )
    why_it_matters = (
        "Activations grow by about std * sqrt(fan_in) per layer: with std 1 the logits saturate the "
        "softmax (the classic loss = 87.3365) or overflow to NaN within a few layers. A non-positive std "
        "fails Caffe's CHECK in GaussianFiller."
    )
    example = 'layer {\n  name: "fc"\n  type: "InnerProduct"\n  bottom: "data"\n  top: "fc"\n  inner_product_param { num_output: 10 weight_filler { type: "gaussian" } }\n}'
    how_to_fix = "Set a small std (0.01, or sqrt(2 / fan_in)), or use the xavier/msra fillers which scale by fan-in."
    # DummyData is visited before the fillers inside it (parents come first in the walk).
    message_types = ("DummyDataParameter", "FillerParameter")

    def __init__(self):
        self.data_fillers: set[int] = set()

    def visit(self, message, ctx):
        if message.schema.name == "DummyDataParameter":
            # Fillers that generate input data: std 1 is an ordinary choice there.
            self.data_fillers.update(id(f.value) for f in message.all("data_filler"))
            return
        type_field = message.last("type")
        if type_field is None or type_field.scalar != "gaussian" or id(message) in self.data_fillers:
            return
        std = message.last("std")
        if std is None:
            ctx.report_node(type_field, "gaussian filler without `std`: Caffe uses std 1, far too large for most layers "
                            "(saturated softmax, loss 87.34 or NaN); set e.g. `std: 0.01`")
        elif isinstance(std.scalar, (int, float)) and std.scalar <= 0:
            ctx.report_node(std, f"gaussian filler std {std.value.source_text} must be positive: Caffe aborts "
                            "(`Check failed: std > 0`); set e.g. `std: 0.01`", severity="error")
        elif isinstance(std.scalar, (int, float)) and std.scalar >= _std_limit(message):
            ctx.report_node(std, f"gaussian filler std {std.value.source_text} is very large: activations grow by std*sqrt(fan_in) "
                            "per layer toward saturation or NaN; use e.g. 0.01 or an xavier/msra filler")
