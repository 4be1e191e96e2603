"""The rule API.

A rule is a class with metadata (stable code and kebab-case name, default severity, what it
applies to, whether it can fix) and documentation in fixed sections, plus one or more hooks:

- `message_types` + `visit(message, ctx)`: called for every message of those schema types while
  the linter walks the typed tree once (e.g. "LayerParameter", "SolverParameter");
- `check(ctx)`: called once per document, for rules that need the whole file or model.

Rules report through `ctx.report(...)`; a fix is a list of text edits (see diagnostics.Fix).
Rules whose findings come from the parser or the schema checker (syntax-error, unknown-field,
...) have metadata and docs only, so that they can be selected, configured and explained alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from .context import LintContext
    from .syntax.nodes import Message

# The documentation sections, in the order `protolint explain` prints them. The prose explains in
# words; where Caffe's source shows it, the file and lines go to `references`, which comes last.
DOC_SECTIONS = ("what_it_does", "why_it_matters", "example", "how_to_fix", "version_notes", "references")
SECTION_TITLES = {
    "what_it_does": "What it does",
    "why_it_matters": "Why it matters",
    "example": "Example",
    "how_to_fix": "How to fix",
    "version_notes": "Version notes",
    "references": "References",
}


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[str]  # default: "error" | "warning" | "info"
    applies_to: ClassVar[tuple[str, ...]] = ("net", "solver")
    fixable: ClassVar[bool] = False
    summary: ClassVar[str]  # one line for `protolint rules`

    # Documentation, in fixed sections (plain text; `example` is prototxt).
    what_it_does: ClassVar[str] = ""
    why_it_matters: ClassVar[str] = ""
    example: ClassVar[str] = ""
    how_to_fix: ClassVar[str] = ""
    version_notes: ClassVar[str] = ""
    # Where Caffe's source shows what the prose says, one entry each: the path in BVLC/caffe (at the
    # commit the rules were checked against), the lines if any, and what is there, e.g.
    # "src/caffe/layers/pooling_layer.cpp:74-75 (PoolingLayer::LayerSetUp: CHECK_LT(pad_h_, kernel_h_))".
    references: ClassVar[tuple[str, ...]] = ()

    # The Caffe release the example is written for, when the rule depends on it (None: any).
    example_caffe_version: ClassVar[str | None] = None

    message_types: ClassVar[tuple[str, ...]] = ()

    # The layer types the rule reports on, when it only ever reports on layers of these types (and
    # needs no other file): on a net with none of them it is not run, nor even imported by the
    # command line. Empty: the rule runs on every file.
    layer_types: ClassVar[tuple[str, ...]] = ()

    # Worked out from the hooks when a rule class is made (the rule list cached for the command line
    # keeps them, so that a rule that cannot report on a file need not be imported for it):
    # `passive`: no hook at all (the parser or the schema check reports its findings);
    # `solver_only`: it reports on solver files only.
    passive: ClassVar[bool] = True
    solver_only: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.passive = not cls.message_types and cls.check is Rule.check
        cls.solver_only = False

    @classmethod
    def load(cls) -> type[Rule]:
        """The rule class itself (a rule known from the cached rule list imports its module here)."""
        return cls

    def visit(self, message: Message, ctx: LintContext) -> None:  # pragma: no cover - default hook
        pass

    def check(self, ctx: LintContext) -> None:  # pragma: no cover - default hook
        pass

    @classmethod
    def section_text(cls, section: str) -> str:
        """One documentation section as plain text ("" when empty): the references one a line,
        each after "- "."""
        if section == "references":
            references = (cls.references,) if isinstance(cls.references, str) else cls.references
            return "\n".join(f"- {reference.strip()}" for reference in references if reference.strip())
        return getattr(cls, section).strip("\n")

    @classmethod
    def documentation(cls) -> str:
        """The rule's full documentation, as `protolint explain` prints it."""
        parts = [f"{cls.code} {cls.name} ({cls.severity}; applies to {', '.join(cls.applies_to)}"
                 f"{'; fixable' if cls.fixable else ''})", "", cls.summary]
        for section in DOC_SECTIONS:
            text = cls.section_text(section)
            if not text:
                continue
            title = SECTION_TITLES[section]
            if section == "example" and cls.example_caffe_version:
                title += f" (Caffe {cls.example_caffe_version})"
            parts += ["", title, "-" * len(title)]
            if section == "example":
                parts += ["    " + line if line else "" for line in text.splitlines()]
            else:
                parts.append(text)
        return "\n".join(parts)


class SolverRule(Rule):
    """A rule about a solver's own settings: implement `check_solver(solver, ctx)`; it runs once per
    solver file."""

    applies_to = ("solver",)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.solver_only = not cls.message_types and cls.check is SolverRule.check

    def check(self, ctx: LintContext) -> None:
        if ctx.kind == "solver" and ctx.solver is not None:
            self.check_solver(ctx.solver, ctx)

    def check_solver(self, solver, ctx: LintContext) -> None:  # pragma: no cover - overridden
        pass
