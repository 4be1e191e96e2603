"""Helpers for the rule tests a fixture cannot express (fixes, several lint calls, rule metadata,
the reference corpus): lint a snippet with every built-in rule, pick a rule's findings, apply a
fix, lint files together as the command line does, find the reference corpus.

Import it as `from tests.rules.kit import ...` (a plain `rules.kit` would be the rules package).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path


from protolint.api import lint_bytes
from protolint.linter import LintOptions
from protolint.project import Input, lint_inputs
from protolint.registry import Registry
from protolint.rules.builtin import BUILTIN_RULES
from tests.corpus_location import corpus_root, need_corpus
from protolint.schema.loader import builtin_schema

REGISTRY = Registry(list(BUILTIN_RULES))
REPOSITORY = Path(__file__).resolve().parents[2]

# Models known to train: the rules must not call them broken.
REFERENCE = ("BVLC__caffe/models", "KaimingHe__deep-residual-networks", "forresti__SqueezeNet", "shicai__MobileNet-Caffe")


def options(**kwargs) -> LintOptions:
    return LintOptions(schema=builtin_schema(), registry=REGISTRY, **kwargs)


def lint(text: str, path: str = "net.prototxt", **kwargs):
    """Every finding for `text` read as the file `path` (nothing is read from disk for it)."""
    return lint_bytes(path, text.encode(), options(**kwargs)).diagnostics


def hits(text: str, rule: str, **kwargs):
    return [d for d in lint(text, **kwargs) if d.rule == rule]


def one(text: str, rule: str, **kwargs):
    found = hits(text, rule, **kwargs)
    assert len(found) == 1, [(d.rule, d.line, d.message) for d in lint(text, **kwargs)]
    return found[0]


def apply(text: str, fix) -> str:
    """`text` with the fix's edits made."""
    for edit in sorted(fix.edits, key=lambda e: e.start, reverse=True):
        text = text[: edit.start] + edit.new_text + text[edit.end:]
    return text


def lint_paths(paths, **kwargs) -> dict[str, object]:
    """Files on disk linted together, as `protolint FILE...` does: {path: FileResult}."""
    inputs = [Input(str(p), Path(p).read_bytes(), str(p)) for p in paths]
    return {r.path: r for r in lint_inputs(inputs, lambda _: options(**kwargs))}


def lint_files(folder: Path, files: dict[str, str], **kwargs) -> dict[str, list]:
    """Write `files` (name -> text) into `folder` and lint them together: {file name: findings}."""
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    results = lint_paths([folder / name for name in files], **kwargs)
    return {Path(path).relative_to(folder).as_posix(): r.diagnostics for path, r in results.items()}


def corpus() -> Path | None:
    """The corpus of real prototxt files: $PROTOLINT_CORPUS, else ../shared/corpus beside the repository."""
    return corpus_root()


def reference_paths(pattern: str = "*.prototxt") -> list[Path]:
    """The reference models' files; skips the test when the corpus is not available (fails it
    under PROTOLINT_REQUIRE_CORPUS=1)."""
    root = need_corpus(REFERENCE[0])
    return sorted(p for sub in REFERENCE if (root / sub).is_dir() for p in (root / sub).rglob(pattern))


@lru_cache(maxsize=1)
def _reference_results(paths: tuple[Path, ...]):
    return lint_inputs([Input(str(p), p.read_bytes(), str(p)) for p in paths], lambda _: options())


def reference_findings(names: set[str], severities=("error", "warning")) -> list[str]:
    """What the given rules report on the reference models at these severities (linted once per run)."""
    paths = reference_paths()
    assert len(paths) >= 20, paths
    return [f"{r.path}:{d.line} {d.rule}: {d.message}" for r in _reference_results(tuple(paths)) for d in r.diagnostics
            if d.rule in names and d.severity in severities]


def codes(first: str, last: str) -> set[str]:
    """The names of the built-in rules with codes first..last (one letter, the same for both)."""
    return {r.name for r in BUILTIN_RULES if r.code[0] == first[0] and first <= r.code <= last}
