"""Where the corpus of real prototxt files is, and what a test that needs it does without it.

The corpus is the folder $PROTOLINT_CORPUS names, else ../shared/corpus beside the repository.
A test that needs it calls need_corpus(): without the corpus (or without the part it reads) the
test is skipped with the reason, so the README's test command passes in a fresh clone. CI sets
PROTOLINT_REQUIRE_CORPUS=1, which turns every such skip into a failure: a missing corpus can never
make CI green by skipping.

Import it as `from tests.corpus_location import ...`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent
SETTING = os.environ.get("PROTOLINT_CORPUS")
REQUIRED = os.environ.get("PROTOLINT_REQUIRE_CORPUS", "").strip() not in ("", "0")


def corpus_root() -> Path | None:
    """The corpus folder, or None when it is not there (or holds no .prototxt files)."""
    root = Path(SETTING) if SETTING else REPOSITORY.parent / "shared" / "corpus"
    if root.name == "BVLC__caffe":  # the variable may name Caffe's own folder inside the corpus
        root = root.parent
    if not root.is_dir() or next(root.rglob("*.prototxt"), None) is None:
        return None
    return root


def missing_reason(part: str | None = None) -> str:
    where = f"PROTOLINT_CORPUS={SETTING!r}" if SETTING else f"{REPOSITORY.parent / 'shared' / 'corpus'} (PROTOLINT_CORPUS unset)"
    what = f"the corpus part {part!r}" if part else "the corpus of real prototxt files"
    return f"{what} is not available at {where}"


def need_corpus(*parts: str) -> Path:
    """The corpus root, with every one of `parts` (paths inside it) present; else skip the test
    (fail it under PROTOLINT_REQUIRE_CORPUS=1)."""
    root = corpus_root()
    missing = None if root is not None else missing_reason()
    for part in parts:
        if missing is None and not (root / part).exists():
            missing = missing_reason(part)
    if missing is not None:
        if REQUIRED:
            pytest.fail(f"{missing}, and PROTOLINT_REQUIRE_CORPUS is set", pytrace=False)
        pytest.skip(missing)
    return root


def corpus_files() -> list[Path]:
    """Every .prototxt file of the corpus, sorted; [] without the corpus."""
    root = corpus_root()
    return sorted(root.rglob("*.prototxt")) if root is not None else []


def corpus_params() -> list:
    """pytest parameters for a test over every corpus file: one id per file (its path in the
    corpus); without the corpus a single parameter that skips (fails when required) with the reason."""
    root = corpus_root()
    if root is None:
        mark = pytest.mark.skip(reason=missing_reason()) if not REQUIRED else ()
        return [pytest.param(None, id="no-corpus", marks=mark)]
    return [pytest.param(path, id=path.relative_to(root).as_posix()) for path in corpus_files()]


def corpus_file(path: Path | None) -> Path:
    """A parameter of corpus_params(); the test fails here when the corpus is required but missing."""
    if path is None:
        need_corpus()
    return path
