"""The code pack (protolint.codepack): the command line's own modules served from one cache entry.

It must serve exactly the code on disk, never stale code, and a missing or broken pack must only
mean the usual imports."""

from __future__ import annotations

import os
import py_compile
import subprocess
import sys
import time
from pathlib import Path

from protolint import cache, codepack

LENET = str(Path(__file__).parent.parent / "examples" / "lenet_clean.prototxt")
PROBE = ("import sys, atexit; from protolint.cli import entry; "
         "atexit.register(lambda: print(type(sys.modules['protolint.linter'].__spec__.loader).__name__, "
         "sys.modules['protolint.linter'].__file__, file=sys.stderr)); "
         "sys.argv = ['protolint', '--no-cache', sys.argv[1]]; entry()")


def _run(cache_dir: Path, *environment: tuple[str, str]):
    env = {**os.environ, "PROTOLINT_CACHE_DIR": str(cache_dir)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # (the pack is made of the .pyc files Python writes)
    env.update(environment)
    done = subprocess.run([sys.executable, "-c", PROBE, LENET], env=env, capture_output=True, text=True, timeout=120)
    loader, _, module_file = done.stderr.strip().splitlines()[-1].partition(" ")
    return done, loader, module_file


def test_the_second_run_is_served_from_the_pack_with_the_same_output(tmp_path):
    first, loader, module_file = _run(tmp_path)
    assert first.returncode == 0 and loader != "_Loader"
    packs = list(tmp_path.glob("code-*"))
    assert len(packs) == 1
    second, loader, served_file = _run(tmp_path)
    assert (second.returncode, second.stdout) == (0, first.stdout)
    assert loader == "_Loader" and served_file == module_file  # (__file__ is the source, as usual)


def test_a_broken_pack_is_no_pack(tmp_path):
    _run(tmp_path)
    (pack,) = tmp_path.glob("code-*")
    pack.write_bytes(b"\x00 not marshal data")
    done, loader, _file = _run(tmp_path)
    assert done.returncode == 0 and "Traceback" not in done.stderr and loader != "_Loader"


def test_a_pack_for_other_code_is_never_used_and_only_the_newest_are_kept(tmp_path):
    """Each installed copy of protolint (a project's environment, pre-commit's) keeps its own pack;
    the oldest go beyond codepack._KEPT (an editable install makes one per edit)."""
    tmp_path.mkdir(exist_ok=True)
    others = [tmp_path / f"{codepack.NAME}-{str(n) * 32}" for n in range(codepack._KEPT + 1)]
    for age, other in enumerate(others):
        other.write_bytes(b"another copy's pack")
        os.utime(other, (1_000_000 + age, 1_000_000 + age))  # others[0] is the oldest
    done, loader, _file = _run(tmp_path)
    assert done.returncode == 0 and loader != "_Loader"
    left = set(tmp_path.glob("code-*"))
    assert len(left) == codepack._KEPT and not others[0].exists() and not others[1].exists()
    assert others[-1] in left and others[-2] in left


def test_only_a_current_pyc_is_packed(tmp_path):
    source = tmp_path / "module.py"
    source.write_text("VALUE = 1\n")
    py_compile.compile(str(source), doraise=True)
    assert codepack._current_pyc_code(str(source)) is not None
    time.sleep(0.01)
    source.write_text("VALUE = 22\n")  # (another size: stale even within the same second)
    assert codepack._current_pyc_code(str(source)) is None
    py_compile.compile(str(source), doraise=True, invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
    assert codepack._current_pyc_code(str(source)) is None  # hash-checked: left to Python
    assert codepack._current_pyc_code(str(tmp_path / "missing.py")) is None


def test_the_pack_is_keyed_by_the_code_fingerprint(tmp_path, monkeypatch):
    """install() reads only the entry of the code on disk (an edit to any source file changes the
    fingerprint, tested with the result cache in test_batch): a pack of other code is never read."""
    import marshal

    monkeypatch.setenv("PROTOLINT_CACHE_DIR", str(tmp_path))
    code = marshal.dumps(compile("ANSWER = 42\n", str(tmp_path / "packed_probe.py"), "exec"))
    pack = codepack._pack({"packed_probe_module": (str(tmp_path / "packed_probe.py"), False, code)})
    (tmp_path / f"{codepack.NAME}-{'0' * 32}").write_bytes(pack)
    assert codepack.install() is False
    (tmp_path / f"{codepack.NAME}-{cache.code_fingerprint()}").write_bytes(pack)
    before = list(sys.meta_path)
    try:
        assert codepack.install() is True
        module = __import__("packed_probe_module")
        assert (module.ANSWER, module.__file__) == (42, str(tmp_path / "packed_probe.py"))
    finally:
        sys.meta_path[:] = before
        sys.modules.pop("packed_probe_module", None)


def test_a_damaged_module_in_the_pack_is_compiled_from_its_source(tmp_path, monkeypatch):
    monkeypatch.setenv("PROTOLINT_CACHE_DIR", str(tmp_path))
    source = tmp_path / "damaged_probe.py"
    source.write_text("ANSWER = 7\n")
    pack = codepack._pack({"damaged_probe_module": (str(source), False, b"\xffnot code")})
    (tmp_path / f"{codepack.NAME}-{cache.code_fingerprint()}").write_bytes(pack)
    before = list(sys.meta_path)
    try:
        assert codepack.install() is True
        assert __import__("damaged_probe_module").ANSWER == 7
    finally:
        sys.meta_path[:] = before
        sys.modules.pop("damaged_probe_module", None)
