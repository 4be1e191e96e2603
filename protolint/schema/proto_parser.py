"""Reading a .proto file: the text becomes a lark syntax tree, and literal values are read out of it.

This is the first stage of loading a schema and the only one that uses lark. The LALR parser for
`grammars/proto.lark` is built once per process and only when a file has to be parsed, so a
schema that comes from the cache never imports lark. A lark syntax error becomes a `SchemaError`
that says in words what was expected ("expected ";" or "[", found "}"), at the place protoc
would point to.

`ProtoFile` is one parsed text: its tree, the comments the lexer skipped (they become the docs of
messages, fields and enum values), and the readers that turn tree nodes into values: string
literals with their C escapes, option constants, and the Python value a constant stands for in a
field of a given scalar type. Every problem is reported as a `SchemaError` with the file, line and
column of the token at fault.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from protolint import patterns
from protolint.data_files import package_file
from protolint.schema.errors import SchemaError
from protolint.schema.model import FLOAT_TYPES, INTEGER_RANGES, INTEGER_TYPES
from protolint.suggest import closest
from protolint.syntax.strings import parse_int

if TYPE_CHECKING:
    from lark import Lark, Token, Tree


def did_you_mean(name: str, candidates: list[str]) -> str:
    """The hint a message about a misspelt name ends with ('; did you mean "x"?'), or ""."""
    match = closest(name, candidates)
    return f'; did you mean "{match}"?' if match else ""


# ---------------------------------------------------------------------------------------------
# The parser: built once per process
# ---------------------------------------------------------------------------------------------


class _ProtoParser:
    """The lark parser for grammars/proto.lark, plus the comments its lexer skipped."""

    def __init__(self) -> None:
        from lark import Lark

        grammar = package_file("protolint.grammars", "proto.lark").read_text(encoding="utf-8")
        self._comments: list[Any] = []
        self.lark: Lark = Lark(
            grammar,
            parser="lalr",
            lexer="contextual",
            propagate_positions=True,
            maybe_placeholders=False,
            lexer_callbacks={"COMMENT": self._comments.append},
        )
        self.terminal_descriptions = _describe_terminals(self.lark)
        self._lock = threading.Lock()  # the comment list is shared, so one parse at a time

    def parse(self, text: str) -> tuple[Tree, list[Any]]:
        with self._lock:
            self._comments.clear()
            try:
                tree = self.lark.parse(text)
                return tree, list(self._comments)
            finally:
                self._comments.clear()


_parser: _ProtoParser | None = None
_parser_lock = threading.Lock()


def get_parser() -> _ProtoParser:
    """The process's parser, built on first use."""
    global _parser
    with _parser_lock:
        if _parser is None:
            _parser = _ProtoParser()
        return _parser


_TERMINAL_WORDS = {
    "IDENT": "a name",
    "INT": "an integer",
    "FLOAT": "a number",
    "STRING": "a string",
    "$END": "the end of the file",
}


def _describe_terminals(lark: Lark) -> dict[str, str]:
    from lark.lexer import PatternStr

    words = dict(_TERMINAL_WORDS)
    for terminal in lark.terminals:
        if isinstance(terminal.pattern, PatternStr):
            words[terminal.name] = f'"{terminal.pattern.value}"'
    return words


