"""N217 loss-weight-count: loss_weight given, but not once per top."""

from __future__ import annotations

from protolint.model import facts

from protolint.diagnostics import Fix, TextEdit
from protolint.edits import field_end, line_ending
from protolint.rule import Rule

from .._format import layer_name


def _insert_after(ctx, node, text_items: list[str]) -> TextEdit:
    """Insert fields after `node` (and its separator), on new lines with its indentation and its
    line's line ending when it sits on its own line."""
    source = ctx.source.text
    line_start = source.rfind("\n", 0, node.start) + 1
    indent = source[line_start:node.start]
    end = field_end(node)
    if indent.strip() == "":
        newline = line_ending(source, end)
        return TextEdit(end, end, "".join(f"{newline}{indent}{item}" for item in text_items))
    return TextEdit(end, end, "".join(f" {item}" for item in text_items))


class LossWeightCount(Rule):
    code = "N217"
    name = "loss-weight-count"
    severity = "error"
    applies_to = ("net",)
    fixable = True
    summary = "loss_weight given, but not once per top"
    what_it_does = (
        "Reports layers whose number of `loss_weight` values differs from their number of tops (counting the "
        "top a loss layer gets automatically), and loss layers with two tops but no loss_weight (a loss layer "
        "gets exactly one implicit weight)."
    )
    why_it_matters = (
        "Caffe aborts at setup: \"loss_weight must be unspecified or specified once per top blob.\"; LossLayer adds "
        "a single weight 1 when none is given, which does not fit a second top. InfogainLoss's second (probability) "
        "top works with `loss_weight: 1 loss_weight: 0`, since its internal Softmax gets a single weight of its own."
    )
    example = (
        'layer {\n  name: "loss"\n  type: "InfogainLoss"\n  bottom: "fc"\n  bottom: "label"\n  top: "loss"\n  top: "prob"\n'
        '  infogain_loss_param { source: "H.binaryproto" }\n}'
    )
    how_to_fix = "Give one loss_weight per top, e.g. `loss_weight: 1 loss_weight: 0` for a loss plus an output."
    version_notes = "Same in every Caffe version. SoftmaxWithLoss with two tops is softmax-loss-two-tops' business."
    references = (
        "include/caffe/layer.hpp:389-393 (Layer::SetLossWeights: CHECK_EQ(top.size(), num_loss_weights))",
        "src/caffe/layers/loss_layer.cpp:10-13 (LossLayer::LayerSetUp: one loss weight 1 when none is given)",
        "src/caffe/layers/infogain_loss_layer.cpp:16-21 (InfogainLossLayer::LayerSetUp: the internal Softmax gets "
        "one loss weight)",
    )

    def check(self, ctx):
        for net in ctx.nets():
            for layer in net.layers:
                n_tops = len(layer.tops)
                if layer.type == "SoftmaxWithLoss" and n_tops == 2:
                    continue  # softmax-loss-two-tops
                k = layer.message.count("loss_weight") if layer.message.has("loss_weight") else 0
                if not k and not facts.is_loss_type(layer.type):
                    continue  # (most layers: nothing to count or check)
                counts = facts.blob_counts(layer)
                actual = counts.effective_tops(n_tops) if counts is not None else n_tops
                if k and k != actual:
                    first = layer.message.first("loss_weight")
                    ctx.report(
                        first.name_start, first.name_end,
                        f'layer "{layer_name(layer)}" has {k} loss_weight value(s) for {actual} top(s): Caffe aborts '
                        'with "loss_weight must be unspecified or specified once per top blob." — give one loss_weight '
                        "per top (e.g. loss_weight: 1 loss_weight: 0)",
                    )
                elif not k and facts.is_loss_type(layer.type) and actual >= 2:
                    second = layer.tops[1][1]
                    fixes = None
                    if layer.type == "InfogainLoss" and actual == 2:
                        last_top = layer.tops[-1][1]
                        fixes = [Fix("Add loss_weight: 1 loss_weight: 0",
                                     [_insert_after(ctx, last_top, ["loss_weight: 1", "loss_weight: 0"])])]
                    ctx.report(
                        second.name_start, second.name_end,
                        f'{layer.type} layer "{layer_name(layer)}" has {actual} tops but no loss_weight: a loss layer '
                        'gets a single implicit loss_weight 1, and Caffe aborts with "loss_weight must be unspecified '
                        'or specified once per top blob." — give one loss_weight per top (loss_weight: 1 '
                        "loss_weight: 0)",
                        fixes=fixes,
                    )
