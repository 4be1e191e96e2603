"""Net structure rules: legacy syntax Caffe upgrades (or, inside a solver, does not), blob counts,
include/exclude, the net's own state, empty phases, in-place restrictions, propagate_down and
loss_weight counts (spec N207-N217).

Facts of BVLC Caffe 9b89154; `file:line` citations refer to that commit.
"""

from __future__ import annotations

from protolint.diagnostics import Fix, TextEdit
from protolint.model import layer_facts as facts
from protolint.model.net import V1_TYPE_NAMES, NetState
from protolint.rule import Rule
from protolint.syntax.nodes import Field, Message

from .net_common import (
    EMBEDDED_FIELDS,
    count_values,
    describe_states,
    layer_label,
    layer_span,
    net_views,
    node_span,
    report_at,
)


def _net_files(ctx):
    """The net of a net file (embedded nets are inline-net-legacy-syntax's business)."""
    return [ctx.net] if ctx.kind == "net" else []


# ---------------------------------------------------------------------------------------------
# N207


def legacy_problems(net_message: Message) -> list[tuple[Field, str]]:
    """What Caffe ignores in a NetParameter it does not upgrade, with the consequence."""
    problems: list[tuple[Field, str]] = []
    v1 = net_message.all("layers")
    v2 = net_message.all("layer")
    if v1:
        if v2:
            consequence = (f'its {len(v1)} V1 "layers" entr{"y is" if len(v1) == 1 else "ies are"} ignored — only the '
                           '"layer" entries are built')
        else:
            consequence = ('the V1 "layers" entries are ignored, so the net has no layers and training aborts with '
                           '"Check failed: end < layers_.size() (-1 vs. 0)"')
        problems.append((v1[0], consequence))
    legacy_inputs = [f for f in net_message.fields if f.name in ("input", "input_dim", "input_shape")]
    if legacy_inputs:
        names = [f.scalar for f in net_message.all("input") if isinstance(f.scalar, str)]
        blob = f' "{names[0]}"' if names else ""
        problems.append((legacy_inputs[0], f'the "input" fields are ignored, so layers reading{blob} fail with '
                                            '"Unknown bottom blob"'))
    for f in v2:
        layer = f.value
        if not isinstance(layer, Message):
            continue
        type_field = layer.last("type")
        if type_field is None or type_field.scalar != "BatchNorm":
            continue
        params = [p.value for p in layer.all("param") if isinstance(p.value, Message)]
        if len(params) != 3:
            continue  # other counts are not upgraded in files either (batchnorm-param-lr-nonzero)
        lrs = [p.last("lr_mult") for p in params]
        if any(lr is None or lr.scalar != 0 for lr in lrs):
            name = layer.last("name")
            label = name.scalar if name is not None else "BatchNorm"
            problems.append((f, f'BatchNorm "{label}" keeps its non-zero lr_mult (files get three param blocks rewritten '
                                'to lr_mult 0) and aborts with "Cannot configure batch normalization statistics as '
                                'layer parameters."'))
            break
    return problems


class InlineNetLegacySyntax(Rule):
    code = "N207"
    name = "inline-net-legacy-syntax"
    severity = "error"
    applies_to = ("solver",)
    summary = "A net embedded in a solver uses syntax only net files get upgraded from"
    what_it_does = (
        "Checks `net_param`, `train_net_param` and `test_net_param` inside a solver for V1/V0 `layers` entries, "
        "legacy `input`/`input_dim`/`input_shape` fields, and BatchNorm layers with three `param` blocks "
        "whose lr_mult is not 0."
    )
    why_it_matters = (
        "Caffe upgrades old syntax only when it reads a net *file*. A net embedded in a solver is copied "
        "straight into the Net (solver.cpp:87-100, 155-158) without any upgrade: V1 `layers` are silently "
        "ignored (the net has no layers: \"Check failed: end < layers_.size() (-1 vs. 0)\"), input fields "
        "vanish (\"Unknown bottom blob\"), and BatchNorm's old three-param form aborts. BVLC's own "
        "examples/mnist/lenet_consolidated_solver.prototxt cannot train for this reason."
    )
    example = (
        'net_param {\n  layers {\n    name: "ip"\n    type: INNER_PRODUCT\n    bottom: "data"\n    top: "ip"\n'
        '    inner_product_param { num_output: 10 }\n  }\n}\nbase_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 100'
    )
    how_to_fix = (
        "Rewrite the embedded net in `layer` syntax (string types, `param { lr_mult }`) with an Input layer, "
        "or move it to a file and reference it with `net:` (Caffe's upgrade_net_proto_text converts files)."
    )
    version_notes = "All versions: inline nets were never upgraded."

    def check(self, ctx):
        if ctx.kind != "solver":
            return
        for name in EMBEDDED_FIELDS:
            for f in ctx.document.root.all(name):
                if not isinstance(f.value, Message):
                    continue
                problems = legacy_problems(f.value)
                if not problems:
                    continue
                first = min(problems, key=lambda p: p[0].start)[0]
                consequences = "; ".join(text for _, text in problems)
                ctx.report(
                    first.name_start, first.name_end,
                    f"{name} is embedded in the solver, and Caffe does not upgrade embedded nets: {consequences} — "
                    'rewrite the embedded net in "layer" syntax with an Input layer, or move it to a file referenced '
                    "by net:",
                )


