"""Load a proto2 schema (a caffe.proto or a fork of it) into the `protolint.schema.model` classes.

    load_schema(path)   a .proto file on disk, with its imports
    parse_schema(text)  .proto source text
    builtin_schema()    the caffe.proto shipped with protolint

Parsing uses the lark LALR grammar `grammars/proto.lark`. Names are resolved with protoc's
scoping rules and the file is checked the way protoc checks it (duplicates, numbers, defaults),
so a file that loads here is one protoc would accept. Every problem is a `SchemaError`.

Start-up cost: the parser is built once per process, loaded schemas are kept per
(path, mtime, size), and a pickled copy is kept on disk, keyed by the file's sha256, so a cached
load neither imports lark nor parses anything.
"""

from __future__ import annotations

import hashlib
import math
import os
import pickle
import re
import struct
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from protolint import __version__
from protolint.cache import atomic_write, cache_dir
from protolint.data_files import package_file
from protolint.suggest import closest
from protolint.syntax.strings import parse_int
from protolint.schema.model import (
    FLOAT_TYPES,
    INTEGER_RANGES,
    INTEGER_TYPES,
    SCALAR_TYPES,
    EnumType,
    EnumValue,
    Field,
    MessageType,
    Schema,
)

if TYPE_CHECKING:
    from lark import Lark, Token, Tree

# Bump when the pickled Schema would differ for the same .proto text (model or loader changes).
SCHEMA_FORMAT_VERSION = 1

MAX_FIELD_NUMBER = 2**29 - 1
RESERVED_FOR_PROTOBUF = (19000, 19999)
INT32_MAX = 2**31 - 1
INT32_MIN = -(2**31)


class SchemaError(Exception):
    """A .proto file that cannot be loaded: where, and why, in plain words."""

    def __init__(self, path: str, line: int, column: int, message: str) -> None:
        super().__init__(path, line, column, message)
        self.path = path
        self.line = line
        self.column = column
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


# ---------------------------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------------------------

# Loaded schemas by (absolute path, mtime_ns, size, import paths); values carry the stat keys of
# their imported files so an edited import is noticed too.
_memory_cache: dict[tuple, tuple[Schema, tuple]] = {}
_memory_cache_lock = threading.Lock()
_builtin: Schema | None = None


def load_schema(path: str | os.PathLike, import_paths: Iterable[str | os.PathLike] = ()) -> Schema:
    """Load the .proto file at `path`. Imports are looked up beside it, then in `import_paths`."""
    return _load_file(Path(path), tuple(str(p) for p in import_paths), loading=())


def parse_schema(text: str, path: str = "<string>", import_paths: Iterable[str | os.PathLike] = ()) -> Schema:
    """Parse .proto source text. `path` is only used in messages (and to find imports, if it is a file)."""
    paths = tuple(str(p) for p in import_paths)
    return _SchemaBuilder(text, path, _import_dirs(path, paths), loading=(), import_paths=paths).build()


def builtin_schema() -> Schema:
    """The caffe.proto shipped inside protolint (package data)."""
    global _builtin
    if _builtin is None:
        _builtin = load_schema(package_file("protolint.schema", "caffe.proto"))
        _builtin.builtin = True
    return _builtin


def clear_memory_cache() -> None:
    """Forget the schemas loaded by this process (the disk cache stays)."""
    global _builtin
    with _memory_cache_lock:
        _memory_cache.clear()
    _builtin = None


# ---------------------------------------------------------------------------------------------
# Caching
# ---------------------------------------------------------------------------------------------


def _stat_key(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return (str(path), st.st_mtime_ns, st.st_size)


def _load_file(path: Path, import_paths: tuple[str, ...], loading: tuple[str, ...]) -> Schema:
    display = str(path)
    absolute = path.resolve()
    try:
        key = (*_stat_key(absolute), import_paths)
    except OSError as exc:
        raise SchemaError(display, 0, 0, f"cannot read the schema file: {exc.strerror or exc}") from None
    with _memory_cache_lock:
        cached = _memory_cache.get(key)
    if cached is not None and _deps_unchanged(cached[1]):
        return cached[0]
    try:
        data = absolute.read_bytes()
    except OSError as exc:
        raise SchemaError(display, 0, 0, f"cannot read the schema file: {exc.strerror or exc}") from None
    schema = _load_bytes(data, display, _import_dirs(str(absolute), import_paths), import_paths, loading)
    with _memory_cache_lock:
        _memory_cache[key] = (schema, _dependency_stats(schema))
    return schema


def _dependency_stats(schema: Schema) -> tuple:
    stats = []
    for dep in _all_dependencies(schema):
        if not dep.from_runtime:
            try:
                stats.append(_stat_key(Path(dep.path).resolve()))
            except OSError:
                pass
    return tuple(stats)


def _deps_unchanged(stats: tuple) -> bool:
    try:
        return all(_stat_key(Path(path)) == (path, mtime, size) for path, mtime, size in stats)
    except OSError:
        return False


def _all_dependencies(schema: Schema) -> Iterator[Schema]:
    seen: set[int] = set()
    stack = list(schema.dependencies.values())
    while stack:
        dep = stack.pop()
        if id(dep) not in seen:
            seen.add(id(dep))
            yield dep
            stack.extend(dep.dependencies.values())


def _load_bytes(
    data: bytes, display: str, import_dirs: tuple[str, ...], import_paths: tuple[str, ...], loading: tuple[str, ...]
) -> Schema:
    cache_file = _disk_cache_file(data)
    schema = _read_disk_cache(cache_file, import_dirs)
    if schema is None:
        try:
            text = data.decode("utf-8-sig")  # a leading byte order mark is not part of the text
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise SchemaError(display, line, 1, "the file is not valid UTF-8 text") from None
        schema = _SchemaBuilder(text, display, import_dirs, loading, import_paths).build()
        _write_disk_cache(cache_file, schema, import_dirs)
    schema.path = display  # the same bytes may have been cached from another place
    return schema


def _model_fingerprint() -> str:
    """The model's field names: a pickle made before a field was added would lack it when loaded."""
    from dataclasses import fields

    return ";".join(
        cls.__name__ + ":" + ",".join(f.name for f in fields(cls))
        for cls in (Schema, MessageType, Field, EnumType, EnumValue)
    )


def _disk_cache_file(data: bytes) -> Path | None:
    digest = hashlib.sha256()
    digest.update(f"protolint {__version__} schema-format {SCHEMA_FORMAT_VERSION} {_model_fingerprint()}\0".encode())
    digest.update(data)
    try:
        return cache_dir() / f"schema-{digest.hexdigest()}.pickle"
    except RuntimeError:  # no home directory to put ~/.cache in
        return None


def _read_disk_cache(cache_file: Path | None, import_dirs: tuple[str, ...]) -> Schema | None:
    """The cached Schema, or None when there is none, it is unreadable, or an import changed."""
    if cache_file is None:
        return None
    try:
        with open(cache_file, "rb") as stream:
            payload = pickle.load(stream)
    except Exception:  # missing, truncated, from another version: any of these just means "parse again"
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("schema"), Schema):
        return None
    if payload.get("dependencies") and payload.get("import_dirs") != list(import_dirs):
        return None  # the same text elsewhere may import other files
    for dep_path, dep_digest in payload.get("dependencies", ()):
        try:
            if hashlib.sha256(Path(dep_path).read_bytes()).hexdigest() != dep_digest:
                return None
        except OSError:
            return None
    return payload["schema"]


