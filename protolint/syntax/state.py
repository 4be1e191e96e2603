"""The state of one file's parse: the LALR stacks and what error recovery needs besides them.

Shared by the driver (parser.py) and the recovery strategies (recovery.py), so that neither
imports the other.
"""

from __future__ import annotations

from ..diagnostics import Diagnostic, syntax_error
from ..source import SourceText
from .tables import ParseTables
from .tree import reductions

# What ParserState.reduce returns when the whole file has been reduced to the start symbol. It is
# never a shift target (those are >= 0), and reduce() never returns a reduce action.
ACCEPT = -1

# Syntax errors reported per file. A file that is not prototxt at all (a binary, a file whose
# quotes were lost) would otherwise give one error per token; past this many the parser keeps going
# (the tree still matters) but only counts, and one closing note says how many more there were.
MAX_SYNTAX_ERRORS = 100



class ParserState:
    """One file's parse in progress: the LALR stacks and what error recovery needs besides them.

    The token loop in parse() keeps local copies of `recovering` (and of the lists, which it
    shares) for speed, and hands `recovering` over to the state before it calls recovery.
    """

    __slots__ = (
        "source",
        "text",
        "states",
        "field_lists",
        "end_state",
        "name_states",
        "type_name_states",
        "sizes",
        "gotos",
        "callbacks",
        "state_stack",
        "value_stack",
        "diagnostics",
        "recovering",
        "result",
        "last_stray_end",
        "closed_at_end",
        "suppressed",
        "first_suppressed",
    )

    def __init__(self, source: SourceText, tables: ParseTables):
        states = tables.states
        self.source = source
        self.text = source.text
        self.states = states
        self.field_lists = tables.field_list_states  # where a list of fields goes on
        self.end_state = tables.end_state
        # States right after a plain field name (its IDENT shifted where a field starts).
        self.name_states = {states[s]["IDENT"] for s in self.field_lists if states[s].get("IDENT", -1) >= 0}
        # States inside the type name of `[ext.name]` or `[domain/pkg.Type]`.
        self.type_name_states = {row[k] for row in states for k in ("DOT", "SLASH") if k in row}
        self.sizes = [size for _alias, _origin, size in tables.rules]
        self.gotos = [origin for _alias, origin, _size in tables.rules]
        self.callbacks = reductions(tables.rules, self.text, self.report)
        self.state_stack = [tables.start_state]
        self.value_stack: list = []
        self.diagnostics: list[Diagnostic] = []
        self.recovering = False  # after an error: skip tokens quietly until one fits
        self.result = None  # the root's fields, once the end of the file is accepted
        self.last_stray_end = -1  # where the last stray character ended (a run is one error)
        self.closed_at_end: dict[int, object] = {}  # openers the end of the file has closed, by id
        self.suppressed = 0  # syntax errors past MAX_SYNTAX_ERRORS, counted, not reported
        self.first_suppressed = -1  # where the first of them is

    def report(self, start: int, end: int, message: str, related=None, fixes=None) -> bool:
        """Record a syntax error; False when it is past the cap (then it is only counted)."""
        if len(self.diagnostics) >= MAX_SYNTAX_ERRORS:
            if not self.suppressed:
                self.first_suppressed = start
            self.suppressed += 1
            return False
        self.diagnostics.append(syntax_error(self.source, start, end, message, related, fixes))
        return True

    def finish_report(self) -> None:
        """The closing note for the errors past the cap, at the first of them."""
        if self.suppressed:
            at = self.first_suppressed
            self.diagnostics.append(syntax_error(
                self.source, at, at,
                # (the leading ellipsis also sorts it after the errors reported at the same place)
                f"… and {self.suppressed} more syntax error{'s' if self.suppressed != 1 else ''} from here on, not shown "
                f"(protolint reports the first {MAX_SYNTAX_ERRORS} of a file): fix the ones above first; "
                "is this file prototxt?",
            ))

    def reduce(self, kind: str) -> int | None:
        """Apply the reductions that `kind` as the next token calls for. Returns the state to shift
        `kind` to, ACCEPT if the whole file has been reduced, or None if `kind` does not fit."""
        states, state_stack, value_stack = self.states, self.state_stack, self.value_stack
        while True:
            action = states[state_stack[-1]].get(kind)
            if action is None or action >= 0:
                return action
            rule = ~action
            size = self.sizes[rule]
            if size:
                args = value_stack[-size:]
                del state_stack[-size:]
                del value_stack[-size:]
            else:
                args = []
            value_stack.append(self.callbacks[rule](args))
            state = states[state_stack[-1]][self.gotos[rule]]
            state_stack.append(state)
            if state == self.end_state:
                return ACCEPT

    def reduce_until_shift(self, kind: str) -> bool:
        """Apply the reductions `kind` as lookahead calls for; True if `kind` can then be shifted
        (or the file is complete)."""
        return self.reduce(kind) is not None

    def feed(self, kind: str, token) -> bool:
        """Shift `token` after the reductions it calls for. False if it does not fit here."""
        action = self.reduce(kind)
        if action is None:
            return False
        if action == ACCEPT:
            self.result = self.value_stack[-1]
            return True
        self.state_stack.append(action)
        self.value_stack.append(token)
        self.recovering = False
        return True
