"""One fixture per rule, one runner.

Every built-in rule has a fixture under fixtures/<family>/ named after the rule: a file
`<rule_name>.prototxt`, or a folder `<rule_name>/` whose files are linted together (a solver and
its net files). The fixture carries its own expectations in comments; fixtures/README.md
describes the format. This module lints every fixture and compares the findings of the fixture's
rule with the markers, and checks that fixtures and registered rules correspond one to one.
"""

from __future__ import annotations

import ast
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from protolint.api import lint_bytes
from protolint.linter import LintOptions
from protolint.project import Input, lint_inputs
from protolint.registry import Registry
from protolint.rules.builtin import BUILTIN_RULES
from protolint.schema.loader import builtin_schema

FIXTURES = Path(__file__).parent / "fixtures"
FAMILIES = {
    "P": "parse",
    "S": "solver",
    "N": "net",
    "L": "layer",
    "F": "filler",
    "B": "normalization",
    "D": "data",
    "X": "suppression",
}
REGISTRY = Registry(list(BUILTIN_RULES))


def fixture_stem(rule) -> Path:
    """Where a rule's fixture lives, without the `.prototxt` of a single-file fixture."""
    return FIXTURES / FAMILIES[rule.code[0]] / rule.name.replace("-", "_")


def discovered_fixtures() -> list[Path]:
    """Every fixture on disk: the .prototxt files and the folders inside the family folders."""
    found = []
    for family in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        found += sorted(p for p in family.iterdir() if p.is_dir() or p.suffix == ".prototxt")
    return found


def rule_name_of(path: Path) -> str:
    return path.name.removesuffix(".prototxt").replace("_", "-")


# ---------------------------------------------------------------------------------------------
# Reading a fixture

