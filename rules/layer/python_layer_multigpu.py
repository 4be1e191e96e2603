"""L376 python-layer-multigpu: A Python layer in a solver's training net (no multi-GPU caffe train)."""

from __future__ import annotations

from protolint.context import PerNet
from protolint.model.net import TRAIN
from protolint.rule import Rule

from .._format import and_more


class PythonLayerMultigpu(Rule):
    code = "L376"
    name = "python-layer-multigpu"
    severity = "info"
    applies_to = ("net", "solver")
    layer_types = ("Python",)
    summary = "A Python layer in a solver's training net (no multi-GPU caffe train)"
    what_it_does = "Reports Python layers in the TRAIN state of a net that a solver trains."
    why_it_matters = (
        '"caffe train --gpu 0,1,..." aborts with "PythonLayer does not support CLI Multi-GPU, use train.py"; '
        "single-GPU and pycaffe training are fine."
    )
    example = (
        'base_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 100\nsolver_mode: GPU\n'
        'train_net_param {\n  layer { name: "data" type: "Python" top: "data" top: "label" python_param { module: "readers" '
        'layer: "Reader" } }\n'
        '  layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 2 '
        'weight_filler { type: "xavier" } } }\n'
        '  layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }\n}'
    )
    how_to_fix = "Train on one GPU, or from Python (e.g. caffe.train / NCCL from pycaffe) for several GPUs."
    version_notes = (
        "rc3 aborts with \"PythonLayer is not implemented in Multi-GPU training\" unless python_param.share_in_parallel "
        "is true; from rc4 on share_in_parallel is ignored and the CLI always refuses."
    )
    references = (
        "include/caffe/layers/python_layer.hpp:23-26 (PythonLayer::LayerSetUp: LOG(FATAL) with more than one solver "
        "in TRAIN)",
    )

    def check(self, ctx):
        group = PerNet()  # one finding per net: the abort is the net's, whichever Python layer
        old = not ctx.version_at_least("rc4")
        text = "PythonLayer is not implemented in Multi-GPU training" if old else (
            "PythonLayer does not support CLI Multi-GPU, use train.py")
        for net in ctx.nets():
            if not net.usage.solver_trained:
                continue
            for state in [s for s in net.states() if s.phase == "TRAIN"] or [TRAIN]:
                for layer in net.layers_in(state):
                    if layer.type != "Python":
                        continue
                    if old and layer.get("python_param.share_in_parallel") is True:
                        continue
                    group.add(net, layer.message.last("name") or layer.message.last("type"), f'"{layer.name}"')
        for places in group:
            ctx.report_places(places, f"Python layer {places[0][1]}{and_more(len(places) - 1, 'Python layer')} in the "
                              f'training net: "caffe train --gpu 0,1,…" aborts with "{text}" — train on one GPU or '
                              "from Python")