def _write_disk_cache(cache_file: Path | None, schema: Schema, import_dirs: tuple[str, ...]) -> None:
    if cache_file is None:
        return
    try:
        dependencies = [
            (str(Path(dep.path).resolve()), hashlib.sha256(Path(dep.path).read_bytes()).hexdigest())
            for dep in _all_dependencies(schema)
            if not dep.from_runtime
        ]
        payload = pickle.dumps(
            {"schema": schema, "dependencies": dependencies, "import_dirs": list(import_dirs)},
            protocol=pickle.HIGHEST_PROTOCOL,
        )
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(cache_file, payload)
    except (OSError, pickle.PicklingError, RecursionError):
        pass  # a cache that cannot be written is no cache, not an error


def _import_dirs(path: str, import_paths: tuple[str, ...]) -> tuple[str, ...]:
    own_dir = [str(Path(path).resolve().parent)] if path and not path.startswith("<") else []
    return tuple(own_dir) + import_paths


# ---------------------------------------------------------------------------------------------
# The parser: built once per process
# ---------------------------------------------------------------------------------------------


@dataclass
class _Comment:
    line: int
    end_line: int
    column: int
    text: str  # without the comment markers


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


def _get_parser() -> _ProtoParser:
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
# Literals
# ---------------------------------------------------------------------------------------------

