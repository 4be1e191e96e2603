"""What a rule sees while it checks one document, and how it reports."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .diagnostics import Diagnostic, Fix
from .syntax.nodes import Message

if TYPE_CHECKING:
    from .linter import LintOptions
    from .rule import Rule
    from .schema.model import Schema
    from .syntax.parser import Document


class LintContext:
    def __init__(self, document: Document, schema: Schema, options: LintOptions, kind: str, usage=None):
        self.document = document
        self.source = document.source
        self.schema = schema
        self.options = options
        self.kind = kind  # "net" | "solver" | another root message's name
        self.usage = usage  # model.net.NetUsage: how the solvers linted with this net use it
        self.diagnostics: list[Diagnostic] = []
        self.rule: type[Rule] | None = None  # the rule being run; set by the linter
        self._net = self._solver = None
        self._embedded_nets = None

    @property
    def net(self):
        """The net model of a net file (None for a solver file)."""
        if self._net is None and self.kind == "net":
            from .model.net import Net

            self._net = Net.from_message(self.document.root, usage=self.usage)
        return self._net

    @property
    def caffe_version(self) -> str:
        """The targeted Caffe release (rc1..rc5, 1.0, master)."""
        return self.options.version()

    def version_at_least(self, release: str) -> bool:
        from .versions import at_least

        return at_least(self.caffe_version, release)

    @property
    def solver(self):
        """The solver model of a solver file (None for a net file)."""
        if self._solver is None and self.kind == "solver":
            from .model.solver import Solver

            self._solver = Solver(self.document.root)
        return self._solver

    def nets(self):
        """Every net in this file: the file itself, or the nets embedded in a solver."""
        if self.kind == "net":
            return [self.net]
        if self._embedded_nets is None:
            from .model.net import Net

            self._embedded_nets = [
                Net.from_message(f.value, embedded=True)
                for name in ("net_param", "train_net_param", "test_net_param")
                for f in self.document.root.all(name)
                if isinstance(f.value, Message) and self.kind == "solver"
            ]
        return self._embedded_nets

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