def _syntax_error(exc: Exception, text: str, path: str, descriptions: dict[str, str]) -> SchemaError:
    """Turn a lark parse error into a SchemaError saying what was expected."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    def expected_words(names: Iterable[str]) -> str:
        words = sorted({descriptions.get(name, name.lower()) for name in names}, key=lambda w: (w[0] != '"', w))
        if not words:
            return "something else"
        if len(words) > 8:
            words = words[:8] + ["..."]
        return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]

    if isinstance(exc, UnexpectedToken):
        token = exc.token
        if token.type == "$END":
            line = text.count("\n") + 1
            column = len(text) - text.rfind("\n")
            if "RBRACE" in exc.expected:
                return SchemaError(path, line, column, 'unexpected end of file: a closing "}" is missing')
            return SchemaError(path, line, column, f"unexpected end of file, expected {expected_words(exc.expected)}")
        at_top_level = "PACKAGE" in exc.expected  # only the file level expects `package`
        if token.type == "RBRACE" and at_top_level:
            return SchemaError(path, token.line, token.column, 'this "}" closes nothing')
        return SchemaError(
            path, token.line, token.column, f'expected {expected_words(exc.expected)}, found "{token.value}"'
        )
    if isinstance(exc, UnexpectedCharacters):
        rest = text[exc.pos_in_stream :]
        if rest.startswith("/*"):
            message = "unterminated /* comment"
        elif rest[:1] in "\"'":
            message = "unterminated string (a string must end on the line it starts)"
        else:
            message = f"unexpected character {rest[:1]!r}"
            if exc.allowed:
                message += f", expected {expected_words(exc.allowed)}"
        return SchemaError(path, exc.line, exc.column, message)
    if isinstance(exc, UnexpectedEOF):
        line = text.count("\n") + 1
        return SchemaError(path, line, 1, f"unexpected end of file, expected {expected_words(exc.expected)}")
    return SchemaError(path, 1, 1, f"cannot parse the file: {exc}")


# ---------------------------------------------------------------------------------------------
# One parsed file
# ---------------------------------------------------------------------------------------------


@dataclass
class _Comment:
    line: int
    end_line: int
    column: int
    text: str  # without the comment markers


class ProtoFile:
    """One .proto text, parsed: its tree, its comments, and readers for positions and values."""

    def __init__(self, text: str, path: str) -> None:
        from lark.exceptions import LarkError, UnexpectedInput

        self.text = text
        self.path = path
        self.lines = text.split("\n")
        parser = get_parser()
        try:
            self.tree, comments = parser.parse(text)
        except UnexpectedInput as exc:
            raise _syntax_error(exc, text, path, parser.terminal_descriptions) from None
        except LarkError as exc:  # not expected from a finished grammar; still never let one escape
            raise self.error(1, 1, f"cannot parse the file: {exc}") from None
        self.comments_by_end_line: dict[int, list[_Comment]] = {}
        self.comments_by_line: dict[int, list[_Comment]] = {}
        for token in comments:
            comment = _Comment(token.line, token.end_line, token.column, _comment_text(str(token)))
            self.comments_by_end_line.setdefault(comment.end_line, []).append(comment)
            self.comments_by_line.setdefault(comment.line, []).append(comment)

    # -- errors --------------------------------------------------------------------------------

    def error(self, line: int, column: int, message: str) -> SchemaError:
        return SchemaError(self.path, line, column, message)

    def error_at(self, token: Token, message: str) -> SchemaError:
        return self.error(token.line, token.column, message)

    # -- comments ------------------------------------------------------------------------------

    def own_line(self, comment: _Comment) -> bool:
        """Whether the comment starts its line (rather than trailing a statement)."""
        return not self.lines[comment.line - 1][: comment.column - 1].strip()

    def doc(self, first_line: int, last_line: int) -> str:
        """The comment block right above `first_line` plus a comment trailing on `last_line`."""
        leading: list[str] = []
        line = first_line - 1
        while True:
            above = [c for c in self.comments_by_end_line.get(line, []) if self.own_line(c)]
            if not above:
                break
            leading.insert(0, above[-1].text)
            line = above[-1].line - 1
        trailing = [c.text for c in self.comments_by_line.get(last_line, []) if not self.own_line(c)]
        return "\n".join(part for part in leading + trailing[:1] if part)

    # -- values --------------------------------------------------------------------------------

    def constant(self, tree: Tree) -> Constant:
        """An option value (`constant` in the grammar) as written."""
        kind = tree.data
        first = first_token(tree) if tree.children else None
        negative = bool(tree.children) and getattr(tree.children[0], "type", None) == "MINUS"
        sign = "-" if negative else ""
        if kind == "ident_constant":
            name = ".".join(tree.children[0].children)
            return Constant("ident", name, False, name, first.line, first.column)
        if kind == "signed_ident_constant":
            ident = str(tree.children[-1])
            return Constant("ident", ident, True, f"-{ident}", first.line, first.column)
        if kind == "int_constant":
            token = tree.children[-1]
            value = parse_int(token)
            return Constant("int", -value if negative else value, negative, sign + token, first.line, first.column)
        if kind == "float_constant":
            token = tree.children[-1]
            value = float(token)
            return Constant("float", -value if negative else value, negative, sign + token, first.line, first.column)
        if kind == "string_constant":
            value, token = self.string_value(tree.children[0])
            return Constant("string", value, False, self.source(tree), token.line, token.column)
        # aggregate_constant: a text-format message for a custom option; kept as source text
        return Constant("aggregate", self.source(tree), False, self.source(tree), tree.meta.line, tree.meta.column)

    def source(self, tree: Tree) -> str:
        """The text a tree was parsed from."""
        if getattr(tree.meta, "empty", True):
            return ""
        return self.text[tree.meta.start_pos : tree.meta.end_pos]

    def string_value(self, tree: Tree) -> tuple[bytes, Token]:
        """The bytes of adjacent string literals, and the first literal's token."""
        out = b""
        for token in tree.children:
            try:
                out += unescape_string(token)
            except ValueError as exc:
                raise self.error_at(token, str(exc)) from None
        return out, tree.children[0]


def _comment_text(comment: str) -> str:
    if comment.startswith("//"):
        return comment[2:].strip()
    lines = comment[2:-2].split("\n")
    return "\n".join(line.strip().lstrip("*").strip() for line in lines).strip()


