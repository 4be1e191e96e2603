"""Files shipped inside the package (grammars, the built-in schema), found without importing
importlib.resources on the start-up path."""

from __future__ import annotations

import importlib
import os
from pathlib import Path


def package_file(package: str, name: str) -> Path:
    """The path of a data file of an installed package (a plain folder, as pip installs wheels)."""
    module = importlib.import_module(package)
    folder = os.path.dirname(module.__file__ or "")
    candidate = Path(folder, name)
    if candidate.is_file():
        return candidate
    from importlib import resources  # a zipped install: let importlib find it

    with resources.as_file(resources.files(package).joinpath(name)) as found:
        return Path(found)
