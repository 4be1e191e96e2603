"""protolint's own modules served from one cached file at start-up (the command line only).

Importing a module the usual way walks the import system for it: finders, a stat of the source, an
open and a read of its .pyc. A lint imports up to 250 modules of protolint's own (one per rule),
and that walk cost about 12 ms of a 112 ms run on a small file. The pack is one cache entry (see
protolint.cache) holding the compiled code of every module whose .pyc Python has written and is
current; a finder put first on sys.meta_path serves those modules from it and leaves every other
import to Python. The pack is keyed by cache.code_fingerprint(), which changes with any edit to any
source file, so it never serves code other than what is on disk; it reads only .pyc files that
match their source's size and time, as Python's own check does, and never compiles.

The entry is trusted as the result cache's pickles are: it lives in the user's own cache folder.
"""

from __future__ import annotations

import marshal
import os
import sys

NAME = "code"  # the cache entry: code-<fingerprint>
_PACKAGE = "protolint"


class _Loader:
    """Executes a module's code from the pack (read and unmarshalled only when it is imported)."""

    def __init__(self, table: dict, data):
        self.table = table
        self.data = memoryview(data)  # the pack, mapped: only the pages of the modules imported are read

    def create_module(self, spec):
        return None  # the default module object

    def exec_module(self, module) -> None:
        origin, _is_package, start, end = self.table[module.__spec__.name]
        module.__file__ = origin  # (the grammar and data files are found by it)
        try:
            code = marshal.loads(self.data[start:end])
        except (EOFError, ValueError, TypeError):  # a damaged pack: the source it was made from
            with open(origin, "rb") as handle:
                code = compile(handle.read(), origin, "exec", dont_inherit=True)
        exec(code, module.__dict__)


class PackFinder:
    """The meta-path finder for the modules in a pack; None (Python's own import) for the rest."""

    def __init__(self, table: dict, data):
        self.table = table
        self.loader = _Loader(table, data)

    def find_spec(self, name, path=None, target=None):
        entry = self.table.get(name)
        if entry is None:
            return None
        from importlib.machinery import ModuleSpec

        origin, is_package = entry[0], entry[1]
        # (not has_location: Python would then work out a .pyc path for each module, a third of
        # the import's cost; the loader sets __file__ itself)
        spec = ModuleSpec(name, self.loader, origin=origin, is_package=is_package)
        if is_package:
            spec.submodule_search_locations = [os.path.dirname(origin)]
        return spec


# The pack: where the index starts (8 bytes), each module's marshalled code at [start:end] of the
# file, then the marshalled index {module: (source path, is a package, start, end)}.
_HEADER = 8


def install() -> bool:
    """Serve protolint's modules from the pack for this code, when there is one; True if so."""
    import mmap

    from . import cache

    try:
        with open(os.path.join(cache.cache_folder(), f"{NAME}-{cache.code_fingerprint()}"), "rb") as handle:
            data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        table = marshal.loads(data[int.from_bytes(data[:_HEADER], "little"):])
    except (OSError, RuntimeError, ValueError, EOFError, TypeError):  # none, empty or broken: no pack
        return False
    if not isinstance(table, dict) or not all(_well_formed(entry, len(data)) for entry in table.values()):
        return False
    sys.meta_path.insert(0, PackFinder(table, data))
    return True


def _well_formed(entry, size: int) -> bool:
    return (isinstance(entry, tuple) and len(entry) == 4 and isinstance(entry[0], str)
            and isinstance(entry[2], int) and isinstance(entry[3], int) and _HEADER <= entry[2] <= entry[3] <= size)


def save() -> None:
    """Write the pack for this code from the .pyc files Python keeps current; a pack already there,
    or nothing to pack, writes nothing. Only the newest packs are kept (`_KEPT`)."""
    from . import cache

    try:
        key = cache.code_fingerprint()
        folder = cache.cache_folder()
        if os.path.exists(os.path.join(folder, f"{NAME}-{key}")):
            return
        compiled = dict(_compiled_modules())
        if not compiled:
            return  # no .pyc at all (PYTHONDONTWRITEBYTECODE, a read-only install without them)
        cache.write(NAME, key, _pack(compiled))
        cache.prune(f"{NAME}-", _KEPT)
    except Exception:  # a cache that cannot be written is no cache, never an error at exit
        pass


# Packs kept, the newest: one per installed copy of protolint in use (a project's virtual
# environment, pre-commit's own), while each edit of an editable install leaves an older one.
_KEPT = 4


def _pack(compiled: dict) -> bytes:
    """The pack's bytes for {module: (source path, is a package, marshalled code)}."""
    parts, index, offset = [], {}, _HEADER
    for name, (path, is_package, code) in compiled.items():
        parts.append(code)
        index[name] = (path, is_package, offset, offset + len(code))
        offset += len(code)
    return offset.to_bytes(_HEADER, "little") + b"".join(parts) + marshal.dumps(index)


def _compiled_modules():
    """(module name, (source path, is a package, marshalled code)) for each module of protolint and
    its rules whose .pyc is current (an installed copy keeps the rules inside protolint/, and they
    are found twice under the same names)."""
    from .cache import rules_folders

    roots = [(_PACKAGE, os.path.dirname(os.path.abspath(__file__)))]
    roots += [(f"{_PACKAGE}.rules", os.path.abspath(folder)) for folder in rules_folders()]
    for prefix, root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            relative = os.path.relpath(folder, root)
            package = prefix if relative == "." else f"{prefix}.{relative.replace(os.sep, '.')}"
            for file_name in sorted(files):
                if not file_name.endswith(".py"):
                    continue
                path = os.path.join(folder, file_name)
                is_package = file_name == "__init__.py"
                name = package if is_package else f"{package}.{file_name[:-3]}"
                code = _current_pyc_code(path)
                if code is not None:
                    yield name, (path, is_package, code)


def _current_pyc_code(path: str) -> bytes | None:
    """The marshalled code in `path`'s .pyc when it is timestamp-checked and matches the source's
    size and modification time (what Python itself checks before using it); else None."""
    from importlib.util import MAGIC_NUMBER, cache_from_source

    try:
        source = os.stat(path)
        with open(cache_from_source(path), "rb") as handle:
            data = handle.read()
    except (OSError, NotImplementedError, ValueError):
        return None
    if len(data) < 16 or data[:4] != MAGIC_NUMBER or int.from_bytes(data[4:8], "little") != 0:
        return None  # another Python's, or a hash-checked .pyc
    mtime, size = int.from_bytes(data[8:12], "little"), int.from_bytes(data[12:16], "little")
    if mtime != int(source.st_mtime) & 0xFFFFFFFF or size != source.st_size & 0xFFFFFFFF:
        return None
    return data[16:]
