"""The prototxt tokens: one compiled regular expression, matched with `finditer`.

Every character of the text belongs to exactly one match, so nothing is skipped silently.
Besides the grammar's terminals the pattern names whitespace, comments, and the usual
mistakes (`//` and `/* */` comments, unterminated strings, a number running into a name,
stray characters) so the parser can report them precisely and carry on.
"""

from __future__ import annotations

import re
import sys

from .. import patterns

# Kinds that never reach the grammar.
WHITESPACE = "WS"
COMMENT = "COMMENT"
TRIVIA = frozenset({WHITESPACE, COMMENT})
# Mistakes.
SLASH_COMMENT = "SLASH_COMMENT"
BLOCK_COMMENT = "BLOCK_COMMENT"
UNCLOSED_BLOCK_COMMENT = "UNCLOSED_BLOCK_COMMENT"
UNTERMINATED_STRING = "UNTERMINATED_STRING"
NUMBER_RUNS_INTO_NAME = "NUMBER_RUNS_INTO_NAME"
STRAY = "STRAY"

_NAME_CHAR = r"[A-Za-z0-9_]"
_FLOAT = r"(?:(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[fF]?|[0-9]+[eE][+-]?[0-9]+[fF]?|[0-9]+[fF])"
_INT = r"(?:0[xX][0-9A-Fa-f]+|[0-9]+)"
# Every repetition below is "unrolled": a character class that runs freely, then a group that
# starts with the one character the class excludes. Python's regex engine keeps a backtracking
# record per iteration of a group (about 120 bytes), but none per character of a class, so a
# 10 MB string costs nothing extra; and since the group's first character is one the class cannot
# match, no match depends on backtracking into it, so from Python 3.11 the group is possessive
# (`*+`) and keeps no record at all (3.10 keeps one per escape, `e` or lone CR).
_POSSESSIVE = "*+" if sys.version_info >= (3, 11) else "*"
_DOUBLE_QUOTED = rf'"[^"\\\n]*(?:\\[^\n][^"\\\n]*){_POSSESSIVE}"'
_SINGLE_QUOTED = rf"'[^'\\\n]*(?:\\[^\n][^'\\\n]*){_POSSESSIVE}'"
# The rest of the line; the CR of a CRLF line ending is not part of it (a lone CR is).
_REST_OF_LINE = rf"[^\n\r]*(?:\r(?!\n)[^\n\r]*){_POSSESSIVE}"
# Up to the end of the line; a CR before the LF is the line ending, not part of the token.
_UNTERMINATED = rf"[\"'][^\\\n\r]*(?:(?:\r(?!\n)|\\(?:[^\n\r]|\r(?!\n)))[^\\\n\r]*){_POSSESSIVE}\\?"
# `/* ... */`: stars end it only when a '/' follows.
_BLOCK_COMMENT = rf"/\*[^*]*\*+(?:[^/*][^*]*\*+){_POSSESSIVE}/"
# A number running into a name: name characters, and exponent signs (`1e+5x`).
_NUMBER_RUN = rf"(?:[0-9]|\.[0-9])[A-DF-Za-df-z0-9_.]*(?:[eE](?:[+-][0-9])?[A-DF-Za-df-z0-9_.]*){_POSSESSIVE}"

_PATTERN_SOURCE = (
    "|".join(
        [
            # Protobuf's whitespace: space, tab, LF, CR, VT, FF (and nothing from Unicode).
            rf"(?P<{WHITESPACE}>[ \t\n\r\v\f]+)",
            rf"(?P<{COMMENT}>#{_REST_OF_LINE})",
            rf"(?P<IDENT>[A-Za-z_]{_NAME_CHAR}*)",
            # A number must not run straight into a name (`10bar`); such runs are caught below.
            rf"(?P<FLOAT>{_FLOAT})(?!{_NAME_CHAR}|\.)",
            rf"(?P<INT>{_INT})(?!{_NAME_CHAR}|\.)",
            rf"(?P<{NUMBER_RUNS_INTO_NAME}>{_NUMBER_RUN})",
            rf"(?P<STRING>{_DOUBLE_QUOTED}|{_SINGLE_QUOTED})",
            rf"(?P<{UNTERMINATED_STRING}>{_UNTERMINATED})",
            r"(?P<COLON>:)",
            r"(?P<LBRACE>\{)",
            r"(?P<RBRACE>\})",
            r"(?P<LANGLE><)",
            r"(?P<RANGLE>>)",
            r"(?P<LSQB>\[)",
            r"(?P<RSQB>\])",
            r"(?P<COMMA>,)",
            r"(?P<SEMICOLON>;)",
            r"(?P<MINUS>-)",
            rf"(?P<{SLASH_COMMENT}>//{_REST_OF_LINE})",
            rf"(?P<{BLOCK_COMMENT}>{_BLOCK_COMMENT})",
            rf"(?P<{UNCLOSED_BLOCK_COMMENT}>/\*.*)",
            r"(?P<SLASH>/)",
            r"(?P<DOT>\.)",
            rf"(?P<{STRAY}>.)",
        ]
    )
)


def __getattr__(name: str):
    """PATTERN, the one regex of every token, is compiled when first used: a well-formed file is
    read by syntax.fast and never needs it (compiling it is most of this module's import)."""
    if name == "PATTERN":
        global PATTERN
        PATTERN = patterns.compile(_PATTERN_SOURCE, re.DOTALL)
        return PATTERN
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

TERMINALS = frozenset(
    "IDENT INT FLOAT STRING COLON LBRACE RBRACE LANGLE RANGLE LSQB RSQB COMMA SEMICOLON MINUS SLASH DOT".split()
)

# How people call each terminal in messages.
DESCRIPTIONS = {
    "IDENT": "a name",
    "INT": "a number",
    "FLOAT": "a number",
    "STRING": "a string",
    "COLON": "':'",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "LANGLE": "'<'",
    "RANGLE": "'>'",
    "LSQB": "'['",
    "RSQB": "']'",
    "COMMA": "','",
    "SEMICOLON": "';'",
    "MINUS": "'-'",
    "SLASH": "'/'",
    "DOT": "'.'",
    "$END": "the end of the file",
}
