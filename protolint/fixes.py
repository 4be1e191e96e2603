"""Applying fixes: choosing them, applying them, checking the result, writing it back.

The one implementation behind `protolint --fix`, `--diff` and the language server's "fix all":

* chosen_fixes(): the first fix of each finding that the safety level allows;
* apply(): text edits on the decoded source. Only the edits of the fixes chosen are applied; every
  other character, line ending, tab, byte order mark and undecodable byte stays as it was
  (SourceText.encode). Fixes whose edits overlap an earlier fix wait for the next pass;
* fix_text(): passes of apply() while fixes keep coming, each result linted again and kept only if
  it is no worse than the text it came from (worse_by()): no more syntax errors, no more findings
  of a kind protobuf's parser rejects, no more errors in all. When a pass is worse, its fixes
  are tried in halves to keep the good ones; the ones that make the file worse are refused and
  returned, never applied;
* fix_inputs(): fix_text() for the files of a run, writing each changed file with write_file()
  (through symlinks, in place for hard links, keeping the mode) or only returning the texts (--diff).
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from .diagnostics import Diagnostic, Fix

MAX_PASSES = 5
# Lints of candidate texts per file when a pass has to be split to find the fixes that make it worse.
MAX_TRIALS = 48
# Findings protobuf's text parser rejects the file for.
PARSE_REJECTS = frozenset({"syntax-error", "unknown-field", "invalid-value", "duplicate-field"})


def chosen_fixes(diagnostics: list[Diagnostic], unsafe: bool) -> list[Fix]:
    """The first fix of each diagnostic that the safety level allows."""
    found = []
    for diagnostic in diagnostics:
        for fix in diagnostic.fixes:
            if fix.safe or unsafe:
                found.append(fix)
                break
    return found


def apply(text: str, fixes: list[Fix]) -> tuple[str, int]:
    """The text with the fixes applied (non-overlapping ones, in order), and how many were applied."""
    new_text, applied = apply_fixes(text, fixes)
    return new_text, len(applied)


def apply_fixes(text: str, fixes: list[Fix]) -> tuple[str, list[Fix]]:
    """The text with the fixes applied (non-overlapping ones, in order), and the fixes applied."""
    taken: list[tuple[int, int]] = []
    edits = []
    applied = []
    for fix in sorted(fixes, key=lambda f: min(e.start for e in f.edits) if f.edits else 0):
        spans = [(e.start, e.end) for e in fix.edits]
        if not spans or any(_overlaps(span, other) for span in spans for other in taken):
            continue
        taken += spans
        edits += fix.edits
        applied.append(fix)
    pieces = []
    position = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        pieces.append(text[position : edit.start])
        pieces.append(edit.new_text)
        position = edit.end
    pieces.append(text[position:])
    return "".join(pieces), applied


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    # Two insertions at the same point also conflict: their order would be a guess.
    return a[0] < b[1] and b[0] < a[1] or a == b or (a[0] == a[1] == b[0]) or (b[0] == b[1] == a[0])


def worse_by(before: list[Diagnostic], after: list[Diagnostic]) -> str | None:
    """Why the findings `after` a change are worse than `before` (None: they are not).

    Worse is: more syntax errors; more findings of any one kind protobuf's parser rejects the file
    for (so a file protobuf accepts stays accepted, and a rename cannot trade an unknown field for a
    duplicate); or more errors in all (so a file without errors, one Caffe loads, stays without).
    A fix may trade one error for another (`type: "Relu"` -> `"ReLU"` reveals that the layer lacks
    its bottom): the file was refused before and still is.
    """
    def grown(keep, per_rule: bool):
        old = Counter(d.rule if per_rule else "" for d in before if keep(d))
        new = Counter(d.rule if per_rule else "" for d in after if keep(d))
        return [key for key in new if new[key] > old[key]]

    checks = (
        ("syntax errors", lambda d: d.rule == "syntax-error", True),
        ("findings protobuf's parser rejects the file for", lambda d: d.rule in PARSE_REJECTS, True),
        ("errors", lambda d: d.severity == "error", False),
    )
    for words, keep, per_rule in checks:
        keys = grown(keep, per_rule)
        if keys:
            old_spans = {(d.rule, d.message) for d in before}
            example = next((d for d in after if keep(d) and (d.rule, d.message) not in old_spans),
                           next(d for d in after if keep(d)))
            return f"more {words} ({example.rule}: {example.message})"
    return None


@dataclass
class FixPass:
    """One pass: the text it started from and the fixes applied to it (offsets into that text),
    with the rule of the finding each fix belongs to."""

    text: str
    fixes: list[Fix]
    rules: list[str] = field(default_factory=list)


@dataclass
class Refusal:
    fix: Fix
    rule: str  # the rule of the finding the fix belongs to
    reason: str


@dataclass
class FixOutcome:
    text: str  # the fixed text (the original when nothing applied)
    applied: int  # findings fixed
    passes: list[FixPass] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    diagnostics: list[Diagnostic] | None = None  # the fixed text's findings (None: nothing was applied)


def fix_text(text: str, diagnostics: list[Diagnostic], relint: Callable[[str], list[Diagnostic]], unsafe: bool = False,
             max_passes: int = MAX_PASSES) -> FixOutcome:
    """Apply the fixes of `diagnostics` to `text` as `--fix` does; `relint(text)` lints a candidate
    text (the same file, the same options) and returns its findings."""
    outcome = FixOutcome(text, 0)
    refused_keys: set = set()
    trials = [0]
    for _ in range(max_passes):
        owners = {id(fix): d.rule for d in diagnostics for fix in d.fixes}
        fixes = [f for f in chosen_fixes(diagnostics, unsafe) if _key(f) not in refused_keys]
        new_text, applied = apply_fixes(text, fixes)
        if not applied:
            break
        new_diagnostics = relint(new_text)
        reason = worse_by(diagnostics, new_diagnostics)
        if reason is not None and len(applied) == 1:  # (the one fix of the pass: no need to split)
            refused_keys.add(_key(applied[0]))
            outcome.refused.append(Refusal(applied[0], owners.get(id(applied[0]), ""), reason))
            continue
        if reason is not None:
            new_text, applied, new_diagnostics, refusals = _keep_the_good(text, diagnostics, applied, relint, trials, owners)
            for refusal in refusals:
                refused_keys.add(_key(refusal.fix))
            outcome.refused += refusals
            if not applied:
                break
        outcome.passes.append(FixPass(text, applied, [owners.get(id(f), "") for f in applied]))
        refused_keys = {_shifted(key, applied) for key in refused_keys}  # where they are in the new text
        text, diagnostics = new_text, new_diagnostics
        outcome.text, outcome.applied, outcome.diagnostics = text, outcome.applied + len(applied), diagnostics
    return outcome


def _keep_the_good(text, diagnostics, fixes, relint, trials, owners):
    """The largest part of a pass that is not worse, found by trying its fixes in halves; the fixes
    that make the text worse on their own are refused. At most MAX_TRIALS lints per file."""
    kept: list[Fix] = []
    current_text, current = text, diagnostics
    refusals: list[Refusal] = []
    groups = [fixes[: len(fixes) // 2], fixes[len(fixes) // 2:]] if len(fixes) > 1 else [fixes]
    while groups:
        group = groups.pop(0)
        if not group:
            continue
        if trials[0] >= MAX_TRIALS:
            refusals += [Refusal(f, owners.get(id(f), ""), "not tried: too many fixes of this file make it worse")
                         for f in group]
            continue
        trials[0] += 1
        candidate, applied = apply_fixes(text, kept + group)
        found = relint(candidate)
        reason = worse_by(diagnostics, found)
        if reason is None:
            kept += group
            current_text, current = candidate, found
        elif len(group) == 1:
            refusals.append(Refusal(group[0], owners.get(id(group[0]), ""), reason))
        else:
            groups[:0] = [group[: len(group) // 2], group[len(group) // 2:]]
    return current_text, kept, current, refusals


def _key(fix: Fix):
    return fix.title, tuple((e.start, e.end, e.new_text) for e in fix.edits)


def _shifted(key, applied: list[Fix]):
    """A fix's key with its offsets moved past the edits of `applied` (which do not overlap it)."""
    edits = [e for f in applied for e in f.edits]

    def move(offset: int) -> int:
        return offset + sum(len(e.new_text) - (e.end - e.start) for e in edits if e.end <= offset)

    title, spans = key
    return title, tuple((move(start), move(end), new_text) for start, end, new_text in spans)


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


