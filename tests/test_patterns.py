"""protolint.patterns: regular expressions whose compiled programs are kept in the cache.

A pattern from the cache must be the very pattern re.compile makes: same flags, groups and group
names, and the same matches on real files. A damaged or foreign entry must only mean compiling
the usual way."""

from __future__ import annotations

import importlib
import marshal
import pkgutil
import re
import sys
from pathlib import Path

import pytest

import protolint
from protolint import patterns
from tests.corpus_location import corpus_root

SAMPLES = [
    (r"(?P<word>[a-z]+)(?:-(?P<number>\d+))?", 0),
    (r"^#\s*(?P<kind>\w+)\s*=\s*(.*?)$", re.MULTILINE),
    (rb"net(?![A-Za-z0-9_])", 0),
    (r"a.b", re.DOTALL | re.IGNORECASE),
]


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """An empty cache folder, and no program read or compiled yet by this process."""
    monkeypatch.setenv("PROTOLINT_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(patterns, "_stored", None)
    monkeypatch.setattr(patterns, "_new", {})
    return tmp_path


def same(ours: re.Pattern, theirs: re.Pattern) -> None:
    assert (ours.pattern, ours.flags, ours.groups, dict(ours.groupindex)) == \
           (theirs.pattern, theirs.flags, theirs.groups, dict(theirs.groupindex))


def protolint_patterns() -> list[re.Pattern]:
    """Every pattern a module of protolint or of its rules keeps at module level."""
    found = {}
    for package in (protolint, importlib.import_module("protolint.rules")):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if ".server" in info.name:
                continue
            module = importlib.import_module(info.name)
            for value in vars(module).values():
                if isinstance(value, re.Pattern):
                    found[value.pattern, value.flags] = value
    return list(found.values())


def test_a_program_from_the_cache_is_the_pattern_re_compiles(fresh):
    first = [patterns.compile(pattern, flags) for pattern, flags in SAMPLES]
    assert len(patterns._new) == len(SAMPLES)
    patterns.save()
    assert len(list(fresh.glob("regex-*"))) == 1
    patterns._stored, patterns._new = None, {}
    again = [patterns.compile(pattern, flags) for pattern, flags in SAMPLES]
    assert patterns._new == {}  # (all from the cache)
    for (pattern, flags), ours, stored in zip(SAMPLES, first, again):
        theirs = re.compile(pattern, flags)
        same(ours, theirs)
        same(stored, theirs)
    text = "alpha-12 beta\n# kind = value\nA\nB aXb net network subnet"
    for stored, (pattern, flags) in zip(again, SAMPLES):
        subject = text.encode() if isinstance(pattern, bytes) else text
        theirs = re.compile(pattern, flags)
        assert [(m.span(), m.groups()) for m in stored.finditer(subject)] == \
               [(m.span(), m.groups()) for m in theirs.finditer(subject)]


def test_protolints_own_patterns_match_as_re_compiles_them(fresh):
    """Every module-level pattern of protolint and its rules, through the cache and back, against
    re.compile's, on the text of real files."""
    own = protolint_patterns()
    assert len(own) >= 15
    for pattern in own:
        patterns.compile(pattern.pattern, pattern.flags)
    patterns.save()
    patterns._stored, patterns._new = None, {}
    root = corpus_root()
    texts = [path.read_bytes() for path in sorted(root.rglob("*.prototxt"))[:40]] if root else []
    texts += [path.read_bytes() for path in sorted(Path(protolint.__file__).parent.rglob("*.py"))[:40]]
    for pattern in own:
        stored = patterns.compile(pattern.pattern, pattern.flags)
        theirs = re.compile(pattern.pattern, pattern.flags)
        same(stored, theirs)
        for data in texts:
            subject = data if isinstance(pattern.pattern, bytes) else data.decode("utf-8", "replace")
            assert [(m.span(), m.groups()) for m in stored.finditer(subject)] == \
                   [(m.span(), m.groups()) for m in theirs.finditer(subject)], pattern.pattern
    assert patterns._new == {}


def test_a_damaged_entry_is_not_read(fresh):
    """The C matcher accepts many programs that are well formed and wrong (here a byte changed
    inside one): the entry's digest keeps them out."""
    pattern = r"(?P<a>x+)y"
    patterns.compile(pattern)
    patterns.save()
    entry = next(fresh.glob("regex-*"))
    data = bytearray(entry.read_bytes())
    for offset in range(0, len(data), 7):
        damaged = bytearray(data)
        damaged[offset] ^= 0x01
        entry.write_bytes(bytes(damaged))
        patterns._stored, patterns._new = None, {}
        compiled = patterns.compile(pattern)
        same(compiled, re.compile(pattern))
        assert compiled.match("xxy").group("a") == "xx" and not compiled.match("y")
        assert (pattern, 0) in patterns._new  # (compiled anew: stored right by the next save)
    entry.write_bytes(b"")
    patterns._stored, patterns._new = None, {}
    assert patterns.compile(pattern).match("xy")


def test_the_entry_belongs_to_one_python_build(fresh, monkeypatch):
    key = patterns._key()
    monkeypatch.setattr(sys, "version", sys.version + " (another build)")
    assert patterns._key() != key


def test_what_is_not_cached(fresh):
    with pytest.raises(re.error):
        patterns.compile(r"(unclosed")
    compiled = patterns.compile(rb"\w+", re.LOCALE)  # (depends on the locale when matching)
    same(compiled, re.compile(rb"\w+", re.LOCALE))
    assert patterns._new == {}


def test_a_run_writes_the_entry_once(tmp_path):
    """The first command-line run stores its programs; the next one, needing no new program,
    leaves the entry alone."""
    import os
    import subprocess

    env = {**os.environ, "PROTOLINT_CACHE_DIR": str(tmp_path)}
    net = tmp_path / "net.prototxt"
    net.write_text('name: "n"\nlayer { name: "d" type: "Input" top: "d" input_param { shape { dim: 1 dim: 2 } } }\n')
    for _ in range(2):
        done = subprocess.run([sys.executable, "-m", "protolint", "--no-cache", str(net)], env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    entries = list(tmp_path.glob("regex-*"))
    assert len(entries) == 1
    before = entries[0].stat().st_mtime_ns
    subprocess.run([sys.executable, "-m", "protolint", "--no-cache", str(net)], env=env, capture_output=True, timeout=120)
    assert entries[0].stat().st_mtime_ns == before
    assert len(marshal.loads(entries[0].read_bytes()[patterns._CHECK:])) >= 5
