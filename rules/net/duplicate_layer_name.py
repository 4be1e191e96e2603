"""N204 duplicate-layer-name: two layers with the same name in one phase."""

from __future__ import annotations

from protolint.context import Once
from protolint.model.facts import may_have_param_blobs
from protolint.rule import Rule


class DuplicateLayerName(Rule):
    code = "N204"
    name = "duplicate-layer-name"
    severity = "warning"
    applies_to = ("net",)
    summary = "Two layers with the same name in one phase"
    what_it_does = (
        "Reports a layer name used twice among the layers of one state when one of the two has weights "
        "(Convolution, InnerProduct, BatchNorm, Scale, ...). The usual TRAIN and TEST data layers that "
        "share a name are in disjoint phases and are fine; layers without weights are matched by nothing."
    )
    why_it_matters = (
        "Caffe accepts it silently, but weights are matched by layer name: loading a .caffemodel and "
        "sharing weights from the train net to the test net take the first layer with the name, HDF5 "
        "weights the last; the other layer keeps its initial weights."
    )
    example = 'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "a" inner_product_param { num_output: 2 } }\nlayer { name: "fc" type: "InnerProduct" bottom: "a" top: "b" inner_product_param { num_output: 2 } }'
    how_to_fix = "Rename one of the layers (and the weights you load, if they were saved under that name)."

    def check(self, ctx):
        once = Once()
        for net, state, graph in ctx.graphs():
            seen = {}
            for layer in graph.layers:
                if not layer.name or layer.synthetic:
                    continue
                earlier = seen.get(layer.name)
                if earlier is None:
                    seen[layer.name] = layer
                    continue
                if not (may_have_param_blobs(layer) or may_have_param_blobs(earlier)):
                    continue
                name_field = layer.message.last("name")
                if once.first(name_field):
                    line = ctx.source.position(earlier.message.start)[0]
                    ctx.report(
                        name_field.value.start,
                        name_field.value.end,
                        f"layer name \"{layer.name}\" is already used at line {line} in the {state.describe()} net: weights "
                        "are matched by name, so one of them will not get the weights you load or share; rename it",
                        related=[(earlier.message.start, earlier.message.start + 1, "first layer with this name")],
                    )
