"""F406 uniform-filler-min-gt-max: A uniform filler with min > max (Caffe aborts)."""

from __future__ import annotations

from protolint.model.fillers import filler_uses, value_of
from protolint.rule import Rule
from protolint.syntax.nodes import number

from .._format import layer_label
from ._helpers import text_of


class UniformFillerMinGtMax(Rule):
    code = "F406"
    name = "uniform-filler-min-gt-max"
    severity = "error"
    applies_to = ("net",)
    summary = "A uniform filler with min > max (Caffe aborts)"
    what_it_does = (
        "Reports any `type: \"uniform\"` filler (weights, biases, Scale/Bias/PReLU, DummyData) whose effective "
        "`min` is greater than its effective `max` (defaults 0 and 1), in every net, trained or not."
    )
    why_it_matters = (
        "UniformFiller calls caffe_rng_uniform(n, min, max), which checks `CHECK_LE(a, b)`: Caffe aborts with "
        "\"Check failed: a <= b\" when it builds the layer — also for a deploy net, since fillers run before weights "
        "are loaded. max defaults to 1, so `min: 2` alone aborts too."
    )
    example = (
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc"\n'
        '  inner_product_param { num_output: 10 weight_filler { type: "uniform" min: 0.1 max: -0.1 } } }'
    )
    how_to_fix = "Swap the bounds (min is the lower one); note that max defaults to 1 when only min is written."
    version_notes = "All Caffe versions."
    references = (
        "include/caffe/filler.hpp:54-57 (UniformFiller::Fill calls caffe_rng_uniform with min and max)",
        "src/caffe/util/math_functions.cpp:255-259 (caffe_rng_uniform: CHECK_LE(a, b))",
        "src/caffe/proto/caffe.proto:48 (FillerParameter: max defaults to 1)",
    )

    def check(self, ctx):
        for net, layer in ctx.layers(unbuilt=True):
            for use in filler_uses(layer):
                if use.type != "uniform":
                    continue
                low, high = value_of(use.filler, "min"), value_of(use.filler, "max")
                if not ((number(low) is not None) and (number(high) is not None)) or low <= high:
                    continue
                node = use.filler.last("min") or use.filler.last("max")
                ctx.report_value(node, f"uniform {use.role} filler of {layer_label(layer)} has min "
                          f"{text_of(use.filler.last('min'), low)} > max {text_of(use.filler.last('max'), high)}: Caffe aborts "
                          "at net construction (\"Check failed: a <= b\") — swap them")
