"""Solver rules (rules/solver_rules.py): each rule fires on a small bad solver, at the right line and
with the right message, and stays silent once the solver is corrected; docs and examples are complete;
Caffe's own example solvers raise no error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from protolint.api import default_options
from protolint.api import lint_bytes
from protolint.linter import LintOptions
from protolint.registry import Registry
from protolint.rule import DOC_SECTIONS
from protolint.rules import BUILTIN_RULES
import _packs as sr
from protolint.schema.loader import builtin_schema

RULE_NAMES = {rule.name for rule in sr.SOLVER_RULES}


@pytest.fixture(scope="module")
def registry():
    # Works before and after the solver rules are registered among the built-in rules.
    return Registry(BUILTIN_RULES + [rule for rule in sr.SOLVER_RULES if rule not in BUILTIN_RULES])


def lint(text: str, registry: Registry, *, root: str | None = "solver", path: str = "solver.prototxt"):
    options = default_options(schema=builtin_schema(), registry=registry, root=root)
    return lint_bytes(path, text.encode(), options).diagnostics


def solver_findings(text: str, registry: Registry):
    return [d for d in lint(text, registry) if d.rule in RULE_NAMES]


# A clean head: a train net, an explicit solver mode. Cases append to it (so their lines start at 3).
H = 'net: "train_val.prototxt"\nsolver_mode: GPU\n'
LR = 'base_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 10000\n'  # lines 3-5

# (rule, severity, bad solver, line, key phrase, corrected solver)
CASES = [
    ("poly-without-max-iter", "error", H + 'base_lr: 0.01\nlr_policy: "poly"\npower: 0.9\n', 4,
     "= NaN from iteration 0", H + 'base_lr: 0.01\nlr_policy: "poly"\npower: 0.9\nmax_iter: 20000\n'),
    ("lr-policy-missing", "error", H + "base_lr: 0.01\nmax_iter: 1000\n", 1,
     '"Unknown learning rate policy: "', H + 'base_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 1000\n'),
    ("lr-policy-unknown", "error", H + 'base_lr: 0.01\nlr_policy: "Step"\ngamma: 0.1\nstepsize: 1000\nmax_iter: 5000\n', 4,
     'did you mean "step"?', H + 'base_lr: 0.01\nlr_policy: "step"\ngamma: 0.1\nstepsize: 1000\nmax_iter: 5000\n'),
    ("step-without-stepsize", "error", H + 'base_lr: 0.01\nlr_policy: "step"\ngamma: 0.1\nmax_iter: 5000\n', 4,
     "stepsize() > 0 (0 vs. 0)", H + 'base_lr: 0.01\nlr_policy: "step"\ngamma: 0.1\nstepsize: 1000\nmax_iter: 5000\n'),
    ("decay-gamma-missing", "warning", H + 'base_lr: 0.01\nlr_policy: "step"\nstepsize: 1000\nmax_iter: 5000\n', 4,
     "becomes 0 at iteration 1000", H + 'base_lr: 0.01\nlr_policy: "step"\nstepsize: 1000\ngamma: 0.1\nmax_iter: 5000\n'),
    ("lr-growth", "warning", H + 'base_lr: 0.01\nlr_policy: "exp"\ngamma: 1.001\nmax_iter: 100000\n', 5,
     "multiplied by 1.001 every iteration", H + 'base_lr: 0.01\nlr_policy: "exp"\ngamma: 0.9999\nmax_iter: 100000\n'),
    ("base-lr-missing", "warning", H + 'lr_policy: "fixed"\nmax_iter: 10000\n', 1,
     "no weight ever changes", H + LR),
    ("iter-size-nonpositive", "error", H + LR + "iter_size: 0\n", 6,
     "divided by 0", H + LR + "iter_size: 2\n"),
    ("clip-gradients-zero", "error", H + LR + "clip_gradients: 0\n", 6,
     "parameters never change", H + LR + "clip_gradients: 35\n"),
    ("solver-type-unknown", "error", H + LR + 'type: "adam"\nmomentum: 0.9\n', 6,
     'did you mean "Adam"?', H + LR + 'type: "Adam"\nmomentum: 0.9\n'),
    ("momentum-out-of-range", "error", H + LR + 'type: "Adam"\nmomentum: 1.0\n', 7,
     "divides by 1 - 1^t = 0", H + LR + 'type: "Adam"\nmomentum: 0.9\n'),
    ("adaptive-delta-zero", "error", H + LR + 'type: "RMSProp"\nrms_decay: 0.98\ndelta: 0\n', 8,
     "0/0 = NaN", H + LR + 'type: "RMSProp"\nrms_decay: 0.98\n'),
    ("test-iter-without-interval", "error", H + LR + "test_iter: 100\n", 6,
     "param_.test_interval() > 0 (0 vs. 0)", H + LR + "test_iter: 100\ntest_interval: 500\n"),
    ("gamma-negative", "error", H + 'base_lr: 0.01\nlr_policy: "exp"\ngamma: -0.99\nmax_iter: 1000\n', 5,
     "this->param_.gamma() >= 0", H + 'base_lr: 0.01\nlr_policy: "exp"\ngamma: 0.99\nmax_iter: 1000\n'),
    ("poly-power-zero", "info", H + 'base_lr: 0.01\nlr_policy: "poly"\nmax_iter: 1000\n', 4,
     'behaves like "fixed"', H + 'base_lr: 0.01\nlr_policy: "poly"\nmax_iter: 1000\npower: 1\n'),
    ("sigmoid-is-rampup", "info", H + 'base_lr: 0.01\nlr_policy: "sigmoid"\ngamma: 0.01\nstepsize: 5000\nmax_iter: 9000\n', 4,
     "increases the rate", H + 'base_lr: 0.01\nlr_policy: "step"\ngamma: 0.1\nstepsize: 5000\nmax_iter: 9000\n'),
    ("multistep-unsorted", "warning",
     H + 'base_lr: 0.01\nlr_policy: "multistep"\ngamma: 0.1\nstepvalue: 8000\nstepvalue: 5000\nmax_iter: 10000\n', 7,
     "fires at iteration 8001",
     H + 'base_lr: 0.01\nlr_policy: "multistep"\ngamma: 0.1\nstepvalue: 5000\nstepvalue: 8000\nmax_iter: 10000\n'),
    ("max-iter-missing", "warning", H + 'base_lr: 0.01\nlr_policy: "fixed"\n', 1,
     "runs zero iterations", H + LR),
    ("average-loss-lt-1", "error", H + LR + "average_loss: 0\n", 6,
     '"average_loss should be non-negative"', H + LR + "average_loss: 40\n"),
    ("regularization-type-invalid", "error", H + LR + 'weight_decay: 0.0005\nregularization_type: "l2"\n', 7,
     '"Unknown regularization type: l2"', H + LR + 'weight_decay: 0.0005\nregularization_type: "L2"\n'),
    ("weight-decay-negative", "warning", H + LR + "weight_decay: -0.0005\n", 6,
     "pushed away from 0", H + LR + "weight_decay: 0.0005\n"),
    ("momentum-with-adagrad-or-rmsprop", "error", H + LR + 'type: "RMSProp"\nmomentum: 0.9\n', 7,
     '"Momentum cannot be used with RMSProp."', H + LR + 'type: "RMSProp"\nmomentum: 0.0\n'),
    ("rms-decay-out-of-range", "error", H + LR + 'type: "RMSProp"\nrms_decay: 1.0\n', 7,
     '"rms_decay should lie between 0 and 1."', H + LR + 'type: "RMSProp"\nrms_decay: 0.98\n'),
    ("adaptive-momentum-unset", "warning", H + LR + 'type: "Adam"\n', 6,
     'reads its beta1 from "momentum"', H + LR + 'type: "Adam"\nmomentum: 0.9\n'),
    ("train-net-spec-count", "error", H + 'train_net: "train.prototxt"\n' + LR, 3,
     "names 2 training nets", H + LR),
    ("test-iter-count-mismatch", "error",
     'train_net: "train.prototxt"\ntest_net: "test.prototxt"\ntest_interval: 1000\nsolver_mode: GPU\n' + LR, 2,
     '"test_iter must be specified for each test network."',
     'train_net: "train.prototxt"\ntest_net: "test.prototxt"\ntest_iter: 100\ntest_interval: 1000\nsolver_mode: GPU\n' + LR),
    ("test-state-count-mismatch", "error",
     H + LR + 'test_iter: 100\ntest_iter: 600\ntest_interval: 500\ntest_state { stage: "test-on-test-set" }\n', 9,
     '"test_state must be unspecified or specified once per test net."',
     H + LR + 'test_iter: 100\ntest_iter: 600\ntest_interval: 500\ntest_state { stage: "test-on-test-set" }\n'
     'test_state { stage: "test-on-train-set" }\n'),
    ("solver-type-and-type", "error", H + LR + 'solver_type: NESTEROV\ntype: "Nesterov"\n', 6,
     "cannot be both specified", H + LR + 'type: "Nesterov"\n'),
    ("solver-mode-implicit", "info", 'net: "train_val.prototxt"\n' + LR, 1,
     "it will train on the CPU", H + LR),
]


def test_cases_cover_every_rule():
    assert sorted(case[0] for case in CASES) == sorted(RULE_NAMES)


@pytest.mark.parametrize("rule, severity, bad, line, phrase, good", CASES, ids=[c[0] for c in CASES])
def test_rule_fires(registry, rule, severity, bad, line, phrase, good):
    hits = [d for d in solver_findings(bad, registry) if d.rule == rule]
    assert len(hits) == 1, [(d.rule, d.message) for d in solver_findings(bad, registry)]
    (hit,) = hits
    assert (hit.line, hit.severity, hit.code) == (line, severity, registry.lookup(rule).code)
    assert phrase in hit.message


@pytest.mark.parametrize("rule, severity, bad, line, phrase, good", CASES, ids=[c[0] for c in CASES])
def test_corrected_solver_is_clean(registry, rule, severity, bad, line, phrase, good):
    # Not only this rule: the corrected solvers raise nothing from any solver rule.
    assert [(d.rule, d.message) for d in solver_findings(good, registry)] == []


# --- variants: the other branches of rules with several conditions


def one(text, registry, rule):
    hits = [d for d in solver_findings(text, registry) if d.rule == rule]
    assert len(hits) == 1, hits
    return hits[0]


def none_of(text, registry, rule):
    return not [d for d in solver_findings(text, registry) if d.rule == rule]


def test_poly_negative_max_iter_grows(registry):
    hit = one(H + 'base_lr: 0.01\nlr_policy: "poly"\npower: 0.9\nmax_iter: -5\n', registry, "poly-without-max-iter")
    assert "grows" in hit.message and hit.severity == "error"


def test_poly_without_max_iter_suppresses_max_iter_missing(registry):
    text = H + 'base_lr: 0.01\nlr_policy: "poly"\npower: 0.9\n'
    assert none_of(text, registry, "max-iter-missing")
    # With power 0 the rate is constant (pow(NaN, 0) = 1): poly-power-zero and max-iter-missing instead.
    text = H + 'base_lr: 0.01\nlr_policy: "poly"\n'
    assert none_of(text, registry, "poly-without-max-iter")
    one(text, registry, "poly-power-zero")
    one(text, registry, "max-iter-missing")


def test_empty_lr_policy_is_missing(registry):
    hit = one(H + 'base_lr: 0.01\nlr_policy: ""\nmax_iter: 10\n', registry, "lr-policy-missing")
    assert hit.line == 4 and 'is ""' in hit.message
    assert none_of(H + 'base_lr: 0.01\nlr_policy: ""\nmax_iter: 10\n', registry, "lr-policy-unknown")


def test_lr_policy_unknown_hints_and_fix(registry):
    hit = one(H + LR.replace('"fixed"', '"cosine"'), registry, "lr-policy-unknown")
    assert "only in Caffe forks" in hit.message and not hit.fixes
    hit = one(H + LR.replace('"fixed"', '"POLY"'), registry, "lr-policy-unknown")
    (fix,) = hit.fixes
    assert fix.safe and [e.new_text for e in fix.edits] == ['"poly"']
    hit = one(H + LR.replace('"fixed"', '"linear"'), registry, "lr-policy-unknown")
    assert "use one of fixed, step" in hit.message


def test_sigmoid_without_stepsize_and_multistep_without_stepvalue(registry):
    hit = one(H + 'base_lr: 0.01\nlr_policy: "sigmoid"\ngamma: 0.1\nmax_iter: 100\n', registry, "step-without-stepsize")
    assert "sgd_solver.cpp:62" in hit.message
    hit = one(H + 'base_lr: 0.01\nlr_policy: "step"\ngamma: 0.1\nstepsize: -100\nmax_iter: 100\n', registry,
              "step-without-stepsize")
    assert hit.line == 6 and "(-100 vs. 0)" in hit.message
    hit = one(H + 'base_lr: 0.01\nlr_policy: "multistep"\ngamma: 0.1\nmax_iter: 100\n', registry, "step-without-stepsize")
    assert hit.severity == "info" and "never changes" in hit.message


def test_decay_gamma_missing_variants(registry):
    # The first step lies beyond max_iter: gamma is never used.
    assert none_of(H + 'base_lr: 0.01\nlr_policy: "step"\nstepsize: 5000\nmax_iter: 5000\n', registry, "decay-gamma-missing")
    hit = one(H + 'base_lr: 0.01\nlr_policy: "exp"\nmax_iter: 5000\n', registry, "decay-gamma-missing")
    assert "at iteration 1" in hit.message and hit.severity == "warning"
    hit = one(H + 'base_lr: 0.01\nlr_policy: "multistep"\nstepvalue: 300\nmax_iter: 5000\n', registry, "decay-gamma-missing")
    assert "at iteration 300" in hit.message
    hit = one(H + 'base_lr: 0.01\nlr_policy: "inv"\ngamma: 0.0001\nmax_iter: 5000\n', registry, "decay-gamma-missing")
    assert hit.severity == "info" and 'without power' in hit.message
    hit = one(H + 'base_lr: 0.01\nlr_policy: "sigmoid"\nstepsize: 100\nmax_iter: 5000\n', registry, "decay-gamma-missing")
    assert hit.severity == "info" and "base_lr/2" in hit.message


def test_lr_growth_variants(registry):
    assert none_of(H + 'base_lr: 0.01\nlr_policy: "step"\ngamma: 1\nstepsize: 100\nmax_iter: 5000\n', registry, "lr-growth")
    hit = one(H + 'base_lr: 0.01\nlr_policy: "step"\ngamma: 2\nstepsize: 100\nmax_iter: 5000\n', registry, "lr-growth")
    assert "every 100 iterations" in hit.message
    hit = one(H + 'base_lr: 0.01\nlr_policy: "inv"\ngamma: 0.001\npower: -0.75\nmax_iter: 5000\n', registry, "lr-growth")
    assert hit.line == 6 and "power -0.75 < 0" in hit.message
    hit = one(H + 'base_lr: 0.01\nlr_policy: "poly"\npower: -1\nmax_iter: 5000\n', registry, "lr-growth")
    assert "as iter approaches max_iter" in hit.message


def test_negative_base_lr_is_ascent(registry):
    hit = one(H + 'base_lr: -0.01\nlr_policy: "fixed"\nmax_iter: 10\n', registry, "base-lr-missing")
    assert hit.line == 3 and "gradient ascent" in hit.message
    hit = one(H + 'base_lr: 0\nlr_policy: "fixed"\nmax_iter: 10\n', registry, "base-lr-missing")
    assert hit.line == 3 and "base_lr is 0" in hit.message


def test_negative_iter_size_and_clip_off(registry):
    hit = one(H + LR + "iter_size: -1\n", registry, "iter-size-nonpositive")
    assert "no forward/backward runs" in hit.message
    assert none_of(H + LR + "clip_gradients: -1\n", registry, "clip-gradients-zero")


def test_solver_type_unknown_fix_and_upgrade(registry):
    hit = one(H + LR + 'type: "rmsprop"\n', registry, "solver-type-unknown")
    assert [e.new_text for e in hit.fixes[0].edits] == ['"RMSProp"']
    # The deprecated enum is upgraded by Caffe, not unknown; an unknown enum is the schema's business.
    assert none_of(H + LR + "solver_type: NESTEROV\n", registry, "solver-type-unknown")


def test_momentum_out_of_range_variants(registry):
    hit = one(H + LR + "momentum: 1.5\n", registry, "momentum-out-of-range")
    assert hit.severity == "error" and "grows geometrically" in hit.message
    hit = one(H + LR + "momentum: 1\n", registry, "momentum-out-of-range")
    assert hit.severity == "warning"
    hit = one(H + LR + "momentum: -0.5\n", registry, "momentum-out-of-range")
    assert hit.severity == "warning" and "oscillate" in hit.message
    hit = one(H + LR + "momentum: 0.995\n", registry, "momentum-out-of-range")
    assert hit.severity == "info" and "200 x base_lr" in hit.message
    hit = one(H + LR + 'type: "Adam"\nmomentum: 0.9\nmomentum2: 1.5\n', registry, "momentum-out-of-range")
    assert hit.severity == "error" and hit.line == 8 and "momentum2 (beta2) 1.5" in hit.message
    hit = one(H + LR + 'type: "Adam"\nmomentum: 0.9\nmomentum2: 1\n', registry, "momentum-out-of-range")
    assert hit.severity == "warning" and "nothing is learned" in hit.message
    hit = one(H + LR + 'type: "AdaDelta"\nmomentum: 1.2\n', registry, "momentum-out-of-range")
    assert hit.severity == "error" and "rho" in hit.message
    # Momentum of the solver types that forbid it is another rule's business.
    assert none_of(H + LR + 'type: "AdaGrad"\nmomentum: 1.5\n', registry, "momentum-out-of-range")
    one(H + LR + 'type: "AdaGrad"\nmomentum: 1.5\n', registry, "momentum-with-adagrad-or-rmsprop")


def test_delta_ignored_by_sgd(registry):
    assert none_of(H + LR + "delta: 0\n", registry, "adaptive-delta-zero")
    hit = one(H + LR + "solver_type: ADAGRAD\ndelta: -1e-8\n", registry, "adaptive-delta-zero")
    assert "with AdaGrad" in hit.message


def test_test_interval_without_test_net(registry):
    hit = one(H + LR + "test_interval: 500\n", registry, "test-iter-without-interval")
    assert (hit.severity, hit.line) == ("info", 6) and "nothing is ever tested" in hit.message
    # Explicit test nets count as test nets too.
    hit = one('train_net: "a"\ntest_net: "b"\ntest_iter: 10\nsolver_mode: CPU\n' + LR, registry, "test-iter-without-interval")
    assert hit.severity == "error"


def test_test_iter_count_mismatch_variants(registry):
    text = 'train_net: "a"\ntest_iter: 10\ntest_interval: 100\nsolver_mode: CPU\n' + LR
    hit = one(text, registry, "test-iter-count-mismatch")
    assert "a train_net never is" in hit.message
    assert none_of(text, registry, "test-iter-without-interval")
    # A generic net may have more test_iter values than explicit test nets, not fewer.
    assert none_of(H + LR + 'test_net: "b"\ntest_iter: 10\ntest_iter: 20\ntest_interval: 5\n', registry,
                   "test-iter-count-mismatch")
    one(H + LR + 'test_net: "b"\ntest_net: "c"\ntest_iter: 10\ntest_interval: 5\n', registry, "test-iter-count-mismatch")


def test_multistep_beyond_max_iter(registry):
    text = H + 'base_lr: 0.01\nlr_policy: "multistep"\ngamma: 0.1\nstepvalue: 5000\nstepvalue: 12000\nmax_iter: 10000\n'
    hit = one(text, registry, "multistep-unsorted")
    assert (hit.severity, hit.line) == ("info", 7) and "never happens" in hit.message
    text = H + 'base_lr: 0.01\nlr_policy: "multistep"\ngamma: 0.1\nstepvalue: [5000, 5000]\nmax_iter: 10000\n'
    assert "fires at iteration 5001" in one(text, registry, "multistep-unsorted").message


def test_regularization_type_silent_without_decay(registry):
    hit = one(H + LR + 'regularization_type: "L3"\n', registry, "regularization-type-invalid")
    assert hit.severity == "info" and not hit.fixes


def test_no_training_net(registry):
    hit = one("solver_mode: GPU\n" + LR, registry, "train-net-spec-count")
    assert hit.line == 1 and "names no training net" in hit.message


def test_rules_ignore_net_files(registry):
    net = 'name: "n"\nlayer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 } } }\n'
    assert [d for d in lint(net, registry, root=None, path="deploy.prototxt") if d.rule in RULE_NAMES] == []


def test_invalid_values_are_left_to_the_schema(registry):
    # Values the schema checker rejects (Caffe would not even parse the file) do not feed the rules.
    text = H + 'base_lr: 0.01\nlr_policy: poly\nmax_iter: 10\nstepsize: 1.5\n'
    rules = {d.rule for d in lint(text, registry)}
    assert "invalid-value" in rules
    assert not rules & {"lr-policy-missing", "lr-policy-unknown", "poly-without-max-iter"}


# --- registration and documentation


def test_codes_and_names(registry):
    expected = [
        ("S101", "poly-without-max-iter"), ("S102", "lr-policy-missing"), ("S103", "lr-policy-unknown"),
        ("S104", "step-without-stepsize"), ("S105", "decay-gamma-missing"), ("S106", "lr-growth"),
        ("S107", "base-lr-missing"), ("S108", "iter-size-nonpositive"), ("S109", "clip-gradients-zero"),
        ("S110", "solver-type-unknown"), ("S111", "momentum-out-of-range"), ("S112", "adaptive-delta-zero"),
        ("S113", "test-iter-without-interval"),
    ]
    got = [(rule.code, rule.name) for rule in sr.SOLVER_RULES]
    assert got[: len(expected)] == expected
    assert [code for code, _ in got] == [f"S{101 + i}" for i in range(len(got))]
    assert all(rule.applies_to == ("solver",) for rule in sr.SOLVER_RULES)
    assert registry.lookup("S113") is sr.TestIterWithoutInterval


@pytest.mark.parametrize("rule", sr.SOLVER_RULES, ids=lambda r: r.name)
def test_docs_complete_and_example_triggers(registry, rule):
    for section in DOC_SECTIONS + ("summary",):
        assert getattr(rule, section).strip(), f"{rule.name}: empty {section}"
    assert rule.name in rule.documentation()
    hits = [d for d in lint(rule.example, registry) if d.rule == rule.name]
    assert hits, f"{rule.name}: its example does not trigger it"


# --- the reference corpus


def corpus_solvers() -> list[Path]:
    folder = os.environ.get("PROTOLINT_CORPUS")
    if not folder:
        return []
    root = Path(folder)
    if (root / "BVLC__caffe").is_dir():
        root = root / "BVLC__caffe"
    return sorted(p for sub in ("examples", "models") for p in (root / sub).rglob("*solver*.prototxt"))


@pytest.mark.skipif(not os.environ.get("PROTOLINT_CORPUS"), reason="PROTOLINT_CORPUS is not set")
def test_reference_solvers_have_no_errors(registry):
    solvers = corpus_solvers()
    assert len(solvers) >= 20, solvers
    errors = []
    for path in solvers:
        result = lint_bytes(str(path), path.read_bytes(), default_options(schema=builtin_schema(), registry=registry))
        assert result.kind == "solver", path
        errors += [f"{path.name}:{d.line} {d.rule}: {d.message}" for d in result.diagnostics
                   if d.rule in RULE_NAMES and d.severity == "error"]
    assert errors == []
