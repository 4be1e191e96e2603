"""S113 test-iter-without-interval: test nets without test_interval > 0 (or test_interval without a test net)."""

from __future__ import annotations

from protolint.rule import SolverRule


class TestIterWithoutInterval(SolverRule):
    code = "S113"
    name = "test-iter-without-interval"
    severity = "error"
    summary = "Test nets without test_interval > 0 (or test_interval without a test net)"
    what_it_does = (
        "Reports a solver that creates test nets (test_iter with `net`/`net_param`, or test_net/test_net_param) "
        "while test_interval is unset or <= 0 (error); and test_interval > 0 when no test net exists (info)."
    )
    why_it_matters = (
        "InitTestNets requires `CHECK_GT(param_.test_interval(), 0)` as soon as one test net exists: Caffe aborts at "
        "construction with \"Check failed: param_.test_interval() > 0 (0 vs. 0)\" (reproduced by running Caffe). "
        "Conversely, test nets come only from test_iter and test_net/test_net_param: with `net:` but no test_iter, "
        "test_interval is ignored and nothing is ever tested."
    )
    example = 'net: "train_val.prototxt"\ntest_iter: 100\nbase_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 10000'
    how_to_fix = (
        "Set test_interval to the number of training iterations between test passes, or remove test_iter if no "
        "testing is wanted. With `net:`, each test_iter entry creates one test net."
    )
    version_notes = "All Caffe versions."
    references = (
        "src/caffe/solver.cpp:149-151 (Solver::InitTestNets: CHECK_GT(test_interval, 0) when there is a test net)",
        "src/caffe/solver.cpp:128-176 (Solver::InitTestNets: the test nets come from test_net, test_net_param and "
        "test_iter)",
    )

    def check_solver(self, solver, ctx):
        interval = solver.number("test_interval")
        instances = solver.test_net_instances()
        if interval is None or instances is None:
            return
        if instances > 0 and interval <= 0:
            node = solver.field("test_interval") or (solver.root.first("test_iter") or solver.root.first("test_net")
                                                     or solver.root.first("test_net_param"))
            state = "unset" if not solver.has("test_interval") else str(interval)
            ctx.report_value(node, f"{instances} test net(s) but test_interval is {state}: Caffe aborts at construction with "
                   f'"Check failed: param_.test_interval() > 0 ({interval} vs. 0)" — set test_interval (iterations '
                   "between tests) or remove test_iter")
        elif instances == 0 and interval > 0 and not solver.has("test_iter"):
            ctx.report_value(solver.field("test_interval"), f"test_interval {interval} but the solver has no test net (no "
                   "test_iter / test_net): nothing is ever tested — add test_iter (with `net:`, one per test pass) or "
                   "remove test_interval", severity="info")
