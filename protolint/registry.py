"""The rule registry: the rules a run may use, looked up by name, code or code prefix.

It holds what the composition root hands it (protolint.api: the built-in rules plus third-party
ones from the `protolint.rules` entry-point group) and imports no rule itself. Plugins come only
from installed distributions (entry points), never from the working directory.
"""

from __future__ import annotations

from functools import lru_cache

from . import patterns
from .rule import Rule

ENTRY_POINT_GROUP = "protolint.rules"
_CODE = patterns.compile(r"^[A-Z]+[0-9]+$")
_NAME = patterns.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class RegistryError(Exception):
    pass


class RuleSummary:
    """A rule as the rule list cached by protolint.api knows it: enough to check rule names, select
    rules and decide which can report on a file (the command line does all that before any rule is
    needed, and often none is: a file whose result is cached), and to import the rule when it is."""

    __slots__ = ("code", "name", "severity", "summary", "module", "qualname", "layer_types", "passive",
                 "solver_only", "_loaded")

    def __init__(self, code: str, name: str, severity: str, summary: str, module: str, qualname: str,
                 layer_types: tuple[str, ...], passive: bool, solver_only: bool):
        self.code, self.name, self.severity, self.summary = code, name, severity, summary
        self.module, self.qualname = module, qualname
        self.layer_types, self.passive, self.solver_only = tuple(layer_types), passive, solver_only
        self._loaded = None

    def load(self) -> type[Rule]:
        """The rule class, imported on first use."""
        if self._loaded is None:
            import importlib

            rule = importlib.import_module(self.module)
            for part in self.qualname.split("."):
                rule = getattr(rule, part)
            self._loaded = rule
        return self._loaded

    def __getstate__(self):  # (a worker process imports the rule itself)
        return [getattr(self, name) for name in self.__slots__[:-1]]

    def __setstate__(self, state):
        self.__init__(*state)


MANIFEST = "rules"  # the cache entry of the rule list, keyed by cache.code_fingerprint()


def manifest(registry: Registry) -> bytes:
    import marshal

    return marshal.dumps([(r.code, r.name, r.severity, r.summary, r.__module__, r.__qualname__, tuple(r.layer_types),
                           r.passive, r.solver_only) for r in registry.rules])


def summary_registry() -> Registry | None:
    """The built-in rules as summaries, from the list protolint.api cached for this very code; None
    when there is none, or when a plugin is installed (plugins are only known by loading them)."""
    import marshal

    from . import cache

    if _any_plugin_installed():
        return None
    data = cache.read(MANIFEST, cache.code_fingerprint())
    if data is None:
        return None
    try:
        return Registry.of_checked([RuleSummary(*entry) for entry in marshal.loads(data)])
    except (EOFError, ValueError, TypeError):
        return None


class Registry:
    def __init__(self, rules: list[type[Rule]]):
        self.rules: list[type[Rule]] = []
        self.by_name: dict[str, type[Rule]] = {}
        self.by_code: dict[str, type[Rule]] = {}
        self._selections: dict[tuple, list[type[Rule]]] = {}
        for rule in rules:
            self.add(rule)

    @classmethod
    def of_checked(cls, rules: list) -> Registry:
        """A registry of rules `add` checked before (the rule list protolint.api cached)."""
        registry = cls([])
        registry.rules = list(rules)
        registry.by_name = {rule.name: rule for rule in rules}
        registry.by_code = {rule.code: rule for rule in rules}
        return registry

    def add(self, rule: type[Rule]) -> None:
        for attribute in ("code", "name", "severity", "summary"):
            if not getattr(rule, attribute, None):
                raise RegistryError(f"rule {rule.__module__}.{rule.__qualname__} has no {attribute}")
        if not _CODE.match(rule.code) or not _NAME.match(rule.name):
            raise RegistryError(f"rule {rule.code} {rule.name}: codes look like ABC123, names like kebab-case-name")
        if rule.severity not in ("error", "warning", "info"):
            raise RegistryError(f"rule {rule.name}: severity must be error, warning or info")
        if rule.name in self.by_name or rule.code in self.by_code:
            raise RegistryError(f"rule {rule.code} {rule.name} is registered twice")
        self.rules.append(rule)
        self.by_name[rule.name] = rule
        self.by_code[rule.code] = rule
        self._selections.clear()

    def lookup(self, name_or_code: str) -> type[Rule] | None:
        return self.by_name.get(name_or_code) or self.by_code.get(name_or_code.upper())

    def matching(self, selector: str) -> list[type[Rule]]:
        """Rules a selector names: a rule name, a code, a code prefix (`L3`, `P`) or `ALL`."""
        selector = selector.strip()
        if selector.upper() == "ALL":
            return list(self.rules)
        rule = self.lookup(selector)
        if rule is not None:
            return [rule]
        prefix = selector.upper()
        return [r for r in self.rules if r.code.startswith(prefix)] if prefix[:1].isalpha() else []


    def select(self, select, ignore) -> list[type[Rule]]:
        """The rules `select` names minus those `ignore` names, in registry order (memoised: every
        file of a run asks with the same few selector lists)."""
        key = (tuple(select), tuple(ignore))
        found = self._selections.get(key)
        if found is None:
            chosen = {rule.name for selector in select for rule in self.matching(selector)}
            chosen -= {rule.name for selector in ignore for rule in self.matching(selector)}
            found = self._selections[key] = [rule for rule in self.rules if rule.name in chosen]
        return found


