"""Diagnostics: what protolint reports, where, and how it could be fixed.

A diagnostic is created by the parser, the schema checker or a rule with the rule's name and
its default severity; the linter later applies the configuration (severity overrides,
suppressions) and the rule registry supplies the stable code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .source import SourceText

SEVERITIES = ("info", "warning", "error")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}


@dataclass(slots=True)
class TextEdit:
    """Replace text[start:end] with `new_text` (offsets into the decoded source text)."""

    start: int
    end: int
    new_text: str


@dataclass(slots=True)
class Fix:
    """A change that resolves a diagnostic. `safe` fixes are applied by --fix and offered first
    by the editor; unsafe ones (they may change what the model computes) only as suggestions."""

    title: str
    edits: list[TextEdit]
    safe: bool = True


@dataclass(slots=True)
class Related:
    start: int
    end: int
    line: int
    column: int
    message: str


@dataclass(slots=True)
class Diagnostic:
    path: str
    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int
    severity: str
    rule: str
    message: str
    code: str = ""
    related: list[Related] = field(default_factory=list)
    fixes: list[Fix] = field(default_factory=list)

    @classmethod
    def at(
        cls,
        source: SourceText,
        start: int,
        end: int,
        rule: str,
        severity: str,
        message: str,
        related: list[tuple[int, int, str]] | None = None,
        fixes: list[Fix] | None = None,
    ) -> Diagnostic:
        line, column = source.position(start)
        end_line, end_column = source.position(max(end, start))
        return cls(
            path=source.path,
            start=start,
            end=max(end, start),
            line=line,
            column=column,
            end_line=end_line,
            end_column=end_column,
            severity=severity,
            rule=rule,
            message=message,
            related=[Related(s, e, *source.position(s), m) for s, e, m in (related or [])],
            fixes=fixes or [],
        )

    def sort_key(self):
        return (self.path, self.start, self.end, self.rule, self.message)


def at_or_above(diagnostics: list[Diagnostic], level: str) -> list[Diagnostic]:
    rank = SEVERITY_RANK[level]
    return [d for d in diagnostics if SEVERITY_RANK[d.severity] >= rank]


def syntax_error(source: SourceText, start: int, end: int, message: str, related=None, fixes=None) -> Diagnostic:
    return Diagnostic.at(source, start, end, "syntax-error", "error", message, related, fixes)
