"""Regular expressions compiled once per Python build, not once per run.

`re.compile` runs the `re` module's parser and compiler, which are written in Python: protolint's
patterns took about 2 ms of a 60 ms run on a small file (the fast path's one alone 0.6 ms). What a
pattern compiles to (the program the C matcher runs, with its group names) depends only on the
pattern, its flags and the Python build, so the programs are kept in the cache, one entry per
build, and handed straight to the C matcher next time. The matcher only checks that a program is
well formed, so the entry carries a digest of itself: a damaged one is not read. Anything
unexpected (a Python whose `re` is built otherwise, a program refused, a damaged entry) compiles
the usual way. The pattern object is the same either way: tests/test_patterns.py.
"""

from __future__ import annotations

import marshal
import re
import sys

NAME = "regex"  # the cache entry: regex-<digest of the Python build>, holding a digest then the programs
_CHECK = 32  # (the digest's length: cache.digest's hex)
_UNCACHED_FLAGS = re.DEBUG | re.LOCALE  # (DEBUG prints while compiling; LOCALE depends on the locale)

_stored: dict | None = None  # (pattern, flags) -> program, from the cache (None: not read yet)
_new: dict = {}  # programs compiled by this process that the cache lacks


def compile(pattern: str | bytes, flags: int = 0) -> re.Pattern:  # noqa: A001 - re.compile's twin
    """re.compile(pattern, flags), its program taken from the cache when there."""
    flags = int(flags)
    if flags & _UNCACHED_FLAGS:
        return re.compile(pattern, flags)
    key = (pattern, flags)
    program = _programs().get(key)
    if program is not None:
        try:
            return _matcher(pattern, program)
        except Exception:  # (a damaged entry: compiled anew below, and stored again)
            pass
    try:
        program = _program(pattern, flags)
        compiled = _matcher(pattern, program)
    except re.error:
        raise
    except Exception:  # (a Python whose `re` is built otherwise: its own way, uncached)
        return re.compile(pattern, flags)
    _new[key] = program
    return compiled


def save() -> None:
    """Add this process's new programs to the cache entry (merged with what is there)."""
    global _new
    if not _new:
        return
    from . import cache

    merged = dict(_read())
    merged.update(_new)
    _new = {}
    data = marshal.dumps(merged)
    cache.write(NAME, _key(), cache.digest(data).encode() + data)


def _programs() -> dict:
    global _stored
    if _stored is None:
        _stored = _read()
    return _stored


def _read() -> dict:
    from . import cache

    entry = cache.read(NAME, _key())
    # (checked whole: a program the matcher accepts is not always the one that was stored)
    if entry is None or entry[:_CHECK] != cache.digest(entry[_CHECK:]).encode():
        return {}
    try:
        stored = marshal.loads(entry[_CHECK:])
    except (EOFError, ValueError, TypeError):
        return {}
    return stored if isinstance(stored, dict) else {}


def _key() -> str:
    from . import cache

    return cache.digest(sys.version, sys.implementation.cache_tag or "", str(sys.hexversion))


def _program(pattern, flags: int) -> tuple:
    """What re._compiler.compile hands to the C matcher: (flags, code, groups, group index, index group)."""
    from re import _compiler, _parser

    parsed = _parser.parse(pattern, flags)
    code = [int(op) for op in _compiler._code(parsed, flags)]  # (ints: the opcodes are an int subclass)
    group_index = dict(parsed.state.groupdict)
    index_group = [None] * parsed.state.groups
    for name, number in group_index.items():
        index_group[number] = name
    return int(flags | parsed.state.flags), code, parsed.state.groups - 1, group_index, tuple(index_group)


def _matcher(pattern, program: tuple) -> re.Pattern:
    import _sre

    flags, code, groups, group_index, index_group = program
    return _sre.compile(pattern, flags, code, groups, group_index, index_group)
