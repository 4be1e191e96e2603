"""Linting several files together: a solver brings its net files along.

Every file is parsed and typed first; then each solver's `net`, `train_net` and `test_net` files
are resolved (relative to the solver, then to the working directory), read if they were not given,
and linted knowing how the solver uses them: as a trained net, in the TRAIN state with
`train_state`, and in one TEST state per test-net instance with its `test_state`. Findings stay in
the file where they are.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable

from .linter import FileResult, LintOptions, Prepared, prepare, run
from .model.net import NetUsage


@dataclass
class NetFileLink:
    field: object  # the solver's `net`/`train_net`/`test_net` field node
    role: str  # "train" | "test"
    state: object  # model.net.NetState
    path: str | None  # the resolved file, None when not found


@dataclass
class SolverLinks:
    links: list[NetFileLink] = field(default_factory=list)


@dataclass
class Input:
    display: str  # the path to report
    data: bytes
    path: str | None = None  # on disk (None for stdin)


def lint_inputs(inputs: list[Input], options_for: Callable[[str], LintOptions], follow_nets: bool = True) -> list[FileResult]:
    prepared: list[Prepared] = []
    by_path: dict[str, int] = {}
    for item in inputs:
        prepared.append(prepare(item.display, item.data, options_for(item.path or item.display)))
        if item.path:
            by_path[os.path.realpath(item.path)] = len(prepared) - 1

    usages: dict[int, object] = {}
    if follow_nets:
        for index in range(len(prepared)):  # grows while linked nets are added; those are nets, not solvers
            current = prepared[index]
            if current.kind != "solver":
                continue
            from .model.solver import Solver

            links = SolverLinks()
            pretrained = bool(current.document.root.all("weights"))
            origin = inputs[index].path if index < len(inputs) else current.path
            for net_field, role, state in Solver(current.document.root).net_files():
                found = _resolve(net_field.scalar, origin)
                links.links.append(NetFileLink(net_field, role, state, found))
                if found is None:
                    continue
                key = os.path.realpath(found)
                if key not in by_path:
                    try:
                        with open(found, "rb") as handle:
                            data = handle.read()
                    except OSError:
                        links.links[-1].path = None
                        continue
                    prepared.append(prepare(_display(found), data, options_for(found)))
                    by_path[key] = len(prepared) - 1
                target = by_path[key]
                if prepared[target].kind == "net":
                    usage = usages.setdefault(target, NetUsage())
                    usage.add(state, current.path, role == "train", pretrained)
            usages[index] = links
    return [run(p, usages.get(i)) for i, p in enumerate(prepared)]


def _resolve(value: str, solver_path: str | None) -> str | None:
    if not value:
        return None
    candidates = []
    if solver_path:
        candidates.append(os.path.join(os.path.dirname(solver_path), value))
    candidates.append(value)
    for candidate in candidates:
        if os.path.isfile(candidate):
            return candidate
    return None


def _display(path: str) -> str:
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative
