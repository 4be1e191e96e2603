"""F403 gaussian-filler-std: A gaussian filler without std, or with std >= 1."""

from __future__ import annotations

import math

from protolint.rule import Rule


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
    references = (
        "include/caffe/filler.hpp:69-73 (GaussianFiller::Fill calls caffe_rng_gaussian with mean and std)",
        "src/caffe/util/math_functions.cpp:276-281 (caffe_rng_gaussian: CHECK_GT(sigma, 0))",
        "src/caffe/proto/caffe.proto:50 (FillerParameter: std defaults to 1)",
    )
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
