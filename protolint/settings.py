"""The options each file is linted with, built one way for every front end (the command line and
the language server): the nearest configuration file (or the one forced with --config), what the
user set on top of it (command-line flags, editor settings), the schema, then per-file ignores.

Precedence, as the README documents it: `select` replaces the configured one, `ignore` and the
`extra-*` types add to theirs, `proto`, `caffe-version` and `pretrained` replace theirs, and input
shapes given for a blob replace the configured shape of that blob.
"""

from __future__ import annotations

import os

from .config import Config, ConfigError, find_config_file, load_config
from .options import LintOptions

__all__ = ["OptionsResolver", "Overrides", "SettingsError"]


# A plain class, not a dataclass: creating a dataclass costs ~0.3 ms of start-up.
class Overrides:
    """What the user set over the configuration files (flags or editor settings); not to be changed
    once made."""

    def __init__(
        self,
        config: str | None = None,
        proto: str | None = None,
        root: str | None = None,
        select: tuple[str, ...] = (),
        ignore: tuple[str, ...] = (),
        extra_layer_types: tuple[str, ...] = (),
        extra_filler_types: tuple[str, ...] = (),
        extra_lr_policies: tuple[str, ...] = (),
        extra_solver_types: tuple[str, ...] = (),
        caffe_version: str | None = None,
        pretrained: bool | None = None,
        input_shapes: tuple = (),
    ):
        self.config = config  # one configuration file for every file
        self.proto = proto
        self.root = root  # "net" | "solver"
        self.select = select
        self.ignore = ignore
        self.extra_layer_types = extra_layer_types
        self.extra_filler_types = extra_filler_types
        self.extra_lr_policies = extra_lr_policies
        self.extra_solver_types = extra_solver_types
        self.caffe_version = caffe_version  # already checked (versions.parse_version)
        self.pretrained = pretrained  # None: the configuration's `pretrained` for the file, if any
        self.input_shapes = input_shapes  # ((blob, (N, C, H, W)), ...), over the configuration's


class SettingsError(Exception):
    """A configuration or schema that cannot be used: the CLI exits 2 with `str(error)`.

    `kind` is "config" or "schema"; `path`, `line`, `column` (1-based, 0 when unknown) say where
    the problem is, `key` the configuration key when there is one."""

    def __init__(self, message: str, kind: str, path: str | None = None, line: int = 0, column: int = 0,
                 key: str | None = None):
        super().__init__(message)
        self.kind, self.path, self.line, self.column, self.key = kind, path, line, column, key


