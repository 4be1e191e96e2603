"""Reporters turn diagnostics into output: text for people, JSON and SARIF for tools."""

from __future__ import annotations

FORMATS = ("text", "json", "sarif")


def render(fmt: str, results, color: bool, rules) -> str:
    if fmt == "json":
        from .json import render as render_json

        return render_json(results)
    if fmt == "sarif":
        from .sarif import render as render_sarif

        return render_sarif(results, rules)
    from .text import render as render_text

    return render_text(results, color)
