"""A small on-disk cache for derived artefacts (parse tables, compiled schemas, lint results).

Each entry is keyed by a digest of everything it was derived from, so a stale entry is
never used; any problem with the cache (read-only home, corrupt file) just means no cache.
Entries keyed by content that go unused for a month are removed (prune_unused).
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
    environ = os.environ
    return _cache_folder(environ.get("PROTOLINT_CACHE_DIR"), environ.get("XDG_CACHE_HOME"), environ.get("HOME"))


@lru_cache(maxsize=8)
def _cache_folder(explicit: str | None, xdg: str | None, home: str | None) -> str:
    """(worked out once per environment: a run over a folder asks for every file)"""
    if explicit:
        return explicit
    base = xdg or os.path.join(os.path.expanduser("~"), ".cache")
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
        data = handle.read()
        _mark_used(handle.fileno(), path)
    return data


# Entries keyed by content (results, what a solver names, a configuration's parse) pile up: every
# edit of a file makes one. Those not used for a month are removed, once a day at most: a hit
# sets an entry's time to now (when it is a day old: most runs write nothing), and prune_unused,
# which a run that may have written some calls, looks at the times.
_DAY = 24 * 60 * 60
UNUSED_DAYS = 30
_PRUNED = ("net-files-", "config-")  # the top folder's entries it looks at (and all of results/)
_STAMP = "pruned"  # its time: when prune_unused last looked


def _mark_used(fd: int, path: str) -> None:
    try:
        if os.fstat(fd).st_mtime < _now() - _DAY:
            os.utime(path)
    except OSError:
        pass


def _now() -> float:
    import time

    return time.time()


def prune_unused() -> None:
    """Remove the results, the net file lists and the configuration parses no run used for
    UNUSED_DAYS days (and temporary files a killed run left a day ago); at most once a day, and
    never an error."""
    try:
        folder = cache_folder()
        results = os.path.join(folder, RESULTS)
        stamp = os.path.join(folder, _STAMP)
        now = _now()
        try:
            if os.stat(stamp).st_mtime > now - _DAY:
                return
        except FileNotFoundError:
            if not os.path.isdir(results):
                return
        with open(stamp, "ab"):  # (first: a run at the same time looks no further)
            pass
        os.utime(stamp)
        for top, prefixes in ((results, None), (folder, _PRUNED)):
            with os.scandir(top) as entries:
                for entry in entries:
                    name = entry.name
                    if name.startswith("."):
                        limit = now - _DAY if name.startswith(".protolint-") and name.endswith(".tmp") else None
                    elif prefixes is None or name.startswith(prefixes):
                        limit = now - UNUSED_DAYS * _DAY
                    else:
                        limit = None
                    if limit is not None and entry.is_file(follow_symlinks=False) \
                            and entry.stat(follow_symlinks=False).st_mtime < limit:
                        try:
                            os.unlink(entry.path)
                        except FileNotFoundError:  # (another run took it)
                            pass
    except (OSError, RuntimeError):
        pass


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


def prune(prefix: str, keep: int) -> None:
    """Remove all but the `keep` newest cache entries whose names start with `prefix` (entries keyed
    by the code's fingerprint: each edit of an editable install makes one)."""
    try:
        folder = cache_folder()
        entries = [os.path.join(folder, name) for name in os.listdir(folder) if name.startswith(prefix)]
        entries.sort(key=os.path.getmtime, reverse=True)
        for old in entries[keep:]:
            os.unlink(old)
    except (OSError, RuntimeError):
        pass


def atomic_write(path: str | os.PathLike, data: bytes, mode: int | None = None) -> None:
    """Replace a file's content with no moment where it is half written: write a temporary file
    beside it, then rename it over the original. `mode`: the permission bits to give it."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = _temporary_file(folder)
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


def _temporary_file(folder: str) -> tuple[int, str]:
    """A new file only this process can have made (O_EXCL, mode 0600), as tempfile.mkstemp makes
    one; made here because importing tempfile costs a run that writes its result 3 ms."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    for _attempt in range(100):
        path = os.path.join(folder, f".protolint-{os.getpid()}-{os.urandom(6).hex()}.tmp")
        try:
            return os.open(path, flags, 0o600), path
        except FileExistsError:
            continue
    raise FileExistsError(f"no unused temporary file name in {folder}")


# Lint results (protolint.batch): one entry per group of files linted together, keyed by everything
# the results depend on, in a folder of their own so that it can be cleared alone.
RESULTS = "results"


def unpickle(data: bytes):
    """pickle.loads, from the C module itself: the `pickle` module around it (the pure-Python
    pickler, for writing) is a millisecond of start-up that reading does not need."""
    try:
        from _pickle import loads
    except ImportError:  # pragma: no cover - a Python without the accelerator
        from pickle import loads
    return loads(data)


def read_results(key: str):
    """The cached results of a group of files (what protolint.batch stored), or None."""
    try:
        return unpickle(_read_bytes(os.path.join(cache_folder(), RESULTS, key)))
    except Exception:  # missing, truncated, written by another version: a miss, never an error
        return None


def write_results(key: str, results) -> None:
    try:  # (the C pickler itself, as unpickle: the `pickle` module is a millisecond of start-up)
        from _pickle import PicklingError, dumps
    except ImportError:  # pragma: no cover - a Python without the accelerator
        from pickle import PicklingError, dumps
    try:
        directory = os.path.join(cache_folder(), RESULTS)
        os.makedirs(directory, exist_ok=True)
        atomic_write(os.path.join(directory, key), dumps(results, protocol=-1))  # (-1: the highest)
    except (OSError, RuntimeError, PicklingError, RecursionError):
        pass


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """protolint's version, Python's, and the size and modification time of every file of protolint
    and its rules (a few hundred stat calls, about 1 ms): results, the rule list and the code pack
    cached by an edited checkout (an editable install) are never taken for those of its new code.
    Plugins are the caller's business (protolint.batch)."""
    from . import __version__

    parts = [__version__, sys.version]
    roots = {os.path.dirname(os.path.abspath(__file__))}
    roots.update(os.path.abspath(folder) for folder in rules_folders())
    stamps: list[str] = []
    for root in roots:
        if not any(root.startswith(other + os.sep) for other in roots):  # (an installed copy keeps rules/ inside)
            _stamp_tree(root, stamps)
    parts += sorted(stamps)
    return digest(*parts)


def rules_folders() -> list[str]:
    """Where the rules' package is, found as the import system would find it, without importing
    it (an editable install keeps rules/ apart from protolint/) nor importlib.util."""
    import protolint

    for finder in sys.meta_path:
        find_spec = getattr(finder, "find_spec", None)
        spec = find_spec("protolint.rules", protolint.__path__) if find_spec else None
        if spec is not None:
            return list(spec.submodule_search_locations or ())
    return []


def _stamp_tree(folder: str, parts: list) -> None:
    """The stamps of the source files under `folder` (os.scandir: one stat each; the caller sorts)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if name.endswith((".py", ".proto", ".lark")):
            parts.append(entry_stamp(entry))
        elif entry.is_dir(follow_symlinks=False) and name != "__pycache__":
            _stamp_tree(entry.path, parts)


def entry_stamp(entry: os.DirEntry) -> str:
    """file_stamp() of a directory entry."""
    try:
        st = entry.stat()
    except OSError:
        return f"{entry.path}:missing"
    return f"{entry.path}:{st.st_size}:{st.st_mtime_ns}"


def file_stamp(path: str) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return f"{path}:missing"
    return f"{path}:{st.st_size}:{st.st_mtime_ns}"
