"""Text -> syntax tree, with error recovery.

A table-driven LALR(1) parser: tables from grammars/prototxt.lark (see tables.py), tokens from
lexer.PATTERN, tree nodes built by the reductions in tree.py. On a syntax error it reports in plain
words, repairs the common mistakes in place (a missing ':' before a value, a '>' closing a '{',
braces left open at the end of the file) and otherwise skips to the next field, so one run reports
every error.
"""

from __future__ import annotations

from . import lexer
from .lexer import DESCRIPTIONS, PATTERN
from .nodes import Comment, Message
from .tables import END, parse_tables
from .tree import VirtualToken, reductions
from ..diagnostics import Diagnostic, Fix, TextEdit, syntax_error
from ..source import SourceText


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


_OPENERS = {"LBRACE": "RBRACE", "LANGLE": "RANGLE", "LSQB": "RSQB"}
_CLOSERS = {"RBRACE", "RANGLE", "RSQB"}
_CHAR = {"LBRACE": "{", "LANGLE": "<", "LSQB": "[", "RBRACE": "}", "RANGLE": ">", "RSQB": "]"}
_VALUE_STARTS = {"INT", "FLOAT", "STRING", "IDENT", "MINUS"}
_EXPECTED_ORDER = {
    k: i
    for i, k in enumerate(
        "INT FLOAT STRING MINUS IDENT COLON LBRACE LANGLE LSQB RSQB COMMA SEMICOLON RBRACE RANGLE $END".split()
    )
}
_TRIVIA = {lexer.WHITESPACE, lexer.COMMENT}
# Tokens the lexer flags as mistakes but the grammar can still use in their place.
_STAND_INS = {lexer.UNTERMINATED_STRING: "STRING", lexer.NUMBER_RUNS_INTO_NAME: "INT"}