# ---------------------------------------------------------------------------------------------
# N208, N209


def _v0_entry(net_message: Message) -> Field | None:
    for f in net_message.all("layers"):
        if isinstance(f.value, Message):
            nested = f.value.first("layer")
            if nested is not None:
                return nested
    return None


class LegacyV1Syntax(Rule):
    code = "N208"
    name = "legacy-v1-syntax"
    severity = "info"
    applies_to = ("net",)
    summary = "The net uses the deprecated V1 `layers` syntax"
    what_it_does = "Reports a net file written with V1 `layers { type: ENUM }` entries (and no V0 nesting)."
    why_it_matters = (
        "Caffe upgrades V1 nets every time it loads them (upgrade_proto.cpp:669-962: enum types become strings, "
        "`blobs_lr` becomes `param { lr_mult }`, `weight_decay` becomes `decay_mult`). It works, but newer "
        "layer types (BatchNorm, Scale, Input, ...) have no V1 form, mixing both forms aborts, and an embedded "
        "copy of the net in a solver is not upgraded at all."
    )
    example = 'layers {\n  name: "conv1"\n  type: CONVOLUTION\n  bottom: "data"\n  top: "conv1"\n  blobs_lr: 1\n  blobs_lr: 2\n  convolution_param { num_output: 20 kernel_size: 5 }\n}'
    how_to_fix = "Run Caffe's `upgrade_net_proto_text old.prototxt new.prototxt`, or rewrite the entries as `layer` blocks."
    version_notes = "The V1 format was replaced by `layer` in early 2015 (before rc2); every later release still upgrades it."

    def check(self, ctx):
        for net in _net_files(ctx):
            root = net.root
            entries = root.all("layers")
            if not entries or root.has("layer") or _v0_entry(root) is not None:
                continue
            example = ""
            for f in entries:
                if isinstance(f.value, Message):
                    type_field = f.value.last("type")
                    enum = type_field.scalar if type_field is not None else None
                    if isinstance(enum, str) and V1_TYPE_NAMES.get(enum):
                        example = f', {enum} → "{V1_TYPE_NAMES[enum]}"'
                        break
            first = entries[0]
            ctx.report(
                first.name_start, first.name_end,
                f'deprecated V1 "layers" syntax: Caffe upgrades it on load (blobs_lr → lr_mult, weight_decay → '
                f'decay_mult{example}); run upgrade_net_proto_text or rewrite as "layer" entries',
            )


class LegacyV0Syntax(Rule):
    code = "N209"
    name = "legacy-v0-syntax"
    severity = "info"
    applies_to = ("net",)
    summary = "The net uses the oldest (V0) layer syntax"
    what_it_does = "Reports a net file whose `layers` entries contain a nested `layer { ... }` (the V0 format)."
    why_it_matters = (
        "Caffe converts V0 nets to V1 and then to the current format on every load (upgrade_proto.cpp:102-199, "
        "553-605), folding `padding` layers into the following convolution or pooling. Unknown V0 type names "
        "abort the upgrade, and tools other than Caffe rarely read this format."
    )
    example = 'layers {\n  layer { name: "conv1" type: "conv" num_output: 20 kernelsize: 5 }\n  bottom: "data"\n  top: "conv1"\n}'
    how_to_fix = "Convert the file once with Caffe's `upgrade_net_proto_text` and keep the result."
    version_notes = "V0 predates every Caffe release with a version number; all releases still upgrade it."

    def check(self, ctx):
        for net in _net_files(ctx):
            nested = _v0_entry(net.root)
            if nested is not None:
                ctx.report(
                    nested.name_start, nested.name_end,
                    'deprecated V0 layer syntax: Caffe upgrades it on load (and folds "padding" layers into conv/pool '
                    "pad); convert the file with upgrade_net_proto_text",
                )


