"""Configuration: `[tool.protolint]` in pyproject.toml, or a `.protolint.toml`, nearest to each file.

    [tool.protolint]                    # in .protolint.toml: the same keys at the top level
    select = ["ALL"]                    # names, codes, code prefixes
    ignore = ["deprecated-field"]
    proto = "caffe/src/caffe/proto/caffe.proto"   # relative to this file
    caffe-version = "1.0"               # rc1..rc5, 1.0, master (default: read off the schema)
    extra-layer-types = ["PriorBox"]
    pretrained = true                   # the trained nets start from a .caffemodel (caffe train --weights);
                                        # false: from scratch; or globs: ["finetune/*.prototxt"]
    input-shapes = { data = [64, 3, 224, 224] }   # shapes of blobs data layers produce (HDF5Data, ...)
    extra-filler-types = ["gabor"]      # also extra-lr-policies, extra-solver-types

    [tool.protolint.severity]           # per-rule severity
    missing-bias-filler = "warning"

    [tool.protolint.per-file-ignores]   # globs relative to this file's folder
    "deploy/*.prototxt" = ["missing-weight-filler"]

A bad configuration is reported with the file, the key and the reason (exit 2), never ignored.
"""

from __future__ import annotations

import os
import sys
from functools import lru_cache

from .suggest import closest

CONFIG_FILENAMES = (".protolint.toml", "pyproject.toml")
_KEYS = ("select", "ignore", "proto", "caffe-version", "extra-layer-types", "extra-filler-types", "extra-lr-policies",
         "extra-solver-types", "pretrained", "severity", "per-file-ignores", "input-shapes")


class ConfigError(Exception):
    def __init__(self, path: str, key: str | None, reason: str):
        super().__init__(f"{path}: {'`' + key + '`: ' if key else ''}{reason}")
        self.path, self.key, self.reason = path, key, reason


# A plain class, not a dataclass: creating a dataclass costs ~0.3 ms of start-up.
class Config:
    def __init__(
        self,
        path: str | None = None,
        select: list[str] | None = None,
        ignore: list[str] | None = None,
        proto: str | None = None,
        caffe_version: str | None = None,
        extra_layer_types: list[str] | None = None,
        extra_filler_types: list[str] | None = None,
        extra_lr_policies: list[str] | None = None,
        extra_solver_types: list[str] | None = None,
        severity: dict[str, str] | None = None,
        per_file_ignores: list[tuple[str, list[str]]] | None = None,
        pretrained: bool | list[str] | None = None,
        input_shapes: dict[str, tuple[int, ...]] | None = None,
    ):
        self.path = path  # None: no configuration file
        self.select = select
        self.ignore = [] if ignore is None else ignore
        self.proto = proto  # absolute
        self.caffe_version = caffe_version
        self.extra_layer_types = [] if extra_layer_types is None else extra_layer_types
        self.extra_filler_types = [] if extra_filler_types is None else extra_filler_types
        self.extra_lr_policies = [] if extra_lr_policies is None else extra_lr_policies
        self.extra_solver_types = [] if extra_solver_types is None else extra_solver_types
        self.severity = {} if severity is None else severity  # rule name -> severity
        self.per_file_ignores = [] if per_file_ignores is None else per_file_ignores
        self.pretrained = pretrained  # a value for every file, or the globs of the pretrained ones
        self.input_shapes = {} if input_shapes is None else input_shapes  # blob -> dims (model.shapes.inputs)

    @property
    def folder(self) -> str:
        return os.path.dirname(self.path) if self.path else os.getcwd()

    def pretrained_for(self, file_path: str) -> bool | None:
        """What `pretrained` says for one file: a value, or True when a glob matches it (None otherwise)."""
        if not isinstance(self.pretrained, list):
            return self.pretrained
        return True if self._matches(file_path, self.pretrained) else None

    def _matches(self, file_path: str, patterns) -> list[str]:
        if not patterns:
            return []
        import fnmatch  # (only for globs: most configurations have none)

        relative = os.path.relpath(os.path.abspath(file_path), self.folder).replace(os.sep, "/")
        name = os.path.basename(file_path)
        return [p for p in patterns if fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(name, p)]

    def ignored_for(self, file_path: str) -> list[str]:
        """Rule selectors that per-file-ignores turns off for one file."""
        found: list[str] = []
        for pattern, selectors in self.per_file_ignores:
            if self._matches(file_path, [pattern]):
                found += selectors
        return found


def find_config_file(start: str) -> str | None:
    """The nearest .protolint.toml, or pyproject.toml with a [tool.protolint] table, above `start`."""
    return _find_in(os.path.abspath(start if os.path.isdir(start) else os.path.dirname(start) or "."))


@lru_cache(maxsize=256)
def _find_in(folder: str) -> str | None:
    for name in CONFIG_FILENAMES:
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate) and (name != "pyproject.toml" or _has_tool_table(candidate)):
            return candidate
    parent = os.path.dirname(folder)
    return None if parent == folder else _find_in(parent)


