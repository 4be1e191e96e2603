"""SARIF 2.1.0 output, for code-scanning services.

Locations are URI references: a relative path percent-encoded with `/` separators (`my%20nets/a.prototxt`),
an absolute one as a `file://` URI. Columns count Unicode code points (`columnKind`), as protolint's do.
"""

from __future__ import annotations

import json
import os
from pathlib import PurePath, PurePosixPath, PureWindowsPath
from urllib.parse import quote

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
                        "artifactLocation": {"uri": artifact_uri(d.path)},
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
        "runs": [{"tool": {"driver": {"name": "protolint", "version": __version__, "rules": rules}},
                  "columnKind": "unicodeCodePoints", "results": sarif_results}],
    }
    return json.dumps(log, indent=2, ensure_ascii=True)


def artifact_uri(path: str) -> str:
    """A path as a SARIF artifact URI: percent-encoded, `/`-separated; absolute ones as file:// URIs."""
    pure: PurePath = PureWindowsPath(path) if os.sep == "\\" else PurePosixPath(path)
    if pure.is_absolute():
        return pure.as_uri()
    # (surrogate-escaped bytes of an undecodable file name go back to their bytes first)
    raw = path.replace(os.sep, "/").encode("utf-8", "surrogateescape")
    return quote(raw, safe="/")