# ---------------------------------------------------------------------------------------------
# N211


class LayerBlobCount(Rule):
    code = "N211"
    name = "layer-blob-count"
    severity = "error"
    applies_to = ("net",)
    summary = "A layer with a number of bottoms or tops its type does not accept"
    what_it_does = (
        "Checks each layer's number of bottoms and tops against what its type requires (e.g. Accuracy: 2 "
        "bottoms and 1-2 tops; Eltwise: at least 2 bottoms; Convolution: one top per bottom; Filter: one top "
        "fewer than bottoms). Loss layers get their missing top automatically. Python layers are exempt."
    )
    why_it_matters = (
        "Caffe checks the counts when it sets the layer up (`CheckBlobCounts`, include/caffe/layer.hpp:346-383) "
        "and aborts with e.g. \"Accuracy Layer produces at least 1 top blob(s) as output.\". Only loss layers "
        "get automatic tops (net.cpp:108-121)."
    )
    example = 'layer {\n  name: "acc"\n  type: "Accuracy"\n  bottom: "fc"\n  bottom: "label"\n}'
    how_to_fix = "Add or remove bottoms/tops to match the layer type (see the message for the accepted counts)."
    version_notes = "Same in every Caffe version that has the layer type."

    def check(self, ctx):
        for net in ctx.nets():
            for layer in net.layers:
                counts = facts.blob_counts(layer)
                if counts is None:
                    continue
                failure = counts.violation(layer.type, len(layer.bottoms), len(layer.tops))
                if failure is None:
                    continue
                side, check = failure
                n_bottoms, n_tops = len(layer.bottoms), len(layer.tops)
                if layer.type == "Filter" and check.startswith("Check failed"):
                    spec = "one top per filtered bottom (#tops = #bottoms - 1)"
                elif counts.equal_bottom_top and "each bottom" in check:
                    spec = "one top per bottom"
                else:
                    spec = f"{counts.describe(side)} {side}(s)"
                have = f"{n_bottoms} bottom(s)" if side == "bottom" else f"{n_tops} top(s)"
                if side == "top" and counts.auto_tops and n_tops == 0:
                    have = "no top"
                report_at(
                    ctx, layer_span(net, layer),
                    f'{layer.type} layer "{layer_label(layer)}" has {have} but takes {spec}: Caffe aborts with "{check}"',
                )


# ---------------------------------------------------------------------------------------------
# N212


class IncludeAndExclude(Rule):
    code = "N212"
    name = "include-and-exclude"
    severity = "error"
    applies_to = ("net",)
    summary = "A layer with both include and exclude rules"
    what_it_does = "Reports a layer that has both `include { }` and `exclude { }` NetStateRules."
    why_it_matters = (
        "Caffe's FilterNet refuses it: \"Specify either include rules or exclude rules; not both.\" "
        "(net.cpp:269-270), so the net cannot be built in any phase."
    )
    example = 'layer {\n  name: "drop"\n  type: "Dropout"\n  bottom: "fc"\n  top: "fc"\n  include { phase: TRAIN }\n  exclude { stage: "deploy" }\n}'
    how_to_fix = "Express the condition with one kind: e.g. `include { phase: TRAIN not_stage: \"deploy\" }`."
    version_notes = "Same in every Caffe version."

    def check(self, ctx):
        for net in ctx.nets():
            for layer in net.layers:
                if layer.includes and layer.excludes:
                    exclude = layer.message.first("exclude")
                    ctx.report(
                        exclude.name_start, exclude.name_end,
                        f'layer "{layer_label(layer)}" has both include and exclude rules: Caffe aborts with "Specify '
                        'either include rules or exclude rules; not both." — express the condition with one kind',
                    )


# ---------------------------------------------------------------------------------------------
# N213


