"""Files shipped inside the package (grammars, the built-in schema), found without importing
importlib.resources on the start-up path."""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def package_file(package: str, name: str) -> Path:
    """The path of a data file of an installed package, as a Path."""
    from pathlib import Path

    return Path(package_path(package, name))


def package_path(package: str, name: str) -> str:
    """The path of a data file of an installed package (a plain folder, as pip installs wheels), as
    a string: the built-in schema is found without importing pathlib."""
    module = importlib.import_module(package)
    candidate = os.path.join(os.path.dirname(module.__file__ or ""), name)
    if os.path.isfile(candidate):
        return candidate
    from importlib import resources  # a zipped install: let importlib find it

    with resources.as_file(resources.files(package).joinpath(name)) as found:
        return str(found)
