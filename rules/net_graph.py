"""Blob wiring as Caffe checks it when it builds a net, state by state (TRAIN, TEST)."""

from protolint.rule import Rule
from protolint.syntax.nodes import Message

from .layers_common import Once as _Once, each_graph as _each_state


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
        "(layer 'y', bottom index 0)` (insert_splits.cpp). A data layer restricted to TRAIN leaves the "
        "TEST net without its input, which only fails at the first test pass."
    )
    example = 'layer {\n  name: "ip"\n  type: "InnerProduct"\n  bottom: "data"\n  top: "ip"\n  inner_product_param { num_output: 10 }\n}'
    how_to_fix = "Produce the blob earlier (move the producing layer up, or give the other phase its own data layer), or fix the name."

    def check(self, ctx):
        once = _Once()
        for net, state, graph in _each_state(ctx):
            producers = None
            for use in graph.unknown_bottoms:
                if once.first(use.node):
                    if producers is None:
                        producers = _producers_in_file(net)
                    name = use.layer.name or use.layer.type
                    ctx.report_node(
                        use.node,
                        f"bottom \"{use.node.scalar}\" of layer \"{name}\" is not produced by any earlier layer in the "
                        f"{state.describe()} net{_why_unknown(ctx, use, state, producers, graph)}: Caffe aborts with "
                        "`Unknown bottom blob`",
                    )


def _producers_in_file(net) -> dict:
    """Blob name -> the layers that write it as a top, in every state (file order)."""
    found: dict = {}
    for layer in net.layers:
        for name, _node in layer.tops:
            found.setdefault(name, []).append(layer)
    return found


def _why_unknown(ctx, use, state, producers, graph) -> str:
    """Why the blob is missing: its producer is filtered out of this state, or comes later, or the
    name is misspelt; then what to do."""
    import difflib

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
    known = sorted({name for (name, _version) in graph.producers})
    close = difflib.get_close_matches(blob, known, n=1, cutoff=0.7)
    return f'; did you mean "{close[0]}"?' if close else "; produce it before this layer or fix the name"


class DuplicateTop(Rule):
    code = "N202"
    name = "duplicate-top"
    severity = "error"
    applies_to = ("net",)
    summary = "Two layers produce the same blob without an in-place rewrite"
    what_it_does = (
        "Reports a `top` name that an earlier layer already produces in the same state, unless the "
        "layer rewrites it in place (bottom i and top i are the same name)."
    )
    why_it_matters = "Caffe aborts with `Top blob 'x' produced by multiple sources.` (net.cpp) when it builds the net."
    example = 'layer { name: "a" type: "ReLU" bottom: "data" top: "x" }\nlayer { name: "b" type: "Sigmoid" bottom: "data" top: "x" }'
    how_to_fix = "Give the second top its own name, or make the layer in-place by using the same name as its bottom at the same index."

    def check(self, ctx):
        once = _Once()
        for net, state, graph in _each_state(ctx):
            for use, earlier in graph.duplicate_tops:
                if once.first(use.node):
                    line = ctx.source.position(earlier.node.start)[0]
                    ctx.report_node(
                        use.node,
                        f"top \"{use.node.scalar}\" is already produced by layer \"{earlier.layer.name}\" (line {line}) in the "
                        f"{state.describe()} net: Caffe aborts with `produced by multiple sources`; rename this top",
                        related=[(earlier.node.start, earlier.node.end, "first produced here")],
                    )


