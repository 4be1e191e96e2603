"""N201 unknown-bottom: A bottom blob that no earlier layer produces in that phase."""

from __future__ import annotations

from protolint.context import Once
from protolint.rule import Rule
from protolint.suggest import closest

# Spelling suggestions per file: each compares against every blob name, so a file with thousands of
# unknown bottoms (names that lost their quotes, a generated net) stays linear in time.
SUGGESTION_BUDGET = 50


def _producers_in_file(net) -> dict:
    """Blob name -> the layers that write it as a top, in every state (file order)."""
    found: dict = {}
    for layer in net.layers:
        for name, _node in layer.tops:
            found.setdefault(name, []).append(layer)
    return found


def _why_unknown(ctx, use, state, producers, known) -> str:
    """Why the blob is missing: its producer is filtered out of this state, or comes later, or the
    name is misspelt (`known`: the blob names of the state, None when no more suggestions are made);
    then what to do."""
    blob = use.node.scalar
    writers = producers.get(blob, [])
    line = lambda layer: ctx.source.position(layer.message.start)[0]  # noqa: E731
    excluded = [w for w in writers if not w.included_in(state)]
    later = [w for w in writers if w.included_in(state) and w.index >= use.layer.index]
    if excluded:
        w = excluded[0]
        return (f' (it is produced only by layer "{w.name}" at line {line(w)}, which is excluded from this state by its '
                "include/exclude rules); give this state its own producer of the blob")
    if later:
        w = later[0]
        return (f' (layer "{w.name}" at line {line(w)} produces it, but later: Caffe wires layers in file order); '
                "move that layer above this one")
    close = closest(blob, known) if known is not None else None
    return f'; did you mean "{close}"?' if close else "; produce it before this layer or fix the name"


class UnknownBottom(Rule):
    code = "N201"
    name = "unknown-bottom"
    severity = "error"
    applies_to = ("net",)
    summary = "A bottom blob that no earlier layer produces in that phase"
    what_it_does = (
        "For each state Caffe builds the net in (TRAIN and TEST, after include/exclude filtering), "
        "checks that every `bottom` names a `top` produced by an earlier layer in file order."
    )
    why_it_matters = (
        "Caffe wires layers in file order with no sorting and aborts with `Unknown bottom blob 'x' "
        "(layer 'y', bottom index 0)` before it builds any layer. A data layer restricted to TRAIN leaves the "
        "TEST net without its input, which only fails at the first test pass."
    )
    example = 'layer {\n  name: "ip"\n  type: "InnerProduct"\n  bottom: "data"\n  top: "ip"\n  inner_product_param { num_output: 10 }\n}'
    how_to_fix = "Produce the blob earlier (move the producing layer up, or give the other phase its own data layer), or fix the name."
    references = (
        "src/caffe/util/insert_splits.cpp:22-31 (InsertSplits: LOG(FATAL) \"Unknown bottom blob\" for a bottom no "
        "earlier layer produced)",
        "src/caffe/net.cpp:403-406 (Net::AppendBottom: the same check while the net is built)",
    )

    def check(self, ctx):
        once = Once()
        budget = SUGGESTION_BUDGET
        for net, state, graph in ctx.graphs():
            producers = known = None
            for use in graph.unknown_bottoms:
                if once.first(use.node):
                    if producers is None:
                        producers = _producers_in_file(net)
                        known = sorted({name for (name, _version) in graph.producers})
                    budget -= 1
                    name = use.layer.name or use.layer.type
                    why = _why_unknown(ctx, use, state, producers, known if budget >= 0 else None)
                    ctx.report_node(
                        use.node,
                        f"bottom \"{use.node.scalar}\" of layer \"{name}\" is not produced by any earlier layer in the "
                        f"{state.describe()} net{why}: Caffe aborts with `Unknown bottom blob`",
                    )
