"""Rules run (and the command line imports them) only for the files they can report on.

linter.runnable skips a rule without hooks (the parser or the schema check reports its findings),
a solver rule on anything but a solver, and a rule that declares `layer_types` on a net without
such a layer. Skipping must never change a result: a rule's `layer_types` is a promise that it
reports nothing on a net without those layers, and these tests hold every rule to it on every
fixture and every corpus file, linted with the promises and without them.
"""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
from pathlib import Path

from protolint.api import default_options, default_registry
from protolint.linter import runnable
from protolint.project import Input, lint_inputs
from protolint.registry import Registry, RuleSummary, manifest
from protolint.rule import Rule, SolverRule
from protolint.rules.builtin import BUILTIN_RULES
from tests.corpus_location import need_corpus

FIXTURES = Path(__file__).parent / "rules" / "fixtures"
EXAMPLES = Path(__file__).parent.parent / "examples"


def _fixture_groups() -> list[list[Path]]:
    """The fixtures as their runner lints them: a file alone, a folder's files together."""
    groups = []
    for family in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for entry in sorted(family.iterdir()):
            if entry.is_dir():
                groups.append(sorted(entry.glob("*.prototxt")))
            elif entry.suffix == ".prototxt":
                groups.append([entry])
    return groups


def _findings(groups: list[list[Path]]) -> list[tuple]:
    options = default_options()
    found = []
    for group in groups:
        inputs = [Input(str(path), path.read_bytes(), str(path)) for path in group]
        for result in lint_inputs(inputs, lambda _path: options):
            found += [(result.path, d.rule, d.start, d.end, d.severity, d.message) for d in result.diagnostics]
    return found


def _without_promises(monkeypatch) -> None:
    for rule in BUILTIN_RULES:
        if rule.layer_types:
            monkeypatch.setattr(rule, "layer_types", ())


def test_layer_types_promises_hold_on_every_fixture(monkeypatch):
    groups = _fixture_groups()
    assert len(groups) > 150  # (every rule has a fixture)
    promised = _findings(groups)
    _without_promises(monkeypatch)
    assert _findings(groups) == promised


def test_layer_types_promises_hold_on_the_corpus(monkeypatch):
    root = need_corpus()
    groups = [[path] for path in sorted(root.rglob("*.prototxt"))]
    promised = _findings(groups)
    _without_promises(monkeypatch)
    assert _findings(groups) == promised


def test_a_broken_promise_is_seen(monkeypatch):
    """The comparison above fails when a rule reports on a net its `layer_types` leave out."""
    from protolint.rules.layer.pooling_stride_zero import PoolingStrideZero

    groups = [[FIXTURES / "layer" / "pooling_stride_zero.prototxt"]]
    honest = _findings(groups)
    assert any(finding[1] == PoolingStrideZero.name for finding in honest)
    monkeypatch.setattr(PoolingStrideZero, "layer_types", ("Convolution2",))
    assert _findings(groups) != honest


def test_hooks_decide_passive_and_solver_only():
    class Passive(Rule):
        pass

    class Visits(Rule):
        message_types = ("LayerParameter",)

    class OwnSolverCheck(SolverRule):
        def check(self, ctx):
            pass

    class PlainSolverRule(SolverRule):
        def check_solver(self, solver, ctx):
            pass

    assert Passive.passive and not Passive.solver_only
    assert not Visits.passive and not Visits.solver_only
    assert not OwnSolverCheck.solver_only  # (it may look at anything: it is run everywhere)
    assert PlainSolverRule.solver_only and not PlainSolverRule.passive


def test_cached_rule_list_loads_only_the_rules_a_net_can_fire():
    registry = default_registry()
    summaries = Registry([RuleSummary(*entry) for entry in marshal.loads(manifest(registry))])
    assert [s.name for s in summaries.rules] == [r.name for r in registry.rules]
    options = default_options(registry=summaries)
    lenet = EXAMPLES / "lenet_clean.prototxt"
    results = lint_inputs([Input(str(lenet), lenet.read_bytes(), str(lenet))], lambda _path: options)
    assert results[0].diagnostics == []
    loaded = {s.name for s in summaries.rules if s._loaded is not None}
    assert "pooling-stride-zero" in loaded and "missing-weight-filler" in loaded
    assert "batchnorm-eps-nonpositive" not in loaded  # no BatchNorm in LeNet
    assert "poly-without-max-iter" not in loaded  # a solver rule
    assert "syntax-error" not in loaded  # the parser reports it
    # ... and they were chosen by the same rule as the loaded classes
    context_rules = {r.name for r in registry.rules if not r.passive and not r.solver_only
                     and (not r.layer_types or {"Data", "Convolution", "Pooling", "InnerProduct", "ReLU",
                                                "SoftmaxWithLoss", "Accuracy"} & set(r.layer_types))}
    assert loaded == context_rules


def test_a_rule_summary_pickles_without_its_class():
    import pickle

    summary = RuleSummary("L399", "some-rule", "error", "A rule", "protolint.rules.layer.pooling_stride_zero",
                          "PoolingStrideZero", ("Pooling",), False, False)
    summary.load()
    copy = pickle.loads(pickle.dumps(summary))
    assert (copy.code, copy.layer_types, copy._loaded) == ("L399", ("Pooling",), None)
    assert copy.load().__name__ == "PoolingStrideZero"


def test_the_command_line_imports_no_rule_a_net_cannot_fire(tmp_path):
    """A new net file, linted by the command line with the rule list cached: the rule modules it
    imports are those linter.runnable chooses, not every rule."""
    env = {**os.environ, "PROTOLINT_CACHE_DIR": str(tmp_path)}
    lenet = str(EXAMPLES / "lenet_clean.prototxt")
    probe = ("import sys, atexit; from protolint.cli import entry; "
             "atexit.register(lambda: print(sorted(m for m in sys.modules if m.startswith('protolint.rules.')), "
             "file=sys.stderr)); sys.argv = ['protolint', '--no-cache', sys.argv[1]]; entry()")
    subprocess.run([sys.executable, "-c", probe, lenet], env=env, capture_output=True, check=False)  # caches the list
    run = subprocess.run([sys.executable, "-c", probe, lenet], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    imported = eval(run.stderr.strip().splitlines()[-1])
    assert "protolint.rules.builtin" not in imported
    assert "protolint.rules.layer.pooling_stride_zero" in imported
    assert "protolint.rules.solver.poly_without_max_iter" not in imported
    assert "protolint.rules.normalization.batchnorm_eps_nonpositive" not in imported


def test_runnable_keeps_order_and_loads_classes():
    options = default_options()
    from protolint.context import LintContext
    from protolint.linter import prepare

    prepared = prepare("net.prototxt", b'layer { name: "d" type: "Input" top: "d" '
                       b'input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } } }', options)
    context = LintContext(prepared.document, options, prepared.kind, None, None)
    chosen = runnable(options.enabled_rules(), context)
    codes = [rule.code for rule in chosen]
    assert codes == sorted(codes, key=[r.code for r in BUILTIN_RULES].index)
    assert all(isinstance(rule, type) and issubclass(rule, Rule) for rule in chosen)
    assert all(not rule.layer_types or "Input" in rule.layer_types for rule in chosen)

