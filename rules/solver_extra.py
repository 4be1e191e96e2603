"""Solver rules S131, S137, S138, and the helper that gives solver rules the nets a solver builds.

Facts are those of BVLC Caffe 9b89154 (src/caffe/solver.cpp, src/caffe/util/upgrade_proto.cpp).
Rules of the spec's S130-S138 range that the existing solver rules already cover are not repeated
here: base-lr-negative (S130) is base-lr-missing's negative branch, inv-params-missing (S132) is
decay-gamma-missing's inv branch, multistep-no-stepvalue (S133) is step-without-stepsize's multistep
branch, deprecated-solver-type (S134) is deprecated-field (P007) on `solver_type`,
adam-momentum2-out-of-range (S135) is momentum-out-of-range's momentum2 branch, and
test-interval-without-test-net (S136) is test-iter-without-interval's info branch.

Solver+net rules report in the solver file. They see a net file through `solver_nets()`: the files the
project pass resolved for this solver (ctx.usage), or, when the solver is linted on its own, the
files resolved next to the solver and in the working directory. Each file is parsed at most once per
version of it (cached by path, size and modification time), and only when a cheap look at its bytes
says it can matter (`wanted`), so that editing a solver does not re-parse its nets.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

from protolint.model.net import Net, NetState
from protolint.model.solver import Solver
from protolint.syntax.nodes import Field, Message

from protolint.rules.solver_rules import SolverRule, number, report, written

# ---------------------------------------------------------------------------------------------
# The nets a solver builds


@dataclass
class SolverNet:
    role: str  # "train" | "test"
    state: NetState
    net: Net
    field: Field  # the solver field naming it (`net`, `test_net_param`, ...)
    path: str | None  # the net file, None for a net embedded in the solver


_CACHE: dict[tuple, Net | None] = {}
_CACHE_LIMIT = 64


def load_net_file(path: str, options, wanted=None) -> Net | None:
    """The Net of a net file (None when unreadable, not a net, or `wanted(bytes)` says no)."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    key = (os.path.realpath(path), stat.st_mtime_ns, stat.st_size, id(options.schema))
    if key in _CACHE:
        return _CACHE[key]
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    if wanted is not None and not wanted(data):
        return None  # not cached: another rule may want this file
    from protolint.linter import prepare

    prepared = prepare(path, data, replace(options, root="net", _enabled=None))
    net = Net.from_message(prepared.document.root) if prepared.kind == "net" else None
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.clear()
    _CACHE[key] = net
    return net


def _resolve(value: str, solver_path: str) -> str | None:
    if not value:
        return None
    for candidate in (os.path.join(os.path.dirname(solver_path), value), value):
        if os.path.isfile(candidate):
            return candidate
    return None


def solver_nets(ctx, wanted=None, roles=("train", "test")) -> list[SolverNet]:
    """The nets the solver of `ctx` builds, in Caffe's order, each with the state it is built in.
    Net files are loaded only when `wanted(bytes)` is true (when given)."""
    solver: Solver = ctx.solver
    if solver is None:
        return []
    root = solver.root
    found: list[SolverNet] = []
    # Inline nets (not upgraded by Caffe).
    inline_train = root.last("train_net_param") or root.last("net_param")
    if "train" in roles and inline_train is not None and isinstance(inline_train.value, Message):
        found.append(SolverNet("train", solver.state_from("train_state", "TRAIN"),
                               Net.from_message(inline_train.value, embedded=True), inline_train, None))
    inline_tests = [f for f in root.all("test_net_param") if isinstance(f.value, Message)]
    if "test" in roles:
        for i, f in enumerate(inline_tests):
            found.append(SolverNet("test", solver.state_from("test_state", "TEST", i, f"TEST #{i + 1}"),
                                   Net.from_message(f.value, embedded=True), f, None))
        generic = root.last("net_param")
        if generic is not None and isinstance(generic.value, Message):
            explicit = len(inline_tests) + len(root.all("test_net"))
            copies = sum(len(f.values()) for f in root.all("test_iter")) - explicit
            net = None
            for k in range(max(copies, 0)):
                index = explicit + k
                net = net or Net.from_message(generic.value, embedded=True)
                found.append(SolverNet("test", solver.state_from("test_state", "TEST", index, f"TEST #{index + 1}"),
                                       net, generic, None))
    # Net files: as the project pass resolved them, else next to the solver / in the working directory.
    links = getattr(ctx.usage, "links", None)
    if links is not None:
        files = [(link.field, link.role, link.state, link.path) for link in links]
    else:
        files = [(f, role, state, _resolve(f.scalar, ctx.source.path)) for f, role, state in solver.net_files()]
    for f, role, state, path in files:
        if role not in roles or path is None:
            continue
        net = load_net_file(path, ctx.options, wanted)
        if net is not None:
            found.append(SolverNet(role, state, net, f, path))
    return found


