"""The solver model: SolverParameter values with Caffe's effective defaults."""

from __future__ import annotations

from ..syntax.nodes import Field, Message, Scalar
from .net import NetState

# A plain class, not a dataclass: creating a dataclass costs ~0.3 ms of start-up each.

# The deprecated solver_type enum -> the `type` string Caffe upgrades it to.
SOLVER_TYPE_NAMES = {
    "SGD": "SGD", "NESTEROV": "Nesterov", "ADAGRAD": "AdaGrad", "RMSPROP": "RMSProp",
    "ADADELTA": "AdaDelta", "ADAM": "Adam",
}
SOLVER_TYPES = frozenset(SOLVER_TYPE_NAMES.values())
LR_POLICIES = frozenset("fixed step exp inv multistep poly sigmoid".split())


class Solver:
    def __init__(self, root: Message):
        self.root = root  # the SolverParameter node

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

    def number(self, name: str):
        """The number Caffe uses for `name` (written or default); None if the written value is invalid."""
        value = self.get(name)
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    @property
    def policy(self):
        """The lr_policy string ("" when unset); None when the written value is not a string."""
        value = self.get("lr_policy")
        return value if isinstance(value, str) else None

    def written(self, name: str) -> str:
        """`name` as written (its source text), or "unset"."""
        node = self.field(name)
        return node.value.source_text if node is not None and isinstance(node.value, Scalar) else "unset"

    def int_values(self, name: str) -> list[tuple[Scalar, int]]:
        """Every valid value of a repeated int field, in file order, with its node."""
        found = []
        for node in self.root.all(name):
            for value in node.values():
                if isinstance(value, Scalar) and isinstance(value.value, int) and not isinstance(value.value, bool):
                    found.append((value, value.value))
        return found

    def count(self, name: str) -> int:
        """How many values a repeated field has (list syntax included)."""
        return sum(len(node.values()) for node in self.root.all(name))

    def test_net_instances(self) -> int | None:
        """How many test nets Caffe builds (solver.cpp InitTestNets), or None when the test_iter count
        makes it abort first."""
        generic = self.has("net") or self.has("net_param")
        explicit = self.count("test_net") + self.count("test_net_param")
        iters = self.count("test_iter")
        if generic:
            return iters if iters >= explicit else None
        return explicit if iters == explicit else None

    def first_decay_iteration(self, lr_policy):
        """The iteration of the first decay within max_iter for step/exp/multistep; None if there is none."""
        max_iter = self.number("max_iter")
        bounded = max_iter is not None and max_iter > 0
        if lr_policy == "exp":
            return 1
        if lr_policy == "step":
            stepsize = self.number("stepsize")
            if stepsize is None or stepsize <= 0 or (bounded and stepsize >= max_iter):
                return None
            return stepsize
        if lr_policy == "multistep":
            values = self.int_values("stepvalue")
            if not values or (bounded and values[0][1] >= max_iter):
                return None
            return max(values[0][1], 0)
        return None

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

    def state_from(self, field_name: str, phase: str, index: int = 0, label: str = "") -> NetState:
        """The NetState a solver builds a net in: the phase, with level and stages from
        `train_state` or the index-th `test_state`."""
        states = [f.value for f in self.root.all(field_name) if isinstance(f.value, Message)]
        level, stages = 0, ()
        if index < len(states):
            state = states[index]
            level_field = state.last("level")
            level = level_field.scalar if level_field is not None and isinstance(level_field.scalar, int) else 0
            stages = tuple(st.scalar for st in state.all("stage") if isinstance(st.scalar, str))
        suffix = f", stage {', '.join(stages)}" if stages else ""
        suffix += f", level {level}" if level else ""
        return NetState(phase, level, stages, label=f"{label or phase}{' (' + suffix[2:] + ')' if suffix else ''}")

    def net_files(self) -> list[tuple[Field, str, NetState]]:
        """(field, role, state) for each net file the solver reads, in Caffe's order
        (solver.cpp InitTrainNet / InitTestNets): role is "train" or "test"."""
        found: list[tuple[Field, str, NetState]] = []
        train = self.field("train_net") or self.field("net")
        if train is not None and isinstance(train.scalar, str):
            found.append((train, "train", self.state_from("train_state", "TRAIN")))
        inline_tests = len(self.root.all("test_net_param"))
        test_files = [f for f in self.root.all("test_net") if isinstance(f.scalar, str)]
        for i, f in enumerate(test_files):
            index = inline_tests + i
            found.append((f, "test", self.state_from("test_state", "TEST", index, f"TEST #{index + 1}")))
        generic = self.field("net")
        if generic is not None and isinstance(generic.scalar, str):
            copies = len(self.root.all("test_iter")) - inline_tests - len(test_files)
            for k in range(max(copies, 0)):
                index = inline_tests + len(test_files) + k
                found.append((generic, "test", self.state_from("test_state", "TEST", index, f"TEST #{index + 1}")))
        return found
