"""S126 test-iter-count-mismatch: the number of test_iter values does not fit the test nets."""

from __future__ import annotations

from protolint.rule import SolverRule


class TestIterCountMismatch(SolverRule):
    code = "S126"
    name = "test-iter-count-mismatch"
    severity = "error"
    summary = "The number of test_iter values does not fit the test nets"
    what_it_does = (
        "Without `net`/`net_param`, the number of test_iter values must equal the number of test_net + "
        "test_net_param entries; with one, it must be at least that number (each extra value tests another "
        "copy of the generic net). Reports a solver where it is not."
    )
    why_it_matters = (
        "Solver::InitTestNets checks CHECK_GE (generic net) or CHECK_EQ (otherwise) of test_iter_size against "
        "the number of test nets, \"test_iter must be specified for each test network.\", "
        "and aborts at construction. A train_net is never reused for testing."
    )
    example = 'train_net: "train.prototxt"\ntest_net: "test.prototxt"\ntest_interval: 1000\nbase_lr: 0.01\nlr_policy: "fixed"'
    how_to_fix = "Give one test_iter per test net (test_iter x test batch size should cover the test set)."
    version_notes = "All Caffe versions."
    references = (
        "src/caffe/solver.cpp:131-137 (Solver::InitTestNets: CHECK_GE or CHECK_EQ of test_iter_size)",
    )

    def check_solver(self, solver, ctx):
        if solver.test_net_instances() is not None:
            return
        explicit = solver.count("test_net") + solver.count("test_net_param")
        iters = solver.count("test_iter")
        node = solver.root.first("test_iter") or solver.root.first("test_net") or solver.root.first("test_net_param")
        if explicit == 0:
            detail = "but no test_net: only `net`/`net_param` are reused for testing, a train_net never is"
        else:
            detail = f"for {explicit} test net(s)"
        ctx.report_value(node, f"{iters} test_iter value(s) {detail}: Caffe aborts at construction with \"test_iter must be "
               'specified for each test network." — give one test_iter per test net')