class OptionsResolver:
    """LintOptions per file; options are shared by the files of one configuration file.

    Picklable (worker processes get their own loaded schemas and configurations), and able to give
    a file's cache key without building its options, so that a run whose results are all cached
    imports no rule. `registry`: the rules (None: loaded when first needed); `names`: the registry
    configuration files' rule names are checked against (default: `registry`). The command line
    passes the rule list it cached as both: a rule is then imported only for a file it can report on
    (linter.runnable)."""

    def __init__(self, registry=None, overrides: Overrides | None = None, names=None):
        self._registry = registry
        self.names = names
        self.overrides = overrides or Overrides()
        self.configs: dict[str | None, Config] = {}  # configuration file (None: none) -> Config
        self._by_config: dict[str | None, LintOptions] = {}
        self._bases: dict = {}  # configuration file -> what the cache key takes from it
        self._keys: dict[str, str] = {}  # file -> its cache key
        self._texts: dict[tuple, str] = {}  # (configuration, per-file ignores, pretrained) -> what keys hold

    def __getstate__(self):
        return {**self.__dict__, "_registry": None, "names": None, "configs": {}, "_by_config": {}, "_bases": {},
                "_keys": {}, "_texts": {}}

    @property
    def registry(self):
        if self._registry is None:
            from .api import default_registry

            self._registry = default_registry()
        return self._registry

    def config_for(self, file_path: str) -> Config:
        try:
            config_file = self.overrides.config or find_config_file(file_path)
            config = (load_config(os.path.abspath(config_file), self.names or self.registry) if config_file
                      else Config())
        except ConfigError as error:
            raise SettingsError(f"bad configuration: {error}", "config", error.path, key=error.key) from None
        return self.configs.setdefault(config.path, config)

    def _settings(self, config: Config) -> tuple:
        """What the options of a configuration's files take from it and from the overrides (per
        file, the ignores and `pretrained` are added to these)."""
        given = self.overrides
        return (
            list(given.select) or config.select or ["ALL"],
            config.ignore + list(given.ignore),
            frozenset(config.extra_layer_types + list(given.extra_layer_types)),
            frozenset(config.extra_filler_types + list(given.extra_filler_types)),
            frozenset(config.extra_lr_policies + list(given.extra_lr_policies)),
            frozenset(config.extra_solver_types + list(given.extra_solver_types)),
            dict(config.severity),
            given.caffe_version or config.caffe_version,
            {**config.input_shapes, **dict(given.input_shapes)},
        )

    def _pretrained(self, config: Config, file_path: str) -> bool | None:
        given = self.overrides.pretrained
        return given if given is not None else config.pretrained_for(file_path)

    def options_for(self, file_path: str) -> LintOptions:
        config = self.config_for(file_path)
        options = self._by_config.get(config.path)
        if options is None:
            select, ignore, layers, fillers, policies, solvers, severity, version, shapes = self._settings(config)
            options = LintOptions(
                schema=self.schema_at(self.overrides.proto or config.proto), root=self.overrides.root,
                select=select, ignore=ignore, extra_layer_types=layers, extra_filler_types=fillers,
                extra_lr_policies=policies, extra_solver_types=solvers, severity_overrides=severity,
                caffe_version=version, registry=self.registry, input_shapes=shapes,
            )
            self._by_config[config.path] = options
        options = options.with_ignored(config.ignored_for(file_path))
        starts_pretrained = self._pretrained(config, file_path)
        return options.replace(pretrained=starts_pretrained) if starts_pretrained is not None else options

    __call__ = options_for

    def for_parsing(self, file_path: str) -> LintOptions:
        """The options parsing and typing a file needs (its schema and root), without the rules."""
        return LintOptions(schema=self.schema_at(self.overrides.proto or self.config_for(file_path).proto),
                           root=self.overrides.root)

    def key(self, file_path: str) -> str:
        """Everything the file's options hold, as a digest for the result cache, without building
        them (so without importing a rule): the settings, the rules they enable, the schema's digest
        (protolint's own schema belongs to its code, which the cache key covers)."""
        found = self._keys.get(file_path)
        if found is None:
            from .cache import digest

            found = self._keys[file_path] = digest(self._key(file_path))
        return found

    def _key(self, file_path: str) -> str:
        config = self.config_for(file_path)
        base = self._bases.get(config.path)
        if base is None:
            proto = self.overrides.proto or config.proto
            schema = "builtin" if proto is None else _schema_digest(self.schema_at(proto))
            base = self._bases[config.path] = (schema, self.overrides.root, self._settings(config))
        schema, root, (select, ignore, *rest) = base
        ignored, pretrained = tuple(config.ignored_for(file_path)), self._pretrained(config, file_path)
        text = self._texts.get((config.path, ignored, pretrained))  # (the files of a folder share one)
        if text is None:
            enabled = [rule.name for rule in (self.names or self.registry).select(select, ignore + list(ignored))]
            text = self._texts[config.path, ignored, pretrained] = repr(
                (schema, root, enabled, [sorted(x) if isinstance(x, frozenset) else x for x in rest], pretrained))
        return text

    def options_by_config(self) -> dict[str | None, LintOptions]:
        """The options built so far, by configuration file (None: no file)."""
        return dict(self._by_config)

    def schema_at(self, path: str | None):
        """The schema in `path` (None: the built-in one)."""
        from .schema.loader import SchemaError, builtin_schema, load_schema

        try:
            schema = load_schema(path) if path else builtin_schema()
        except SchemaError as error:
            where = f"{error.path}:{error.line}:{error.column}" if error.line else error.path  # no 0:0 for an unreadable file
            raise SettingsError(f"cannot use the schema: {where}: {error.message}", "schema", error.path,
                                error.line or 0, error.column or 0) from None
        except OSError as error:
            raise SettingsError(f"cannot read the schema {path}: {error.strerror or error}", "schema", path) from None
        if not schema.top_messages:
            raise SettingsError(f"cannot use the schema: {path}: it defines no message", "schema", path)
        return schema


def _schema_digest(schema) -> str:
    from .batch import schema_digest

    return schema_digest(schema)
