"""What a rule sees while it checks one document, and how it reports."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .diagnostics import Diagnostic, Fix

if TYPE_CHECKING:
    from .linter import LintOptions
    from .rule import Rule
    from .schema.model import Schema
    from .syntax.parser import Document


class LintContext:
    def __init__(self, document: Document, schema: Schema, options: LintOptions, kind: str):
        self.document = document
        self.source = document.source
        self.schema = schema
        self.options = options
        self.kind = kind  # "net" | "solver" | another root message's name
        self.diagnostics: list[Diagnostic] = []
        self.rule: type[Rule] | None = None  # the rule being run; set by the linter

    def report(
        self,
        start: int,
        end: int,
        message: str,
        *,
        rule: type[Rule] | None = None,
        fixes: list[Fix] | None = None,
        related: list[tuple[int, int, str]] | None = None,
        severity: str | None = None,
    ) -> None:
        rule = rule or self.rule
        self.diagnostics.append(
            Diagnostic.at(self.source, start, end, rule.name, severity or rule.severity, message, related, fixes)
        )

    def report_node(self, node, message: str, **kwargs) -> None:
        """Report at a tree node; for a field, at its name."""
        start = getattr(node, "name_start", node.start)
        end = getattr(node, "name_end", node.end)
        self.report(start, end, message, **kwargs)
