"""Did-you-mean: the one way protolint picks a suggestion for a misspelt name.

Used for field names, enum values, layer and filler types, lr policies, blob names, rule names and
settings alike, so every "did you mean" follows the same rule: a candidate that differs only in
case wins; otherwise the closest spelling, judged on the words that differ. Names that share
`_`-separated words compare by the rest: `kernal_size` is close to `kernel_size` ("kernal" vs
"kernel"), but `bn_param` is not close to `mvn_param` ("bn" vs "mvn") although most letters agree.
A name that is a candidate with whole words added (`WeightedEuclideanLoss`, `ImageFloatData`) is
another thing with its own name — a fork's layer, a custom field — not a misspelling of it.
"""

from __future__ import annotations

from functools import lru_cache

from . import patterns

CUTOFF = 0.75


def closest(word: str, candidates, cutoff: float = CUTOFF) -> str | None:
    """The candidate `word` most likely misspells, or None."""
    if not word:
        return None
    return _closest(word, tuple(candidates), cutoff)


@lru_cache(maxsize=1024)  # a file repeats its unknown names; the editor re-lints on every keystroke
def _closest(word: str, candidates: tuple[str, ...], cutoff: float) -> str | None:
    folded = word.strip().lower()
    best, best_score = None, cutoff
    from difflib import SequenceMatcher  # (only when a name is unknown: keep it off the start-up path)

    matcher = SequenceMatcher()
    word_parts = folded.split("_")
    for candidate in candidates:
        lowered = candidate.lower()
        if lowered == folded:
            return candidate
        a, b = _differing_words(word_parts, lowered.split("_"))
        matcher.set_seqs(a, b)
        # The cheap upper bounds first: most candidates are far off.
        if matcher.real_quick_ratio() < best_score or matcher.quick_ratio() < best_score:
            continue
        score = matcher.ratio()
        if (score > best_score or (score == best_score and best is None)) and not _adds_words(word, candidate):
            best, best_score = candidate, score
    return best


def _differing_words(a: list[str], b: list[str]) -> tuple[str, str]:
    """The two names without the whole words they share at the start and at the end."""
    start = 0
    while start < len(a) - 1 and start < len(b) - 1 and a[start] == b[start]:
        start += 1
    end = 0
    while end < len(a) - start - 1 and end < len(b) - start - 1 and a[-1 - end] == b[-1 - end]:
        end += 1
    return "_".join(a[start: len(a) - end]), "_".join(b[start: len(b) - end])


_WORD = patterns.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def _words(name: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(name)]


def _adds_words(word: str, candidate: str) -> bool:
    """Whether `word` is `candidate` with whole words put in (in order): "ImageFloatData" is
    "ImageData" plus "Float". The reverse, a word left out ("SoftmaxLoss"), still counts as close."""
    mine, theirs = _words(word), _words(candidate)
    if len(mine) <= len(theirs):
        return False
    rest = iter(mine)
    return all(any(w == t for w in rest) for t in theirs)
