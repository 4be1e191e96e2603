"""The settings one file is linted with: the schema, the rules to run, the target Caffe release.

Plain data, built by the composition root (the CLI, protolint.api, the language server) from the
command line and the configuration; the registry of rules is handed in, never looked up here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # (the registry is not imported even for types: it imports the rule API, which sees options)
    from .schema.model import Schema


# A plain class, not a dataclass: creating a dataclass costs ~0.3 ms of start-up.
class LintOptions:
    """Not to be changed once made: `replace()` gives changed copies."""

    FIELDS = ("schema", "registry", "root", "extra_layer_types", "extra_filler_types", "extra_lr_policies",
              "extra_solver_types", "select", "ignore", "severity_overrides", "caffe_version", "pretrained",
              "input_shapes")

    def __init__(
        self,
        schema: Schema,
        registry: object = None,
        root: str | None = None,
        extra_layer_types: frozenset[str] = frozenset(),
        extra_filler_types: frozenset[str] = frozenset(),
        extra_lr_policies: frozenset[str] = frozenset(),
        extra_solver_types: frozenset[str] = frozenset(),
        select: tuple[str, ...] = ("ALL",),
        ignore: tuple[str, ...] = (),
        severity_overrides: dict[str, str] | None = None,
        caffe_version: str | None = None,
        pretrained: bool | None = None,
        input_shapes: tuple[tuple[str, tuple[int, ...]], ...] = (),
    ):
        self.schema = schema
        self.registry = registry  # registry.Registry: the rules to choose from (protolint.api.default_registry())
        self.root = root  # "net" | "solver" | a message name; None = from the header or the content
        # Lists are accepted for convenience; stored as tuples and frozensets so options stay values.
        self.extra_layer_types = frozenset(extra_layer_types)
        # Names a fork registers in C++ that no caffe.proto shows: filler types, lr policies, solver types.
        self.extra_filler_types = frozenset(extra_filler_types)
        self.extra_lr_policies = frozenset(extra_lr_policies)
        self.extra_solver_types = frozenset(extra_solver_types)
        self.select = tuple(select)
        self.ignore = tuple(ignore)
        self.severity_overrides = {} if severity_overrides is None else severity_overrides  # rule name -> severity
        self.caffe_version = caffe_version  # rc1..rc5, 1.0, master; None: read off the schema
        # The trained nets start from a .caffemodel (passed as `caffe train --weights` or from Python,
        # where the solver cannot show it); None: decide from the solver's `weights` and the net itself.
        self.pretrained = pretrained
        # The shapes of blobs that data layers produce (HDF5Data, Data, Python, ...), for shape inference:
        # (blob, dims) pairs sorted by blob (--input-shape, the input-shapes setting); a dict is accepted.
        shapes = input_shapes.items() if isinstance(input_shapes, dict) else input_shapes
        self.input_shapes = tuple(sorted((name, tuple(dims)) for name, dims in shapes))

    def replace(self, **changes) -> LintOptions:
        """A copy with some fields changed (as dataclasses.replace did)."""
        values = {name: getattr(self, name) for name in self.FIELDS}
        values.update(changes)
        return LintOptions(**values)

    def with_ignored(self, selectors) -> LintOptions:
        """These options with more rules turned off (per-file ignores)."""
        return self.replace(ignore=self.ignore + tuple(selectors)) if selectors else self

    def version(self):
        """The targeted Caffe release (a versions.VersionAnswer): the one given, certain; else what the
        schema shows, a guess with its evidence (a range for a fork, "unknown" when it matches no
        release)."""
        from .versions import version_for

        return version_for(self.caffe_version, self.schema)

    def enabled_rules(self) -> list:
        if self.registry is None:
            raise ValueError("LintOptions has no rules: pass registry= (protolint.api.default_registry())")
        return self.registry.select(self.select, self.ignore)
