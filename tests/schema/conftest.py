"""Fixtures of the schema tests."""

from __future__ import annotations

import pytest

from protolint.schema import loader


@pytest.fixture
def isolated_cache(tmp_path, monkeypatch):
    """Each test gets its own disk cache and an empty in-process cache.

    The loader's test modules use it for every test (`pytestmark`); the checker's do not, so that
    they share the built-in schema instead of parsing caffe.proto again for each test."""
    cache = tmp_path / "schema-cache"
    monkeypatch.setenv("PROTOLINT_CACHE_DIR", str(cache))
    loader.clear_memory_cache()
    yield cache
    loader.clear_memory_cache()
