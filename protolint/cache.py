"""A small on-disk cache for derived artefacts (parse tables, compiled schemas).

Each entry is keyed by a digest of everything it was derived from, so a stale entry is
never used; any problem with the cache (read-only home, corrupt file) just means no cache.
"""

from __future__ import annotations

import os
import sys
from functools import lru_cache

try:  # BLAKE2 straight from its own module: `import hashlib` loads OpenSSL first (~2.5 ms of start-up)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def content_hash(data: bytes = b""):
    """A hash object for cache keys and file digests (16 bytes: 32 hex digits)."""
    return blake2b(data, digest_size=16)


def cache_folder() -> str:
    """The cache directory, as a string (the paths a cached run reads need no pathlib)."""
    explicit = os.environ.get("PROTOLINT_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "protolint")


def cache_dir() -> Path:
    from pathlib import Path

    return Path(cache_folder())


def digest(*parts: bytes | str) -> str:
    h = content_hash()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


def _read_bytes(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def read(name: str, key: str) -> bytes | None:
    try:
        return _read_bytes(os.path.join(cache_folder(), f"{name}-{key}"))
    except (OSError, RuntimeError):  # RuntimeError: no home directory for ~/.cache
        return None


def write(name: str, key: str, data: bytes) -> None:
    """Store an entry; a cache that cannot be written is no cache, not an error."""
    try:
        directory = cache_folder()
        os.makedirs(directory, exist_ok=True)
        atomic_write(os.path.join(directory, f"{name}-{key}"), data)
    except (OSError, RuntimeError):  # RuntimeError: no home directory for ~/.cache
        pass


def atomic_write(path: str | os.PathLike, data: bytes, mode: int | None = None) -> None:
    """Replace a file's content with no moment where it is half written: write a temporary file
    beside it, then rename it over the original. `mode`: the permission bits to give it."""
    import tempfile  # only when writing, which is rare: keep it off the start-up path

    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".protolint-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# Lint results (protolint.batch): one entry per group of files linted together, keyed by everything
# the results depend on, in a folder of their own so that it can be cleared alone.
RESULTS = "results"


def read_results(key: str):
    """The cached results of a group of files (what protolint.batch stored), or None."""
    import pickle

    try:
        return pickle.loads(_read_bytes(os.path.join(cache_folder(), RESULTS, key)))
    except Exception:  # missing, truncated, written by another version: a miss, never an error
        return None


def write_results(key: str, results) -> None:
    import pickle

    try:
        directory = os.path.join(cache_folder(), RESULTS)
        os.makedirs(directory, exist_ok=True)
        atomic_write(os.path.join(directory, key), pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))
    except (OSError, RuntimeError, pickle.PicklingError, RecursionError):
        pass


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """protolint's version, Python's, and the size and modification time of every file of protolint
    and its rules (a few hundred stat calls, about 1 ms): results, the rule list and the code pack
    cached by an edited checkout (an editable install) are never taken for those of its new code.
    Plugins are the caller's business (protolint.batch)."""
    import importlib.util

    from . import __version__

    parts = [__version__, sys.version]
    roots = {os.path.dirname(os.path.abspath(__file__))}
    rules = importlib.util.find_spec("protolint.rules")  # (found, not imported: rules live apart in an editable install)
    if rules is not None and rules.submodule_search_locations:
        roots.update(os.path.abspath(folder) for folder in rules.submodule_search_locations)
    for root in sorted(roots):
        _stamp_tree(root, parts)
    return digest(*parts)


def _stamp_tree(folder: str, parts: list) -> None:
    """file_stamp() of the source files under `folder`, in a fixed order (os.scandir: one stat each)."""
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if entry.name != "__pycache__":
                _stamp_tree(entry.path, parts)
        elif entry.name.endswith((".py", ".proto", ".lark")):
            try:
                st = entry.stat()
            except OSError:
                parts.append(f"{entry.path}:missing")
                continue
            parts.append(f"{entry.path}:{st.st_size}:{st.st_mtime_ns}")


def file_stamp(path: str) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return f"{path}:missing"
    return f"{path}:{st.st_size}:{st.st_mtime_ns}"