def parse(source: SourceText) -> Document:
    """Parse a whole file. Never raises on bad input: problems become diagnostics."""
    tables = parse_tables()
    states = tables.states
    rules = tables.rules
    end_state = tables.end_state
    field_lists = tables.field_list_states
    text = source.text
    diagnostics: list[Diagnostic] = []
    comments: list[Comment] = []
    state_stack = [tables.start_state]
    value_stack: list = []
    recovering = False  # after an error: skip tokens quietly until one fits
    skip_depth = 0  # brackets opened by skipped tokens
    last_stray_end = -1
    type_name_states = {row[k] for row in states for k in ("DOT", "SLASH") if k in row}
    # States right after a plain field name (its IDENT shifted where a field starts).
    name_states = {states[s]["IDENT"] for s in field_lists if states[s].get("IDENT", -1) >= 0}
    closed_at_end: dict[int, object] = {}  # openers the end of the file has closed, by id (see handle_error)
    result = None

    if source.has_bom:
        diagnostics.append(
            syntax_error(
                source,
                0,
                0,
                "the file starts with a UTF-8 byte order mark, which Caffe's text parser does not accept; "
                "save it as UTF-8 without BOM",
            )
        )

    def report(start: int, end: int, message: str, related=None, fixes=None) -> None:
        diagnostics.append(syntax_error(source, start, end, message, related, fixes))

    callbacks = reductions(rules, text, report)
    gotos = [origin for _alias, origin, _size in rules]
    sizes = [size for _alias, _origin, size in rules]

    def reduce_until_shift(kind: str) -> bool:
        """Apply the reductions `kind` as lookahead calls for; True if `kind` can then be shifted."""
        while True:
            action = states[state_stack[-1]].get(kind)
            if action is None:
                return False
            if action >= 0:
                return True
            rule = ~action
            size = sizes[rule]
            if size:
                args = value_stack[-size:]
                del state_stack[-size:]
                del value_stack[-size:]
            else:
                args = []
            value_stack.append(callbacks[rule](args))
            state_stack.append(states[state_stack[-1]][gotos[rule]])
            if state_stack[-1] == end_state:
                return True

    def open_delimiters():
        """The token that opened the innermost message or list not yet closed, as a one-item list
        (empty when nothing is open). Searched from the top of the stack: with thousands of
        levels left open at the end of the file, a full scan per level would be quadratic."""
        closed = 0  # closers on the stack (not reduced yet, as in `[ext] <error>`) close the openers below
        for v in reversed(value_stack):
            group = getattr(v, "lastgroup", None)
            if group in _CLOSERS:
                closed += 1
            elif group in _OPENERS:
                if closed:
                    closed -= 1
                elif not isinstance(v, VirtualToken):
                    return [v]
        return []

    def describe(kind: str, token) -> str:
        if kind == END:
            return "the end of the file"
        if kind in ("IDENT", "INT", "FLOAT", "STRING"):
            return f"`{token.group()}`"
        return DESCRIPTIONS.get(kind, repr(token.group()))

    def context() -> str:
        """Where the parser is, in words, from the top of the value stack."""
        if not value_stack:
            return ""
        top = value_stack[-1]
        if isinstance(top, tuple):
            return f" after field name `{top[0]}`"
        if getattr(top, "lastgroup", None) == "COLON" and len(value_stack) >= 2 and isinstance(value_stack[-2], tuple):
            return f" after `{value_stack[-2][0]}:`"
        for v in reversed(value_stack):
            if isinstance(v, tuple):
                return f" in the value of `{v[0]}`"
        return ""

    def expected_words(state: int) -> str:
        names = []
        # Where a list of fields starts or goes on, a name or '[' starts a field, not a value;
        # inside `[ext.name]` a name is part of the type name.
        field_start = state in field_lists or "fields" in states[state]
        type_name_part = "type_name" in states[state] or state in type_name_states
        for kind in sorted(states[state], key=lambda k: _EXPECTED_ORDER.get(k, 99)):
            if not kind.isupper() or kind in ("SLASH", "DOT") or (kind == "LSQB" and field_start):
                continue
            words = DESCRIPTIONS.get(kind, kind)
            if kind == "IDENT" and field_start:
                words = "a field name"
            elif kind == "IDENT" and type_name_part:
                words = "a name"
            elif kind in ("INT", "FLOAT", "STRING", "MINUS") or (kind == "IDENT"):
                words = "a value"
            if words not in names:
                names.append(words)
        if len(names) > 1:
            return ", ".join(names[:-1]) + " or " + names[-1]
        return names[0] if names else "nothing"

    def plain_names() -> None:
        """Field names near the top of the stack as (name, start, end, kind) tuples, which the error
        messages below look for: a plain name is shifted as its IDENT token (see the grammar). Only
        down to the innermost open brace: with thousands of levels open a full scan is quadratic."""
        for i in range(len(value_stack) - 1, -1, -1):
            value = value_stack[i]
            if state_stack[i + 1] in name_states and value.__class__ is not tuple and hasattr(value, "lastgroup"):
                value_stack[i] = (value.group(), value.start(), value.end(), "plain")
            elif getattr(value, "lastgroup", None) in _OPENERS:
                # The opener's own field name: just below it, or below its ':'.
                for j in (i - 1, i - 2):
                    named = value_stack[j] if j >= 0 else None
                    if named is not None and state_stack[j + 1] in name_states and named.__class__ is not tuple:
                        value_stack[j] = (named.group(), named.start(), named.end(), "plain")
                if value.lastgroup != "LSQB" and i < len(value_stack) - 1:
                    break  # the innermost message: names further down are not asked about

    def handle_error(kind: str, token) -> str:
        """Report one syntax error and repair or resynchronise. Returns what to do with `token`:
        'retry' (feed it again), 'skip' (drop it)."""
        nonlocal recovering, skip_depth
        plain_names()
        state = state_stack[-1]
        expected = states[state]
        start, end = token.start(), token.end()

        # A missing ':' between a field name and its value: insert it.
        if kind in _VALUE_STARTS and "COLON" in expected:
            reduce_until_shift("COLON")  # the name token becomes a name
        if kind in _VALUE_STARTS and value_stack and isinstance(value_stack[-1], tuple):
            name = value_stack[-1][0]
            if kind == "IDENT" and _next_kind(text, end) in ("COLON", "LBRACE", "LANGLE"):
                report(
                    value_stack[-1][1],
                    value_stack[-1][2],
                    f"expected ':' or '{{' after field name `{name}`; `{token.group()}` starts another field "
                    f"— did you forget '{{' after `{name}`?",
                )
                recovering = True
            else:
                shown, value_end = describe(kind, token), end
                if kind == "MINUS":  # the value is the sign and the number (or inf/nan) after it
                    following = _next_token(text, end)
                    if following is not None and following.lastgroup in ("INT", "FLOAT", "IDENT"):
                        value_end = following.end()
                        shown = f"`{text[start:value_end]}`"
                report(
                    start,
                    value_end,
                    f"missing ':' between field name `{name}` and its value {shown}; "
                    f"write `{name}: {text[start:value_end] if kind == 'MINUS' else token.group()}`",
                    fixes=[Fix("Insert ':'", [TextEdit(value_stack[-1][2], value_stack[-1][2], ":")])],
                )
                feed("COLON", VirtualToken("COLON", -1, ":"))  # -1: no colon in the text
                return "retry"

        # A closer that does not match its opener ('{' ... '>').
        elif kind in _CLOSERS or kind == END:
            opened = open_delimiters()
            wanted = next((k for k in ("RBRACE", "RANGLE", "RSQB") if k in expected), None)
            # An opener closed at the end of the file that is still open: closing it did not
            # help (the `[` of an extension name wants a value after its `]`); drop the broken
            # field below instead of closing it again and again.
            if kind == END and opened and id(opened[-1]) not in closed_at_end:
                closed_at_end[id(opened[-1])] = opened[-1]  # (kept alive, so its id stays its own)
                opener = opened[-1]
                line = source.position(opener.start())[0]
                closer = _CHAR[_OPENERS[opener.lastgroup]]
                report(
                    start,
                    end,
                    f"missing '{closer}' to close the '{opener.group()}' opened at line {line}"
                    f"{_field_of(value_stack, opener)}; the file ends first",
                    related=[(opener.start(), opener.end(), f"'{opener.group()}' opened here")],
                )
                recovering = True
                close_innermost(opened[-1])
                return "retry"
            if kind in _CLOSERS and not opened:
                report(start, end, f"unmatched '{token.group()}': nothing is open here; remove it")
                return "skip"
            if kind in _CLOSERS and wanted and opened and _OPENERS[opened[-1].lastgroup] == wanted:
                opener = opened[-1]
                if _OPENERS[opener.lastgroup] != kind and reduce_until_shift(wanted):
                    line = source.position(opener.start())[0]
                    report(
                        start,
                        end,
                        f"'{token.group()}' does not match the '{opener.group()}' opened at line {line}"
                        f"{_field_of(value_stack, opener)}; close it with '{_CHAR[wanted]}'",
                        related=[(opener.start(), opener.end(), f"'{opener.group()}' opened here")],
                    )
                    feed(wanted, VirtualToken(wanted, start, _CHAR[wanted]))
                    return "skip"

        found = describe(kind, token)
        missing_value = bool(value_stack) and getattr(value_stack[-1], "lastgroup", None) == "COLON"
        where = context()
        # Finish what can be finished (a complete field before the bad token is kept) ...
        for lookahead in ("IDENT", "RBRACE", "RANGLE", END):
            if lookahead in states[state_stack[-1]]:
                if reduce_until_shift(lookahead):
                    break
        if not recovering:
            top = state_stack[-1]
            fields = value_stack[-1] if value_stack and isinstance(value_stack[-1], list) else None
            if missing_value:
                report(start, end, f"missing value{where}: found {found}")
            elif top in field_lists and fields and fields[-1].end <= start:
                previous = fields[-1]
                hint = ""
                if kind in _VALUE_STARTS and not isinstance(previous.value, Message):
                    hint = (
                        f"; a field takes one value: repeat the field or write "
                        f"`{previous.name}: [{source.text[previous.value.start:previous.value.end]}, {token.group()}]`"
                    )
                report(
                    start,
                    end,
                    f"unexpected {found} after the value of `{previous.name}`: expected {expected_words(top)}{hint}",
                )
            else:
                report(start, end, f"expected {expected_words(state)}{where}, found {found}")
        recovering = True
        # ... and drop the rest of the broken field.
        while state_stack[-1] not in field_lists and len(state_stack) > 1:
            state_stack.pop()
            value_stack.pop()
        if kind in states[state_stack[-1]]:
            return "retry"
        if kind in _OPENERS:
            skip_depth = 1
        return "skip"

    def close_innermost(opener) -> None:
        """At the end of the file: close the innermost open message or list ourselves."""
        closer = _OPENERS[opener.lastgroup]
        for lookahead in (closer, "IDENT", "RBRACE", "RANGLE"):
            if reduce_until_shift(lookahead) and lookahead == closer:
                break
        else:
            while len(state_stack) > 1 and closer not in states[state_stack[-1]]:
                state_stack.pop()
                value_stack.pop()
            reduce_until_shift(closer)
        if closer in states[state_stack[-1]]:
            # An empty closer: the message built from it gets `closed = False` (see tree.in_text).
            feed(closer, VirtualToken(closer, len(text), ""))

    def feed(kind: str, token) -> bool:
        """Shift `token` after the reductions it calls for. False if it does not fit here."""
        nonlocal result, recovering
        while True:
            action = states[state_stack[-1]].get(kind)
            if action is None:
                return False
            if action >= 0:
                state_stack.append(action)
                value_stack.append(token)
                recovering = False
                return True
            rule = ~action
            size = sizes[rule]
            if size:
                args = value_stack[-size:]
                del state_stack[-size:]
                del value_stack[-size:]
            else:
                args = []
            value = callbacks[rule](args)
            state_stack.append(states[state_stack[-1]][gotos[rule]])
            value_stack.append(value)
            if state_stack[-1] == end_state:
                result = value
                return True

    terminals, trivia, comment_kind = lexer.TERMINALS, _TRIVIA, lexer.COMMENT
    push_state, push_value = state_stack.append, value_stack.append
    for token in PATTERN.finditer(text):
        kind = token.lastgroup
        if kind in trivia:
            if kind == comment_kind:
                comments.append(Comment(token.start(), token.end(), token.group()))
            continue
        if kind not in terminals:
            if kind == lexer.STRAY and token.start() == last_stray_end:
                last_stray_end = token.end()
                previous = diagnostics[-1]
                diagnostics[-1] = syntax_error(source, previous.start, token.end(), previous.message)
                continue
            report_token_mistake(source, token, kind, report)
            if kind == lexer.STRAY:
                last_stray_end = token.end()
                recovering = True  # what follows a stray character is rarely worth a second error
            if kind not in _STAND_INS:
                continue
            kind = _STAND_INS[kind]
        if skip_depth:
            if kind in _OPENERS:
                skip_depth += 1
            elif kind in _CLOSERS:
                skip_depth -= 1
            continue
        # The hot path, inlined (this loop runs once per token): reduce as the table says, then shift.
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
        while handle_error(kind, token) == "retry":
            if feed(kind, token):
                break

    end_token = VirtualToken(END, len(text))
    while result is None:
        if feed(END, end_token):
            break
        handle_error(END, end_token)
    root = result if isinstance(result, list) else []
    return Document(source, Message(0, len(text), root, ""), comments, diagnostics)


