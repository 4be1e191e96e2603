"""What the server knows about the editor's files: open documents, the editor settings, the
configuration each file is linted with, and which solvers train which nets.

Options come from protolint.settings exactly as the command line builds them; the editor settings
take the place of the command-line flags. A file's configuration is found and loaded once and kept
until one of the files it came from changes (checked by stat before every lint, so clients that
do not watch files get the same behaviour as those that do).

Solver <-> net links: a solver names its nets in `net`, `train_net` and `test_net`. The server links
an open document with the solvers and nets it is connected to: open solvers (their unsaved text)
and the solvers found in the workspace folders. A connected group is linted together, the way
`protolint solver.prototxt net.prototxt` lints it, so editing either re-lints both.
"""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import unquote, urlparse

from ..config import CONFIG_FILENAMES, clear_caches
from ..project import resolve_net_file
from ..settings import OptionsResolver, Overrides

# A solver's net file fields, at the start of a line (nets have no such top-level fields).
_NET_REF = re.compile(r"""^[ \t]*(?:net|train_net|test_net)[ \t]*:[ \t]*(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)')""", re.M)
_SCAN_LIMIT = 20000  # .prototxt files looked at when indexing the workspace folders
_SCAN_SECONDS = 10.0
_SCAN_MAX_BYTES = 1 << 20  # solvers are small; bigger files are nets


def uri_to_path(uri: str) -> str | None:
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    path = unquote(parsed.path)
    if os.name == "nt" and re.match(r"^/[A-Za-z]:", path):  # pragma: no cover - Windows
        path = path[1:]
    return os.path.normpath(path)


def path_to_uri(path: str) -> str:
    from pathlib import Path

    return Path(os.path.abspath(path)).as_uri()


def display_path(path: str) -> str:
    """How the command line names a file it found: relative to the working directory when inside it."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def net_refs(text: str) -> list[str]:
    """The net file names a solver's text gives (a quick look; the linter reads the real fields)."""
    found = []
    for match in _NET_REF.finditer(text):
        value = match.group(1) if match.group(1) is not None else match.group(2)
        if value:
            found.append(value)
    return found


def stamp(path: str):
    try:
        st = os.stat(path)
        return st.st_mtime_ns, st.st_size
    except OSError:
        return None


@dataclass
class OpenDoc:
    uri: str
    text: str
    version: int
    path: str | None  # on disk (file: URIs)
    display: str  # the path findings are reported under
    edited_at: float = 0.0
    burst: bool = False  # edited again shortly after the previous edit (typing)
    _refs: tuple | None = field(default=None, repr=False)

    def refs(self) -> list[str]:
        if self._refs is None or self._refs[0] != self.version:
            self._refs = (self.version, net_refs(self.text))
        return self._refs[1]


@dataclass
class Member:
    """One file of a group linted together."""

    uri: str | None  # None for a solver read from disk that is not open
    path: str | None
    display: str
    data: bytes
    version: int | None = None
    refs: tuple = ()  # the net files it names, when it is a solver

    def outside(self, members) -> list[str]:
        """The net files it names that are read from disk (not members of the group)."""
        inside = {os.path.realpath(m.path) for m in members if m.path}
        found = (resolve_net_file(ref, self.path) for ref in self.refs)
        return [path for path in found if path and os.path.realpath(path) not in inside]


# Editor settings: camelCase (VS Code) and the configuration file's kebab-case are both accepted.
_SETTING_NAMES = {
    "select": "select", "ignore": "ignore", "extraLayerTypes": "extra-layer-types",
    "extra-layer-types": "extra-layer-types", "proto": "proto", "caffeVersion": "caffe-version",
    "caffe-version": "caffe-version", "pretrained": "pretrained", "config": "config", "as": "as",
    "inlayHints": "inlay-hints", "inlay-hints": "inlay-hints",
}


def normalize_settings(raw) -> dict:
    """Editor settings as {kebab-name: value}; `{"settings": {...}}` and `{"protolint": {...}}`
    wrappers are unwrapped, unknown keys dropped."""
    if not isinstance(raw, dict):
        return {}
    for wrapper in ("settings", "protolint"):
        if isinstance(raw.get(wrapper), dict) and not any(k in _SETTING_NAMES for k in raw):
            raw = raw[wrapper]
    return {_SETTING_NAMES[k]: v for k, v in raw.items() if k in _SETTING_NAMES and v is not None}


def _as_list(value) -> list[str]:
    items = [value] if isinstance(value, str) else value if isinstance(value, (list, tuple)) else []
    return [part.strip() for item in items if isinstance(item, str) for part in item.split(",") if part.strip()]


