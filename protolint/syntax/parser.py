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
from .encoding import not_text
from .fast import parse_well_formed
from .nodes import Comment, Message
from ..diagnostics import Diagnostic, syntax_error
from ..source import SourceText

class Document:
    """A parsed file: its source, the root message (the whole file), comments and syntax errors."""

    __slots__ = ("source", "root", "comments", "diagnostics", "root_type", "not_text", "unknown_names")

    def __init__(self, source: SourceText, root: Message, comments: list[Comment], diagnostics: list[Diagnostic]):
        self.source = source
        self.root = root
        self.comments = comments
        self.diagnostics = diagnostics
        self.root_type = None  # the MessageType the checker typed the root as
        self.not_text = False  # a binary or UTF-16/32 file: one finding, not parsed, no rules run
        self.unknown_names = True  # the schema check met fields or enum values its schema lacks (until checked)

    @property
    def has_syntax_errors(self) -> bool:
        return bool(self.diagnostics)


def end_of_content(text: str) -> int:
    """Where errors at the end of the file are placed: just after its last token or comment (on a
    line that exists and shows it), not after the final line break. (Stripped a piece at a time
    from the end: no copy of the whole text.)"""
    end = len(text)
    while end:
        start = max(0, end - 4096)
        kept = len(text[start:end].rstrip(" \t\n\r\v\f"))
        if kept:
            return start + kept
        end = start
    return 0


def parse(source: SourceText) -> Document:
    """Parse a whole file. Never raises on bad input: problems become diagnostics."""
    problem = not_text(source.text)
    if problem is not None:  # one finding for the whole file, not one per token of noise
        offset, message = problem
        document = Document(source, Message(0, len(source.text), [], ""), [],
                            [syntax_error(source, offset, min(offset + 1, len(source.text)), message)])
        document.not_text = True
        return document
    if not source.has_bom:
        well_formed = parse_well_formed(source.text)
        if well_formed is not None:
            fields, comments = well_formed
            return Document(source, Message(0, len(source.text), fields, ""), comments, [])
    # The driver and error recovery: only for what the fast path left (kept off the start-up path).
    from .recovery import CLOSERS, OPENERS, RETRY, SKIP_BLOCK, mistaken_token, recover
    from .state import ParserState
    from .tables import END, parse_tables
    from .tree import VirtualToken

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
    for token in lexer.PATTERN.finditer(source.text):
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
    end_token = VirtualToken(END, end_of_content(source.text))
    while parser.result is None:
        if parser.feed(END, end_token):
            break
        recover(parser, END, end_token)
    parser.finish_report()
    root = parser.result if isinstance(parser.result, list) else []
    parser.callbacks = None  # they hold parser.report: a cycle that would keep the tree alive until a GC pass
    return Document(source, Message(0, len(source.text), root, ""), comments, parser.diagnostics)
