"""The settings one file is linted with: the schema, the rules to run, the target Caffe release.

Plain data, built by the composition root (the CLI, protolint.api, the language server) from the
command line and the configuration; the registry of rules is handed in, never looked up here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # (the registry is not imported even for types: it imports the rule API, which sees options)
    from .schema.model import Schema


@dataclass(frozen=True)
class LintOptions:
    schema: Schema
    registry: object = None  # registry.Registry: the rules to choose from (protolint.api.default_registry())
    root: str | None = None  # "net" | "solver" | a message name; None = from the header or the content
    extra_layer_types: frozenset[str] = frozenset()
    # Names a fork registers in C++ that no caffe.proto shows: filler types, lr policies, solver types.
    extra_filler_types: frozenset[str] = frozenset()
    extra_lr_policies: frozenset[str] = frozenset()
    extra_solver_types: frozenset[str] = frozenset()
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    severity_overrides: dict[str, str] = field(default_factory=dict)  # rule name -> severity
    caffe_version: str | None = None  # rc1..rc5, 1.0, master; None: read off the schema
    # The trained nets start from a .caffemodel (passed as `caffe train --weights` or from Python,
    # where the solver cannot show it); None: decide from the solver's `weights` and the net itself.
    pretrained: bool | None = None
    # The shapes of blobs that data layers produce (HDF5Data, Data, Python, ...), for shape inference:
    # (blob, dims) pairs sorted by blob (--input-shape, the input-shapes setting); a dict is accepted.
    input_shapes: tuple[tuple[str, tuple[int, ...]], ...] = ()

    def __post_init__(self):
        # Lists are accepted for convenience; stored as tuples so options stay hashable values.
        object.__setattr__(self, "select", tuple(self.select))
        object.__setattr__(self, "ignore", tuple(self.ignore))
        for name in ("extra_layer_types", "extra_filler_types", "extra_lr_policies", "extra_solver_types"):
            object.__setattr__(self, name, frozenset(getattr(self, name)))
        shapes = self.input_shapes.items() if isinstance(self.input_shapes, dict) else self.input_shapes
        object.__setattr__(self, "input_shapes", tuple(sorted((name, tuple(dims)) for name, dims in shapes)))

    def with_ignored(self, selectors) -> LintOptions:
        """These options with more rules turned off (per-file ignores)."""
        return replace(self, ignore=self.ignore + tuple(selectors)) if selectors else self

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