def overrides_from(settings: dict, registry, base: str) -> tuple[Overrides, list[str]]:
    """Overrides from editor settings, and the problems found in them (those values are dropped)."""
    from ..versions import VersionError, parse_version

    problems: list[str] = []

    def selectors(key: str) -> tuple[str, ...]:
        kept = []
        for selector in _as_list(settings.get(key)):
            if registry.matching(selector):
                kept.append(selector)
            else:
                problems.append(f"setting `{key}`: no rule is named or coded {selector!r}; `protolint rules` lists them")
        return tuple(kept)

    def path(key: str) -> str | None:
        value = settings.get(key)
        if not isinstance(value, str) or not value.strip():
            return None
        return os.path.normpath(os.path.join(base, os.path.expanduser(value.strip())))

    version = settings.get("caffe-version")
    if version is not None:
        try:
            version = parse_version(str(version))
        except VersionError as error:
            problems.append(f"setting `caffe-version`: {error}")
            version = None
    pretrained = settings.get("pretrained")
    if pretrained not in (None, True, False):
        problems.append("setting `pretrained`: expected true, false or null")
        pretrained = None
    root = settings.get("as")
    if root not in (None, "net", "solver"):
        problems.append("setting `as`: expected \"net\" or \"solver\"")
        root = None
    overrides = Overrides(
        config=path("config"), proto=path("proto"), root=root, select=selectors("select"), ignore=selectors("ignore"),
        extra_layer_types=tuple(_as_list(settings.get("extra-layer-types"))), caffe_version=version,
        pretrained=pretrained,
    )
    return overrides, problems


