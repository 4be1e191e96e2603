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


def _trained_learnable_layers(ctx, with_net: bool = False):
    """Layers with weights in the states a solver trains the net in (its train_state, or TRAIN);
    a deploy net gets its weights from a .caffemodel and has none."""
    for net in ctx.nets():
        for layer in net.layers_in_any(net.train_states()):
            block = _LEARNABLE.get(layer.type)
            if block is None:
                continue
            mults = layer.lr_mults()
            yield (net, layer, block, mults) if with_net else (layer, block, mults)


class MissingWeightFiller(Rule):
    code = "F401"
    name = "missing-weight-filler"
    severity = "warning"
    applies_to = ("net",)
    summary = "A trained Convolution/InnerProduct/Embed layer without weight_filler"
    what_it_does = (
        "Reports layers with weights (Convolution, Deconvolution, InnerProduct, Embed) in the TRAIN "
        "state of a trained net whose parameter block has no `weight_filler`, unless their weights are "
        "frozen (lr_mult 0). A layer that feeds the loss directly (the classifier) is not reported: from "
        "zero it still learns. When no layer of the net has a filler at all, one info says so instead "
        "(a net meant for fine-tuning)."
    )
    why_it_matters = (
        "A missing filler is an empty FillerParameter: constant 0. With all-zero weights every unit "
        "computes the same value and gets the same gradient, and layers below receive exactly zero "
        "gradient: the net does not learn (filler.hpp)."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 16 } shape { dim: 8 } } }\n'
        'layer {\n  name: "fc1"\n  type: "InnerProduct"\n  bottom: "data"\n  top: "fc1"\n  inner_product_param { num_output: 32 }\n}\n'
        'layer { name: "relu1" type: "ReLU" bottom: "fc1" top: "fc1" }\n'
        'layer { name: "fc2" type: "InnerProduct" bottom: "fc1" top: "fc2"\n'
        '  inner_product_param { num_output: 10 weight_filler { type: "xavier" } } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc2" bottom: "label" top: "loss" }'
    )
    how_to_fix = 'Add `weight_filler { type: "xavier" }` (or "msra" before ReLU, or "gaussian" with a small std).'
    version_notes = (
        "When the solver that trains the net names a .caffemodel in `weights`, the layers get its weights and "
        "nothing is reported. If you pass the weights on the command line (`caffe train --weights`), suppress "
        "the rule for the pretrained layers."
    )

    def check(self, ctx):
        from protolint.rules.fillers_extra import is_head

        by_net: dict[int, tuple] = {}
        for net, layer, block, mults in _trained_learnable_layers(ctx, with_net=True):
            entry = by_net.setdefault(id(net), (net, [], []))
            if mults and mults[0] == 0:
                continue  # frozen: whatever it holds comes from a .caffemodel
            (entry[2] if layer.field(f"{block}.weight_filler") is None else entry[1]).append((layer, block))
        for net, with_filler, missing in by_net.values():
            if not missing or net.pretrained:
                continue  # the solver loads a .caffemodel: those layers get its weights
            if not with_filler and len(missing) > 1:
                # No layer says how to initialise: a net meant to be fine-tuned from a .caffemodel.
                layer, block = missing[0]
                ctx.report_node(
                    layer.field(block) or layer.message.last("type"),
                    f"no layer of this net has a weight_filler ({len(missing)} layers with weights): fine when it is "
                    "always fine-tuned from a .caffemodel (--weights), but trained from scratch every weight starts "
                    "at 0 and the net does not learn",
                    severity="info",
                )
                continue
            graphs = [net.graph(state) for state in net.train_states()]
            for layer, block in missing:
                if any(is_head(graph, layer) for graph in graphs):
                    continue  # the classifier right before the loss still learns from zero
                ctx.report_node(
                    layer.field(block) or layer.message.last("type"),
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
                            "(`Check failed: sigma > 0`); set e.g. `std: 0.01`", severity="error")
        elif isinstance(std.scalar, (int, float)) and std.scalar >= _std_limit(message):
            ctx.report_node(std, f"gaussian filler std {std.value.source_text} is very large: activations grow by std*sqrt(fan_in) "
                            "per layer toward saturation or NaN; use e.g. 0.01 or an xavier/msra filler")
