"""Reading input files: only regular files, only up to a size.

A FIFO named `net.prototxt` would block a read forever and `/dev/zero` would fill memory, so a
path protolint reads (a linted file, a solver's net file, a `--proto` schema) must be a regular file
(symlinks to one are fine) of at most MAX_BYTES; anything else is an OSError with a plain reason,
which the callers report as "cannot read". The file is opened without blocking and checked on the
open descriptor, so a path that changes under us cannot slip a FIFO in between.
"""

from __future__ import annotations

import errno
import os
import stat

MAX_BYTES = 16 * 1024 * 1024  # the largest real prototxt files are a few MB (see README, Speed: memory)
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def too_large(size: int | None = None, limit: int = MAX_BYTES) -> OSError:
    shown = f"{size / 1e6:.1f} MB; " if size is not None else ""
    return OSError(errno.EFBIG, f"too large ({shown}protolint reads files up to {limit // (1024 * 1024)} MiB)")


def kind_of(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def read_regular(path: str | os.PathLike, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; OSError otherwise."""
    fd = os.open(path, _OPEN_FLAGS)
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise OSError(errno.EINVAL, f"not a regular file ({kind_of(status.st_mode)})")
        if status.st_size > limit:
            raise too_large(status.st_size, limit)
        first = os.read(fd, min(status.st_size + 1, limit + 1))
        if len(first) <= status.st_size:  # (a short read of a regular file: its end, one read in all)
            return first
        chunks, total = [first], len(first)
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # (it grew while we read)
                raise too_large(None, limit)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_stream(stream, limit: int = MAX_BYTES) -> bytes:
    """At most `limit` bytes of a binary stream (stdin); OSError when there are more."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise too_large(None, limit)
    return data


def is_regular(path: str) -> bool:
    """A regular file (through symlinks); False for FIFOs, sockets, devices, missing paths."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False
