"""JSON output, version 1: {"version": 1, "diagnostics": [...]} with 1-based positions."""

from __future__ import annotations

import json


def diagnostic_dict(d) -> dict:
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
                "edits": [{"start": e.start, "end": e.end, "new_text": e.new_text} for e in f.edits],
            }
            for f in d.fixes
        ],
    }


def render(results) -> str:
    diagnostics = [diagnostic_dict(d) for result in results for d in result.diagnostics]
    # Undecodable source bytes travel as surrogates: escape them rather than fail.
    return json.dumps({"version": 1, "diagnostics": diagnostics}, indent=2, ensure_ascii=True)