_SIMPLE_ESCAPES = {
    "a": b"\a", "b": b"\b", "f": b"\f", "n": b"\n", "r": b"\r", "t": b"\t", "v": b"\v",
    "\\": b"\\", "?": b"?", "'": b"'", '"': b'"',
}  # fmt: skip
_ESCAPE = re.compile(r"\\(?:([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)


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
class _Constant:
    """An option value as written: kind is "ident", "int", "float", "string" or "aggregate"."""

    kind: str
    value: Any  # ident: the (dotted) name; int/float: the number with its sign; string: bytes; aggregate: text
    negative: bool
    text: str  # as written, for messages
    line: int
    column: int


# ---------------------------------------------------------------------------------------------
# Building the model
# ---------------------------------------------------------------------------------------------

# What a full name can stand for; protoc's "aggregates" are the ones that have members.
_AGGREGATE_KINDS = {"package", "message", "enum", "service"}
_TYPE_KINDS = {"message", "enum"}


@dataclass
class _Symbol:
    kind: str  # package, message, enum, field, oneof, enum value, service
    obj: Any
    path: str
    line: int


@dataclass
class _PendingField:
    """A field waiting for name resolution, with the positions needed for its messages."""

    field: Field
    scope: str  # full name of the scope the type name is resolved in
    type_line: int
    type_column: int
    name_column: int
    number_column: int
    default: _Constant | None
    option_positions: dict[str, tuple[int, int]]
    extendee: str | None = None  # the `extend X` name as written, for extensions
    extendee_line: int = 0
    extendee_column: int = 0


@dataclass
class _MessageChecks:
    """Facts about one message kept until the whole file is read: duplicate checks need them all."""

    message: MessageType
    fields: list[_PendingField] = dc_field(default_factory=list)
    reserved_positions: list[tuple[int, int, int, int]] = dc_field(default_factory=list)  # start, end, line, col
    extension_positions: list[tuple[int, int, int, int]] = dc_field(default_factory=list)


class _SchemaBuilder:
    """One .proto text -> a resolved and checked Schema."""

    def __init__(
        self,
        text: str,
        path: str,
        import_dirs: tuple[str, ...],
        loading: tuple[str, ...],
        import_paths: tuple[str, ...] = (),
    ) -> None:
        self.text = text
        self.path = path
        self.import_dirs = import_dirs
        self.import_paths = import_paths
        self.loading = loading + (path,)  # to catch a file importing itself
        self.lines = text.split("\n")
        self.schema = Schema(path=path)
        self.symbols: dict[str, _Symbol] = {}
        self.pending: list[_PendingField] = []
        self.message_checks: list[_MessageChecks] = []
        self.comments_by_end_line: dict[int, list[_Comment]] = {}
        self.comments_by_line: dict[int, list[_Comment]] = {}
        self.seen_package = False
        self.rpc_types: list[tuple[str, str, int, int]] = []  # name, scope, line, column

    # -- errors --------------------------------------------------------------------------------

    def error(self, line: int, column: int, message: str) -> SchemaError:
        return SchemaError(self.path, line, column, message)

    def error_at(self, token: Token, message: str) -> SchemaError:
        return self.error(token.line, token.column, message)

    # -- driver --------------------------------------------------------------------------------

    def build(self) -> Schema:
        from lark.exceptions import LarkError, UnexpectedInput

        parser = _get_parser()
        try:
            tree, comments = parser.parse(self.text)
        except UnexpectedInput as exc:
            raise _syntax_error(exc, self.text, self.path, parser.terminal_descriptions) from None
        except LarkError as exc:  # not expected from a finished grammar; still never let one escape
            raise self.error(1, 1, f"cannot parse the file: {exc}") from None
        self.index_comments(comments)
        try:
            self.walk_file(tree)
            self.resolve()
        except SchemaError:
            raise
        except Exception as exc:  # a bug in this loader: still report it as a schema problem, not a traceback
            raise self.error(1, 1, f"internal error while loading the schema ({type(exc).__name__}: {exc})") from exc
        return self.schema

    # -- comments ------------------------------------------------------------------------------

    def index_comments(self, tokens: list[Token]) -> None:
        for token in tokens:
            comment = _Comment(token.line, token.end_line, token.column, _comment_text(str(token)))
            self.comments_by_end_line.setdefault(comment.end_line, []).append(comment)
            self.comments_by_line.setdefault(comment.line, []).append(comment)

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

    # -- symbols -------------------------------------------------------------------------------

    def define(self, full_name: str, kind: str, obj: Any, token: Token) -> None:
        existing = self.symbols.get(full_name)
        if existing is not None and not (existing.kind == kind == "package"):
            scope, _, name = full_name.rpartition(".")
            where = f'"{scope}"' if scope else "the file"
            message = f'"{name}" is already defined in {where}'
            if kind == "enum value" or existing.kind == "enum value":
                message += (
                    " (enum values are siblings of their enum type, as in C++, so their names must be"
                    " unique in the enclosing scope, not just within the enum)"
                )
            if existing.line:
                message += f" (first on line {existing.line})"
            raise self.error_at(token, message)
        self.symbols[full_name] = _Symbol(kind, obj, self.path, token.line)

    # -- the tree walk -------------------------------------------------------------------------

    def walk_file(self, tree: Tree) -> None:
        for item in tree.children:
            kind = item.data
            if kind == "syntax_decl":
                self.walk_syntax(item)
            elif kind == "package_decl":
                self.walk_package(item)
            elif kind == "import_decl":
                self.walk_import(item)
            elif kind == "option_decl":
                self.walk_option(item, self.schema.options, "FileOptions")
            elif kind == "message_decl":
                message = self.walk_message(item, self.schema.package)
                self.schema.top_messages.append(message.full_name)
            elif kind == "enum_decl":
                enum = self.walk_enum(item, self.schema.package)
                self.schema.top_enums.append(enum.full_name)
            elif kind == "extend_decl":
                self.walk_extend(item, self.schema.package, None)
            elif kind == "service_decl":
                self.walk_service(item)

    def walk_service(self, tree: Tree) -> None:
        """Services are not modelled; their names and message types are still checked, as protoc does."""
        name = tree.children[0]
        service_name = f"{self.schema.package}.{name}" if self.schema.package else str(name)
        self.define(service_name, "service", None, name)
        for item in tree.children[1:]:
            if _is_tree(item, "option_decl"):
                self.walk_option(item, {}, "ServiceOptions")
            elif _is_tree(item, "rpc_decl"):
                self.define(f"{service_name}.{item.children[0]}", "method", None, item.children[0])
                for type_ref in (c for c in item.children if _is_tree(c, "type_ref")):
                    first = _first_token(type_ref)
                    self.rpc_types.append((_type_ref_text(type_ref)[0], service_name, first.line, first.column))
                method_options: dict[str, object] = {}
                for option in item.children[-1].children:
                    self.walk_option(option, method_options, "MethodOptions")

    def walk_syntax(self, tree: Tree) -> None:
        value, token = self.string_value(tree.children[0])
        syntax = value.decode("utf-8", "replace")
        if syntax not in ("proto2", "proto3"):
            raise self.error_at(token, f'unknown syntax "{syntax}": only "proto2" and "proto3" are understood')
        self.schema.syntax = syntax

    def walk_package(self, tree: Tree) -> None:
        tokens = tree.children[0].children
        if self.seen_package:
            raise self.error_at(tokens[0], "a file can have only one package statement")
        self.seen_package = True
        self.schema.package = ".".join(tokens)
        for depth in range(1, len(tokens) + 1):
            self.define(".".join(tokens[:depth]), "package", None, tokens[depth - 1])

    def walk_import(self, tree: Tree) -> None:
        modifier = tree.children[0].children[0] if _is_tree(tree.children[0], "import_modifier") else None
        name_bytes, token = self.string_value(tree.children[-1])
        name = name_bytes.decode("utf-8", "replace")
        if modifier == "public":
            self.schema.public_imports.append(len(self.schema.imports))
        elif modifier == "weak":
            self.schema.weak_imports.append(len(self.schema.imports))
        self.schema.imports.append(name)
        self.schema.dependencies[name] = self.load_import(name, token)

    def load_import(self, name: str, token: Token) -> Schema:
        for directory in self.import_dirs:
            candidate = Path(directory) / name
            if candidate.is_file():
                if str(candidate) in self.loading or str(candidate.resolve()) in map(_resolved, self.loading):
                    raise self.error_at(token, f'"{name}" imports itself, directly or through other imports')
                try:
                    return _load_file(candidate, self.import_paths, self.loading)
                except SchemaError as exc:
                    raise self.error_at(token, f'cannot load the import "{name}": {exc}') from None
        if name.startswith("google/protobuf/"):
            runtime = _runtime_schema(name)
            if runtime is not None:
                return runtime
        searched = ", ".join(self.import_dirs) or "no directories: the schema was given as text"
        raise self.error_at(token, f'cannot find the imported file "{name}" (searched {searched})')

    def walk_message(self, tree: Tree, scope: str, *, name_token: Token | None = None) -> MessageType:
        if name_token is None:
            name_token, body = tree.children
        else:  # a group: the caller passes its name and body
            body = tree
        full_name = f"{scope}.{name_token}" if scope else str(name_token)
        message = MessageType(name=str(name_token), full_name=full_name, line=name_token.line)
        message.doc = self.doc(name_token.line, name_token.line)
        self.define(full_name, "message", message, name_token)
        self.schema.messages[full_name] = message
        checks = _MessageChecks(message)
        self.message_checks.append(checks)
        for item in body.children:
            self.walk_message_item(item, message, checks)
        return message

    def walk_message_item(self, item: Tree, message: MessageType, checks: _MessageChecks) -> None:
        kind = item.data
        if kind == "field_decl":
            self.walk_field(item, message, checks)
        elif kind == "group_decl":
            self.walk_group(item, message, checks)
        elif kind == "map_decl":
            self.walk_map(item, message, checks)
        elif kind == "oneof_decl":
            self.walk_oneof(item, message, checks)
        elif kind == "option_decl":
            self.walk_option(item, message.options, "MessageOptions")
        elif kind == "reserved_decl":
            self.walk_message_reserved(item, message, checks)
        elif kind == "extensions_decl":
            for start, end, line, column in self.number_ranges(item.children[0], allow_negative=False):
                message.extension_ranges.append((start, end))
                checks.extension_positions.append((start, end, line, column))
        elif kind == "message_decl":
            nested = self.walk_message(item, message.full_name)
            message.nested_messages[nested.name] = nested
        elif kind == "enum_decl":
            enum = self.walk_enum(item, message.full_name)
            message.nested_enums[enum.name] = enum
        elif kind == "extend_decl":
            self.walk_extend(item, message.full_name, message)

    # -- fields --------------------------------------------------------------------------------

    def field_parts(self, tree: Tree) -> tuple[Token | None, Tree | Token, Token, Token, Tree | None]:
        """label, type (type_ref tree or GROUP token), name, number, option list of a field or group."""
        children = list(tree.children)
        label = children.pop(0).children[0] if _is_tree(children[0], "label") else None
        type_part, name, number = children[0], children[1], children[2]
        options = next((c for c in children[3:] if _is_tree(c, "option_list")), None)
        return label, type_part, name, number, options

    def new_field(
        self,
        tree: Tree,
        label_text: str,
        type_name: str,
        name: Token,
        number: Token,
        options: Tree | None,
        scope: str,
    ) -> tuple[Field, _PendingField]:
        field = Field(
            name=str(name),
            number=self.field_number(number),
            label=label_text,
            type_name=type_name,
            line=tree.meta.line,
            json_name=_json_name(str(name)),
        )
        field.doc = self.doc(tree.meta.line, tree.meta.end_line)
        type_token = _first_token(next(c for c in tree.children if not _is_tree(c, "label")))
        pending = _PendingField(
            field=field,
            scope=scope,
            type_line=type_token.line,
            type_column=type_token.column,
            name_column=name.column,
            number_column=number.column,
            default=None,
            option_positions={},
        )
        if options is not None:
            self.walk_field_options(options, field, pending)
        return field, pending

    def check_label(self, label: Token | None, tree: Tree, in_oneof: bool) -> str:
        if in_oneof:
            if label is not None:
                raise self.error_at(label, f'a field inside a oneof takes no label: remove "{label}"')
            return "optional"
        if label is None:
            if self.schema.syntax == "proto2":
                token = _first_token(tree)
                raise self.error_at(token, 'expected "optional", "required" or "repeated" before the field type')
            return "optional"
        if label == "required" and self.schema.syntax == "proto3":
            raise self.error_at(label, "required fields are not allowed in proto3")
        return str(label)

    def field_number(self, token: Token) -> int:
        number = parse_int(token)
        if not 1 <= number <= MAX_FIELD_NUMBER:
            raise self.error_at(token, f"field numbers must be between 1 and {MAX_FIELD_NUMBER}, not {number}")
        low, high = RESERVED_FOR_PROTOBUF
        if low <= number <= high:
            raise self.error_at(token, f"field numbers {low} to {high} are reserved for protobuf itself")
        return number

    def walk_field(
        self, tree: Tree, message: MessageType | None, checks: _MessageChecks | None, *,
        scope: str | None = None, oneof: str | None = None, extendee: Tree | None = None,
    ) -> Field:  # fmt: skip
        label, type_ref, name, number, options = self.field_parts(tree)
        type_name, _ = _type_ref_text(type_ref)
        scope = scope if scope is not None else message.full_name
        label_text = self.check_label(label, tree, oneof is not None)
        field, pending = self.new_field(tree, label_text, type_name, name, number, options, scope)
        self.add_field(field, pending, message, checks, name, oneof=oneof, extendee=extendee)
        return field

    def add_field(
        self, field: Field, pending: _PendingField, message: MessageType | None, checks: _MessageChecks | None,
        name: Token, *, oneof: str | None, extendee: Tree | None,
    ) -> None:  # fmt: skip
        """Register a parsed field in its message (or as an extension) and queue it for resolution."""
        if extendee is not None:
            field.is_extension = True
            field.extension_scope = message
            pending.extendee, _ = _type_ref_text(extendee)
            first = _first_token(extendee)
            pending.extendee_line, pending.extendee_column = first.line, first.column
            self.define(f"{pending.scope}.{field.name}" if pending.scope else field.name, "field", field, name)
            (message.extensions if message is not None else self.schema.extensions).append(field)
        else:
            self.define(f"{message.full_name}.{field.name}", "field", field, name)
            field.containing = message
            message.fields[field.name] = field
            checks.fields.append(pending)
            if oneof is not None:
                field.oneof = oneof
                message.oneofs[oneof].append(field.name)
        self.pending.append(pending)

    def walk_group(
        self, tree: Tree, message: MessageType | None, checks: _MessageChecks | None, *,
        scope: str | None = None, oneof: str | None = None, extendee: Tree | None = None,
    ) -> Field:  # fmt: skip
        label, _, name, number, options = self.field_parts(tree)
        if not name[0].isupper():
            raise self.error_at(name, f'a group name must start with a capital letter: "{name}"')
        scope = scope if scope is not None else message.full_name
        label_text = self.check_label(label, tree, oneof is not None)
        field, pending = self.new_field(tree, label_text, str(name), name, number, options, scope)
        field.name = str(name).lower()  # protobuf names the field after the group type, in lower case
        field.json_name = _json_name(field.name)
        field.group = True
        body = tree.children[-1]
        group_type = self.walk_message(body, scope, name_token=name)
        group_type.doc = field.doc
        if message is not None:
            message.nested_messages[group_type.name] = group_type
        else:
            self.schema.top_messages.append(group_type.full_name)
        field_name_token = name.update(value=field.name)
        self.add_field(field, pending, message, checks, field_name_token, oneof=oneof, extendee=extendee)
        return field

    def walk_map(self, tree: Tree, message: MessageType, checks: _MessageChecks) -> None:
        _, key_ref, value_ref, name, number, *rest = tree.children
        key_type, _ = _type_ref_text(key_ref)
        if key_type not in INTEGER_TYPES | {"bool", "string"}:
            raise self.error_at(
                _first_token(key_ref), f'a map key must be an integer, bool or string type, not "{key_type}"'
            )
        options = rest[0] if rest else None
        # protobuf stores map<K, V> name = N as `repeated NameEntry name = N` with a nested
        # `message NameEntry { optional K key = 1; optional V value = 2; }`, option map_entry = true.
        entry_name = _map_entry_name(str(name))
        entry_full = f"{message.full_name}.{entry_name}"
        entry = MessageType(name=entry_name, full_name=entry_full, line=tree.meta.line, options={"map_entry": True})
        self.define(entry_full, "message", entry, name)
        self.schema.messages[entry_full] = entry
        message.nested_messages[entry_name] = entry
        entry_checks = _MessageChecks(entry)
        self.message_checks.append(entry_checks)
        for part_name, part_number, part_ref in (("key", 1, key_ref), ("value", 2, value_ref)):
            part_type, _ = _type_ref_text(part_ref)
            part = Field(
                name=part_name, number=part_number, label="optional", type_name=part_type,
                line=tree.meta.line, json_name=part_name, containing=entry,
            )  # fmt: skip
            entry.fields[part_name] = part
            first = _first_token(part_ref)
            part_pending = _PendingField(
                part, entry_full, first.line, first.column, first.column, first.column, None, {}
            )
            entry_checks.fields.append(part_pending)
            self.pending.append(part_pending)
        field, pending = self.new_field(tree, "repeated", entry_name, name, number, options, message.full_name)
        self.add_field(field, pending, message, checks, name, oneof=None, extendee=None)

    def walk_oneof(self, tree: Tree, message: MessageType, checks: _MessageChecks) -> None:
        name = tree.children[0]
        self.define(f"{message.full_name}.{name}", "oneof", None, name)
        message.oneofs[str(name)] = []
        for item in tree.children[1:]:
            if item.data == "field_decl":
                self.walk_field(item, message, checks, oneof=str(name))
            elif item.data == "group_decl":
                self.walk_group(item, message, checks, oneof=str(name))
            # options of a oneof: only `features` exist in descriptor.proto; nothing to keep
        if not message.oneofs[str(name)]:
            raise self.error_at(name, f'the oneof "{name}" has no fields')

    def walk_extend(self, tree: Tree, scope: str, message: MessageType | None) -> None:
        extendee = tree.children[0]
        for item in tree.children[1:]:
            if item.data == "field_decl":
                self.walk_field(item, message, None, scope=scope, extendee=extendee)
            elif item.data == "group_decl":
                self.walk_group(item, message, None, scope=scope, extendee=extendee)

    def walk_field_options(self, options: Tree, field: Field, pending: _PendingField) -> None:
        for entry in options.children:
            name_tree, value = entry.children
            name, first = self.option_name(name_tree)
            constant = self.constant(value)
            if name in pending.option_positions:
                raise self.error_at(first, f'the option "{name}" is set twice')
            pending.option_positions[name] = (first.line, first.column)
            if name == "default":
                pending.default = constant
            elif name == "json_name":
                if constant.kind != "string":
                    raise self.error(constant.line, constant.column, "json_name must be a string")
                field.json_name = constant.value.decode("utf-8", "replace")
            else:
                field.options[name] = self.option_value(name, constant, "FieldOptions", first)
        field.packed = bool(field.options.get("packed", False))
        field.deprecated = bool(field.options.get("deprecated", False))

    # -- reserved and extension ranges ---------------------------------------------------------

    def number_ranges(self, tree: Tree, *, allow_negative: bool, max_value: int = MAX_FIELD_NUMBER) -> list:
        """(start, end inclusive, line, column) of each `a`, `a to b` or `a to max`."""
        ranges = []
        for number_range in tree.children:
            start_tree, *rest = number_range.children
            start, start_token = self.signed_int(start_tree)
            if rest:
                end_part = rest[1]
                end = max_value if getattr(end_part, "type", None) == "MAX" else self.signed_int(end_part)[0]
            else:
                end = start
            if not allow_negative and start < 1:
                raise self.error_at(start_token, f"numbers in a range must be positive, not {start}")
            if end < start:
                raise self.error_at(start_token, f"the range {start} to {end} is empty: its end is before its start")
            if end > max_value:
                raise self.error_at(start_token, f"the range end {end} is above the largest number {max_value}")
            ranges.append((start, end, start_token.line, start_token.column))
        return ranges

    def signed_int(self, tree: Tree) -> tuple[int, Token]:
        tokens = tree.children
        value = parse_int(tokens[-1])
        return (-value if len(tokens) == 2 else value), tokens[0]

    def walk_message_reserved(self, tree: Tree, message: MessageType, checks: _MessageChecks) -> None:
        part = tree.children[0]
        if part.data == "reserved_names":
            for string in part.children:
                name = self.reserved_name(string)
                message.reserved_names.add(name)
                message.reserved_names_ordered.append(name)
        else:
            for start, end, line, column in self.number_ranges(part, allow_negative=False):
                message.reserved_ranges.append((start, end))
                checks.reserved_positions.append((start, end, line, column))

    def reserved_name(self, tree: Tree) -> str:
        value, token = self.string_value(tree)
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise self.error_at(
                token, "a reserved name must be valid UTF-8"
            ) from None  # protoc only warns about a name that is no identifier; so do we, by keeping it

    # -- enums ---------------------------------------------------------------------------------

    def walk_enum(self, tree: Tree, scope: str) -> EnumType:
        name_token = tree.children[0]
        full_name = f"{scope}.{name_token}" if scope else str(name_token)
        enum = EnumType(name=str(name_token), full_name=full_name, line=name_token.line)
        enum.doc = self.doc(name_token.line, name_token.line)
        self.define(full_name, "enum", enum, name_token)
        self.schema.enums[full_name] = enum
        numbers: dict[int, EnumValue] = {}
        aliased = False
        reserved_positions = []
        value_positions: dict[str, tuple[int, int, int]] = {}
        for item in tree.children[1:]:
            if item.data == "option_decl":
                self.walk_option(item, enum.options, "EnumOptions")
            elif item.data == "reserved_decl":
                part = item.children[0]
                if part.data == "reserved_names":
                    for string in part.children:
                        name = self.reserved_name(string)
                        enum.reserved_names.add(name)
                        enum.reserved_names_ordered.append(name)
                else:
                    for start, end, line, column in self.number_ranges(part, allow_negative=True, max_value=INT32_MAX):
                        enum.reserved_ranges.append((start, end))
                        reserved_positions.append((start, end, line, column))
            elif item.data == "enum_value_decl":
                value_name, number_tree, *rest = item.children
                number, _ = self.signed_int(number_tree)
                if not INT32_MIN <= number <= INT32_MAX:
                    raise self.error_at(_first_token(number_tree), f"enum value {number} does not fit in 32 bits")
                value = EnumValue(name=str(value_name), number=number, line=value_name.line)
                value.doc = self.doc(item.meta.line, item.meta.end_line)
                if rest:
                    for entry in rest[0].children:
                        option_name, first = self.option_name(entry.children[0])
                        constant = self.constant(entry.children[1])
                        value.options[option_name] = self.option_value(option_name, constant, "EnumValueOptions", first)
                    value.deprecated = bool(value.options.get("deprecated", False))
                if value.name in enum.values:
                    raise self.error_at(value_name, f'"{value_name}" is already a value of the enum "{enum.name}"')
                # Enum values live in the scope that holds the enum (C++ rules).
                self.define(f"{scope}.{value_name}" if scope else str(value_name), "enum value", value, value_name)
                enum.values[value.name] = value
                value_positions[value.name] = (value_name.line, value_name.column, number)
        enum.allow_alias = bool(enum.options.get("allow_alias", False))
        for value_name, (line, column, number) in value_positions.items():
            if number in numbers:
                aliased = True
                if not enum.allow_alias:
                    raise self.error(
                        line, column,
                        f'"{value_name}" has the same number {number} as "{numbers[number].name}";'
                        " if that is meant, add `option allow_alias = true;` to the enum",
                    )  # fmt: skip
            numbers.setdefault(number, enum.values[value_name])
        if not enum.values:
            raise self.error_at(name_token, f'the enum "{enum.name}" has no values: an enum needs at least one')
        if enum.allow_alias and not aliased:
            raise self.error_at(name_token, f'the enum "{enum.name}" sets allow_alias but no two values share a number')
        if self.schema.syntax == "proto3" and next(iter(enum.values.values())).number != 0:
            raise self.error_at(name_token, "in proto3 the first enum value must be zero")
        for value_name, (line, column, number) in value_positions.items():
            if value_name in enum.reserved_names:
                raise self.error(line, column, f'the enum value name "{value_name}" is reserved')
            for start, end, *_ in reserved_positions:
                if start <= number <= end:
                    raise self.error(line, column, f'the enum value "{value_name}" uses the reserved number {number}')
        return enum

    # -- options -------------------------------------------------------------------------------

    def walk_option(self, tree: Tree, into: dict[str, object], options_message: str) -> None:
        name, first = self.option_name(tree.children[0])
        constant = self.constant(tree.children[1])
        if name in into:
            raise self.error_at(first, f'the option "{name}" is set twice')
        into[name] = self.option_value(name, constant, options_message, first)

    def option_name(self, tree: Tree) -> tuple[str, Token]:
        parts = []
        for part in tree.children:
            if part.data == "simple_option_part":
                parts.append(str(part.children[0]))
            else:
                name, _ = _type_ref_text(part.children[0])
                parts.append(f"({name})")
        return ".".join(parts), _first_token(tree)

    def option_value(self, name: str, constant: _Constant, options_message: str, at: Token) -> object:
        """A built-in option's value checked against descriptor.proto; custom options kept as written."""
        if name.startswith("("):
            return _constant_python_value(constant)
        from google.protobuf import descriptor_pb2

        descriptor = getattr(descriptor_pb2, options_message).DESCRIPTOR
        option = descriptor.fields_by_name.get(name)
        if option is None or name in ("uninterpreted_option", "features"):
            known = [n for n in descriptor.fields_by_name if n not in ("uninterpreted_option", "features")]
            hint = _did_you_mean(name, known)
            raise self.error_at(at, f'unknown option "{name}"{hint}')
        if option.message_type is not None:
            raise self.error_at(at, f'the option "{name}" takes a message value, which protolint does not support')
        try:
            if option.enum_type is not None:
                if (
                    constant.kind != "ident"
                    or constant.negative
                    or constant.value not in option.enum_type.values_by_name
                ):
                    names = ", ".join(option.enum_type.values_by_name)
                    raise ValueError(f"one of {names}")
                return constant.value
            return _scalar_value(_PROTOBUF_TYPE_NAMES[option.type], constant)
        except ValueError as exc:
            raise self.error(
                constant.line, constant.column, f'the option "{name}" must be {exc}, not {constant.text}'
            ) from None

    def constant(self, tree: Tree) -> _Constant:
        kind = tree.data
        first = _first_token(tree) if tree.children else None
        negative = bool(tree.children) and getattr(tree.children[0], "type", None) == "MINUS"
        sign = "-" if negative else ""
        if kind == "ident_constant":
            name = ".".join(tree.children[0].children)
            return _Constant("ident", name, False, name, first.line, first.column)
        if kind == "signed_ident_constant":
            ident = str(tree.children[-1])
            return _Constant("ident", ident, True, f"-{ident}", first.line, first.column)
        if kind == "int_constant":
            token = tree.children[-1]
            value = parse_int(token)
            return _Constant("int", -value if negative else value, negative, sign + token, first.line, first.column)
        if kind == "float_constant":
            token = tree.children[-1]
            value = float(token)
            return _Constant("float", -value if negative else value, negative, sign + token, first.line, first.column)
        if kind == "string_constant":
            value, token = self.string_value(tree.children[0])
            return _Constant("string", value, False, self.source(tree), token.line, token.column)
        # aggregate_constant: a text-format message for a custom option; kept as source text
        return _Constant("aggregate", self.source(tree), False, self.source(tree), tree.meta.line, tree.meta.column)

    def source(self, tree: Tree) -> str:
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

    # -- resolution and checks -----------------------------------------------------------------

    def resolve(self) -> None:
        symbols = dict(self.symbols)
        for dep in _all_dependencies(self.schema):
            for full_name, symbol in _schema_symbols(dep).items():
                symbols.setdefault(full_name, symbol)
        self.all_symbols = symbols
        for pending in self.pending:
            self.resolve_field(pending)
        for name, scope, line, column in self.rpc_types:
            if not isinstance(self.lookup_type(name, scope, line, column), MessageType):
                raise self.error(line, column, f'"{name}" is an enum: a method takes and returns messages')
        for pending in self.pending:
            self.check_default_and_options(pending)
        for checks in self.message_checks:
            self.check_message(checks)
        self.check_extensions()

    def resolve_field(self, pending: _PendingField) -> None:
        field = pending.field
        if pending.extendee is not None:
            extendee = self.lookup_type(pending.extendee, pending.scope, pending.extendee_line, pending.extendee_column)
            if not isinstance(extendee, MessageType):
                raise self.error(
                    pending.extendee_line,
                    pending.extendee_column,
                    f'"{pending.extendee}" is an enum: only messages can be extended',
                )
            field.containing = extendee
        if field.type_name in SCALAR_TYPES and not field.group:
            field.scalar = field.type_name
            return
        found = self.lookup_type(field.type_name, pending.scope, pending.type_line, pending.type_column)
        if isinstance(found, MessageType):
            field.message = found
        else:
            field.enum = found

    def lookup_type(self, name: str, scope: str, line: int, column: int) -> MessageType | EnumType:
        symbol, tried = _lookup(self.all_symbols, name, scope)
        if symbol is None:
            message = f'unknown type "{name}"'
            if tried is not None and tried != name:
                message += (
                    f': it was looked up as "{tried}", which is not defined'
                    f' (the innermost scope is searched first; ".{name}" would start from the top)'
                )
            short_names = {full.rpartition(".")[2] for full, s in self.all_symbols.items() if s.kind in _TYPE_KINDS}
            full_names = [full for full, s in self.all_symbols.items() if s.kind in _TYPE_KINDS]
            hint = _did_you_mean(name.lstrip("."), list(short_names) + full_names)
            raise self.error(line, column, message + hint)
        if symbol.kind not in _TYPE_KINDS:
            raise self.error(line, column, f'"{name}" is a {symbol.kind}, not a message or enum type')
        return symbol.obj

    def check_default_and_options(self, pending: _PendingField) -> None:
        field = pending.field
        if field.options.get("packed") and not (
            field.repeated and (field.enum is not None or field.scalar not in (None, "string", "bytes"))
        ):
            line, column = pending.option_positions["packed"]
            raise self.error(line, column, "[packed = true] is only for repeated fields of number, bool or enum type")
        if field.options.get("lazy") and field.message is None:
            line, column = pending.option_positions["lazy"]
            raise self.error(line, column, "[lazy = true] is only for message fields")
        constant = pending.default
        if constant is None:
            return
        if self.schema.syntax == "proto3":
            raise self.error(constant.line, constant.column, "default values are not allowed in proto3")
        if field.repeated:
            raise self.error(constant.line, constant.column, "a repeated field cannot have a default value")
        if field.message is not None:
            raise self.error(constant.line, constant.column, "a message field cannot have a default value")
        try:
            if field.enum is not None:
                if constant.kind != "ident" or constant.negative or constant.value not in field.enum.values:
                    raise ValueError(f'a value of the enum "{field.enum.name}"')
                field.default = constant.value
            else:
                field.default = _scalar_value(field.scalar, constant)
        except ValueError as exc:
            message = f'the default of "{field.name}" ({field.type_name}) must be {exc}, not {constant.text}'
            if field.enum is not None and constant.kind == "ident":
                message += _did_you_mean(str(constant.value), list(field.enum.values))
            raise self.error(constant.line, constant.column, message) from None
        field.has_default = True

    def check_message(self, checks: _MessageChecks) -> None:
        message = checks.message
        by_number: dict[int, _PendingField] = {}
        for pending in checks.fields:
            field = pending.field
            earlier = by_number.get(field.number)
            if earlier is not None:
                raise self.error(
                    field.line, pending.number_column,
                    f'field number {field.number} of "{field.name}" is already used by "{earlier.field.name}"'
                    f' in "{message.full_name}"',
                )  # fmt: skip
            by_number[field.number] = pending
            if field.name in message.reserved_names:
                raise self.error(field.line, pending.name_column, f'the field name "{field.name}" is reserved')
            for start, end in message.reserved_ranges:
                if start <= field.number <= end:
                    raise self.error(
                        field.line,
                        pending.number_column,
                        f'the field "{field.name}" uses the reserved number {field.number}',
                    )
            for start, end, *_ in checks.extension_positions:
                if start <= field.number <= end:
                    raise self.error(
                        field.line, pending.number_column,
                        f'the field "{field.name}" uses number {field.number},'
                        f" which is in the extension range {start} to {end}",
                    )  # fmt: skip
        ranges = sorted(
            [(s, e, line, col, "reserved") for s, e, line, col in checks.reserved_positions]
            + [(s, e, line, col, "extension") for s, e, line, col in checks.extension_positions]
        )
        for (s1, e1, *_, kind1), (s2, e2, line, col, kind2) in zip(ranges, ranges[1:], strict=False):
            if s2 <= e1:
                raise self.error(line, col, f"the {kind2} range {s2} to {e2} overlaps the {kind1} range {s1} to {e1}")

    def check_extensions(self) -> None:
        numbers: dict[tuple[int, int], Field] = {}
        for pending in self.pending:
            field = pending.field
            if not field.is_extension:
                continue
            extendee = field.containing
            if not any(start <= field.number <= end for start, end in extendee.extension_ranges):
                raise self.error(
                    field.line, pending.number_column,
                    f'"{extendee.full_name}" does not declare {field.number} as an extension number',
                )  # fmt: skip
            key = (id(extendee), field.number)
            if key in numbers:
                raise self.error(
                    field.line, pending.number_column,
                    f'extension number {field.number} of "{extendee.full_name}"'
                    f' is already used by "{numbers[key].name}"',
                )  # fmt: skip
            numbers[key] = field


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _is_tree(node: Any, data: str) -> bool:
    return getattr(node, "data", None) == data


def _first_token(node: Any) -> Token:
    """The first token under a tree (skipping empty subtrees such as the leading dot of a name)."""
    from lark import Tree

    if not isinstance(node, Tree):
        return node
    for child in node.children:
        if not isinstance(child, Tree) or child.children:
            return _first_token(child)
    raise ValueError(f"no token under {node.data}")


def _resolved(path: str) -> str:
    return str(Path(path).resolve()) if not path.startswith("<") else path


def _type_ref_text(tree: Any) -> tuple[str, bool]:
    """A type_ref as written ("caffe.Foo", ".caffe.Foo") and whether it is fully qualified."""
    children = tree.children
    absolute = _is_tree(children[0], "absolute_prefix")
    names = [str(c) for c in children if not hasattr(c, "data")]
    return ("." if absolute else "") + ".".join(names), absolute


def _comment_text(comment: str) -> str:
    if comment.startswith("//"):
        return comment[2:].strip()
    lines = comment[2:-2].split("\n")
    return "\n".join(line.strip().lstrip("*").strip() for line in lines).strip()


def _json_name(name: str) -> str:
    """protobuf's default JSON name: snake_case -> lowerCamelCase (only underscores are dropped)."""
    out = []
    upper_next = False
    for char in name:
        if char == "_":
            upper_next = True
        elif upper_next:
            out.append(char.upper())
            upper_next = False
        else:
            out.append(char)
    return "".join(out)


def _map_entry_name(field_name: str) -> str:
    """protobuf's name of the entry message of a map field: my_map -> MyMapEntry."""
    out = []
    upper_next = True
    for char in field_name:
        if char == "_":
            upper_next = True
        elif upper_next:
            out.append(char.upper())
            upper_next = False
        else:
            out.append(char)
    return "".join(out) + "Entry"


def _did_you_mean(name: str, candidates: list[str]) -> str:
    match = closest(name, candidates)
    return f'; did you mean "{match}"?' if match else ""


def _lookup(symbols: dict[str, _Symbol], name: str, scope: str) -> tuple[_Symbol | None, str | None]:
    """protoc's name lookup: innermost scope outward; a leading dot means from the top.

    Returns the symbol (or None) and, when a dotted name's first part was found but not the rest,
    the full name that was tried (protoc stops there rather than searching further out)."""
    if name.startswith("."):
        return symbols.get(name[1:]), None
    first, dot, rest = name.partition(".")
    scope_parts = scope.split(".") if scope else []
    while True:
        prefix = ".".join(scope_parts)
        candidate_first = f"{prefix}.{first}" if prefix else first
        symbol = symbols.get(candidate_first)
        if symbol is not None:
            if dot:
                if symbol.kind in _AGGREGATE_KINDS:
                    full = f"{candidate_first}.{rest}"
                    found = symbols.get(full)
                    return found, (None if found is not None else full)
                # not something with members: keep looking further out
            elif symbol.kind in _TYPE_KINDS:
                return symbol, None
        if not scope_parts:
            # At the top, protoc takes whatever has the name, so a field is reported as "not a type".
            return (symbol if symbol is not None and not dot else None), None
        scope_parts.pop()


def _schema_symbols(schema: Schema) -> dict[str, _Symbol]:
    """The names a loaded schema defines, for resolving names in files that import it."""
    symbols: dict[str, _Symbol] = {}
    parts = schema.package.split(".") if schema.package else []
    for depth in range(1, len(parts) + 1):
        symbols[".".join(parts[:depth])] = _Symbol("package", None, schema.path, 0)
    for full_name, message in schema.messages.items():
        symbols[full_name] = _Symbol("message", message, schema.path, message.line)
        for field in message.fields.values():
            symbols[f"{full_name}.{field.name}"] = _Symbol("field", field, schema.path, field.line)
        for oneof in message.oneofs:
            symbols[f"{full_name}.{oneof}"] = _Symbol("oneof", None, schema.path, 0)
    for full_name, enum in schema.enums.items():
        symbols[full_name] = _Symbol("enum", enum, schema.path, enum.line)
        scope = full_name.rpartition(".")[0]
        for value in enum.values.values():
            symbols[f"{scope}.{value.name}" if scope else value.name] = _Symbol(
                "enum value", value, schema.path, value.line
            )
    return symbols


_PROTOBUF_TYPE_NAMES = {
    1: "double", 2: "float", 3: "int64", 4: "uint64", 5: "int32", 6: "fixed64", 7: "fixed32", 8: "bool",
    9: "string", 12: "bytes", 13: "uint32", 15: "sfixed32", 16: "sfixed64", 17: "sint32", 18: "sint64",
}  # fmt: skip


def _scalar_value(type_name: str, constant: _Constant) -> object:
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


def _constant_python_value(constant: _Constant) -> object:
    if constant.kind == "string":
        return constant.value.decode("utf-8", "replace")
    if constant.kind == "ident":
        if constant.value in ("true", "false") and not constant.negative:
            return constant.value == "true"
        if constant.value in ("inf", "nan"):
            return -float(constant.value) if constant.negative else float(constant.value)
        return constant.value
    return constant.value


def float32(value: float) -> float:
    """The nearest 32-bit float, as C's (float) cast gives it (inf when out of range)."""
    try:
        return struct.unpack("<f", struct.pack("<f", value))[0]
    except OverflowError:
        return math.copysign(math.inf, value)


# ---------------------------------------------------------------------------------------------
# google/protobuf/*.proto imports, taken from the protobuf runtime
# ---------------------------------------------------------------------------------------------

_runtime_schemas: dict[str, Schema] = {}


def _runtime_schema(name: str) -> Schema | None:
    """A well-known google/protobuf/*.proto as a Schema, from the descriptors protobuf ships."""
    if name in _runtime_schemas:
        return _runtime_schemas[name]
    import importlib

    from google.protobuf import descriptor_pb2, descriptor_pool

    module = "google.protobuf." + name[len("google/protobuf/") :].removesuffix(".proto").replace("/", ".") + "_pb2"
    try:
        importlib.import_module(module)
        proto = descriptor_pb2.FileDescriptorProto()
        descriptor_pool.Default().FindFileByName(name).CopyToProto(proto)
    except (ImportError, KeyError):
        return None
    schema = Schema(path=name, package=proto.package, from_runtime=True)
    _runtime_schemas[name] = schema
    for dep_name in proto.dependency:
        dep_schema = _runtime_schema(dep_name)
        if dep_schema is not None:
            schema.imports.append(dep_name)
            schema.dependencies[dep_name] = dep_schema
    fields: list[tuple[Field, Any]] = []

    def add_enum(enum_proto: Any, scope: str) -> EnumType:
        enum = EnumType(name=enum_proto.name, full_name=f"{scope}.{enum_proto.name}" if scope else enum_proto.name)
        for value in enum_proto.value:
            enum.values[value.name] = EnumValue(name=value.name, number=value.number)
        schema.enums[enum.full_name] = enum
        return enum

    def add_message(message_proto: Any, scope: str) -> MessageType:
        full_name = f"{scope}.{message_proto.name}" if scope else message_proto.name
        message = MessageType(name=message_proto.name, full_name=full_name)
        schema.messages[full_name] = message
        for nested in message_proto.nested_type:
            message.nested_messages[nested.name] = add_message(nested, full_name)
        for nested_enum in message_proto.enum_type:
            message.nested_enums[nested_enum.name] = add_enum(nested_enum, full_name)
        message.extension_ranges = [(r.start, r.end - 1) for r in message_proto.extension_range]
        message.options["map_entry"] = message_proto.options.map_entry or None
        if not message.options["map_entry"]:
            del message.options["map_entry"]
        oneof_names = [oneof.name for oneof in message_proto.oneof_decl]
        for oneof_name in oneof_names:
            message.oneofs[oneof_name] = []
        for field_proto in message_proto.field:
            field = Field(
                name=field_proto.name, number=field_proto.number, label=_RUNTIME_LABELS[field_proto.label],
                type_name=field_proto.type_name or _PROTOBUF_TYPE_NAMES.get(field_proto.type, ""),
                containing=message, json_name=field_proto.json_name,
            )  # fmt: skip
            if field_proto.HasField("oneof_index"):
                field.oneof = oneof_names[field_proto.oneof_index]
                message.oneofs[field.oneof].append(field.name)
            message.fields[field.name] = field
            fields.append((field, field_proto))
        return message

    for message_proto in proto.message_type:
        schema.top_messages.append(add_message(message_proto, proto.package).full_name)
    for enum_proto in proto.enum_type:
        schema.top_enums.append(add_enum(enum_proto, proto.package).full_name)
    # Types last, once every message and enum of the file exists.
    for field, field_proto in fields:
        if field_proto.type_name:
            full_name = field_proto.type_name.lstrip(".")
            field.message = _runtime_lookup(schema, full_name, "messages")
            field.enum = _runtime_lookup(schema, full_name, "enums")
            field.group = field_proto.type == field_proto.TYPE_GROUP
        else:
            field.scalar = field.type_name
        if field_proto.HasField("default_value"):
            field.has_default = True
            text = field_proto.default_value
            if field.scalar in INTEGER_TYPES:
                field.default = int(text)
            elif field.scalar in FLOAT_TYPES:
                field.default = float(text)
            elif field.scalar == "bool":
                field.default = text == "true"
            else:
                field.default = text
    return schema


_RUNTIME_LABELS = {1: "optional", 2: "required", 3: "repeated"}


def _runtime_lookup(schema: Schema, full_name: str, kind: str) -> Any:
    for candidate in (schema, *_all_dependencies(schema)):
        found = getattr(candidate, kind).get(full_name)
        if found is not None:
            return found
    return None
