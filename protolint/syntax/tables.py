"""LALR(1) tables for grammars/prototxt.lark.

lark compiles the grammar; protolint runs the resulting tables with its own small driver
(protolint.syntax.parser), which feeds tokens straight from one regular expression and builds
syntax-tree nodes without intermediate objects. The tables are cached on disk keyed by the
grammar's digest, so an ordinary run neither compiles the grammar nor imports lark.
"""

from __future__ import annotations

import marshal
from functools import lru_cache

from .. import cache

TABLE_FORMAT = "1"
END = "$END"


# A plain class, not a dataclass: creating a dataclass costs ~0.3 ms of start-up.
class ParseTables:
    def __init__(self, states: list[dict[str, int]], rules: list[tuple[str, str, int]], start_state: int,
                 end_state: int, field_list_states: frozenset[int]):
        # states[s][symbol] = target state (>= 0: shift / goto) or ~rule_index (< 0: reduce).
        self.states = states
        # rules[i] = (alias or origin name, origin nonterminal, number of symbols on the right).
        self.rules = rules
        self.start_state = start_state
        self.end_state = end_state
        # States reached right after a list of fields: where error recovery resumes.
        self.field_list_states = field_list_states


def grammar_text() -> str:
    from ..data_files import package_file

    return package_file("protolint.grammars", "prototxt.lark").read_text(encoding="utf-8")


def compile_tables(grammar: str) -> dict:
    """Run lark's LALR analysis and flatten its tables into plain data."""
    import lark
    from lark.lexer import Lexer

    class _NoLexer(Lexer):  # tokens come from protolint.syntax.lexer
        def __init__(self, conf):
            pass

        def lex(self, data):  # pragma: no cover - never called
            return iter(())

    parser = lark.Lark(grammar, parser="lalr", lexer=_NoLexer, start="start")
    table = parser.parser.parser.parser.parse_table
    rules: list = []
    rule_index: dict = {}
    states: dict[int, dict[str, int]] = {}
    for state, actions in table.states.items():
        row = {}
        for symbol, (action, arg) in actions.items():
            if action.name == "Shift":
                row[str(symbol)] = int(arg)
            else:
                if arg not in rule_index:
                    rule_index[arg] = len(rules)
                    origin = str(arg.origin.name)
                    rules.append((str(arg.alias or origin), origin, len(arg.expansion)))
                row[str(symbol)] = ~rule_index[arg]
        states[int(state)] = row
    count = max(states) + 1
    rows = [states.get(i, {}) for i in range(count)]
    field_lists = sorted({row["fields"] for row in rows if "fields" in row})
    return {
        "states": rows,
        "rules": rules,
        "start": int(table.start_states["start"]),
        "end": int(table.end_states["start"]),
        "field_lists": field_lists,
    }


@lru_cache(maxsize=1)
def parse_tables() -> ParseTables:
    grammar = grammar_text()
    key = cache.digest(TABLE_FORMAT, grammar)
    data = None
    blob = cache.read("prototxt-tables", key)
    if blob is not None:
        try:
            data = marshal.loads(blob)
        except (EOFError, ValueError, TypeError):
            data = None
    if data is None:
        data = compile_tables(grammar)
        cache.write("prototxt-tables", key, marshal.dumps(data))
    return ParseTables(
        states=data["states"],
        rules=[tuple(r) for r in data["rules"]],
        start_state=data["start"],
        end_state=data["end"],
        field_list_states=frozenset(data["field_lists"]),
    )
