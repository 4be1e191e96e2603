"""S125 train-net-spec-count: not exactly one of net, net_param, train_net, train_net_param."""

from __future__ import annotations

from protolint.rule import SolverRule

from ._helpers import related


class TrainNetSpecCount(SolverRule):
    code = "S125"
    name = "train-net-spec-count"
    severity = "error"
    summary = "Not exactly one of net, net_param, train_net, train_net_param"
    what_it_does = "Reports a solver that names no training net, or more than one (net, net_param, train_net, train_net_param)."
    why_it_matters = (
        "Solver::InitTrainNet counts the four fields and checks CHECK_GE(num_train_nets, 1) \"SolverParameter "
        "must specify a train net...\" and CHECK_LE(num_train_nets, 1); `net` together with `net_param` is rejected "
        "again when the test nets are set up. Caffe aborts at construction."
    )
    example = 'net: "train_val.prototxt"\ntrain_net: "train.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"'
    how_to_fix = (
        "Keep one: `net` (one file with TRAIN and TEST layers, also reused for testing) or `train_net` plus "
        "`test_net` files (or their inline *_param forms)."
    )
    version_notes = "All Caffe versions with the generic `net` field (since 2014)."
    references = (
        "src/caffe/solver.cpp:79-85 (Solver::InitTrainNet: CHECK_GE and CHECK_LE of the number of train nets)",
        "src/caffe/solver.cpp:126-127 (Solver::InitTestNets: CHECK_LE(num_generic_nets, 1))",
    )

    NAMES = ("net", "net_param", "train_net", "train_net_param")

    def check_solver(self, solver, ctx):
        present = sorted((solver.root.first(n) for n in self.NAMES if solver.has(n)), key=lambda f: f.start)
        if len(present) == 1:
            return
        if not present:
            ctx.report_value(None, "the solver names no training net: Caffe aborts at construction with \"SolverParameter must "
                   'specify a train net using one of these fields: net, net_param, train_net, train_net_param" — add net: "..."')
        else:
            names = ", ".join(f.name for f in present)
            ctx.report_value(present[1], f"the solver names {len(present)} training nets ({names}): Caffe aborts at construction "
                   '("must not contain more than one of these fields specifying a train_net") — keep exactly one', related=related(present[0], f"first training net: {present[0].name}"))
