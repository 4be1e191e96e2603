"""The solver model: SolverParameter values with Caffe's effective defaults."""

from __future__ import annotations

from dataclasses import dataclass

from ..syntax.nodes import Field, Message

# The deprecated solver_type enum -> the `type` string Caffe upgrades it to.
SOLVER_TYPE_NAMES = {
    "SGD": "SGD", "NESTEROV": "Nesterov", "ADAGRAD": "AdaGrad", "RMSPROP": "RMSProp",
    "ADADELTA": "AdaDelta", "ADAM": "Adam",
}
SOLVER_TYPES = frozenset(SOLVER_TYPE_NAMES.values())
LR_POLICIES = frozenset("fixed step exp inv multistep poly sigmoid".split())


@dataclass(eq=False)
class Solver:
    root: Message  # the SolverParameter node

    def field(self, name: str) -> Field | None:
        return self.root.last(name)

    def has(self, name: str) -> bool:
        return self.root.last(name) is not None

    def get(self, name: str):
        """The value written, else the schema default (what Caffe uses)."""
        written = self.root.last(name)
        if written is not None and not isinstance(written.value, Message):
            return written.scalar
        schema_field = self.root.schema.fields.get(name) if self.root.schema else None
        return schema_field.effective_default() if schema_field is not None else None

    @property
    def type(self) -> str:
        """The solver type Caffe runs: `type`, else the deprecated `solver_type`, else SGD."""
        if self.has("type"):
            return self.get("type")
        if self.has("solver_type"):
            return SOLVER_TYPE_NAMES.get(self.get("solver_type"), "SGD")
        return "SGD"

    @property
    def type_field(self) -> Field | None:
        return self.field("type") or self.field("solver_type")