_SEPARATOR = re.compile(r"^#\s*---\s*$")
_OK = re.compile(r"^#\s*OK\b")
_HEADER = re.compile(r"^#\s*protolint-test:(?P<options>.*)$")
_ENTRY = r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*(?::[a-z]+)?(?:@[0-9]+)?"
_GROUP = rf"\[\s*{_ENTRY}(?:\s*,\s*{_ENTRY})*\s*\]"
_PHRASE = r"""\^?(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
_MARKER = re.compile(rf"#\s*(?:{_GROUP}(?:\s*{_PHRASE})*\s*)+$")
_TOKEN = re.compile(rf"(?P<group>{_GROUP})|(?P<phrase>{_PHRASE})")
_OPTION_KEYS = {"as", "caffe-version", "path", "extra-layer-types", "extra-filler-types", "extra-lr-policies",
                "extra-solver-types", "select", "ignore", "quiet", "pretrained"}


class FixtureError(Exception):
    """The fixture itself is malformed (not a lint result that differs)."""


@dataclass
class Expected:
    """One finding a marker asks for."""

    rule: str
    severity: str | None  # None: the rule's default
    column: int | None
    phrases: list[tuple[str, bool]] = field(default_factory=list)  # (text, must start the message)

    def describe(self) -> str:
        text = self.rule + (f":{self.severity}" if self.severity else "") + (f"@{self.column}" if self.column else "")
        return "[" + text + "]" + "".join(f" {'^' if start else ''}{phrase!r}" for phrase, start in self.phrases)

    def matches(self, finding, default_severity: str) -> bool:
        if finding.severity != (self.severity or default_severity):
            return False
        if self.column is not None and finding.column != self.column:
            return False
        return all(finding.message.startswith(p) if start else p in finding.message for p, start in self.phrases)


@dataclass
class Document:
    """A part of a fixture file that is linted on its own."""

    file: str  # the fixture file, relative to fixtures/
    first_line: int  # the line of the fixture file where the document's text begins
    lines: list[str]  # the text to lint: markers cut off, runner lines blanked
    options: dict[str, str] = field(default_factory=dict)
    expected: dict[int, list[Expected]] = field(default_factory=dict)  # fixture line -> findings
    ok_line: int | None = None  # the fixture line of `# OK`

    @property
    def text(self) -> str:
        # No newline after the last line: what is reported at the end of the file lands on that line.
        return "\n".join(self.lines)

    def content_lines(self) -> list[int]:
        """Fixture lines holding prototxt (not blank, not only a comment)."""
        return [self.first_line + i for i, line in enumerate(self.lines) if line.strip() and not line.lstrip().startswith("#")]

    def ok_content(self) -> bool:
        return self.ok_line is not None and any(line > self.ok_line for line in self.content_lines())


def parse_marker(text: str, where: str) -> list[Expected]:
    found: list[Expected] = []
    group: list[Expected] = []
    for token in _TOKEN.finditer(text):
        if token.group("group"):
            group = []
            for entry in token.group("group")[1:-1].split(","):
                entry = entry.strip()
                column = None
                if "@" in entry:
                    entry, at = entry.split("@")
                    column = int(at)
                rule, _, severity = entry.partition(":")
                if severity and severity not in ("error", "warning", "info"):
                    raise FixtureError(f"{where}: unknown severity {severity!r} in the marker")
                group.append(Expected(rule, severity or None, column))
            found += group
        else:
            phrase = token.group("phrase")
            start = phrase.startswith("^")
            value = ast.literal_eval(phrase[1:] if start else phrase)
            for expected in group:
                expected.phrases.append((value, start))
    return found


def split_marker(line: str) -> tuple[str, str | None]:
    """(the line without its trailing marker, the marker or None)."""
    for match in re.finditer("#", line):
        if _MARKER.match(line, match.start()):
            return line[: match.start()].rstrip(), line[match.start():]
    return line, None


def parse_options(text: str, where: str) -> dict[str, str]:
    options = {}
    for item in text.split():
        key, sep, value = item.partition("=")
        if not sep or key not in _OPTION_KEYS:
            raise FixtureError(f"{where}: unknown option {item!r} (known: {', '.join(sorted(_OPTION_KEYS))})")
        options[key] = value
    return options


def read_documents(path: Path, name: str, split: bool = True) -> list[Document]:
    """The documents of a fixture file (`split`: `# ---` separates documents)."""
    documents = [Document(name, 1, [])]
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        doc = documents[-1]
        where = f"{name}:{number}"
        stripped = raw.strip()
        if _SEPARATOR.match(stripped):
            if not split:
                raise FixtureError(f"{where}: `# ---` is not used in the files of a folder fixture (one file, one document)")
            documents.append(Document(name, number + 1, []))
            continue
        if _HEADER.match(stripped):
            doc.options.update(parse_options(_HEADER.match(stripped).group("options"), where))
            doc.lines.append("")
            continue
        if _OK.match(stripped):
            if doc.ok_line is not None:
                raise FixtureError(f"{where}: a second `# OK` in one document")
            doc.ok_line = number
            doc.lines.append("")
            continue
        text, marker = split_marker(raw)
        if marker is not None:
            if doc.ok_line is not None:
                raise FixtureError(f"{where}: a marker below `# OK`")
            doc.expected[number] = parse_marker(marker, where)
        doc.lines.append(text)
    return documents


# ---------------------------------------------------------------------------------------------
# Linting a fixture


def lint_options(doc: Document, defaults: dict[str, str], rule) -> LintOptions:
    settings = {**defaults, **doc.options}
    root = settings.get("as", "auto")

    def names(key):
        return [item for item in settings.get(key, "").split(",") if item]

    kwargs = {}
    if names("select"):
        kwargs["select"] = names("select")
    if "pretrained" in settings:
        kwargs["pretrained"] = {"true": True, "false": False}[settings["pretrained"]]
    options = LintOptions(
        schema=builtin_schema(),
        registry=REGISTRY,
        root=None if root == "auto" else root,
        caffe_version=settings.get("caffe-version"),
        extra_layer_types=frozenset(names("extra-layer-types")),
        extra_filler_types=frozenset(names("extra-filler-types")),
        extra_lr_policies=frozenset(names("extra-lr-policies")),
        extra_solver_types=frozenset(names("extra-solver-types")),
        ignore=names("ignore"),
        **kwargs,
    )
    if rule not in options.enabled_rules():
        raise FixtureError(f"{doc.file}: select=/ignore= turn off {rule.name}, the rule the fixture is about")
    return options


def quiet_rules(doc: Document, rule) -> set[str]:
    """The other rules that must report nothing in this document (`quiet=` selectors, `-` to leave out)."""
    chosen: set[str] = set()
    for selector in [s for s in doc.options.get("quiet", "").split(",") if s]:
        named = {r.name for r in REGISTRY.matching(selector.lstrip("-"))}
        if not named:
            raise FixtureError(f"{doc.file}: quiet={selector} names no rule")
        chosen = chosen - named if selector.startswith("-") else chosen | named
    return chosen - {rule.name}


def compare(doc: Document, diagnostics, rule) -> list[str]:
    """What differs between the document's markers and the findings of its rule."""
    problems = []
    content = doc.content_lines()
    by_line: dict[int, list] = {}
    for d in diagnostics:
        if d.rule == rule.name:
            line = d.line + doc.first_line - 1
            if d.start == d.end == 0 and content:
                line = content[0]  # about the whole file: expected on the document's first prototxt line
            by_line.setdefault(line, []).append(d)
            if d.code != rule.code:
                problems.append(f"{doc.file}:{line}: the finding's code is {d.code!r}, not {rule.code}")
    for marker_line, expected in doc.expected.items():
        for e in expected:
            if e.rule != rule.name:
                raise FixtureError(f"{doc.file}:{marker_line}: the marker names {e.rule!r}; this is the fixture of {rule.name}")
    for line in sorted(set(by_line) | set(doc.expected)):
        found, expected = by_line.get(line, []), doc.expected.get(line, [])
        if not _matched(expected, found, rule.severity):
            shown = "; ".join(f"[{d.severity}@{d.column}] {d.message}" for d in found) or "nothing"
            wanted = " ".join(e.describe() for e in expected) or "no finding"
            problems.append(f"{doc.file}:{line}: expected {wanted}\n    found {shown}")
    quiet = quiet_rules(doc, rule)
    for d in diagnostics:
        if d.rule in quiet:
            problems.append(f"{doc.file}:{d.line + doc.first_line - 1}: quiet= rule {d.rule} reports: {d.message}")
    return problems