class NetStateInFile(Rule):
    code = "N213"
    name = "net-state-in-file"
    severity = "warning"
    applies_to = ("solver", "net")
    summary = "A net's own `state { phase }` overrides the phase the solver builds it in"
    what_it_does = (
        "For a net a solver uses (a net file linted with its solver, or a net embedded in the solver), reports a "
        "top-level `state { phase: X }` that differs from the solver's phase for it: TRAIN for the train net, "
        "TEST for test nets."
    )
    why_it_matters = (
        "The solver builds its nets with phase TRAIN/TEST and then merges the net's own `state` into it "
        "(solver.cpp:110-114, 183-189); protobuf's MergeFrom overwrites the phase. The train net is then "
        "filtered and run as a TEST net (no dropout, BatchNorm with global statistics, TEST-only layers) or "
        "the test net as a TRAIN net."
    )
    example = (
        'train_net_param {\n  state { phase: TEST }\n'
        '  layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 4 } } }\n}\n'
        'base_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 100'
    )
    how_to_fix = "Remove the `state` block from the net and select stages/levels with the solver's `train_state` / `test_state`."
    version_notes = "Same in every Caffe version with solver test nets."

    def check(self, ctx):
        for view in net_views(ctx):
            if not view.from_solver:
                continue
            state = view.net.root.last("state")
            if state is None or not isinstance(state.value, Message):
                continue
            phase = state.value.last("phase")
            if phase is None or phase.scalar not in ("TRAIN", "TEST"):
                continue
            roles = []
            if view.train_states and phase.scalar != "TRAIN":
                roles.append("train")
            if view.test_states and phase.scalar != "TEST":
                roles.append("test")
            if not roles:
                continue
            where = f'net "{ctx.source.path}"' if view.embedded_field is None else view.embedded_field.name
            report_at(
                ctx, node_span(phase),
                f"{where} sets state {{ phase: {phase.scalar} }}, which overrides the solver: the {' and '.join(roles)} "
                f"net is built in phase {phase.scalar} (layers are filtered and behave as {phase.scalar}) — remove the "
                "state block and use train_state / test_state in the solver",
            )


# ---------------------------------------------------------------------------------------------
# N214


class EmptyPhaseNet(Rule):
    code = "N214"
    name = "empty-phase-net"
    severity = "error"
    applies_to = ("net",)
    summary = "A net that has no layers left in a phase it is built in"
    what_it_does = (
        "Reports a state Caffe instantiates — the solver's train net, each of its test nets, or (for a net "
        "linted alone) the TEST phase — in which include/exclude rules remove every layer."
    )
    why_it_matters = (
        "A net with no layers builds, but the first forward pass aborts with \"Check failed: end < "
        "layers_.size() (-1 vs. 0)\" (net.cpp:518-520) — for a test net only when the first test runs."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 4 } } include { phase: TRAIN } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 2 } include { phase: TRAIN } }'
    )
    how_to_fix = "Give the phase its layers (a data layer for it and the model layers unfiltered), or do not build the net in that phase."
    version_notes = "Same in every Caffe version."

    def check(self, ctx):
        for view in net_views(ctx):
            net = view.net
            if view.embedded_field is not None and legacy_problems(net.root):
                continue  # inline-net-legacy-syntax explains it
            if view.from_solver:
                empty = [s for s in view.states if not net.layers_in(s)]
                severity = None
            else:
                if not net.layers:
                    continue
                plain_test = NetState("TEST", label="TEST")
                empty = [plain_test] if not net.layers_in(plain_test) else []
                severity = "warning"  # only the stand-alone default state: the net may be train-only
            if not empty:
                continue
            report_at(
                ctx, view.anchor(),
                f"the {describe_states(empty)} net of {'this file' if view.embedded_field is None else view.label} has "
                'no layers after include/exclude filtering: Caffe aborts at the first forward with "Check failed: '
                'end < layers_.size() (-1 vs. 0)"' + ("" if view.from_solver else
                                                      " — loading it in TEST phase (caffe test, pycaffe caffe.TEST, a "
                                                      "solver test net) fails"),
                severity=severity,
            )


# ---------------------------------------------------------------------------------------------
# N215, N216


class InplaceNotAllowed(Rule):
    code = "N215"
    name = "inplace-not-allowed"
    severity = "error"
    applies_to = ("net",)
    summary = "A Reshape or Flatten layer written in place"
    what_it_does = "Reports Reshape and Flatten layers whose top has the name of their bottom."
    why_it_matters = (
        "Both layers share the bottom's data under a new shape and refuse in-place use: \"Reshape Layer does "
        "not allow in-place computation.\" (reshape_layer.cpp:10-11, flatten_layer.cpp:10-11)."
    )
    example = 'layer {\n  name: "flat"\n  type: "Flatten"\n  bottom: "pool5"\n  top: "pool5"\n}'
    how_to_fix = "Give the top a new name and let the following layers read it."
    version_notes = "Same in every Caffe version."

    def check(self, ctx):
        for net in ctx.nets():
            for layer in net.layers:
                if layer.type not in ("Reshape", "Flatten") or not layer.bottoms or not layer.tops:
                    continue
                if layer.tops[0][0] == layer.bottoms[0][0]:
                    report_at(
                        ctx, node_span(layer.tops[0][1]),
                        f'{layer.type} layer "{layer_label(layer)}" cannot run in place: Caffe aborts with "{layer.type} '
                        'Layer does not allow in-place computation." — give the top a new name',
                    )


