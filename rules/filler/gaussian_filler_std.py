"""F403 gaussian-filler-std: A gaussian filler without std, or with std >= 1."""

from __future__ import annotations

import math

from protolint.model.fillers import filler_uses
from protolint.model.params import learned_from_filler
from protolint.rule import Rule
from protolint.syntax.nodes import number

from ._helpers import starting_value_severity


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
        "Reports `type: \"gaussian\"` fillers of layers a solver trains from those values whose std is unset "
        "(Caffe's default is 1) or at least 1 (with `sparse: k`, above 3*sqrt(2/k), since each output then sums "
        "only k inputs); std <= 0 is an error in every net, since the filler runs when Caffe builds the layer."
    )
    why_it_matters = (
        "Activations grow by about std * sqrt(fan_in) per layer: with std 1 the logits saturate the "
        "softmax (the classic loss = 87.3365) or overflow to NaN within a few layers. A non-positive std "
        "fails Caffe's CHECK in GaussianFiller."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 16 } shape { dim: 8 } } }\n'
        'layer {\n  name: "fc"\n  type: "InnerProduct"\n  bottom: "data"\n  top: "fc"\n'
        '  inner_product_param { num_output: 10 weight_filler { type: "gaussian" } }\n}\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Set a small std (0.01, or sqrt(2 / fan_in)), or use the xavier/msra fillers which scale by fan-in."
    references = (
        "include/caffe/filler.hpp:69-73 (GaussianFiller::Fill calls caffe_rng_gaussian with mean and std)",
        "src/caffe/util/math_functions.cpp:276-281 (caffe_rng_gaussian: CHECK_GT(sigma, 0))",
        "src/caffe/proto/caffe.proto:50 (FillerParameter: std defaults to 1)",
    )

    def check(self, ctx):
        trained = {id(layer): (net, graph) for net, graph, layer in ctx.trained_layers()}
        for net, layer in ctx.layers(unbuilt=True):
            for use in filler_uses(layer):
                if use.type != "gaussian" or use.role == "data":
                    continue  # a DummyData filler generates input data: std 1 is an ordinary choice there
                std = use.filler.last("std")
                if std is not None and number(std.scalar) is not None and std.scalar <= 0:
                    # Checked when Caffe fills the blob at construction: deploy nets abort too.
                    ctx.report_node(std, f"gaussian filler std {std.value.source_text} must be positive: Caffe aborts "
                                    "(`Check failed: sigma > 0`); set e.g. `std: 0.01`", severity="error")
                    continue
                where = trained.get(id(layer))
                if where is None or not learned_from_filler(layer, use.param, where[1]):
                    continue  # never trained from these values: a deploy net, frozen or borrowed weights
                severity, note = starting_value_severity(net, self.severity)
                if std is None:
                    ctx.report_node(use.type_node, "gaussian filler without `std`: Caffe uses std 1, far too large for "
                                    f"most layers (saturated softmax, loss 87.34 or NaN){note}; set e.g. `std: 0.01`",
                                    severity=severity)
                elif number(std.scalar) is not None and std.scalar >= _std_limit(use.filler):
                    ctx.report_node(std, f"gaussian filler std {std.value.source_text} is very large: activations grow "
                                    f"by std*sqrt(fan_in) per layer toward saturation or NaN{note}; use e.g. 0.01 or an "
                                    "xavier/msra filler", severity=severity)
