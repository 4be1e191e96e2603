"""Diagnostics: what protolint reports, where, and how it could be fixed.

A diagnostic is created by the parser, the schema checker or a rule with the rule's name and
its default severity; the linter later applies the configuration (severity overrides,
suppressions) and the rule registry supplies the stable code.
"""

from __future__ import annotations

from .source import SourceText
from .values import Record

SEVERITIES = ("info", "warning", "error")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}


class TextEdit(Record):
    """Replace text[start:end] with `new_text` (offsets into the decoded source text)."""

    __slots__ = ("start", "end", "new_text")

    def __init__(self, start: int, end: int, new_text: str):
        self.start = start
        self.end = end
        self.new_text = new_text


class Fix(Record):
    """A change that resolves a diagnostic. `safe` fixes are applied by --fix and offered first
    by the editor; unsafe ones (they may change what the model computes) only as suggestions."""

    __slots__ = ("title", "edits", "safe")

    def __init__(self, title: str, edits: list[TextEdit], safe: bool = True):
        self.title = title
        self.edits = edits
        self.safe = safe


class Related(Record):
    __slots__ = ("start", "end", "line", "column", "message")

    def __init__(self, start: int, end: int, line: int, column: int, message: str):
        self.start = start
        self.end = end
        self.line = line
        self.column = column
        self.message = message


class Diagnostic(Record):
    __slots__ = ("path", "start", "end", "line", "column", "end_line", "end_column", "severity", "rule", "message",
                 "code", "related", "fixes")

    def __init__(self, path: str, start: int, end: int, line: int, column: int, end_line: int, end_column: int,
                 severity: str, rule: str, message: str, code: str = "", related: list[Related] | None = None,
                 fixes: list[Fix] | None = None):
        self.path = path
        self.start = start
        self.end = end
        self.line = line
        self.column = column
        self.end_line = end_line
        self.end_column = end_column
        self.severity = severity
        self.rule = rule
        self.message = message
        self.code = code
        self.related = [] if related is None else related
        self.fixes = [] if fixes is None else fixes

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
