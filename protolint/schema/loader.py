"""Load a proto2 schema (a caffe.proto or a fork of it) into the `protolint.schema.model` classes.

    load_schema(path)   a .proto file on disk, with its imports
    parse_schema(text)  .proto source text
    builtin_schema()    the caffe.proto shipped with protolint

Names are resolved with protoc's scoping rules and the file is checked the way protoc checks it
(duplicates, numbers, defaults), so a file that loads here is one protoc would accept. Every
problem is a `SchemaError`. The work is done in stages, one module each: `proto_parser` parses the
text with lark, `builder` walks the tree into model objects (with `options` for option values and
`runtime` for protobuf's own google/protobuf/*.proto imports), and `resolve` resolves type names
and runs the checks that need the whole file.

This module is the entry points and the caches. Start-up cost matters, since every lint run loads
a schema: loaded schemas are kept per (path, mtime, size) in the process, and a pickled copy is
kept on disk (in `protolint.cache.cache_folder()`), keyed by a digest of the file's text. A cached load parses
nothing and imports none of the stage modules, nor lark or protobuf: `builder` is imported only
when a file has to be parsed.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

from protolint import __version__
from protolint.cache import atomic_write, cache_folder, content_hash, prune, unpickle
from protolint.data_files import package_path
from protolint.files import read_regular
from protolint.schema.errors import SchemaError
from protolint.schema.model import EnumType, EnumValue, Field, MessageType, Schema

if TYPE_CHECKING:
    from pathlib import Path

# SchemaError is defined in protolint.schema.errors; callers import it from here.
__all__ = [
    "SCHEMA_FORMAT_VERSION",
    "SchemaError",
    "builtin_schema",
    "clear_memory_cache",
    "load_schema",
    "parse_schema",
]

# Bump when the pickled Schema would differ for the same .proto text (model or loader changes).
SCHEMA_FORMAT_VERSION = 2  # 2: the model classes have __slots__ (their pickled state is laid out differently)


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
    from pathlib import Path  # (the path is shown as pathlib writes it: `./caffe.proto` as `caffe.proto`)

    return _load_file(str(Path(path)), tuple(str(p) for p in import_paths), loading=())


def parse_schema(text: str, path: str = "<string>", import_paths: Iterable[str | os.PathLike] = ()) -> Schema:
    """Parse .proto source text. `path` is only used in messages (and to find imports, if it is a file)."""
    from protolint.schema.builder import build_schema

    paths = tuple(str(p) for p in import_paths)
    return build_schema(text, path, _import_dirs(path, paths), (), paths, _load_file)


def builtin_schema() -> Schema:
    """The caffe.proto shipped inside protolint (package data)."""
    global _builtin
    if _builtin is None:
        # Kept in the cache under the code's fingerprint (which covers this caffe.proto): a run
        # neither reads nor hashes the .proto. Its path is absolute and normal already (no pathlib).
        from protolint.cache import code_fingerprint, digest

        path = package_path("protolint.schema", "caffe.proto")
        key = digest("builtin", code_fingerprint(), str(SCHEMA_FORMAT_VERSION), _model_fingerprint())
        try:
            cache_file = os.path.join(cache_folder(), f"schema-builtin-{key}.pickle")
        except RuntimeError:  # no home directory to put ~/.cache in
            cache_file = None
        schema = _read_disk_cache(cache_file, ())
        if schema is None:
            schema = _load_file(path, (), loading=())
            _write_disk_cache(cache_file, schema, ())
            prune("schema-builtin-", 4)  # (one per version of the code: see cache.prune)
        schema.path = path
        schema.builtin = True
        _builtin = schema
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


def _stat_key(path: str) -> tuple[str, int, int]:
    st = os.stat(path)
    return (path, st.st_mtime_ns, st.st_size)


def _load_file(path: str | Path, import_paths: tuple[str, ...], loading: tuple[str, ...]) -> Schema:
    """(paths as strings: pathlib is not imported on the way to the built-in schema)"""
    display = str(path)
    absolute = os.path.realpath(path)
    try:
        key = (*_stat_key(absolute), import_paths)
    except OSError as exc:
        raise SchemaError(display, 0, 0, f"cannot read the schema file: {exc.strerror or exc}") from None
    with _memory_cache_lock:
        cached = _memory_cache.get(key)
    if cached is not None and _deps_unchanged(cached[1]):
        return cached[0]
    try:
        data = read_regular(absolute)  # a regular file of bounded size: not /dev/zero, not a FIFO
    except OSError as exc:
        raise SchemaError(display, 0, 0, f"cannot read the schema file: {exc.strerror or exc}") from None
    schema = _load_bytes(data, display, _import_dirs(absolute, import_paths), import_paths, loading)
    with _memory_cache_lock:
        _memory_cache[key] = (schema, _dependency_stats(schema))
    return schema


def _dependency_stats(schema: Schema) -> tuple:
    stats = []
    for dep in schema.all_dependencies():
        if not dep.from_runtime:
            try:
                stats.append(_stat_key(os.path.realpath(dep.path)))
            except OSError:
                pass
    return tuple(stats)


def _deps_unchanged(stats: tuple) -> bool:
    try:
        return all(_stat_key(path) == (path, mtime, size) for path, mtime, size in stats)
    except OSError:
        return False


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
        from protolint.schema.builder import build_schema  # only on a cache miss: keep start-up lean

        schema = build_schema(text, display, import_dirs, loading, import_paths, _load_file)
        _write_disk_cache(cache_file, schema, import_dirs)
    schema.path = display  # the same bytes may have been cached from another place
    return schema


def _model_fingerprint() -> str:
    """The model's field names (each class's __slots__): a pickle made before a field was added
    would lack it when loaded."""
    return ";".join(
        cls.__name__ + ":" + ",".join(cls.__slots__) for cls in (Schema, MessageType, Field, EnumType, EnumValue)
    )


def _disk_cache_file(data: bytes) -> str | None:
    digest = content_hash()
    digest.update(f"protolint {__version__} schema-format {SCHEMA_FORMAT_VERSION} {_model_fingerprint()}\0".encode())
    digest.update(data)
    try:
        return os.path.join(cache_folder(), f"schema-{digest.hexdigest()}.pickle")
    except RuntimeError:  # no home directory to put ~/.cache in
        return None


def _read_disk_cache(cache_file: str | None, import_dirs: tuple[str, ...]) -> Schema | None:
    """The cached Schema, or None when there is none, it is unreadable, or an import changed."""
    if cache_file is None:
        return None
    try:
        with open(cache_file, "rb") as stream:
            payload = unpickle(stream.read())
    except Exception:  # missing, truncated, from another version: any of these just means "parse again"
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("schema"), Schema):
        return None
    if payload.get("dependencies") and payload.get("import_dirs") != list(import_dirs):
        return None  # the same text elsewhere may import other files
    for dep_path, dep_digest in payload.get("dependencies", ()):
        try:
            if content_hash(_read_bytes(dep_path)).hexdigest() != dep_digest:
                return None
        except OSError:
            return None
    return payload["schema"]


def _write_disk_cache(cache_file: str | None, schema: Schema, import_dirs: tuple[str, ...]) -> None:
    if cache_file is None:
        return
    import pickle  # (writing only; reading needs only the C unpickler, cache.unpickle)

    try:
        dependencies = [
            (os.path.realpath(dep.path), content_hash(_read_bytes(dep.path)).hexdigest())
            for dep in schema.all_dependencies()
            if not dep.from_runtime
        ]
        payload = pickle.dumps(
            {"schema": schema, "dependencies": dependencies, "import_dirs": list(import_dirs)},
            protocol=pickle.HIGHEST_PROTOCOL,
        )
        os.makedirs(os.path.dirname(cache_file), exist_ok=True)
        atomic_write(cache_file, payload)
    except (OSError, pickle.PicklingError, RecursionError):
        pass  # a cache that cannot be written is no cache, not an error


def _read_bytes(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _import_dirs(path: str, import_paths: tuple[str, ...]) -> tuple[str, ...]:
    own_dir = [os.path.dirname(os.path.realpath(path))] if path and not path.startswith("<") else []
    return tuple(own_dir) + import_paths