class InplaceOnSharedBlob(Rule):
    code = "N203"
    name = "inplace-on-shared-blob"
    severity = "error"
    applies_to = ("net",)
    summary = "An in-place layer rewrites a blob that another layer also reads"
    what_it_does = (
        "Finds a blob version that Caffe splits (read by two or more layers, or read once and also given a "
        "loss_weight by its producer) where a reader works in place (`bottom: \"x\" top: \"x\"`)."
    )
    why_it_matters = (
        "Caffe inserts a Split layer for a blob with several readers and renames their bottoms; the "
        "in-place layer then is not in place any more and its top collides with the producer's: "
        "`Top blob 'x' produced by multiple sources` (insert_splits.cpp, reproduced by running Caffe)."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 8 } } }\n'
        'layer { name: "ip1" type: "InnerProduct" bottom: "data" top: "ip1" inner_product_param { num_output: 10 } }\n'
        'layer { name: "ip2" type: "InnerProduct" bottom: "ip1" top: "ip2" inner_product_param { num_output: 10 } }\n'
        'layer { name: "relu1" type: "ReLU" bottom: "ip1" top: "ip1" }  # ip2 also reads the ip1 that relu1 rewrites'
    )
    how_to_fix = "Give the in-place layer its own top name, or make the other readers consume the rewritten blob (place them after it)."

    def check(self, ctx):
        once = _Once()
        for net, state, graph in _each_state(ctx):
            for top, uses in graph.split_points():
                blob = top.node.scalar
                for use in uses:
                    if use.in_place and once.first(use.node):
                        others = [u.layer.name for u in uses if u is not use]
                        other = f'"{others[0]}" also reads it' if others else f'its producer "{top.layer.name}" gives it a loss_weight'
                        ctx.report_node(
                            use.node,
                            f"layer \"{use.layer.name}\" rewrites \"{blob}\" in place while {other} "
                            f"({state.describe()} net): Caffe's split makes the top collide (`produced by multiple "
                            "sources`); give this layer its own top name",
                        )


# Layer types that own parameter blobs (net.cpp matches these by layer name when loading or
# sharing weights); layer types Caffe does not know may have them too.
_TYPES_WITH_BLOBS = frozenset(
    "Convolution Deconvolution InnerProduct Embed BatchNorm Scale Bias PReLU Parameter LSTM RNN".split()
)


def _may_have_blobs(layer) -> bool:
    from protolint.rules.unknown_layer_type import BVLC_LAYER_TYPES

    return layer.type in _TYPES_WITH_BLOBS or layer.type not in BVLC_LAYER_TYPES


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
        once = _Once()
        for net, state, graph in _each_state(ctx):
            seen = {}
            for layer in graph.layers:
                if not layer.name or layer.synthetic:
                    continue
                earlier = seen.get(layer.name)
                if earlier is None:
                    seen[layer.name] = layer
                    continue
                if not (_may_have_blobs(layer) or _may_have_blobs(earlier)):
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


class LayerPhaseField(Rule):
    code = "N205"
    name = "layer-phase-field"
    severity = "warning"
    applies_to = ("net",)
    summary = "`phase:` written directly on a layer, which does not select the layer for a phase"
    what_it_does = "Reports `phase: TRAIN|TEST` set directly on a layer instead of inside `include { }`."
    why_it_matters = (
        "A layer's own `phase` field does not filter the layer out of the other phase; it forces how the "
        "layer behaves there. A Dropout with `phase: TRAIN` keeps dropping in the TEST net (reproduced by "
        "running Caffe); a BatchNorm with `phase: TEST` uses global statistics while training."
    )
    example = 'layer {\n  name: "drop"\n  type: "Dropout"\n  bottom: "fc"\n  top: "fc"\n  phase: TRAIN\n}'
    how_to_fix = "Write `include { phase: TRAIN }` to keep the layer out of the TEST net."
    message_types = ("LayerParameter",)

    def visit(self, message, ctx):
        phase = message.last("phase")
        if phase is None or phase.scalar not in ("TRAIN", "TEST"):
            return
        other = "TEST" if phase.scalar == "TRAIN" else "TRAIN"
        rules = [f.value for f in message.all("include") if isinstance(f.value, Message)]
        only_same_phase = rules and all(
            (r.last("phase") is not None and r.last("phase").scalar == phase.scalar) for r in rules
        )
        if only_same_phase:
            ctx.report_node(
                phase,
                f"`phase: {phase.scalar}` has no effect: `include` already keeps this layer out of {other}; remove it",
                severity="info",
            )
            return
        ctx.report_node(
            phase,
            f"`phase: {phase.scalar}` on a layer does not remove it from the other phase — it forces the layer "
            f"to behave as in {phase.scalar} everywhere; did you mean `include {{ phase: {phase.scalar} }}`?",
        )



