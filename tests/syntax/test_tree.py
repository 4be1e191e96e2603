"""The reduction table of protolint.syntax.tree against the grammar's rules."""

from __future__ import annotations

from protolint.syntax import tree
from protolint.syntax.tables import parse_tables


def test_every_rule_has_a_reduction_or_passes_its_single_value_through():
    rules = parse_tables().rules
    callbacks = tree.reductions(rules, "", lambda *args: None)
    assert len(callbacks) == len(rules)
    for (alias, origin, size), callback in zip(rules, callbacks):
        if callback is tree.passthrough:
            assert size == 1, f"rule {alias} ({origin}, {size} symbols) has no reduction"


def test_every_reduction_belongs_to_a_grammar_alias():
    aliases = {alias for alias, _origin, _size in parse_tables().rules}
    assert set(tree.REDUCTIONS) <= aliases
    # The two built per file.
    assert {"fields_separator", "strings"} <= aliases - set(tree.REDUCTIONS)
