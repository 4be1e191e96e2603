"""The schema caches: loaded schemas kept in the process and pickled on disk, and when they are not used."""

from __future__ import annotations

import os
import pickle

import pytest
from schema.kit import write

from protolint.cache import cache_dir
from protolint.schema import loader, proto_parser
from protolint.schema.loader import load_schema

pytestmark = pytest.mark.usefixtures("isolated_cache")


# ---------------------------------------------------------------------------------------------
# Caching
# ---------------------------------------------------------------------------------------------


def test_memory_cache_returns_the_same_schema_until_the_file_changes(tmp_path):
    path = write(tmp_path, "m.proto", 'syntax = "proto2"; message M { optional int32 a = 1; }')
    first = load_schema(path)
    assert load_schema(str(path)) is first
    path.write_text('syntax = "proto2"; message M { optional int32 a = 1; optional int32 b = 2; }')
    os.utime(path, ns=(1, 1))  # a different mtime even on coarse clocks
    assert list(load_schema(path).message("M").fields) == ["a", "b"]


def test_disk_cache_is_used_without_parsing(tmp_path, isolated_cache, monkeypatch):
    path = write(tmp_path, "m.proto", 'syntax = "proto2"; message M { optional int32 a = 1 [default = 3]; }')
    load_schema(path)
    assert len(list(isolated_cache.glob("schema-*.pickle"))) == 1
    loader.clear_memory_cache()

    def no_parsing():
        raise AssertionError("the disk cache should have made parsing unnecessary")

    monkeypatch.setattr(proto_parser, "get_parser", no_parsing)
    schema = load_schema(path)
    assert schema.message("M").fields["a"].default == 3
    assert schema.message("M").fields["a"].containing is schema.message("M")
    # The same bytes elsewhere share the entry, but report their own path.
    copy = write(tmp_path / "other", "copy.proto", path.read_text())
    assert load_schema(copy).path == str(copy)


def test_bad_pickle_in_the_cache_is_ignored(tmp_path, isolated_cache):
    path = write(tmp_path, "m.proto", 'syntax = "proto2"; message M {}')
    load_schema(path)
    (entry,) = isolated_cache.glob("schema-*.pickle")
    entry.write_bytes(b"not a pickle")
    loader.clear_memory_cache()
    assert load_schema(path).has_message("M")
    entry.write_bytes(pickle.dumps({"schema": "wrong type"}))
    loader.clear_memory_cache()
    assert load_schema(path).has_message("M")


def test_unwritable_cache_dir_means_no_cache(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("PROTOLINT_CACHE_DIR", str(blocker / "cache"))  # cannot be created under a file
    path = write(tmp_path, "m.proto", 'syntax = "proto2"; message M {}')
    assert load_schema(path).has_message("M")


def test_cache_dir_follows_xdg_then_home(tmp_path, monkeypatch):
    monkeypatch.delenv("PROTOLINT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "protolint"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "protolint"


def test_cached_load_in_a_fresh_process_imports_neither_lark_nor_protobuf(tmp_path, isolated_cache):
    import subprocess
    import sys

    path = write(tmp_path, "m.proto", 'syntax = "proto2"; message M { optional int32 a = 1 [default = 3]; }')
    load_schema(path)  # fills the disk cache
    script = (
        "import sys; from protolint.schema.loader import load_schema; "
        f"s = load_schema({str(path)!r}); assert s.message('M').fields['a'].default == 3; "
        "print(sorted(m for m in ('lark', 'google.protobuf') if m in sys.modules))"
    )
    env = {**os.environ, "PROTOLINT_CACHE_DIR": str(isolated_cache)}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == "[]"


def test_changed_import_invalidates_the_disk_cache(tmp_path):
    dep = write(tmp_path, "dep.proto", 'syntax = "proto2"; message D { optional int32 a = 1; }')
    main = write(tmp_path, "main.proto", 'syntax = "proto2"; import "dep.proto"; message M { optional D d = 1; }')
    assert list(load_schema(main).message("M").fields["d"].message.fields) == ["a"]
    dep.write_text('syntax = "proto2"; message D { optional int32 a = 1; optional int32 b = 2; }')
    loader.clear_memory_cache()
    assert list(load_schema(main).message("M").fields["d"].message.fields) == ["a", "b"]