def _matched(expected: list[Expected], found: list, default_severity: str) -> bool:
    """Whether each expectation can be paired with its own finding, and no finding is left over."""
    if len(expected) != len(found):
        return False
    if not expected:
        return True
    first, rest = expected[0], expected[1:]
    return any(first.matches(d, default_severity) and _matched(rest, found[:i] + found[i + 1:], default_severity)
               for i, d in enumerate(found))


def run_file_fixture(path: Path, rule, name: str | None = None) -> list[Document]:
    """Each document linted on its own (the caller makes the working directory an empty folder,
    so no net file is found by accident)."""
    name = name or str(path.relative_to(FIXTURES))
    documents = read_documents(path, name)
    defaults = {"as": "solver", "path": "solver.prototxt"} if rule.code[0] == "S" else {"path": "net.prototxt"}
    problems = []
    for doc in documents:
        options = lint_options(doc, defaults, rule)
        display = doc.options.get("path", defaults["path"])
        diagnostics = lint_bytes(display, doc.text.encode(), options).diagnostics
        problems += compare(doc, diagnostics, rule)
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
    return documents


def run_folder_fixture(folder: Path, rule, workdir: Path) -> list[Document]:
    """The folder's .prototxt files linted together, as `protolint <every file>` run inside the folder would."""
    documents: dict[str, Document] = {}
    for source in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = source.relative_to(folder).as_posix()
        target = workdir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.suffix != ".prototxt":
            shutil.copyfile(source, target)  # e.g. a file that makes a directory exist
            continue
        (doc,) = read_documents(source, str(source.relative_to(FIXTURES)), split=False)
        if "path" in doc.options:
            raise FixtureError(f"{doc.file}: path= is the file's own name in a folder fixture")
        target.write_text(doc.text, encoding="utf-8")
        documents[relative] = doc
    inputs = [Input(relative, (workdir / relative).read_bytes(), relative) for relative in documents]
    results = lint_inputs(inputs, lambda p: lint_options(documents[Path(p).as_posix()], {}, rule))
    problems = []
    for result in results:
        doc = documents.get(Path(result.path).as_posix())
        if doc is None:
            raise FixtureError(f"{folder.name}: {result.path} is linted but is not a file of the fixture")
        problems += compare(doc, result.diagnostics, rule)
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
    return list(documents.values())


# ---------------------------------------------------------------------------------------------
# Tests


def test_every_rule_has_exactly_one_fixture():
    problems = []
    for rule in BUILTIN_RULES:
        stem = fixture_stem(rule)
        where = [p for p in (stem.with_name(stem.name + ".prototxt"), stem) if p.exists()]
        if len(where) != 1:
            problems.append(f"{rule.code} {rule.name}: {len(where)} fixtures (want {stem.relative_to(FIXTURES)}.prototxt "
                            "or the folder of that name)")
    assert problems == []


