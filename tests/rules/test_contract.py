"""Every registered rule keeps the user contract: a stable code and kebab-case name, complete
documentation in the fixed sections, an `explain` page, and an example that really triggers it."""

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
        if getattr(rule, section).strip():
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
