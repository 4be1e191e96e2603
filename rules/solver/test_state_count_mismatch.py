"""S127 test-state-count-mismatch: test_state given, but not once per test net."""

from __future__ import annotations

from protolint.rule import SolverRule


class TestStateCountMismatch(SolverRule):
    code = "S127"
    name = "test-state-count-mismatch"
    severity = "error"
    summary = "test_state given, but not once per test net"
    what_it_does = "Reports `test_state` entries whose number differs from the number of test nets Caffe builds."
    why_it_matters = (
        'Solver::InitTestNets checks CHECK_EQ(test_state_size, number of test nets) "test_state must be '
        'unspecified or specified once per test net." and aborts at construction.'
    )
    example = ('net: "train_val.prototxt"\ntest_iter: 100\ntest_iter: 600\ntest_interval: 500\n'
               'test_state { stage: "test-on-test-set" }\nbase_lr: 0.01\nlr_policy: "fixed"')
    how_to_fix = "Give one test_state per test net (with `net:`, per test_iter value), or none."
    version_notes = "All Caffe versions."
    references = (
        "src/caffe/solver.cpp:145-148 (Solver::InitTestNets: CHECK_EQ(test_state_size, number of test nets))",
    )

    def check_solver(self, solver, ctx):
        states = solver.root.all("test_state")
        instances = solver.test_net_instances()
        if states and instances is not None and len(states) != instances:
            ctx.report_node(states[0], f"{len(states)} test_state entries for {instances} test net(s): Caffe aborts with "
                            '"test_state must be unspecified or specified once per test net." — give one per test net')
