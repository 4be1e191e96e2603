"""Every registered rule keeps the user contract: a stable code and kebab-case name, complete
documentation in the fixed sections, an `explain` page, and an example that really triggers it.

The prose explains in words; where it rests on Caffe's source, the file and lines are listed under
`references`, which `protolint explain` prints last."""

import re
import subprocess
import sys

import pytest

from protolint.api import default_options
from protolint.project import Input, lint_inputs
from protolint.api import default_registry
from protolint.rule import DOC_SECTIONS, SECTION_TITLES
from protolint.schema.loader import builtin_schema

RULES = default_registry().rules
REQUIRED = ("summary", "what_it_does", "why_it_matters", "example", "how_to_fix")


def test_codes_and_names_are_unique_and_well_formed():
    assert len({r.code for r in RULES}) == len(RULES)
    assert len({r.name for r in RULES}) == len(RULES)
    for rule in RULES:
        assert re.fullmatch(r"[A-Z][0-9]{3}", rule.code), rule
        assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", rule.name), rule
        assert rule.severity in ("error", "warning", "info")


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_documentation_is_complete(rule):
    for section in REQUIRED:
        assert getattr(rule, section).strip(), f"{rule.name}: empty {section}"
    page = rule.documentation()
    assert page.startswith(f"{rule.code} {rule.name}")
    for section in DOC_SECTIONS:
        if rule.section_text(section):
            assert SECTION_TITLES[section] in page


# The rules that have no version notes today; every other rule says how Caffe releases differ.
NO_VERSION_NOTES = {
    "P001", "P002", "P003", "P004", "P006", "P007", "P008", "S139", "N201", "N202", "N203", "N204", "N205",
    "L301", "L302", "L303", "F402", "F403", "B501", "B503", "B504", "B505", "X001", "X002",
}


def test_version_notes_are_written():
    assert {rule.code for rule in RULES if not rule.version_notes.strip()} <= NO_VERSION_NOTES


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_the_example_triggers_the_rule(rule, tmp_path):
    path = tmp_path / "example.prototxt"
    path.write_bytes(rule.example.encode())
    options = default_options(schema=builtin_schema(), caffe_version=rule.example_caffe_version)
    results = lint_inputs([Input(str(path), path.read_bytes(), str(path))], lambda _path: options)
    found = {d.rule for result in results for d in result.diagnostics}
    assert rule.name in found, f"{rule.name}: its example reports only {sorted(found)}"


def test_explain_prints_the_page_by_name_and_by_code():
    rule = RULES[1]
    for key in (rule.name, rule.code):
        out = subprocess.run([sys.executable, "-m", "protolint", "explain", key], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0
        assert out.stdout.strip() == rule.documentation().strip()


# A source-file name in the prose: `net.cpp`, `filler.hpp`, `src/caffe/net.cpp:165`, `caffe.proto` ...
SOURCE_FILE = re.compile(r"\b[\w/]+\.(cpp|hpp|cu|proto)\b")
# ... allowed only where it is clearly not a citation of Caffe's source: a .proto file without a line
# number in a sentence about the schema the user lints with (`--proto`, a fork's caffe.proto).
USER_SCHEMA = re.compile(r"--proto|\bfork")
CAFFE_TREE = ("src/", "include/", "tools/", "python/", "matlab/", "examples/")
REFERENCE = re.compile(r"(?P<path>[\w./+-]+\.\w+)(:\d+(-\d+)?(, \d+(-\d+)?)*)?( \(\S.*\))?")


def _sentence(text, start, end):
    left = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start))
    right = min((i for i in (text.find(". ", end), text.find("\n", end)) if i >= 0), default=len(text))
    return text[left + 1:right]


def citations(text):
    """The source-file names in `text` that are not a user-facing schema file."""
    found = []
    for match in SOURCE_FILE.finditer(text):
        user_schema = (match.group(1) == "proto" and not re.match(r":\d", text[match.end():])
                       and USER_SCHEMA.search(_sentence(text, match.start(), match.end())))
        if not user_schema:
            found.append(match.group(0))
    return found


def test_citation_check_tells_citations_from_user_schema_files():
    assert citations("Caffe aborts (pooling_layer.cpp).") == ["pooling_layer.cpp"]
    assert citations("lr_policy has no default in caffe.proto, so it reads 0.") == ["caffe.proto"]
    assert citations("The default is 0 (caffe.proto:171); pass --proto to change it.") == ["caffe.proto"]
    assert citations("Lint with your fork's caffe.proto (`--proto path/to/caffe.proto`).") == []
    assert citations("Pass `--proto` with that fork's caffe.proto: its layer types are then known.") == []


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_source_citations_stand_only_in_references(rule):
    for section in ("summary",) + tuple(s for s in DOC_SECTIONS if s != "references"):
        assert not citations(getattr(rule, section)), (
            f"{rule.name}: {section} cites {citations(getattr(rule, section))}; say it in words and "
            "list the file under `references`")


@pytest.mark.parametrize("rule", [r for r in RULES if r.references], ids=lambda r: r.name)
def test_references_are_paths_in_caffes_tree(rule):
    assert isinstance(rule.references, tuple), f"{rule.name}: references must be a tuple of strings"
    assert len(set(rule.references)) == len(rule.references), f"{rule.name}: a reference is listed twice"
    for reference in rule.references:
        assert reference.startswith(CAFFE_TREE), f"{rule.name}: {reference!r} is not a path in Caffe's tree"
        assert REFERENCE.fullmatch(reference), f"{rule.name}: {reference!r} is not `path[:lines] (what is there)`"


@pytest.mark.parametrize("rule", [r for r in RULES if r.references], ids=lambda r: r.name)
def test_references_come_last_on_the_page(rule):
    page = rule.documentation()
    head, _, tail = page.partition("\nReferences\n----------\n")
    assert tail, f"{rule.name}: no References section"
    assert tail.splitlines() == [f"- {reference}" for reference in rule.references]
    assert all(SECTION_TITLES[s] in head for s in DOC_SECTIONS if s != "references" and rule.section_text(s))


def test_explain_prints_the_references_last():
    rule = next(r for r in RULES if len(r.references) > 1)
    out = subprocess.run([sys.executable, "-m", "protolint", "explain", rule.code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    lines = out.stdout.rstrip("\n").splitlines()
    titles = [i for i, line in enumerate(lines[1:], 1) if set(line) == {"-"} and lines[i - 1] in SECTION_TITLES.values()]
    assert lines[titles[-1] - 1] == "References"
    assert lines[titles[-1] + 1:] == [f"- {reference}" for reference in rule.references]