class PropagateDownCount(Rule):
    code = "N216"
    name = "propagate-down-count"
    severity = "error"
    applies_to = ("net",)
    summary = "propagate_down given, but not once per bottom"
    what_it_does = "Reports layers whose number of `propagate_down` values is neither 0 nor the number of bottoms."
    why_it_matters = (
        "Caffe aborts while building the net: \"propagate_down param must be specified either 0 or "
        "bottom_size times\" (net.cpp:78-83)."
    )
    example = 'layer {\n  name: "loss"\n  type: "SoftmaxWithLoss"\n  bottom: "fc"\n  bottom: "label"\n  top: "loss"\n  propagate_down: false\n}'
    how_to_fix = "Give one propagate_down per bottom, in bottom order (e.g. `propagate_down: true propagate_down: false`)."
    version_notes = "Same in every Caffe version that has propagate_down."

    def check(self, ctx):
        for net in ctx.nets():
            for layer in net.layers:
                k = count_values(layer.message, "propagate_down")
                if k and k != len(layer.bottoms):
                    first = layer.message.first("propagate_down")
                    ctx.report(
                        first.name_start, first.name_end,
                        f'layer "{layer_label(layer)}" has {k} propagate_down value(s) for {len(layer.bottoms)} bottom(s): '
                        'Caffe aborts with "propagate_down param must be specified either 0 or bottom_size times"',
                    )


# ---------------------------------------------------------------------------------------------
# N217


def _insert_after(ctx, node, text_items: list[str]) -> TextEdit:
    """Insert fields after `node`, on new lines with its indentation when it sits on its own line."""
    source = ctx.source.text
    line_start = source.rfind("\n", 0, node.start) + 1
    indent = source[line_start:node.start]
    if indent.strip() == "":
        return TextEdit(node.end, node.end, "".join(f"\n{indent}{item}" for item in text_items))
    return TextEdit(node.end, node.end, "".join(f" {item}" for item in text_items))


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
        "Caffe aborts at setup: \"loss_weight must be unspecified or specified once per top blob.\" "
        "(include/caffe/layer.hpp:389-393); LossLayer adds a single weight 1 when none is given "
        "(loss_layer.cpp:10-13), which does not fit a second top. InfogainLoss's second (probability) top works "
        "with `loss_weight: 1 loss_weight: 0` (infogain_loss_layer.cpp:16-21)."
    )
    example = (
        'layer {\n  name: "loss"\n  type: "InfogainLoss"\n  bottom: "fc"\n  bottom: "label"\n  top: "loss"\n  top: "prob"\n'
        '  infogain_loss_param { source: "H.binaryproto" }\n}'
    )
    how_to_fix = "Give one loss_weight per top, e.g. `loss_weight: 1 loss_weight: 0` for a loss plus an output."
    version_notes = "Same in every Caffe version. SoftmaxWithLoss with two tops is softmax-loss-two-tops' business."

    def check(self, ctx):
        for net in ctx.nets():
            for layer in net.layers:
                n_tops = len(layer.tops)
                if layer.type == "SoftmaxWithLoss" and n_tops == 2:
                    continue  # softmax-loss-two-tops
                counts = facts.blob_counts(layer)
                actual = counts.effective_tops(n_tops) if counts is not None else n_tops
                k = count_values(layer.message, "loss_weight")
                if k and k != actual:
                    first = layer.message.first("loss_weight")
                    ctx.report(
                        first.name_start, first.name_end,
                        f'layer "{layer_label(layer)}" has {k} loss_weight value(s) for {actual} top(s): Caffe aborts '
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
                        f'{layer.type} layer "{layer_label(layer)}" has {actual} tops but no loss_weight: a loss layer '
                        'gets a single implicit loss_weight 1, and Caffe aborts with "loss_weight must be unspecified '
                        'or specified once per top blob." — give one loss_weight per top (loss_weight: 1 '
                        "loss_weight: 0)",
                        fixes=fixes,
                    )


STRUCTURE_RULES = [
    InlineNetLegacySyntax,
    LegacyV1Syntax,
    LegacyV0Syntax,
    LayerBlobCount,
    IncludeAndExclude,
    NetStateInFile,
    EmptyPhaseNet,
    InplaceNotAllowed,
    PropagateDownCount,
    LossWeightCount,
]