def test_every_fixture_names_a_registered_rule_of_its_family():
    assert {p.name for p in FIXTURES.iterdir() if p.is_dir()} <= set(FAMILIES.values())
    problems = []
    for path in discovered_fixtures():
        rule = REGISTRY.lookup(rule_name_of(path))
        if rule is None or rule not in BUILTIN_RULES:
            problems.append(f"{path.relative_to(FIXTURES)}: no built-in rule is named {rule_name_of(path)!r}")
        elif FAMILIES[rule.code[0]] != path.parent.name:
            problems.append(f"{path.relative_to(FIXTURES)}: {rule.code} belongs in {FAMILIES[rule.code[0]]}/")
    assert problems == []


@pytest.mark.parametrize("path", discovered_fixtures(), ids=rule_name_of)
def test_fixture(path, tmp_path, monkeypatch):
    rule = REGISTRY.lookup(rule_name_of(path))
    assert rule is not None, f"{path.name}: no rule of that name"
    monkeypatch.chdir(tmp_path)
    try:
        documents = run_folder_fixture(path, rule, tmp_path) if path.is_dir() else run_file_fixture(path, rule)
    except FixtureError as error:
        pytest.fail(f"malformed fixture: {error}", pytrace=False)
    assert any(doc.expected for doc in documents), f"{path.name}: no marker — a fixture shows the rule firing"
    assert any(doc.ok_content() for doc in documents), f"{path.name}: no `# OK` part with prototxt below it"


# ---------------------------------------------------------------------------------------------
# The runner itself: it must notice what it exists to notice.


def test_marker_syntax():
    text, marker = split_marker('layer { name: "a#b" }  # protolint: disable=x  # [rule-a:info@3] "x \\"y\\"" ^\'z\' [rule-a, rule-a]')
    assert text == 'layer { name: "a#b" }  # protolint: disable=x'
    first, second, third = parse_marker(marker, "here")
    assert (first.rule, first.severity, first.column, first.phrases) == ("rule-a", "info", 3, [('x "y"', False), ("z", True)])
    assert (second.severity, second.phrases, third.phrases) == (None, [], [])
    assert split_marker("layer { }  # an ordinary comment [with brackets]") == ("layer { }  # an ordinary comment [with brackets]", None)


BAD_POOLING = ('layer { name: "in" type: "HDF5Data" top: "data" hdf5_data_param { source: "list.txt" batch_size: 1 } }\n'
               'layer { name: "p" type: "Pooling" bottom: "data" top: "p" pooling_param { pool: MAX kernel_size: 2 pad: 2 } }%s\n'
               '# OK\n'
               'layer { name: "q" type: "Pooling" bottom: "data" top: "q" pooling_param { pool: MAX kernel_size: 3 pad: 1 } }%s\n')


@pytest.mark.parametrize("bad, good, complaint", [
    ("", "", "expected no finding"),  # a finding on an unmarked line
    ("  # [pooling-pad-ge-kernel:warning]", "", "expected [pooling-pad-ge-kernel:warning]"),  # the wrong severity
    ('  # [pooling-pad-ge-kernel] "no such words"', "", "no such words"),  # a phrase the message lacks
    ("  # [pooling-pad-ge-kernel, pooling-pad-ge-kernel]", "", "found [error@"),  # one finding where two are marked
])
def test_the_runner_notices_wrong_expectations(tmp_path, monkeypatch, bad, good, complaint):
    path = tmp_path / "pooling_pad_ge_kernel.prototxt"
    path.write_text(BAD_POOLING % (bad, good))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(pytest.fail.Exception, match=re.escape(complaint)):
        run_file_fixture(path, REGISTRY.lookup("pooling-pad-ge-kernel"), name="pooling_pad_ge_kernel.prototxt")


def test_the_runner_accepts_right_expectations_and_rejects_a_marker_below_ok(tmp_path, monkeypatch):
    path = tmp_path / "pooling_pad_ge_kernel.prototxt"
    rule = REGISTRY.lookup("pooling-pad-ge-kernel")
    monkeypatch.chdir(tmp_path)
    path.write_text(BAD_POOLING % ('  # [pooling-pad-ge-kernel] "pooling pad 2 >= kernel 2"', ""))
    (doc,) = run_file_fixture(path, rule, name=path.name)
    assert doc.ok_content() and list(doc.expected) == [2]
    path.write_text(BAD_POOLING % ("  # [pooling-pad-ge-kernel]", "  # [pooling-pad-ge-kernel]"))
    with pytest.raises(FixtureError, match="below `# OK`"):
        run_file_fixture(path, rule, name=path.name)
