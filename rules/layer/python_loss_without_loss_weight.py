"""L375 python-loss-without-loss-weight: A Python layer that looks like a loss but has no loss_weight."""

from __future__ import annotations

from protolint.context import Once
from protolint.edits import insert_after_last
from protolint.rule import Rule


class PythonLossWithoutLossWeight(Rule):
    code = "L375"
    name = "python-loss-without-loss-weight"
    severity = "warning"
    applies_to = ("net",)
    layer_types = ("Python",)
    fixable = True
    summary = "A Python layer that looks like a loss but has no loss_weight"
    what_it_does = (
        "In the TRAIN state, reports Python layers without `loss_weight` whose name, module or class contains "
        "\"loss\", or — in a net a solver trains — whose output nothing reads while the net has no other loss."
    )
    why_it_matters = (
        "Python layers are not LossLayers: their loss weight defaults to 0 (only LossLayer subclasses get a default "
        "weight of 1), so the 'loss' is computed and printed but nothing is trained."
    )
    example = (
        'layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 16 } shape { dim: 8 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 2 weight_filler { type: "xavier" } } }\n'
        'layer { name: "loss" type: "Python" bottom: "fc" bottom: "label" top: "loss" python_param { module: "losses" layer: "DiceLoss" } }'
    )
    how_to_fix = "Add loss_weight: 1 to the Python layer."
    version_notes = "Needs a Caffe built with WITH_PYTHON_LAYER."
    references = (
        "src/caffe/layers/loss_layer.cpp:10-13 (LossLayer::LayerSetUp: the default loss weight 1)",
    )

    def check(self, ctx):
        once = Once()
        for net in ctx.nets():
            trained_by_solver = net.usage.solver_trained
            if not trained_by_solver and net.usage.from_solver:
                continue  # the solvers only test this net
            for state in [s for s in net.states() if s.phase == "TRAIN"]:
                graph = net.graph(state)
                other_loss = None
                for layer in graph.layers:
                    if layer.type != "Python" or layer.has("loss_weight") or not once.first(layer.message):
                        continue
                    names = " ".join(str(x) for x in (layer.name, layer.get("python_param.module"),
                                                      layer.get("python_param.layer")) if x).lower()
                    looks_like_loss = "loss" in names
                    if not looks_like_loss and trained_by_solver and layer.tops:
                        if other_loss is None:
                            other_loss = any(l.is_loss for l in graph.layers if l.type != "Python")
                        unread = all(not graph.readers_of_top(layer, i) for i in range(len(layer.tops)))
                        looks_like_loss = unread and not other_loss
                    if not looks_like_loss:
                        continue
                    fixes = insert_after_last(ctx.source.text, layer.message, ("top",), "loss_weight: 1", "Add loss_weight: 1")
                    ctx.report_layer(layer, f'Python layer "{layer.name}" looks like a loss but has no loss_weight: Python '
                                 "layers are not LossLayers, so their loss weight is 0 and nothing is trained — add "
                                 "loss_weight: 1", fixes=fixes)