def plugin_rules() -> list[type[Rule]]:
    """Rules from installed distributions. A distribution found in the working directory (where
    `python -m` puts it on sys.path) is skipped: linting a checkout must never run its code."""
    import os

    if not _any_plugin_installed():
        return []  # the usual case, decided without importing importlib.metadata (~13 ms)
    from importlib.metadata import distributions

    cwd = os.path.realpath(os.getcwd())
    found: list[type[Rule]] = []
    for dist in distributions():
        points = [ep for ep in dist.entry_points if ep.group == ENTRY_POINT_GROUP]
        if not points or os.path.realpath(str(dist.locate_file(""))) == cwd:
            continue
        found += _load_points(points)
    return found


def _load_points(points) -> list[type[Rule]]:
    found: list[type[Rule]] = []
    for entry_point in points:
        try:
            loaded = entry_point.load()
        except Exception as error:  # a broken plugin must not take the linter down
            raise RegistryError(f"plugin {entry_point.name} ({entry_point.value}) failed to load: {error}") from error
        candidates = loaded if isinstance(loaded, (list, tuple)) else [loaded]
        for candidate in candidates:
            if not (isinstance(candidate, type) and issubclass(candidate, Rule)):
                raise RegistryError(f"plugin {entry_point.name} ({entry_point.value}) is not a protolint Rule class")
            found.append(candidate)
    return found


@lru_cache(maxsize=1)
def _any_plugin_installed() -> bool:
    """Whether some distribution on sys.path declares the entry-point group (a quick text scan; the
    working directory does not count, as plugin_rules skips it). The answer is kept in the cache
    with the folders' modification times, which installing or removing a distribution changes."""
    import os
    import sys

    from . import cache

    cwd = os.path.realpath(os.getcwd())
    folders, stamps = [], []
    for folder in sys.path:
        folder = folder or "."
        try:
            if os.path.realpath(folder) == cwd:
                continue
            stamps.append(f"{folder}:{os.stat(folder).st_mtime_ns}")
        except OSError:
            continue
        folders.append(folder)
    entry = cache.digest(ENTRY_POINT_GROUP, *folders)  # (one entry per environment and way of starting)
    key = cache.digest(*stamps).encode()
    known = cache.read("plugins", entry)  # (rewritten when the folders change)
    if known is not None and known[:-1] == key and known[-1:] in (b"0", b"1"):
        return known[-1:] == b"1"
    found = any(_declares_plugin(folder) for folder in folders)
    cache.write("plugins", entry, key + (b"1" if found else b"0"))
    return found


def _declares_plugin(folder: str) -> bool:
    import os

    marker = f"[{ENTRY_POINT_GROUP}]"
    try:
        names = os.listdir(folder)
    except OSError:
        return False
    for name in names:
        if name.endswith((".dist-info", ".egg-info")):
            try:
                with open(os.path.join(folder, name, "entry_points.txt"), encoding="utf-8") as handle:
                    if marker in handle.read():
                        return True
            except OSError:
                continue
    return False
