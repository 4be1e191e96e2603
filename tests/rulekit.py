"""Helpers for rule tests: lint a snippet with a registry and pick findings."""

from __future__ import annotations

from protolint.api import default_options
from protolint.api import lint_bytes
from protolint.linter import LintOptions
from protolint.schema.loader import builtin_schema


def options(registry, **kwargs) -> LintOptions:
    return default_options(schema=builtin_schema(), registry=registry, **kwargs)


def lint(text: str, registry, path: str = "net.prototxt", **kwargs):
    return lint_bytes(path, text.encode(), options(registry, **kwargs)).diagnostics


def hits(text, registry, rule, **kwargs):
    return [d for d in lint(text, registry, **kwargs) if d.rule == rule]


def one(text, registry, rule, **kwargs):
    found = hits(text, registry, rule, **kwargs)
    assert len(found) == 1, [(d.rule, d.line, d.message) for d in lint(text, registry, **kwargs)]
    return found[0]
