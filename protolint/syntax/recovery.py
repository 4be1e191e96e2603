"""Error recovery: what the parser does with a token it cannot use.

Two kinds of mistakes reach this module.

* Tokens the lexer flags as mistakes (a `//` comment, an unterminated string, ...). Each kind has
  its strategy in TOKEN_STRATEGIES: it reports the mistake and either drops the token or names the
  terminal the token stands in for.
* Tokens the grammar does not expect where they are. recover() reports the error and tries the
  strategies in STRATEGIES, in order; the first that applies repairs the parser's stacks (inserts a
  missing ':', closes a block, ...) or skips past the broken field, and says what to do with the
  token next.

This is the cold path: it runs once per error, not once per token, so it is written for clarity.
Every strategy has a case file under tests/syntax/recovery/ named after it, and a test that pins
the diagnostics it produces.

Field names are shown in messages. A plain name sits on the parser's value stack as its IDENT
token until recovery looks at it; name_fields() then turns the names near the top of the stack into
(name, start, end, kind) tuples, the form an `[ext]` name already has (see tree.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from . import lexer
from .lexer import DESCRIPTIONS, PATTERN
from .nodes import Message
from .tables import END
from .tree import VirtualToken
from ..diagnostics import Fix, TextEdit, syntax_error

if TYPE_CHECKING:
    from .state import ParserState

# What the driver does with the token after a strategy has run.
RETRY = "retry"  # offer it again: the stacks now have room for it
SKIP = "skip"  # drop it
SKIP_BLOCK = "skip block"  # drop it (an opener) and everything up to its matching closer

OPENERS = {"LBRACE": "RBRACE", "LANGLE": "RANGLE", "LSQB": "RSQB"}  # opener -> its closer
CLOSERS = frozenset({"RBRACE", "RANGLE", "RSQB"})
_CHAR = {"LBRACE": "{", "LANGLE": "<", "LSQB": "[", "RBRACE": "}", "RANGLE": ">", "RSQB": "]"}
_VALUE_STARTS = {"INT", "FLOAT", "STRING", "IDENT", "MINUS"}
# The order in which messages list what was expected.
_EXPECTED_ORDER = {
    k: i
    for i, k in enumerate(
        "INT FLOAT STRING MINUS IDENT COLON LBRACE LANGLE LSQB RSQB COMMA SEMICOLON RBRACE RANGLE $END".split()
    )
}


# =============================================================================================
# Tokens the lexer flags as mistakes. Each strategy reports the token and returns the terminal it
# stands in for, or None to drop it.
# =============================================================================================


def c_style_comment(parser: ParserState, kind: str, token) -> str | None:
    """`// ...` and `/* ... */` (closed or not): reported, then skipped like a `#` comment."""
    start, end = token.start(), token.end()
    if kind == lexer.SLASH_COMMENT:
        parser.report(
            start,
            end,
            "`//` comments are not allowed in prototxt; start the comment with `#`",
            fixes=[Fix("Write the comment with '#'", [TextEdit(start, start + 2, "#")])],
        )
    else:
        parser.report(start, min(end, start + 2), "`/* */` comments are not allowed in prototxt; use `#` at the start of each line")
    return None


def unterminated_string(parser: ParserState, kind: str, token) -> str | None:
    """A string without its closing quote on the line: reported, then parsed as a string, so the
    field around it is kept (its value is unusable: the Scalar keeps the mistake's kind)."""
    parser.report(
        token.start(),
        token.end(),
        f"unterminated string: add the closing {token.group()[0]} on this line (strings cannot span lines)",
    )
    return "STRING"


def malformed_number(parser: ParserState, kind: str, token) -> str | None:
    """A number running into a name or another number (`10bar`, `1.2.3`): reported, then parsed
    as a number, so the field around it is kept."""
    parser.report(
        token.start(),
        token.end(),
        f"malformed number `{token.group()}`: a number must be separated from a following name by a space",
    )
    return "INT"


def stray_character(parser: ParserState, kind: str, token) -> str | None:
    """A character no token starts with, a non-UTF-8 byte included: reported and dropped. A run of
    them is one error, and the parse error the next token may cause is not reported: it rarely
    says more than the stray character does."""
    start, end, ch = token.start(), token.end(), token.group()
    if start == parser.last_stray_end:  # the run goes on: widen its error (unless it was past the cap)
        parser.last_stray_end = end
        if not parser.suppressed:
            previous = parser.diagnostics[-1]
            parser.diagnostics[-1] = syntax_error(parser.source, previous.start, end, previous.message)
        return None
    if "\udc80" <= ch <= "\udcff":
        byte = ord(ch) - 0xDC00
        parser.report(start, end, f"byte 0x{byte:02X} is not UTF-8 text; non-UTF-8 bytes may only appear inside `#` comments")
    elif ch == "=":
        parser.report(start, end, "unexpected '=': fields are written `name: value`")
    else:
        parser.report(start, end, f"unexpected character {ch!r} (U+{ord(ch):04X}); remove it")
    parser.last_stray_end = end
    parser.recovering = True
    return None


TOKEN_STRATEGIES: dict[str, Callable] = {
    lexer.SLASH_COMMENT: c_style_comment,
    lexer.BLOCK_COMMENT: c_style_comment,
    lexer.UNCLOSED_BLOCK_COMMENT: c_style_comment,
    lexer.UNTERMINATED_STRING: unterminated_string,
    lexer.NUMBER_RUNS_INTO_NAME: malformed_number,
    lexer.STRAY: stray_character,
}


def mistaken_token(parser: ParserState, kind: str, token) -> str | None:
    """Report a token the lexer flags as a mistake; the terminal it stands in for, or None."""
    return TOKEN_STRATEGIES[kind](parser, kind, token)


# =============================================================================================
# Tokens the grammar does not expect here
# =============================================================================================


class Unexpected:
    """The token the grammar could not take, and the parser state (the LR state number and its row
    of the table) it could not take it in."""

    __slots__ = ("kind", "token", "start", "end", "state", "expected")

    def __init__(self, parser: ParserState, kind: str, token):
        self.kind = kind
        self.token = token
        self.start = token.start()
        self.end = token.end()
        self.state = parser.state_stack[-1]
        self.expected = parser.states[self.state]


def recover(parser: ParserState, kind: str, token) -> str:
    """Report one syntax error at `token` and repair the stacks or resynchronise.

    Returns RETRY, SKIP or SKIP_BLOCK: what the driver does with the token next.
    """
    name_fields(parser)
    error = Unexpected(parser, kind, token)
    for strategy in STRATEGIES:
        outcome = strategy(parser, error)
        if outcome is not None:
            return outcome
    raise AssertionError("broken_field applies to every error")


# Each strategy returns None when the error is not the kind it handles. Before deciding, some
# complete what the table allows on the stacks (the name before a value, the block a closer would
# end); when they then do not apply, the next strategy sees the stacks so completed.


def missing_open_brace(parser: ParserState, error: Unexpected) -> str | None:
    """`convolution_param num_output: 4`: a field name followed by what starts another field, as
    when the '{' of a block was forgotten. Reported at the first name; that field is dropped."""
    name = _name_before_value(parser, error)
    if name is None or error.kind != "IDENT" or _next_kind(parser.text, error.end) not in ("COLON", "LBRACE", "LANGLE"):
        return None
    parser.report(
        name[1],
        name[2],
        f"expected ':' or '{{' after field name `{name[0]}`; `{error.token.group()}` starts another field "
        f"— did you forget '{{' after `{name[0]}`?",
    )
    parser.recovering = True  # (so the resynchronisation below reports nothing more)
    _finish_field(parser)
    return _resume_at_field_list(parser, error.kind)


def missing_colon(parser: ParserState, error: Unexpected) -> str | None:
    """`name "conv1"`: a value right after a field name. Reported with a fix; the ':' is inserted
    (as a token with no place in the text, so the field's `colon` stays -1) and the value kept."""
    name = _name_before_value(parser, error)
    if name is None:
        return None
    kind, token, text, start = error.kind, error.token, parser.text, error.start
    shown, value_end = describe(kind, token), error.end
    if kind == "MINUS":  # the value is the sign and the number (or inf/nan) after it
        following = _next_token(text, error.end)
        if following is not None and following.lastgroup in ("INT", "FLOAT", "IDENT"):
            value_end = following.end()
            shown = f"`{text[start:value_end]}`"
    written = text[start:value_end] if kind == "MINUS" else token.group()
    parser.report(
        start,
        value_end,
        f"missing ':' between field name `{name[0]}` and its value {shown}; write `{name[0]}: {written}`",
        fixes=[Fix("Insert ':'", [TextEdit(name[2], name[2], ":")])],
    )
    parser.feed("COLON", VirtualToken("COLON", -1, ":"))
    return RETRY


def unclosed_at_end(parser: ParserState, error: Unexpected) -> str | None:
    """The file ends inside a message or list: reported at the end of the file, pointing at the
    opener; the innermost level is closed (with an empty closer, so the message gets
    `closed = False`) and the end offered again, until every level is closed.

    Each opener is closed this way once: when closing it does not help (the `[` of an extension
    name wants a value after its `]`), the next error at the end drops the broken field instead.
    """
    if error.kind != END:
        return None
    opener = innermost_open(parser)
    if opener is None or id(opener) in parser.closed_at_end:
        return None
    parser.closed_at_end[id(opener)] = opener  # (kept alive, so its id stays its own)
    line = parser.source.position(opener.start())[0]
    closer = _CHAR[OPENERS[opener.lastgroup]]
    parser.report(
        error.start,
        error.end,
        f"missing '{closer}' to close the '{opener.group()}' opened at line {line}"
        f"{_field_of(parser.value_stack, opener)}; the file ends first",
        related=[(opener.start(), opener.end(), f"'{opener.group()}' opened here")],
    )
    parser.recovering = True
    _close_innermost(parser, opener)
    return RETRY


def unmatched_closer(parser: ParserState, error: Unexpected) -> str | None:
    """A '}', '>' or ']' with nothing open: reported and dropped."""
    if error.kind not in CLOSERS or innermost_open(parser) is not None:
        return None
    parser.report(error.start, error.end, f"unmatched '{error.token.group()}': nothing is open here; remove it")
    return SKIP


def mismatched_closer(parser: ParserState, error: Unexpected) -> str | None:
    """`layer { ... >`: a closer of the wrong kind where the innermost opener's closer would fit.
    Reported, pointing at the opener; the right closer is inserted in its place."""
    if error.kind not in CLOSERS:
        return None
    opener = innermost_open(parser)
    wanted = next((k for k in ("RBRACE", "RANGLE", "RSQB") if k in error.expected), None)
    if opener is None or wanted is None or OPENERS[opener.lastgroup] != wanted or wanted == error.kind:
        return None
    if not parser.reduce_until_shift(wanted):
        return None
    line = parser.source.position(opener.start())[0]
    parser.report(
        error.start,
        error.end,
        f"'{error.token.group()}' does not match the '{opener.group()}' opened at line {line}"
        f"{_field_of(parser.value_stack, opener)}; close it with '{_CHAR[wanted]}'",
        related=[(opener.start(), opener.end(), f"'{opener.group()}' opened here")],
    )
    parser.feed(wanted, VirtualToken(wanted, error.start, _CHAR[wanted]))
    return SKIP


def missing_value(parser: ParserState, error: Unexpected) -> str | None:
    """`name: }`: a ':' followed by something that is not a value. Reported; the field is dropped
    and parsing resumes at the next field."""
    top = parser.value_stack[-1] if parser.value_stack else None
    if getattr(top, "lastgroup", None) != "COLON":
        return None
    found, where = describe(error.kind, error.token), context(parser)
    _finish_field(parser)
    if not parser.recovering:
        parser.report(error.start, error.end, f"missing value{where}: found {found}")
    return _resume_at_field_list(parser, error.kind)


def broken_field(parser: ParserState, error: Unexpected) -> str | None:
    """Anything else: reported with what was expected (unless the parser is still quietly skipping
    after an earlier error); what came before the token is kept when it is a complete field, the
    rest of the broken field is dropped, and parsing resumes at the next field. A token that
    cannot start a field there is dropped, and an opener with everything up to its closer."""
    found, where = describe(error.kind, error.token), context(parser)
    _finish_field(parser)
    if not parser.recovering:
        top = parser.state_stack[-1]
        value_stack = parser.value_stack
        fields = value_stack[-1] if value_stack and isinstance(value_stack[-1], list) else None
        if top in parser.field_lists and fields and fields[-1].end <= error.start:
            previous = fields[-1]
            hint = ""
            if error.kind in _VALUE_STARTS and not isinstance(previous.value, Message):
                hint = (
                    f"; a field takes one value: repeat the field or write "
                    f"`{previous.name}: [{parser.text[previous.value.start:previous.value.end]}, {error.token.group()}]`"
                )
            parser.report(
                error.start,
                error.end,
                f"unexpected {found} after the value of `{previous.name}`: expected {expected_words(parser, top)}{hint}",
            )
        else:
            parser.report(error.start, error.end, f"expected {expected_words(parser, error.state)}{where}, found {found}")
    return _resume_at_field_list(parser, error.kind)


STRATEGIES = (
    missing_open_brace,
    missing_colon,
    unclosed_at_end,
    unmatched_closer,
    mismatched_closer,
    missing_value,
    broken_field,  # last: it applies to every error
)


# =============================================================================================
# Repairs the strategies share
# =============================================================================================


def _name_before_value(parser: ParserState, error: Unexpected) -> tuple | None:
    """The field name a value token follows, as a (name, start, end, kind) tuple, or None.

    Where a ':' could follow, the name is first completed as if the ':' came (an `[ext]` name is
    reduced to its tuple); doing so a second time changes nothing.
    """
    if error.kind not in _VALUE_STARTS:
        return None
    if "COLON" in error.expected:
        parser.reduce_until_shift("COLON")
    value_stack = parser.value_stack
    return value_stack[-1] if value_stack and isinstance(value_stack[-1], tuple) else None


def _finish_field(parser: ParserState) -> None:
    """Apply the reductions that complete what stands before the bad token (a complete field is
    kept), as the first lookahead that fits would."""
    for lookahead in ("IDENT", "RBRACE", "RANGLE", END):
        if lookahead in parser.states[parser.state_stack[-1]]:
            if parser.reduce_until_shift(lookahead):
                break


def _resume_at_field_list(parser: ParserState, kind: str) -> str:
    """Drop the rest of the broken field: pop the stacks down to a list of fields. The token is
    then retried if it fits there; otherwise skipped (an opener with its block)."""
    parser.recovering = True
    state_stack, value_stack = parser.state_stack, parser.value_stack
    while state_stack[-1] not in parser.field_lists and len(state_stack) > 1:
        state_stack.pop()
        value_stack.pop()
    if kind in parser.states[state_stack[-1]]:
        return RETRY
    if kind in OPENERS:
        return SKIP_BLOCK
    return SKIP


def _close_innermost(parser: ParserState, opener) -> None:
    """At the end of the file: close the innermost open message or list ourselves."""
    states, state_stack, value_stack = parser.states, parser.state_stack, parser.value_stack
    closer = OPENERS[opener.lastgroup]
    for lookahead in (closer, "IDENT", "RBRACE", "RANGLE"):
        if parser.reduce_until_shift(lookahead) and lookahead == closer:
            break
    else:
        while len(state_stack) > 1 and closer not in states[state_stack[-1]]:
            state_stack.pop()
            value_stack.pop()
        parser.reduce_until_shift(closer)
    if closer in states[state_stack[-1]]:
        # An empty closer: the message built from it gets `closed = False` (see tree.in_text).
        parser.feed(closer, VirtualToken(closer, len(parser.text), ""))


# =============================================================================================
# Reading the stacks, for messages
# =============================================================================================


def name_fields(parser: ParserState) -> None:
    """Turn the plain field names near the top of the value stack into (name, start, end, kind)
    tuples, which the messages look for. Only down to the innermost open message: with thousands
    of levels open a full scan per error would be quadratic."""
    value_stack, state_stack, name_states = parser.value_stack, parser.state_stack, parser.name_states
    for i in range(len(value_stack) - 1, -1, -1):
        value = value_stack[i]
        if state_stack[i + 1] in name_states and value.__class__ is not tuple and hasattr(value, "lastgroup"):
            value_stack[i] = (value.group(), value.start(), value.end(), "plain")
        elif getattr(value, "lastgroup", None) in OPENERS:
            # The opener's own field name: just below it, or below its ':'.
            for j in (i - 1, i - 2):
                named = value_stack[j] if j >= 0 else None
                if named is not None and state_stack[j + 1] in name_states and named.__class__ is not tuple:
                    value_stack[j] = (named.group(), named.start(), named.end(), "plain")
            if value.lastgroup != "LSQB" and i < len(value_stack) - 1:
                break  # the innermost message: names further down are not asked about


def innermost_open(parser: ParserState):
    """The token that opened the innermost message or list not yet closed, or None. Searched from
    the top of the stack: with thousands of levels left open at the end of the file, a full scan
    per level would be quadratic."""
    closed = 0  # closers on the stack (not reduced yet, as in `[ext] <error>`) close the openers below
    for v in reversed(parser.value_stack):
        group = getattr(v, "lastgroup", None)
        if group in CLOSERS:
            closed += 1
        elif group in OPENERS:
            if closed:
                closed -= 1
            elif not isinstance(v, VirtualToken):
                return v
    return None


def describe(kind: str, token) -> str:
    """The token as a message names it: its text for names, numbers and strings."""
    if kind == END:
        return "the end of the file"
    if kind in ("IDENT", "INT", "FLOAT", "STRING"):
        return f"`{token.group()}`"
    return DESCRIPTIONS.get(kind, repr(token.group()))


def context(parser: ParserState) -> str:
    """Where the parser is, in words, from the top of the value stack."""
    value_stack = parser.value_stack
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


def expected_words(parser: ParserState, state: int) -> str:
    """What the table accepts in `state`, in words: "a field name, ',', ';' or '}'"."""
    row = parser.states[state]
    names = []
    # Where a list of fields starts or goes on, a name or '[' starts a field, not a value;
    # inside `[ext.name]` a name is part of the type name.
    field_start = state in parser.field_lists or "fields" in row
    type_name_part = "type_name" in row or state in parser.type_name_states
    for kind in sorted(row, key=lambda k: _EXPECTED_ORDER.get(k, 99)):
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


def _next_token(text: str, pos: int):
    """The next significant token after `pos` (for error messages only)."""
    for token in PATTERN.finditer(text, pos):
        if token.lastgroup not in lexer.TRIVIA:
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
