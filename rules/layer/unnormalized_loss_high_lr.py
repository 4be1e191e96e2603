"""L379 unnormalized-loss-high-lr: a per-pixel loss summed over positions, trained with a learning rate for an averaged one."""

from __future__ import annotations

from protolint.model.shapes import infer_shapes
from protolint.rule import Rule
from protolint.syntax.nodes import number

from .._format import fmt

# Past this product of base_lr and the number of summed positions, a step is as large as one with
# base_lr 0.1 on an averaged loss — already the top of what SGD tolerates on a normalised loss.
_LIMIT = 0.1


def normalization(layer) -> tuple[str, object]:
    """SoftmaxWithLoss's normaliser as Caffe reads it, and the field that decides it: `normalization`,
    else the deprecated `normalize` (true: VALID, false: BATCH_SIZE), else VALID."""
    mode = layer.field("loss_param.normalization")
    if mode is not None and isinstance(mode.scalar, str):
        return mode.scalar, mode
    legacy = layer.field("loss_param.normalize")
    if legacy is not None and isinstance(legacy.scalar, bool):
        return ("VALID" if legacy.scalar else "BATCH_SIZE"), legacy
    return "VALID", None


class UnnormalizedLossHighLr(Rule):
    code = "L379"
    name = "unnormalized-loss-high-lr"
    severity = "warning"
    applies_to = ("net", "solver")
    layer_types = ("SoftmaxWithLoss",)
    summary = "A per-pixel SoftmaxWithLoss summed over its positions, trained with a learning rate for an averaged loss"
    what_it_does = (
        "For a SoftmaxWithLoss in a net a solver trains, whose input has spatial positions (a segmentation score "
        "map) and whose loss is not averaged over them (`normalize: false`, `normalization: BATCH_SIZE` or "
        "`NONE`), computes how much larger each step is than with the default averaging — the number of summed "
        "positions, known from the inferred shapes — and reports when base_lr times that is above 0.1. It needs "
        "the solver (lint the solver with the net) and the input size (an Input layer, or --input-shape)."
    )
    why_it_matters = (
        "Summed instead of averaged, the loss and its gradient grow with the number of pixels: a 500×500 score "
        "map makes each step 250,000 times larger than the same base_lr on an averaged loss. FCN trains with "
        "`normalize: false` and base_lr 1e-10 for exactly this reason; with a learning rate meant for an "
        "averaged loss the weights blow up within a few iterations."
    )
    example = (
        'train_net_param {\n'
        '  layer { name: "data" type: "Input" top: "data" top: "label"\n'
        '    input_param { shape { dim: 1 dim: 3 dim: 256 dim: 256 } shape { dim: 1 dim: 1 dim: 256 dim: 256 } } }\n'
        '  layer { name: "score" type: "Convolution" bottom: "data" top: "score"\n'
        '    convolution_param { num_output: 21 kernel_size: 1 weight_filler { type: "xavier" } } }\n'
        '  layer { name: "loss" type: "SoftmaxWithLoss" bottom: "score" bottom: "label" top: "loss"\n'
        '    loss_param { ignore_label: 255 normalize: false } }\n'
        '}\n'
        'base_lr: 0.001\nlr_policy: "fixed"\nmax_iter: 1000'
    )
    how_to_fix = (
        "Average the loss (`normalization: VALID`, the default), or divide base_lr by the number of positions "
        "(FCN: 1e-10 for 500×500 inputs, with momentum 0.99)."
    )
    version_notes = (
        "`normalization` exists since rc3; before it `normalize: false` meant the same summed loss. Silent for a "
        "net linted without the solver that trains it, and when the input size is not known."
    )
    references = (
        "src/caffe/layers/softmax_loss_layer.cpp:28-35 (the deprecated normalize: true is VALID, false BATCH_SIZE)",
        "src/caffe/layers/softmax_loss_layer.cpp:59-86 (the normaliser: FULL, VALID, BATCH_SIZE = N, NONE = 1)",
    )

    def check(self, ctx):
        for net in ctx.nets():
            solvers = [(path, solver, number(solver.get("base_lr"))) for path, solver in net.usage.training_solvers]
            solvers = [(path, lr) for path, _solver, lr in solvers if lr is not None and lr > 0]
            if not solvers:
                continue
            path, base_lr = max(solvers, key=lambda item: item[1])
            reported = set()
            for state in net.train_states():
                graph = net.graph(state)
                shapes = infer_shapes(graph)
                for layer in graph.layers:
                    if layer.type != "SoftmaxWithLoss" or id(layer) in reported or not layer.bottoms:
                        continue
                    mode, node = normalization(layer)
                    if mode not in ("BATCH_SIZE", "NONE"):
                        continue
                    use = graph.bottom_use(layer, 0)
                    shape = shapes.get((use.node.scalar, use.version)) if use is not None else None
                    axis = number(layer.get("softmax_param.axis"))
                    if shape is None or axis is None or not -len(shape) <= axis < len(shape):
                        continue
                    axis %= len(shape)
                    inner = shape[axis + 1:]
                    outer = shape[:axis]
                    summed = inner + (outer if mode == "NONE" else ())
                    if any(d is None for d in summed):
                        continue
                    positions = 1
                    for d in summed:
                        positions *= d
                    if positions <= 1 or base_lr * positions <= _LIMIT:
                        continue
                    reported.add(id(layer))
                    how = f"{node.name}: {str(node.scalar).lower() if node.name == 'normalize' else node.scalar}"
                    ctx.report_node(node, f'SoftmaxWithLoss "{layer.name}" sums its loss over {positions:,} positions '
                                    f"({how}) while {path} trains with base_lr {fmt(base_lr)}: each step is as large "
                                    f"as base_lr {fmt(base_lr * positions)} on an averaged loss and training is likely "
                                    "to diverge — use normalization: VALID, or divide base_lr by the number of "
                                    "positions")