def _where(item: SolverNet) -> str:
    return f'net file "{item.field.scalar}"' if item.path else f"`{item.field.name}`"


# ---------------------------------------------------------------------------------------------
# Rules

HIGH_LR = {"SGD": 0.1, "Nesterov": 0.1, "AdaGrad": 0.1, "Adam": 0.01, "RMSProp": 0.01}  # AdaDelta: never


class BaseLrHigh(SolverRule):
    code = "S131"
    name = "base-lr-high"
    severity = "info"
    summary = "base_lr above the usual range for the solver type"
    what_it_does = (
        "Reports `base_lr` above 0.1 for SGD, Nesterov and AdaGrad, and above 0.01 for Adam and RMSProp. "
        "Never for AdaDelta, whose examples use base_lr 1.0."
    )
    why_it_matters = (
        "Nothing in Caffe bounds the rate; the update is rate x lr_mult x gradient (sgd_solver.cpp:224-254). Too "
        "high a rate with unnormalised inputs or large initial weights is the most common cause of \"loss = nan\" "
        "(or a loss stuck at 87.3365) in the first iterations, as the recurring reports on the Caffe tracker show "
        "(issues #399, #409, #4449)."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.1\nlr_policy: "fixed"\ntype: "Adam"\nmomentum: 0.9\nmax_iter: 1000\nsolver_mode: GPU'
    how_to_fix = "Try a 10x smaller base_lr (0.01 is a common start for SGD, 0.001 for Adam); raise it again once training is stable."
    version_notes = "All Caffe versions. A heuristic: some recipes (e.g. ResNet's SGD 0.1, warm restarts) are fine right at the limit."

    def check_solver(self, solver, ctx):
        base_lr, limit = number(solver, "base_lr"), HIGH_LR.get(solver.type)
        if base_lr is None or limit is None or base_lr <= limit or not solver.has("base_lr"):
            return
        report(ctx, solver.field("base_lr"), f"base_lr {written(solver, 'base_lr')} is high for {solver.type} (above {limit:g}): with "
               "unnormalised inputs or large initial weights this is the most common cause of \"loss = nan\" in the first "
               "iterations — try 10x smaller")


def _mentions_test_phase(layer) -> bool:
    for rule in layer.includes + layer.excludes:
        phase = rule.last("phase")
        if phase is not None and phase.scalar == "TEST":
            return True
    return False


class GenericNetNoTestIter(SolverRule):
    code = "S137"
    name = "generic-net-no-test-iter"
    severity = "info"
    summary = "A train_val net with TEST-phase layers, but the solver never tests it"
    what_it_does = (
        "Reports a solver with a generic `net`/`net_param`, no `test_iter` and no `test_net`/`test_net_param`, "
        "when the net has a layer whose include/exclude rules name `phase: TEST` (evidence that testing was "
        "intended). When test_interval is set, test-iter-without-interval already reports the missing test net."
    )
    why_it_matters = (
        "Caffe creates one test copy of the generic net per test_iter entry (solver.cpp:128-176): without "
        "test_iter there is no test net, the TEST data layer is never read and no accuracy is ever reported."
    )
    example = (
        'net_param {\n'
        '  layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 4 } } include { phase: TRAIN } }\n'
        '  layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 4 } } include { phase: TEST } }\n'
        '}\n'
        'base_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 1000\nsolver_mode: GPU'
    )
    how_to_fix = "Add `test_iter` (test set size / test batch size) and `test_interval`, or drop the TEST-phase layers."
    version_notes = "All Caffe versions."

    def check_solver(self, solver, ctx):
        root = solver.root
        generic = root.last("net") or root.last("net_param")
        if generic is None or root.has("test_iter") or root.has("test_net") or root.has("test_net_param"):
            return
        interval = number(solver, "test_interval")
        if interval is not None and interval > 0:
            return  # test-iter-without-interval reports it
        for item in solver_nets(ctx, wanted=lambda data: b"TEST" in data, roles=("train",)):
            if item.field is not generic:
                continue
            layer = next((layer for layer in item.net.layers if _mentions_test_phase(layer)), None)
            if layer is None:
                continue
            report(ctx, generic, f'{_where(item)} has TEST-phase layers (e.g. "{layer.name}") but the solver has no test_iter: '
                   "Caffe builds no test net and never tests — add test_iter and test_interval")
            return


class SnapshotPrefixDirMissing(SolverRule):
    code = "S138"
    name = "snapshot-prefix-dir-missing"
    severity = "info"
    summary = "The directory of snapshot_prefix does not exist"
    what_it_does = (
        "For a solver file on disk that snapshots (snapshot > 0, or snapshot_after_train, the default), checks that "
        "the directory part of `snapshot_prefix` exists. Caffe resolves it against the directory it is run from, "
        "which protolint does not know: the linter option `run_dir` names it; otherwise the solver's directory, "
        "each directory above it (Caffe's examples are relative to the Caffe root) and the working directory are tried."
    )
    why_it_matters = (
        "With snapshot > 0, solver construction calls CheckSnapshotWritePermissions (solver.cpp:437-453), which "
        "aborts with \"Cannot write to snapshot prefix '...'. Make sure that the directory exists and is writable.\" "
        "when the directory is missing — after the nets were set up. With snapshot 0 nothing is checked: Caffe "
        "trains to max_iter and then, with snapshot_after_train (solver.cpp:305-309), fails the CHECK in "
        "WriteProtoToBinaryFile (io.cpp:67-70) — the trained weights are lost."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 1000\nsnapshot: 1000\nsnapshot_prefix: "no_such_dir/model"\nsolver_mode: GPU'
    how_to_fix = "Create the directory (e.g. `mkdir -p snapshots`) before training, or point snapshot_prefix at an existing one."
    version_notes = (
        "All Caffe versions. Without snapshot_prefix, post-1.0 master uses the solver file's path without extension "
        "(upgrade_proto.cpp:1100-1116); 1.0 and older abort with \"snapshot is specified but snapshot_prefix is not\"."
    )

    def check_solver(self, solver, ctx):
        node = solver.field("snapshot_prefix")
        prefix = solver.get("snapshot_prefix")
        path = ctx.source.path
        if node is None or not isinstance(prefix, str) or not prefix or not os.path.isfile(path):
            return
        snapshot = number(solver, "snapshot") or 0
        if snapshot <= 0 and solver.get("snapshot_after_train") is False:
            return
        directory = os.path.dirname(prefix)
        if not directory:
            return
        run_dir = getattr(ctx.options, "run_dir", None)
        if os.path.isabs(directory):
            bases = [""]
        elif run_dir:
            bases = [run_dir]
        else:
            bases = []
            current = os.path.dirname(os.path.abspath(path))
            while True:
                bases.append(current)
                parent = os.path.dirname(current)
                if parent == current:
                    break
                current = parent
            bases.append(os.getcwd())
        if any(os.path.isdir(os.path.join(base, directory)) for base in bases):
            return
        where = run_dir or "the solver's directory, the directories above it or the working directory"
        if snapshot > 0:
            effect = ('Caffe aborts at construction with "Cannot write to snapshot prefix" if it is missing when training '
                      "starts")
        else:
            effect = ("Caffe trains and then aborts writing the final snapshot (Check failed: "
                      "proto.SerializeToOstream(&output)) if it is missing — the trained weights are lost")
        report(ctx, node, f'snapshot_prefix "{prefix}": directory "{directory}" does not exist relative to {where}; {effect} '
               "— create it")


SOLVER_EXTRA_RULES = [
    BaseLrHigh,
    GenericNetNoTestIter,
    SnapshotPrefixDirMissing,
]