class SolverIndex:
    """The solvers in the workspace folders and the net files they name (by real path)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[object, list[str]]] = {}  # solver real path -> (stat, nets)

    def scan(self, roots: list[str]) -> None:
        seen = 0
        deadline = time.monotonic() + _SCAN_SECONDS  # a workspace folder may be a whole home directory
        found: dict[str, tuple[object, list[str]]] = {}
        for root in roots:
            for folder, dirs, files in os.walk(root):
                if seen > _SCAN_LIMIT or time.monotonic() > deadline:
                    dirs[:] = []
                    break
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in ("node_modules", "__pycache__"))
                for name in files:
                    if not name.endswith(".prototxt"):
                        continue
                    seen += 1
                    path = os.path.join(folder, name)
                    entry = self._read(path)
                    if entry is not None:
                        found[os.path.realpath(path)] = entry
        with self._lock:
            self._entries = found

    def _read(self, path: str):
        found = stamp(path)
        if found is None or found[1] > _SCAN_MAX_BYTES:
            return None
        try:
            with open(path, "rb") as handle:
                text = handle.read().decode("utf-8", "surrogateescape")
        except OSError:
            return None
        refs = net_refs(text)
        if not refs:
            return None
        nets = [os.path.realpath(net) for net in (resolve_net_file(ref, path) for ref in refs) if net]
        return found, nets

    def update(self, path: str) -> None:
        """Re-read one file (saved, created, changed or deleted on disk)."""
        key = os.path.realpath(path)
        entry = self._read(path) if os.path.isfile(path) else None
        with self._lock:
            if entry is None:
                self._entries.pop(key, None)
            else:
                self._entries[key] = entry

    def edges(self) -> dict[str, list[str]]:
        with self._lock:
            entries = dict(self._entries)
        changed = [path for path, (known, _) in entries.items() if stamp(path) != known]
        for path in changed:
            self.update(path)
        if changed:
            with self._lock:
                entries = dict(self._entries)
        return {path: nets for path, (_, nets) in entries.items()}


class Workspace:
    def __init__(self, registry):
        self.registry = registry
        self.docs: dict[str, OpenDoc] = {}
        self.roots: list[str] = []
        self.init_settings: dict = {}
        self.client_settings: dict = {}
        self.setting_problems: list[str] = []
        self.index = SolverIndex()
        self._resolver: OptionsResolver | None = None
        self._stamps: dict[str, object] = {}
        self._lock = threading.Lock()

    # --- settings and configuration --------------------------------------------------------------

    @property
    def base(self) -> str:
        return self.roots[0] if self.roots else os.getcwd()

    def settings(self) -> dict:
        """Editor settings: workspace/configuration wins over initializationOptions."""
        return {**self.init_settings, **self.client_settings}

    def inlay_hints_enabled(self) -> bool:
        return self.settings().get("inlay-hints", True) is not False

    def settings_changed(self) -> None:
        with self._lock:
            self._resolver = None

    def resolver(self) -> OptionsResolver:
        with self._lock:
            if self._resolver is None:
                overrides, self.setting_problems = overrides_from(self.settings(), self.registry, self.base)
                self._resolver = OptionsResolver(self.registry, overrides)
                self._stamps = {}
            return self._resolver

    def configuration_changed(self) -> bool:
        """Whether a configuration or schema file the options came from changed on disk (or a
        nearer configuration file appeared); if so, everything is loaded again."""
        with self._lock:
            stamps = dict(self._stamps)
        if not any(stamp(path) != known for path, known in stamps.items()):
            return False
        self.reload()
        return True

    def reload(self) -> None:
        clear_caches()
        with self._lock:
            self._resolver = None
            self._stamps = {}

    def watch_options(self, file_path: str, options) -> None:
        """Remember the files `file_path`'s options depend on: every place a configuration file
        could appear up to the one found, the configuration file, the schema and its imports."""
        paths = []
        overrides = self.resolver().overrides
        if overrides.config:
            paths.append(overrides.config)
        else:
            folder = os.path.abspath(file_path if os.path.isdir(file_path) else os.path.dirname(file_path) or ".")
            while True:
                candidates = [os.path.join(folder, name) for name in CONFIG_FILENAMES]
                paths += candidates
                if any(os.path.isfile(c) for c in candidates):
                    break
                parent = os.path.dirname(folder)
                if parent == folder:
                    break
                folder = parent
        schema = getattr(options, "schema", None)
        if schema is not None and not schema.builtin:
            paths.append(schema.path)
            paths += [dep.path for dep in schema.all_dependencies() if not dep.from_runtime]
        if overrides.proto:
            paths.append(overrides.proto)
        self.watch_paths(paths)

    def watch_paths(self, paths) -> None:
        with self._lock:
            for path in paths:
                if path not in self._stamps:
                    self._stamps[path] = stamp(path)

    # --- documents -----------------------------------------------------------------------------

    def open(self, uri: str, text: str, version: int) -> OpenDoc:
        path = uri_to_path(uri)
        doc = OpenDoc(uri, text, version, path, display_path(path) if path else uri)
        self.docs[uri] = doc
        return doc

    # --- solver <-> net groups -----------------------------------------------------------------

    def group(self, uri: str) -> list[Member]:
        """The files linted together with the open document `uri`: its connected solvers and nets,
        solvers first. Unsaved text wins over the file on disk."""
        start = self.docs.get(uri)
        if start is None:
            return []
        open_by_key: dict[str, OpenDoc] = {}
        for doc in self.docs.values():
            open_by_key[os.path.realpath(doc.path) if doc.path else doc.uri] = doc
        edges: dict[str, set[str]] = {}

        def link(a: str, b: str) -> None:
            edges.setdefault(a, set()).add(b)
            edges.setdefault(b, set()).add(a)

        disk_solvers = self.index.edges()
        for key, nets in disk_solvers.items():
            if key in open_by_key:
                continue  # the open text decides
            for net in nets:
                link(key, net)
        solvers: set[str] = {key for key in disk_solvers if key not in open_by_key}
        for key, doc in open_by_key.items():
            refs = doc.refs()
            if refs:
                solvers.add(key)
            for ref in refs:
                found = resolve_net_file(ref, doc.path)
                if found:
                    link(key, os.path.realpath(found))
        start_key = os.path.realpath(start.path) if start.path else start.uri
        component, stack = {start_key}, [start_key]
        while stack:
            for other in edges.get(stack.pop(), ()):
                if other not in component:
                    component.add(other)
                    stack.append(other)
        members = []
        for key in component:
            doc = open_by_key.get(key)
            if doc is not None:
                members.append(Member(doc.uri, doc.path, doc.display, encode(doc.text), doc.version, tuple(doc.refs())))
            elif key in solvers:
                try:
                    with open(key, "rb") as handle:
                        data = handle.read()
                except OSError:
                    continue
                members.append(Member(None, key, display_path(key), data,
                                      refs=tuple(net_refs(data.decode("utf-8", "surrogateescape")))))
        # Solvers first (the command line's usual order), then nets; each by name.
        members.sort(key=lambda m: (0 if (m.path and os.path.realpath(m.path) in solvers) or m.uri in solvers else 1, m.display))
        return members


def encode(text: str) -> bytes:
    """The bytes protolint reads for an editor's text (lone surrogates that stand for undecodable
    bytes become those bytes again; any other lone surrogate becomes U+FFFD, one character too)."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        cleaned = re.sub("[\ud800-\udc7f\udd00-\udfff]", "\ufffd", text)
        return cleaned.encode("utf-8", "surrogateescape")