# ---------------------------------------------------------------------------------------------
# Walking the tree
# ---------------------------------------------------------------------------------------------


def is_tree(node: Any, data: str) -> bool:
    """Whether `node` is a subtree of the grammar rule `data` (tokens are not)."""
    return getattr(node, "data", None) == data


def first_token(node: Any) -> Token:
    """The first token under a tree (skipping empty subtrees such as the leading dot of a name)."""
    from lark import Tree

    if not isinstance(node, Tree):
        return node
    for child in node.children:
        if not isinstance(child, Tree) or child.children:
            return first_token(child)
    raise ValueError(f"no token under {node.data}")


def type_ref_text(tree: Any) -> tuple[str, bool]:
    """A type_ref as written ("caffe.Foo", ".caffe.Foo") and whether it is fully qualified."""
    children = tree.children
    absolute = is_tree(children[0], "absolute_prefix")
    names = [str(c) for c in children if not hasattr(c, "data")]
    return ("." if absolute else "") + ".".join(names), absolute


# ---------------------------------------------------------------------------------------------
# Literals
# ---------------------------------------------------------------------------------------------

_SIMPLE_ESCAPES = {
    "a": b"\a", "b": b"\b", "f": b"\f", "n": b"\n", "r": b"\r", "t": b"\t", "v": b"\v",
    "\\": b"\\", "?": b"?", "'": b"'", '"': b'"',
}  # fmt: skip
_ESCAPE = patterns.compile(r"\\(?:([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)


def unescape_string(quoted: str) -> bytes:
    """The bytes of one quoted string literal, with C escapes (\\n, \\001, \\x41, \\u00e9) applied.

    Raises ValueError for an escape protoc does not know."""
    body = quoted[1:-1]
    out = bytearray()
    position = 0
    for match in _ESCAPE.finditer(body):
        out += body[position : match.start()].encode("utf-8")
        octal, hexa, short_unicode, long_unicode, simple = match.groups()
        if octal:
            out.append(int(octal, 8) & 0xFF)
        elif hexa:
            out.append(int(hexa, 16))
        elif short_unicode or long_unicode:
            code_point = int(short_unicode or long_unicode, 16)
            if code_point > 0x10FFFF:
                raise ValueError(f"\\U{long_unicode} is beyond the last Unicode code point")
            out += chr(code_point).encode("utf-8", "surrogatepass")
        elif simple in _SIMPLE_ESCAPES:
            out += _SIMPLE_ESCAPES[simple]
        else:
            raise ValueError(f"unknown escape sequence \\{simple} in a string")
        position = match.end()
    out += body[position:].encode("utf-8")
    return bytes(out)


@dataclass
class Constant:
    """An option value as written: kind is "ident", "int", "float", "string" or "aggregate"."""

    kind: str
    value: Any  # ident: the (dotted) name; int/float: the number with its sign; string: bytes; aggregate: text
    negative: bool
    text: str  # as written, for messages
    line: int
    column: int


def scalar_value(type_name: str, constant: Constant) -> object:
    """The Python value of a constant for a scalar type; ValueError says what was expected."""
    if type_name in INTEGER_TYPES:
        if constant.kind != "int":
            raise ValueError("an integer")
        low, high = INTEGER_RANGES[type_name]
        if not low <= constant.value <= high:
            raise ValueError(f"an integer from {low} to {high}")
        return constant.value
    if type_name in FLOAT_TYPES:
        if constant.kind in ("int", "float"):
            # protoc reads the number as a double; a huge one becomes inf, as in C
            try:
                return float(constant.value)
            except OverflowError:
                return -math.inf if constant.negative else math.inf
        if constant.kind == "ident" and constant.value in ("inf", "nan"):
            value = float(constant.value)
            return -value if constant.negative else value
        raise ValueError("a number (or inf, nan)")
    if type_name == "bool":
        if constant.kind == "ident" and not constant.negative and constant.value in ("true", "false"):
            return constant.value == "true"
        raise ValueError("true or false")
    if type_name == "string":
        if constant.kind != "string":
            raise ValueError("a quoted string")
        try:
            return constant.value.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("valid UTF-8 text") from None
    if type_name == "bytes":
        if constant.kind != "string":
            raise ValueError("a quoted string")
        return constant.value.decode("latin-1")  # one character per byte; .encode("latin-1") gives the bytes back
    raise ValueError(f"a value of type {type_name}")


def constant_python_value(constant: Constant) -> object:
    """The Python value of a constant whose type is not known (a custom option's value)."""
    if constant.kind == "string":
        return constant.value.decode("utf-8", "replace")
    if constant.kind == "ident":
        if constant.value in ("true", "false") and not constant.negative:
            return constant.value == "true"
        if constant.value in ("inf", "nan"):
            return -float(constant.value) if constant.negative else float(constant.value)
        return constant.value
    return constant.value
