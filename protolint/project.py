"""Linting several files together: a solver brings its net files along.

Every file is parsed and typed first; then each solver's `net`, `train_net` and `test_net` files
are resolved (relative to the solver, then to the working directory), read if they were not given,
and linted knowing how the solver uses them: as a trained net, in the TRAIN state with
`train_state`, and in one TEST state per test-net instance with its `test_state`. A net file is
read and parsed once; its model is shared by its own lint and by the solver's rules that look
into it. Findings stay in the file where they are.
"""

from __future__ import annotations

import os
from typing import Callable, Iterable

from .context import Links, NetFileLink
from .files import read_regular
from .linter import FileResult, LintOptions, Prepared, prepare, run
from .model.usage import SolverUse
from .netpaths import display_path as _display, resolve_net_file


# A plain class, not a dataclass: creating a dataclass costs ~0.3 ms of start-up.
class Input:
    def __init__(self, display: str, data: bytes, path: str | None = None):
        self.display = display  # the path to report
        self.data = data
        self.path = path  # on disk (None for stdin)


def lint_inputs(inputs: Iterable[Input], options_for: Callable[[str], LintOptions], follow_nets: bool = True) -> list[FileResult]:
    """Lint files together; `inputs` is iterated once (a generator lets each file's bytes go once
    it is parsed)."""
    prepared: list[Prepared] = []
    origins: list[str | None] = []  # where each file is on disk, to resolve a solver's net paths
    by_path: dict[str, int] = {}
    for item in inputs:
        prepared.append(prepare(item.display, item.data, options_for(item.path or item.display)))
        origins.append(item.path or item.display)
        if item.path:
            by_path[os.path.realpath(item.path)] = len(prepared) - 1

    links: dict[int, Links] = {}
    targets: dict[int, int] = {}  # id(NetFileLink) -> the index of the file it names
    if follow_nets:
        from .model.solver import Solver

        for index in range(len(prepared)):  # grows while linked nets are added; those are nets, not solvers
            current = prepared[index]
            if current.kind != "solver":
                continue
            solver_links = links.setdefault(index, Links())
            pretrained = bool(current.document.root.all("weights"))
            solver = Solver(current.document.root)
            for net_field, role, state, found in net_file_links(solver, origins[index]):
                link = NetFileLink(net_field, role, state, found)
                solver_links.net_files.append(link)
                if found is None:
                    continue
                key = os.path.realpath(found)
                if key not in by_path:
                    try:
                        data = read_regular(found)
                    except OSError:
                        link.path = None
                        continue
                    prepared.append(prepare(_display(found), data, options_for(found)))
                    origins.append(found)
                    by_path[key] = len(prepared) - 1
                target = by_path[key]
                targets[id(link)] = target
                if prepared[target].kind == "net":
                    use = links.setdefault(target, Links()).solver_use or SolverUse()
                    links[target].solver_use = use
                    use.add(state, current.path, role == "train", pretrained, solver)

    nets = {}
    for index, file_links in links.items():  # every usage is complete now: build each linked net once
        if file_links.solver_use is not None:
            nets[index] = _net_model(prepared[index], file_links)
    for file_links in links.values():
        for link in file_links.net_files:
            link.net = nets.get(targets.get(id(link)))
    results = [run(p, links.get(i), nets.get(i)) for i, p in enumerate(prepared)]
    for net in nets.values():
        net.release()
    return results


def net_file_links(solver, origin: str | None) -> list:
    """(field, role, state, resolved path or None) for each net file a solver (model.solver.Solver)
    names, in Caffe's order."""
    return [(net_field, role, state, resolve_net_file(net_field.scalar, origin))
            for net_field, role, state in solver.net_files()]


def lint_bytes(path: str, data: bytes, options: LintOptions) -> FileResult:
    """Lint one file's bytes; a solver that is a real file brings its net files along (text that is
    not on disk has no folder to find them in). Bad input becomes diagnostics; never raises on content."""
    on_disk = os.path.isfile(path)
    return lint_inputs([Input(path, data, path if on_disk else None)], lambda _path: options, follow_nets=on_disk)[0]


def _net_model(prepared: Prepared, links: Links):
    from .model.net import Net
    from .model.usage import decide

    net = Net.from_message(prepared.document.root)
    net.usage = decide(net, links.solver_use, prepared.options.pretrained, prepared.path)
    return net
