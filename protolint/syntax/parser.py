"""Text -> syntax tree: the LALR(1) driver.

A table-driven parser: tables from grammars/prototxt.lark (see tables.py), tokens from
lexer.PATTERN, tree nodes built by the reductions in tree.py. This module holds the token loop,
whose common case (a token the grammar expects) is written out inline because it runs once per
token, and the state that the loop shares with error recovery. Everything that happens on a
mistake, reporting it in plain words and repairing or skipping past it so that one run reports
every error, lives in recovery.py.
"""

from __future__ import annotations

from . import lexer
from .lexer import PATTERN
from .nodes import Comment, Message
from .recovery import CLOSERS, OPENERS, RETRY, SKIP_BLOCK, mistaken_token, recover
from .tables import END, ParseTables, parse_tables
from .tree import VirtualToken, reductions
from ..diagnostics import Diagnostic, syntax_error
from ..source import SourceText

# What ParserState.reduce returns when the whole file has been reduced to the start symbol. It is
# never a shift target (those are >= 0), and reduce() never returns a reduce action.
ACCEPT = -1


class Document:
    """A parsed file: its source, the root message (the whole file), comments and syntax errors."""

    __slots__ = ("source", "root", "comments", "diagnostics", "root_type")

    def __init__(self, source: SourceText, root: Message, comments: list[Comment], diagnostics: list[Diagnostic]):
        self.source = source
        self.root = root
        self.comments = comments
        self.diagnostics = diagnostics
        self.root_type = None  # the MessageType the checker typed the root as

    @property
    def has_syntax_errors(self) -> bool:
        return bool(self.diagnostics)


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

    def report(self, start: int, end: int, message: str, related=None, fixes=None) -> None:
        self.diagnostics.append(syntax_error(self.source, start, end, message, related, fixes))

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


def parse(source: SourceText) -> Document:
    """Parse a whole file. Never raises on bad input: problems become diagnostics."""
    parser = ParserState(source, parse_tables())
    if source.has_bom:
        parser.report(
            0,
            0,
            "the file starts with a UTF-8 byte order mark, which Caffe's text parser does not accept; "
            "save it as UTF-8 without BOM",
        )

    comments: list[Comment] = []
    states, sizes, gotos, callbacks = parser.states, parser.sizes, parser.gotos, parser.callbacks
    state_stack, value_stack = parser.state_stack, parser.value_stack
    push_state, push_value = state_stack.append, value_stack.append
    terminals, trivia, comment_kind = lexer.TERMINALS, lexer.TRIVIA, lexer.COMMENT
    recovering = False  # (the state's flag, kept in a local while the loop runs)
    skip_depth = 0  # brackets opened by tokens recovery is skipping
    for token in PATTERN.finditer(source.text):
        kind = token.lastgroup
        if kind in trivia:
            if kind == comment_kind:
                comments.append(Comment(token.start(), token.end(), token.group()))
            continue
        if kind not in terminals:
            # A token the lexer flags as a mistake: reported, then dropped or used in place of the
            # terminal it was meant to be.
            parser.recovering = recovering
            kind = mistaken_token(parser, kind, token)
            recovering = parser.recovering
            if kind is None:
                continue
        if skip_depth:
            if kind in OPENERS:
                skip_depth += 1
            elif kind in CLOSERS:
                skip_depth -= 1
            continue
        # The hot path, inlined (this loop runs once per token): reduce as the table says, then
        # shift. ParserState.reduce and .feed do the same for error recovery.
        action = states[state_stack[-1]].get(kind)
        while action is not None and action < 0:
            rule = ~action
            size = sizes[rule]
            if size:
                args = value_stack[-size:]
                del state_stack[-size:]
                del value_stack[-size:]
            else:
                args = []
            push_value(callbacks[rule](args))
            state = states[state_stack[-1]][gotos[rule]]
            push_state(state)
            action = states[state].get(kind)
        if action is not None:
            push_state(action)
            push_value(token)
            if recovering:
                recovering = False
            continue
        # The token does not fit: recovery reports it and repairs the stacks or drops the broken
        # part; the token is offered again for as long as recovery says it may fit now.
        parser.recovering = recovering
        outcome = recover(parser, kind, token)
        while outcome == RETRY and not parser.feed(kind, token):
            outcome = recover(parser, kind, token)
        recovering = parser.recovering
        if outcome == SKIP_BLOCK:
            skip_depth = 1

    # The end of the file: finish the tree, closing what is still open.
    parser.recovering = recovering
    end_token = VirtualToken(END, len(source.text))
    while parser.result is None:
        if parser.feed(END, end_token):
            break
        recover(parser, END, end_token)
    root = parser.result if isinstance(parser.result, list) else []
    return Document(source, Message(0, len(source.text), root, ""), comments, parser.diagnostics)
