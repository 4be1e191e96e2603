"""Shared fixtures: the built-in BVLC schema (parsed once per session) and a one-call linter."""

from __future__ import annotations

import pytest

from protolint.api import default_options
from protolint.api import lint_bytes
from protolint.schema.loader import builtin_schema


@pytest.fixture(scope="session")
def caffe_schema():
    return builtin_schema()


@pytest.fixture(scope="session")
def lint_text(caffe_schema):
    """lint_text(text_or_bytes, path=..., schema=..., **LintOptions fields) -> FileResult."""

    def run(text, path: str = "net.prototxt", schema=None, **options):
        data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogateescape")
        return lint_bytes(path, data, default_options(schema=schema or caffe_schema, **options))

    return run
