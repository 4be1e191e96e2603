"""protolint as a library, and the composition root: the one place that puts the built-in rules,
the installed plugins and the built-in schema together.

    from protolint.api import lint_text
    result = lint_text(open("net.prototxt").read(), path="net.prototxt")
    for d in result.diagnostics: print(d.line, d.column, d.severity, d.message)

The CLI and the language server build their options here; the linter, the registry and the
rules know nothing of each other's modules.
"""

from __future__ import annotations

from functools import lru_cache

from .linter import FileResult, LintOptions
from .project import lint_bytes
from .registry import Registry, plugin_rules

__all__ = ["default_options", "default_registry", "lint_bytes", "lint_text"]


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    """The built-in rules in code order, then the rules of installed plugins."""
    from .rules.builtin import BUILTIN_RULES

    registry = Registry(BUILTIN_RULES)
    plugins = plugin_rules()
    for rule in plugins:
        registry.add(rule)
    if not plugins:  # the rule list for the command line's next run (see registry.summary_registry)
        from . import cache
        from .registry import MANIFEST, manifest

        listed = manifest(registry)
        if cache.read(MANIFEST, cache.code_fingerprint()) != listed:
            cache.write(MANIFEST, cache.code_fingerprint(), listed)
    return registry


def default_options(**settings) -> LintOptions:
    """LintOptions with the built-in schema and every registered rule, unless given."""
    if "schema" not in settings or settings["schema"] is None:
        from .schema.loader import builtin_schema

        settings["schema"] = builtin_schema()
    settings.setdefault("registry", default_registry())
    return LintOptions(**settings)


def lint_text(text: str | bytes, path: str = "net.prototxt", **settings) -> FileResult:
    """Lint one file's text on its own; `settings` are LintOptions fields."""
    data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogateescape")
    return lint_bytes(path, data, default_options(**settings))
