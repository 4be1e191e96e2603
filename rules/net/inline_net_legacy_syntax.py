"""N207 inline-net-legacy-syntax: A net embedded in a solver uses syntax only net files get upgraded from."""

from __future__ import annotations

from protolint.model.usage import EMBEDDED_FIELDS
from protolint.rule import Rule
from protolint.syntax.nodes import Message

from ._helpers import legacy_problems


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
        "straight into the Net without any upgrade: V1 `layers` are silently ignored (the net has no layers: \"Check "
        "failed: end < layers_.size() (-1 vs. 0)\"), input fields vanish (\"Unknown bottom blob\"), and BatchNorm's "
        "old three-param form aborts. BVLC's own examples/mnist/lenet_consolidated_solver.prototxt cannot train for "
        "this reason."
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
    references = (
        "src/caffe/solver.cpp:87-100 (Solver::InitTrainNet: train_net_param and net_param are copied as written)",
        "src/caffe/solver.cpp:155-158 (Solver::InitTestNets: test_net_param likewise)",
        "src/caffe/util/upgrade_proto.cpp:88-93 (ReadNetParamsFromTextFileOrDie: only a net file is upgraded)",
        "examples/mnist/lenet_consolidated_solver.prototxt (a solver with an embedded net in V1 syntax)",
    )

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
