"""SARIF 2.1.0 output, for code-scanning services."""

from __future__ import annotations

import json

from .. import __version__

_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def render(results, registry) -> str:
    rules = [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.what_it_does or rule.summary},
            "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        }
        for rule in registry.rules
    ]
    sarif_results = [
        {
            "ruleId": d.code,
            "level": _LEVEL[d.severity],
            "message": {"text": d.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": d.path},
                        "region": {
                            "startLine": d.line,
                            "startColumn": d.column,
                            "endLine": d.end_line,
                            "endColumn": d.end_column,
                        },
                    }
                }
            ],
        }
        for result in results
        for d in result.diagnostics
    ]
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "protolint", "version": __version__, "rules": rules}}, "results": sarif_results}],
    }
    return json.dumps(log, indent=2, ensure_ascii=True)
