"""The options each file is linted with, built one way for every front end (the command line and
the language server): the nearest configuration file (or the one forced with --config), what the
user set on top of it (command-line flags, editor settings), the schema, then per-file ignores.

Precedence, as the README documents it: `select` replaces the configured one, `ignore` and the
`extra-*` types add to theirs, `proto`, `caffe-version` and `pretrained` replace theirs, and input
shapes given for a blob replace the configured shape of that blob.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

from .config import Config, ConfigError, find_config_file, load_config
from .options import LintOptions

__all__ = ["OptionsResolver", "Overrides", "SettingsError"]


@dataclass(frozen=True)
class Overrides:
    """What the user set over the configuration files (flags or editor settings)."""

    config: str | None = None  # one configuration file for every file
    proto: str | None = None
    root: str | None = None  # "net" | "solver"
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    extra_layer_types: tuple[str, ...] = ()
    extra_filler_types: tuple[str, ...] = ()
    extra_lr_policies: tuple[str, ...] = ()
    extra_solver_types: tuple[str, ...] = ()
    caffe_version: str | None = None  # already checked (versions.parse_version)
    pretrained: bool | None = None  # None: the configuration's `pretrained` for the file, if any
    input_shapes: tuple = ()  # ((blob, (N, C, H, W)), ...), over the configuration's


class SettingsError(Exception):
    """A configuration or schema that cannot be used: the CLI exits 2 with `str(error)`.

    `kind` is "config" or "schema"; `path`, `line`, `column` (1-based, 0 when unknown) say where
    the problem is, `key` the configuration key when there is one."""

    def __init__(self, message: str, kind: str, path: str | None = None, line: int = 0, column: int = 0,
                 key: str | None = None):
        super().__init__(message)
        self.kind, self.path, self.line, self.column, self.key = kind, path, line, column, key


class OptionsResolver:
    """LintOptions per file; options are shared by the files of one configuration file."""

    def __init__(self, registry, overrides: Overrides | None = None):
        self.registry = registry
        self.overrides = overrides or Overrides()
        self._by_config: dict[str | None, LintOptions] = {}

    def config_for(self, file_path: str) -> Config:
        try:
            config_file = self.overrides.config or find_config_file(file_path)
            return load_config(os.path.abspath(config_file), self.registry) if config_file else Config()
        except ConfigError as error:
            raise SettingsError(f"bad configuration: {error}", "config", error.path, key=error.key) from None

    def options_for(self, file_path: str) -> LintOptions:
        config = self.config_for(file_path)
        options = self._by_config.get(config.path)
        if options is None:
            given = self.overrides
            options = LintOptions(
                schema=self.schema_at(given.proto or config.proto),
                root=given.root,
                select=list(given.select) or config.select or ["ALL"],
                ignore=config.ignore + list(given.ignore),
                extra_layer_types=frozenset(config.extra_layer_types + list(given.extra_layer_types)),
                extra_filler_types=frozenset(config.extra_filler_types + list(given.extra_filler_types)),
                extra_lr_policies=frozenset(config.extra_lr_policies + list(given.extra_lr_policies)),
                extra_solver_types=frozenset(config.extra_solver_types + list(given.extra_solver_types)),
                severity_overrides=dict(config.severity),
                caffe_version=given.caffe_version or config.caffe_version,
                registry=self.registry,
                input_shapes={**config.input_shapes, **dict(given.input_shapes)},
            )
            self._by_config[config.path] = options
        options = options.with_ignored(config.ignored_for(file_path))
        starts_pretrained = given_pretrained if (given_pretrained := self.overrides.pretrained) is not None else (
            config.pretrained_for(file_path))
        return replace(options, pretrained=starts_pretrained) if starts_pretrained is not None else options

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
