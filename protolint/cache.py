"""A small on-disk cache for derived artefacts (parse tables, compiled schemas).

Each entry is keyed by a digest of everything it was derived from, so a stale entry is
never used; any problem with the cache (read-only home, corrupt file) just means no cache.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def cache_dir() -> Path:
    explicit = os.environ.get("PROTOLINT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "protolint"


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()[:32]


def read(name: str, key: str) -> bytes | None:
    try:
        return (cache_dir() / f"{name}-{key}").read_bytes()
    except OSError:
        return None


def write(name: str, key: str, data: bytes) -> None:
    """Store atomically (write a temporary file, then rename), so readers never see half a file."""
    import tempfile  # only when writing, which is rare: keep it off the start-up path

    directory = cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}-")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, directory / f"{name}-{key}")
    except OSError:
        pass
