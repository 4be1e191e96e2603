"""Where a solver's net files are: resolved as Caffe opens them, shown as the user would write them.

A module of its own, with nothing heavy to import: project.py links files with it, and batch.py
plans a run with it before anything needs to be parsed.
"""

from __future__ import annotations

import os


def resolve_net_file(value: str, solver_path: str | None) -> str | None:
    """A solver's net path as Caffe would open it from the solver's folder, else from the working
    directory (where `caffe train` usually runs)."""
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


def display_path(path: str) -> str:
    """A path to report: relative to the working directory when it is below it."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative
