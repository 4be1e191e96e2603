"""Applying fixes: text edits on the decoded source, written back byte for byte.

Only the edits of the fixes chosen are applied; every other character, line ending, tab,
byte order mark and undecodable byte stays as it was (SourceText.encode). Fixes whose edits
overlap an earlier fix are left for the next run. The caller re-lints the result and refuses
to write a file that would no longer parse.
"""

from __future__ import annotations

from .diagnostics import Diagnostic, Fix


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
    taken: list[tuple[int, int]] = []
    edits = []
    applied = 0
    for fix in sorted(fixes, key=lambda f: min(e.start for e in f.edits) if f.edits else 0):
        spans = [(e.start, e.end) for e in fix.edits]
        if not spans or any(_overlaps(span, other) for span in spans for other in taken):
            continue
        taken += spans
        edits += fix.edits
        applied += 1
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
