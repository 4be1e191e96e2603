"""One lint of a group of files and what the features read from it.

`lint_group` runs on the lint thread: it builds each file's options through the workspace (the
command line's resolver), lints the group with `protolint.project.lint_inputs` and turns every
open document's result into a `Snapshot`: the text that was linted, its line index, protolint's
findings and the same findings as LSP diagnostics. Features read snapshots; nothing in them changes
after they are made, so the event loop can read them while the next lint runs.
"""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass, field

from lsprotocol import types as T

from ..project import Input, lint_inputs
from ..settings import SettingsError
from .client import ClientView
from .positions import LineIndex
from .workspace import Member, Workspace, path_to_uri

SOURCE = "protolint"
SEVERITY = {"error": T.DiagnosticSeverity.Error, "warning": T.DiagnosticSeverity.Warning,
            "info": T.DiagnosticSeverity.Information}
# Findings about something Caffe still reads but has replaced, and about text that has no effect.
DEPRECATED_RULES = frozenset({"deprecated-field", "legacy-v1-syntax", "legacy-v0-syntax", "legacy-input-fields",
                              "batchnorm-legacy-params"})
UNNECESSARY_RULES = frozenset({"unused-suppression", "filler-ignored-fields", "eltwise-coeff-with-max",
                               "deprecated-data-param-transform"})


class Superseded(Exception):
    """A newer edit arrived: the rest of this lint is not needed."""


@dataclass(eq=False)
class Snapshot:
    uri: str
    version: int | None
    text: str
    index: LineIndex
    generation: int
    shift: int = 0  # 1 when the text starts with a byte order mark (protolint's offsets skip it)
    result: object = None  # protolint.linter.FileResult
    options: object = None  # protolint.options.LintOptions
    findings: list = field(default_factory=list)  # protolint Diagnostics, in the order of `items`
    items: list = field(default_factory=list)  # LSP Diagnostics
    problem: SettingsError | None = None
    seconds: float = 0.0  # how long the group's lint took
    memo: dict = field(default_factory=dict, repr=False)  # what the features worked out from it

    @property
    def result_id(self) -> str:
        return f"{self.version}.{self.generation}"

    def position(self, offset: int) -> T.Position:
        line, character = self.index.position(offset + self.shift)
        return T.Position(line=line, character=character)

    def range(self, start: int, end: int) -> T.Range:
        return T.Range(start=self.position(start), end=self.position(end))

    def offset(self, position: T.Position) -> int:
        """protolint's offset (into the linted text without its BOM) of an LSP position."""
        return max(self.index.offset(position.line, position.character) - self.shift, 0)

    @property
    def source_text(self) -> str:
        return self.text[self.shift:]


class RuleDocs:
    """`protolint explain` text of each rule as a Markdown file in the cache folder, so that a
    diagnostic's code can link to it (codeDescription needs a URI)."""

    def __init__(self, registry):
        self.registry = registry
        self._uris: dict[str, str | None] = {}
        self._lock = threading.Lock()

    def uri(self, rule_name: str) -> str | None:
        with self._lock:
            if rule_name in self._uris:
                return self._uris[rule_name]
        rule = self.registry.lookup(rule_name)
        found = None
        if rule is not None:
            from .. import __version__
            from ..cache import atomic_write, cache_dir, digest

            text = rule.documentation() + "\n"
            try:
                folder = cache_dir() / "rules"
                path = folder / f"{rule.code}-{rule.name}-{digest(__version__, text)[:8]}.md"
                if not path.exists():
                    folder.mkdir(parents=True, exist_ok=True)
                    atomic_write(path, text.encode("utf-8"))
                found = path.as_uri()
            except (OSError, RuntimeError):
                found = None
        with self._lock:
            self._uris[rule_name] = found
        return found


def to_lsp(d, snapshot: Snapshot, client: ClientView, docs: RuleDocs | None) -> T.Diagnostic:
    tags = []
    if d.rule in DEPRECATED_RULES and T.DiagnosticTag.Deprecated.value in client.tags:
        tags.append(T.DiagnosticTag.Deprecated)
    if d.rule in UNNECESSARY_RULES and T.DiagnosticTag.Unnecessary.value in client.tags:
        tags.append(T.DiagnosticTag.Unnecessary)
    related = None
    if client.related and d.related:
        related = [T.DiagnosticRelatedInformation(location=T.Location(uri=snapshot.uri, range=snapshot.range(r.start, r.end)),
                                                  message=r.message) for r in d.related]
    href = docs.uri(d.rule) if (docs is not None and client.code_description) else None
    return T.Diagnostic(
        range=snapshot.range(d.start, d.end),
        message=d.message,
        severity=SEVERITY.get(d.severity, T.DiagnosticSeverity.Warning),
        code=d.code or d.rule,
        code_description=T.CodeDescription(href=href) if href else None,
        source=SOURCE,
        tags=tags or None,
        related_information=related,
        data={"rule": d.rule},
    )


def problem_diagnostic(snapshot: Snapshot, error: SettingsError) -> T.Diagnostic:
    end = snapshot.index.line_end(0)
    return T.Diagnostic(
        range=T.Range(start=T.Position(line=0, character=0), end=T.Position(*snapshot.index.position(max(end, 0)))),
        message=f"{error} (this file is not linted until it is fixed)",
        severity=T.DiagnosticSeverity.Error,
        source=SOURCE,
        code="configuration",
    )


