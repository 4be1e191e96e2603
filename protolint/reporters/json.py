"""JSON output, version 1: {"version": 1, "diagnostics": [...]} with 1-based positions.

A fix's edits give `start`/`end` as offsets into the file's decoded text, counted in Unicode code
points (not bytes, and without a UTF-8 byte order mark; each byte that is not UTF-8 counts as one),
and the same places as 1-based `start_line`/`start_column`/`end_line`/`end_column` (columns in code
points, as for the diagnostic itself).
"""

from __future__ import annotations

import json


def diagnostic_dict(d, source=None) -> dict:
    return {
        "path": d.path,
        "line": d.line,
        "column": d.column,
        "end_line": d.end_line,
        "end_column": d.end_column,
        "severity": d.severity,
        "code": d.code,
        "rule": d.rule,
        "message": d.message,
        "related": [{"line": r.line, "column": r.column, "message": r.message} for r in d.related],
        "fixes": [
            {
                "title": f.title,
                "safe": f.safe,
                "edits": [_edit_dict(e, source) for e in f.edits],
            }
            for f in d.fixes
        ],
    }


def _edit_dict(edit, source) -> dict:
    out = {"start": edit.start, "end": edit.end, "new_text": edit.new_text}
    if source is not None:
        (out["start_line"], out["start_column"]), (out["end_line"], out["end_column"]) = (
            source.position(edit.start), source.position(edit.end))
    return out


def render(results) -> str:
    diagnostics = [diagnostic_dict(d, result.document.source if result.document is not None else None)
                   for result in results for d in result.diagnostics]
    # Undecodable source bytes travel as surrogates: escape them rather than fail.
    return json.dumps({"version": 1, "diagnostics": diagnostics}, indent=2, ensure_ascii=True)
