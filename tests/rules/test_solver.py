"""Solver rules (S1xx), what their fixtures cannot show: fixes, file-system and multi-file behaviour,
codes and names, and Caffe's own solvers."""

from __future__ import annotations


from protolint.api import lint_bytes
from protolint.rules.builtin import BUILTIN_RULES
from tests.corpus_location import need_corpus
from tests.rules.kit import REGISTRY, hits, lint_paths, one, options, reference_findings

H = 'net: "train_val.prototxt"\nsolver_mode: GPU\n'
LR = 'base_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 10000\n'
NET = 'layer { name: "in" type: "Input" top: "data" input_param { shape { dim: 1 dim: 4 } } }\n'


def solver_rule(text: str, rule: str, **kwargs):
    return one(text, rule, root="solver", path="solver.prototxt", **kwargs)


# --- fixes


def test_lr_policy_unknown_fixes_only_the_case():
    hit = solver_rule(H + LR.replace('"fixed"', '"POLY"'), "lr-policy-unknown")
    (fix,) = hit.fixes
    assert fix.safe and [e.new_text for e in fix.edits] == ['"poly"']
    assert not solver_rule(H + LR.replace('"fixed"', '"cosine"'), "lr-policy-unknown").fixes


def test_solver_type_unknown_fix():
    hit = solver_rule(H + LR + 'type: "rmsprop"\n', "solver-type-unknown")
    assert [e.new_text for e in hit.fixes[0].edits] == ['"RMSProp"']


def test_regularization_type_without_decay_has_no_fix():
    assert not solver_rule(H + LR + 'regularization_type: "L3"\n', "regularization-type-invalid").fixes


# --- the file system and several files


def test_snapshot_prefix_is_checked_only_for_a_solver_on_disk(tmp_path):
    text = H + LR + 'snapshot: 100\nsnapshot_prefix: "other_dir/model"\n'
    (tmp_path / "solver.prototxt").write_text(text)
    assert hits(text, "snapshot-prefix-dir-missing", root="solver", path=str(tmp_path / "solver.prototxt"))
    assert hits(text, "snapshot-prefix-dir-missing", root="solver", path="not/on/disk/solver.prototxt") == []


def test_the_net_file_a_solver_names_is_linted_too(tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "train_val.prototxt").write_text(NET)
    (tmp_path / "solver.prototxt").write_text(
        'base_lr: 0.01\nnet: "models/train_val.prototxt"\nlr_policy: "fixed"\nmax_iter: 100\nsolver_mode: CPU\n')
    assert len(lint_paths([tmp_path / "solver.prototxt"])) == 2


def test_a_net_named_twice_is_linted_once(tmp_path):
    (tmp_path / "nets").mkdir()
    (tmp_path / "nets" / "net.prototxt").write_text(NET)
    (tmp_path / "solver.prototxt").write_text(
        'train_net: "nets/net.prototxt"\ntest_net: "nets/net.prototxt"\ntest_iter: 5\ntest_interval: 10\n'
        'base_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 100\nsolver_mode: CPU\n')
    assert len(lint_paths([tmp_path / "solver.prototxt"])) == 2


# --- codes and names


def test_codes_and_names():
    expected = [
        ("S101", "poly-without-max-iter"), ("S102", "lr-policy-missing"), ("S103", "lr-policy-unknown"),
        ("S104", "step-without-stepsize"), ("S105", "decay-gamma-missing"), ("S106", "lr-growth"),
        ("S107", "base-lr-missing"), ("S108", "iter-size-nonpositive"), ("S109", "clip-gradients-zero"),
        ("S110", "solver-type-unknown"), ("S111", "momentum-out-of-range"), ("S112", "adaptive-delta-zero"),
        ("S113", "test-iter-without-interval"),
        ("S131", "base-lr-high"), ("S137", "generic-net-no-test-iter"), ("S138", "snapshot-prefix-dir-missing"),
    ]
    for code, name in expected:
        assert REGISTRY.lookup(code).name == name and REGISTRY.lookup(name).code == code
    # S101-S129 have no gaps, and they look at solver files only.
    first = sorted(r.code for r in BUILTIN_RULES if "S101" <= r.code <= "S129")
    assert first == [f"S{101 + i}" for i in range(29)]
    assert all(r.applies_to == ("solver",) for r in BUILTIN_RULES if "S101" <= r.code <= "S129")


# --- Caffe's own solvers and the reference models


def test_caffes_solvers_have_no_errors():
    root = need_corpus("BVLC__caffe")
    solvers = sorted(p for sub in ("examples", "models") for p in (root / "BVLC__caffe" / sub).rglob("*solver*.prototxt"))
    assert len(solvers) >= 20, solvers
    names = {r.name for r in BUILTIN_RULES if "S101" <= r.code <= "S129"}
    errors = []
    for path in solvers:
        result = lint_bytes(str(path), path.read_bytes(), options())
        assert result.kind == "solver", path
        errors += [f"{path.name}:{d.line} {d.rule}: {d.message}" for d in result.diagnostics if d.rule in names and d.severity == "error"]
    assert errors == []


def test_reference_models_have_no_errors_or_warnings():
    assert reference_findings({"base-lr-high", "generic-net-no-test-iter", "snapshot-prefix-dir-missing"}) == []