def failed_snapshot(member: Member, client: ClientView, generation: int, error: BaseException) -> Snapshot:
    """What a document shows when protolint itself failed on it (a bug to report, not a finding)."""
    text = member.data.decode("utf-8", "surrogateescape")
    snapshot = Snapshot(member.uri, member.version, text, LineIndex(text, client.encoding), generation,
                        shift=1 if text.startswith("\ufeff") else 0)
    end = snapshot.index.line_end(0)
    snapshot.items = [T.Diagnostic(
        range=T.Range(start=T.Position(line=0, character=0), end=T.Position(*snapshot.index.position(end))),
        message=f"protolint failed on this file ({type(error).__name__}: {error}); please report it",
        severity=T.DiagnosticSeverity.Error, source=SOURCE, code="internal-error")]
    return snapshot


def problem_file_diagnostics(error: SettingsError, client: ClientView) -> tuple[str, list[T.Diagnostic]] | None:
    """The broken configuration or schema file's own diagnostic (its URI and the list)."""
    if not error.path or not os.path.isfile(error.path):
        return None
    try:
        with open(error.path, "rb") as handle:
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return None
    index = LineIndex(text, client.encoding)
    line, column = error.line, error.column
    if error.kind == "config":
        line, column = _config_location(text, error)
    start = _line_column_offset(text, line, column) if line else 0
    end = start
    while end < len(text) and text[end] not in "\r\n":
        end += 1
    message = str(error)
    for prefix in ("bad configuration: ", "cannot use the schema: "):
        if message.startswith(prefix):
            message = message[len(prefix):]
    if message.startswith(error.path + ":"):
        message = message[len(error.path) + 1:].lstrip()
    return path_to_uri(error.path), [T.Diagnostic(
        range=T.Range(start=T.Position(*index.position(start)), end=T.Position(*index.position(end))),
        message=message, severity=T.DiagnosticSeverity.Error, source=SOURCE,
        code="configuration" if error.kind == "config" else "schema",
    )]


def _line_column_offset(text: str, line: int, column: int) -> int:
    """Offset of a 1-based line and column (lines on \\n, columns in characters)."""
    offset = 0
    for _ in range(line - 1):
        found = text.find("\n", offset)
        if found < 0:
            return len(text)
        offset = found + 1
    return min(offset + max(column, 1) - 1, len(text))


def _config_location(text: str, error: SettingsError) -> tuple[int, int]:
    """(line, column) of the key a configuration error names, or of a TOML syntax error."""
    match = re.search(r"at line (\d+), column (\d+)", str(error))
    if match:
        return int(match.group(1)), int(match.group(2))
    if error.key:
        key = error.key.removeprefix("tool.protolint.")
        # `per-file-ignores.GLOB` names a glob that may hold dots; `severity.RULE` a rule.
        name = key.split(".", 1)[1] if key.startswith(("per-file-ignores.", "severity.")) else key
        found = re.compile(r"^[ \t]*[\"']?" + re.escape(name) + r"[\"']?[ \t]*=", re.M).search(text)
        if found:
            start = found.start() + len(found.group(0)) - len(found.group(0).lstrip(" \t"))
            return text.count("\n", 0, start) + 1, start - (text.rfind("\n", 0, start) + 1) + 1
    return 1, 1


def lint_group(workspace: Workspace, members: list[Member], client: ClientView, docs: RuleDocs | None,
               generation: int, cancelled: threading.Event) -> tuple[list[Snapshot], list[SettingsError]]:
    """Lint `members` together; a snapshot for each open one, and the settings problems met."""
    started = time.perf_counter()
    resolver = workspace.resolver()

    def options_for(path: str):
        if cancelled.is_set():
            raise Superseded
        options = resolver.options_for(path)
        workspace.watch_options(path, options)
        return options

    problems: dict[int, SettingsError] = {}
    chosen: dict[int, object] = {}
    usable = []
    for position, member in enumerate(members):
        try:
            chosen[position] = options_for(member.path or member.display)
            usable.append(member)
        except SettingsError as error:
            workspace.watch_options(member.path or member.display, None)
            workspace.watch_paths([error.path] if error.path else [])
            problems[position] = error
    results = []
    if usable:
        try:
            results = lint_inputs([Input(m.display, m.data, m.path) for m in usable], options_for)
        except SettingsError as error:  # a net file a solver names has a broken configuration
            workspace.watch_paths([error.path] if error.path else [])
            for position, member in enumerate(members):
                problems.setdefault(position, error)
            usable, results = [], []
    seconds = time.perf_counter() - started
    snapshots = []
    by_member = {id(m): r for m, r in zip(usable, results)}
    for position, member in enumerate(members):
        if member.uri is None:
            continue
        result = by_member.get(id(member))
        text = member.data.decode("utf-8", "surrogateescape")
        shift = 1 if text.startswith("\ufeff") else 0
        # Without CR (and BOM) LSP's lines are protolint's: reuse the line starts it computed.
        known = result.document.source.line_starts if result is not None and not shift and "\r" not in text else None
        snapshot = Snapshot(member.uri, member.version, text, LineIndex(text, client.encoding, known), generation,
                            shift=shift, seconds=seconds)
        if result is not None:
            snapshot.result = result
            snapshot.options = chosen.get(position)
            snapshot.findings = list(result.diagnostics)
            snapshot.items = [to_lsp(d, snapshot, client, docs) for d in snapshot.findings]
        else:
            snapshot.problem = problems.get(position)
            if snapshot.problem is not None:
                snapshot.items = [problem_diagnostic(snapshot, snapshot.problem)]
        snapshots.append(snapshot)
    unique = []
    for error in problems.values():
        if all(str(error) != str(other) for other in unique):
            unique.append(error)
    return snapshots, unique
