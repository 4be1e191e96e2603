"""N213 net-state-in-file: A net's own `state { phase }` overrides the phase the solver builds it in."""

from __future__ import annotations

from protolint.context import node_span
from protolint.rule import Rule
from protolint.syntax.nodes import Message


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
        "The solver builds its nets with phase TRAIN/TEST and then merges the net's own `state` into it; protobuf's "
        "MergeFrom overwrites the phase. The train net is then filtered and run as a TEST net (no dropout, BatchNorm "
        "with global statistics, TEST-only layers) or the test net as a TRAIN net."
    )
    example = (
        'train_net_param {\n  state { phase: TEST }\n'
        '  layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 4 } } }\n}\n'
        'base_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 100'
    )
    how_to_fix = "Remove the `state` block from the net and select stages/levels with the solver's `train_state` / `test_state`."
    version_notes = "Same in every Caffe version with solver test nets."
    references = (
        "src/caffe/solver.cpp:110-114 (Solver::InitTrainNet: phase TRAIN, then MergeFrom(net_param.state()))",
        "src/caffe/solver.cpp:183-189 (Solver::InitTestNets: phase TEST, then the same merge)",
    )

    def check(self, ctx):
        for net in ctx.nets():
            if not net.usage.from_solver:
                continue
            state = net.root.last("state")
            if state is None or not isinstance(state.value, Message):
                continue
            phase = state.value.last("phase")
            if phase is None or phase.scalar not in ("TRAIN", "TEST"):
                continue
            roles = []
            if net.train_states() and phase.scalar != "TRAIN":
                roles.append("train")
            if net.test_states() and phase.scalar != "TEST":
                roles.append("test")
            if not roles:
                continue
            where = f'net "{ctx.source.path}"' if net.usage.embedded_field is None else net.usage.embedded_field.name
            ctx.report(*node_span(phase), f"{where} sets state {{ phase: {phase.scalar} }}, which overrides the solver: the {' and '.join(roles)} "
                f"net is built in phase {phase.scalar} (layers are filtered and behave as {phase.scalar}) — remove the "
                "state block and use train_state / test_state in the solver")
