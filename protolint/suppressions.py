"""Suppression comments.

    a: 1  # protolint: disable=rule-name,P002 -- why      (this line)
    # protolint: disable-next-line=rule-name -- why       (the next line)
    # protolint: disable-file=rule-name -- why            (the whole file)

Rules are named by name or code. A directive that names an unknown rule is reported
(invalid-suppression); one that silences nothing is reported as info (unused-suppression).
"""

from __future__ import annotations


from . import patterns
from .diagnostics import Diagnostic

_DIRECTIVE = patterns.compile(r"#\s*protolint:\s*(?P<kind>disable-next-line|disable-file|disable)\s*=\s*(?P<names>[^#]*?)\s*(?:--.*)?$")
_LOOKS_LIKE = patterns.compile(r"#\s*protolint\s*:")
_NAME = patterns.compile(r"[^,\s]+")


# A plain class, not a dataclass: creating a dataclass costs ~0.3 ms of start-up.
class Directive:
    def __init__(self, kind: str, line: int, start: int, end: int, names: list[tuple[str, int, int]],
                 used: set[str] | None = None):
        self.kind = kind  # "disable" | "disable-next-line" | "disable-file"
        self.line = line  # the line it covers (0 for the whole file)
        self.start = start
        self.end = end
        self.names = names  # (rule name, start, end) as resolved
        self.used = set() if used is None else used


def apply(document, diagnostics: list[Diagnostic], registry, enabled: set[str]) -> list[Diagnostic]:
    """Drop suppressed diagnostics; add findings about the directives themselves."""
    source = document.source
    directives: list[Directive] = []
    problems: list[Diagnostic] = []
    for comment in document.comments:
        if "protolint" not in comment.text:
            continue
        match = _DIRECTIVE.match(comment.text)
        if match is None:
            if _LOOKS_LIKE.match(comment.text) and "invalid-suppression" in enabled:
                problems.append(Diagnostic.at(source, comment.start, comment.end, "invalid-suppression", "warning",
                                              "malformed protolint directive: write `# protolint: disable=RULE -- reason` "
                                              "(or disable-next-line=, disable-file=)"))
            continue
        line = source.position(comment.start)[0]
        kind = match.group("kind")
        covered = {"disable": line, "disable-next-line": line + 1, "disable-file": 0}[kind]
        names = []
        offset = comment.start + match.start("names")
        for piece in _NAME.finditer(match.group("names")):
            start, end = offset + piece.start(), offset + piece.end()
            rule = registry.lookup(piece.group())
            if rule is None:
                if "invalid-suppression" in enabled:
                    problems.append(Diagnostic.at(source, start, end, "invalid-suppression", "warning",
                                                  f"`{piece.group()}` is not a protolint rule name or code; `protolint rules` lists them"))
                continue
            names.append((rule.name, start, end))
        directives.append(Directive(kind, covered, comment.start, comment.end, names))
    if not directives:
        return diagnostics + problems

    kept = []
    for diagnostic in diagnostics:
        suppressed = False
        for directive in directives:
            if directive.line not in (0, diagnostic.line):
                continue
            for name, _, _ in directive.names:
                if name == diagnostic.rule:
                    directive.used.add(name)
                    suppressed = True
        if not suppressed:
            kept.append(diagnostic)
    if "unused-suppression" in enabled:
        for directive in directives:
            for name, start, end in directive.names:
                if name not in directive.used and name in enabled:
                    problems.append(Diagnostic.at(source, start, end, "unused-suppression", "info",
                                                  f"`{name}` is suppressed here but reports nothing; remove it from the directive"))
    return kept + problems