def fix_inputs(inputs, results, options_for, unsafe: bool, on_refused: Callable[[str, Refusal], None] | None = None):
    """fix_text() for each input with a result: [(input, its result, the FixOutcome)]. Nothing is
    written; write_file() the ones that changed (`--fix`), or show them (`--diff`)."""
    from .project import lint_bytes

    by_display = {r.path: r for r in results}
    done = []
    for item in inputs:
        result = by_display.get(item.display)
        if result is None or not any(d.fixes for d in result.diagnostics):
            continue
        source = result.document.source
        options = options_for(item.path or item.display)

        def relint(new_text: str, display=item.display, source=source, options=options):
            return lint_bytes(display, source.encode(new_text), options).diagnostics

        outcome = fix_text(source.text, result.diagnostics, relint, unsafe)
        if on_refused is not None:
            for refusal in outcome.refused:
                on_refused(item.display, refusal)
        done.append((item, result, outcome))
    return done


def write_file(path: str, data: bytes) -> None:
    """Replace a file's content, keeping what makes it the same file: through a symlink (every
    level) the target is written, not the link replaced; a file with hard links is rewritten in place
    (a rename would split it from its other names); any other file gets a temporary file beside
    it renamed over it (no moment where it is half written). The permission bits are kept."""
    from .cache import atomic_write

    target = os.path.realpath(path)
    status = os.stat(target)
    if status.st_nlink > 1:
        with open(target, "r+b") as handle:
            handle.write(data)
            handle.truncate()
            handle.flush()
            os.fsync(handle.fileno())
        return
    atomic_write(target, data, mode=status.st_mode & 0o7777)