def _has_tool_table(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return b"[tool.protolint" in handle.read()
    except OSError:
        return False


@lru_cache(maxsize=64)
def load_config(path: str, registry) -> Config:
    """The configuration in `path`, its rule names checked against `registry`."""
    try:
        with open(path, "rb") as handle:
            data = _parse_toml(path, handle.read())
    except OSError as error:
        raise ConfigError(path, None, f"cannot read: {error.strerror or error}") from None
    if os.path.basename(path) == "pyproject.toml":
        tool = data.get("tool", {})
        table = tool.get("protolint", {}) if isinstance(tool, dict) else None
        prefix = "tool.protolint."
        if not isinstance(table, dict):
            raise ConfigError(path, "tool.protolint", "expected a table of settings")
    else:
        table, prefix = data, ""
    return _from_table(path, table, prefix, registry)


def _from_table(path: str, table: dict, prefix: str, registry) -> Config:
    config = Config(path=path)

    def fail(key: str, reason: str):
        raise ConfigError(path, prefix + key, reason)

    def string_list(key: str) -> list[str]:
        value = table[key]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            fail(key, "expected a list of strings")
        return value

    def rule_selectors(key: str, values: list[str]) -> list[str]:
        for value in values:
            if not registry.matching(value):
                close = closest(value, registry.by_name)
                fail(key, f"no rule is named or coded {value!r}" + (f"; did you mean {close!r}?" if close else ""))
        return values

    for key in table:
        if key not in _KEYS:
            close = closest(key, _KEYS)
            fail(key, "unknown setting" + (f"; did you mean `{close}`?" if close else f"; known settings: {', '.join(_KEYS)}"))
    if "select" in table:
        config.select = rule_selectors("select", string_list("select"))
    if "ignore" in table:
        config.ignore = rule_selectors("ignore", string_list("ignore"))
    for key in ("extra-layer-types", "extra-filler-types", "extra-lr-policies", "extra-solver-types"):
        if key in table:
            setattr(config, key.replace("-", "_"), string_list(key))
    if "pretrained" in table:
        value = table["pretrained"]
        if not isinstance(value, bool) and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            fail("pretrained", "expected true, false, or a list of globs of the files whose nets are fine-tuned")
        config.pretrained = value
    if "proto" in table:
        if not isinstance(table["proto"], str):
            fail("proto", "expected a path to a caffe.proto")
        config.proto = os.path.normpath(os.path.join(os.path.dirname(path), table["proto"]))
        if not os.path.isfile(config.proto):
            fail("proto", f"no such file: {config.proto}")
    if "caffe-version" in table:
        from .versions import VersionError, parse_version

        try:
            config.caffe_version = parse_version(str(table["caffe-version"]))
        except VersionError as error:
            fail("caffe-version", str(error))
    if "severity" in table:
        if not isinstance(table["severity"], dict):
            fail("severity", "expected a table of rule = \"error\" | \"warning\" | \"info\"")
        for name, level in table["severity"].items():
            rule = registry.lookup(name)
            if rule is None:
                fail(f"severity.{name}", "no rule is named or coded like that; `protolint rules` lists them")
            if level not in ("error", "warning", "info"):
                fail(f"severity.{name}", f"expected \"error\", \"warning\" or \"info\", got {level!r}")
            config.severity[rule.name] = level
    if "per-file-ignores" in table:
        if not isinstance(table["per-file-ignores"], dict):
            fail("per-file-ignores", "expected a table of \"glob\" = [rules]")
        for pattern, selectors in table["per-file-ignores"].items():
            key = f"per-file-ignores.{pattern}"
            if isinstance(selectors, str):
                selectors = [selectors]
            if not isinstance(selectors, list) or not all(isinstance(s, str) for s in selectors):
                fail(key, "expected a list of rule names or codes")
            config.per_file_ignores.append((pattern, rule_selectors(key, selectors)))
    if "input-shapes" in table:
        from .model.shapes.inputs import dims_problem

        if not isinstance(table["input-shapes"], dict):
            fail("input-shapes", "expected a table of blob = [N, C, H, W], e.g. input-shapes = { data = [64, 3, 224, 224] }")
        for blob, dims in table["input-shapes"].items():
            problem = "expected a list of dimensions" if not isinstance(dims, list) else dims_problem(dims)
            if problem:
                fail(f"input-shapes.{blob}", f"{problem}; e.g. {blob} = [64, 3, 224, 224]")
            config.input_shapes[blob] = tuple(dims)
    return config


def _parse_toml(path: str, data: bytes) -> dict:
    """The TOML document in `data`. What a text parsed to is cached by the text's digest: a run of
    the command line then needs no TOML parser (importing one is a tenth of a small file's lint)."""
    import marshal

    from . import cache

    key = cache.digest("toml", data)
    cached = cache.read("config", key)
    if cached is not None:
        try:
            return marshal.loads(cached)
        except (EOFError, ValueError, TypeError):
            pass
    tomllib = _toml()
    try:
        table = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise ConfigError(path, None, f"not UTF-8 text (at line {line}, column {column}: byte 0x{data[error.start]:02x}); "
                                      "TOML files are UTF-8: save it as UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, None, f"not valid TOML: {error}") from None
    try:
        cache.write("config", key, marshal.dumps(table))
    except ValueError:  # (dates and times do not marshal: such a file is parsed every time)
        pass
    return table


def _toml():
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    return tomllib


def clear_caches() -> None:
    """Forget found and loaded configuration files (a long-running editor session calls this
    when files change)."""
    _find_in.cache_clear()
    load_config.cache_clear()