def _next_token(text: str, pos: int):
    """The next significant token after `pos` (for error messages only)."""
    for token in PATTERN.finditer(text, pos):
        if token.lastgroup not in _TRIVIA:
            return token
    return None


def _next_kind(text: str, pos: int) -> str | None:
    token = _next_token(text, pos)
    return token.lastgroup if token is not None else None


def _field_of(value_stack: list, opener) -> str:
    """` for `layer`` when the opener belongs to a named field."""
    for i in range(len(value_stack) - 1, -1, -1):  # the opener is near the top
        if value_stack[i] is opener:
            for j in range(i - 1, -1, -1):
                if isinstance(value_stack[j], tuple):
                    return f" for `{value_stack[j][0]}`"
                if getattr(value_stack[j], "lastgroup", None) != "COLON":
                    break
    return ""


def report_token_mistake(source: SourceText, token, kind: str, report) -> None:
    start, end, text = token.start(), token.end(), token.group()
    if kind == lexer.SLASH_COMMENT:
        report(start, end, "`//` comments are not allowed in prototxt; start the comment with `#`",
               fixes=[Fix("Write the comment with '#'", [TextEdit(start, start + 2, "#")])])
    elif kind in (lexer.BLOCK_COMMENT, lexer.UNCLOSED_BLOCK_COMMENT):
        report(start, min(end, start + 2), "`/* */` comments are not allowed in prototxt; use `#` at the start of each line")
    elif kind == lexer.UNTERMINATED_STRING:
        report(start, end, f"unterminated string: add the closing {text[0]} on this line (strings cannot span lines)")
    elif kind == lexer.NUMBER_RUNS_INTO_NAME:
        report(start, end, f"malformed number `{text}`: a number must be separated from a following name by a space")
    elif kind == lexer.STRAY:
        ch = text
        if "\udc80" <= ch <= "\udcff":
            byte = ord(ch) - 0xDC00
            report(start, end, f"byte 0x{byte:02X} is not UTF-8 text; non-UTF-8 bytes may only appear inside `#` comments")
        elif ch == "=":
            report(start, end, "unexpected '=': fields are written `name: value`")
        else:
            report(start, end, f"unexpected character {ch!r} (U+{ord(ch):04X}); remove it")
