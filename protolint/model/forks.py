"""Caffe forks as the rules see them: which fork a --proto schema is, which names a build knows
(BVLC's, the user's `extra-*` settings, a recognised fork's C++ registrations), and which fork a
file written for one uses (protolint.schema.forks holds the facts).

Names are grouped by kind: "fields" (`Message.field` and `Enum:VALUE`, as in the fork table),
"layer_types", "filler_types", "lr_policies", "solver_types", "roots" (a field written at the top
of a file, matched by its name alone).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..suggest import closest
from ..versions import schema_elements
from .facts import BVLC_LAYER_TYPES
from .fillers import FILLER_TYPES
from .solver import LR_POLICIES, SOLVER_TYPES

if TYPE_CHECKING:
    from ..schema.forks import Fork

# A plain class, not a dataclass: creating a dataclass costs ~0.3 ms of start-up each.

BVLC_NAMES = {
    "layer_types": BVLC_LAYER_TYPES,
    "filler_types": frozenset(FILLER_TYPES),
    "lr_policies": LR_POLICIES,
    "solver_types": SOLVER_TYPES,
}
_EXTRA_OPTION = {
    "layer_types": "extra_layer_types",
    "filler_types": "extra_filler_types",
    "lr_policies": "extra_lr_policies",
    "solver_types": "extra_solver_types",
}
# The configuration key that declares a name of each kind.
SETTING = {kind: option.replace("_", "-") for kind, option in _EXTRA_OPTION.items()}


def is_fork_schema(schema) -> bool:
    """A schema given with --proto that is not one of BVLC's: it adds to BVLC's caffe.proto."""
    if schema.builtin:
        return False
    cached = schema.derived.get("is_fork")
    if cached is None:
        from ..schema.history import added

        cached = schema.derived["is_fork"] = bool(schema_elements(schema) - added().keys())
    return cached


def _forks():
    """The table of forks (protolint.schema.forks), loaded when a name or a schema has to be matched
    against it: BVLC's own schema with BVLC's names never needs it."""
    from ..schema.forks import FORKS

    return FORKS


def schema_fork(schema) -> Fork | None:
    """The well-known fork a --proto schema is: the one whose added fields it has (nearly) all of,
    the largest such."""
    if schema.builtin:
        return None
    if "fork" in schema.derived:
        return schema.derived["fork"]
    present = set(schema_elements(schema))
    if "LayerParameter.blobs_lr" in present:  # a V1-era schema: its layer is BVLC's V1LayerParameter
        present |= {"V1" + name for name in present if name.startswith("LayerParameter")}
    best, best_have = None, 0
    for fork in _forks():
        wanted = fork.names["fields"]
        if not wanted:
            continue
        have = len(wanted & present)
        if have / len(wanted) >= 0.8 and have > best_have:
            best, best_have = fork, have
    schema.derived["fork"] = best
    return best


def known_names(kind: str, options) -> frozenset[str]:
    """The names of a kind the targeted build knows: BVLC's, the configured extras, the C++ names
    of the fork the schema is."""
    schema = options.schema
    extra = getattr(options, _EXTRA_OPTION[kind])
    key = ("known", kind, extra)
    cached = schema.derived.get(key)
    if cached is None:
        fork = schema_fork(schema)
        cached = BVLC_NAMES[kind] | extra | (fork.names[kind] if fork else frozenset())
        schema.derived[key] = cached
    return cached


def undeclared(kind: str, name: str, options, known) -> str | None:
    """With a fork's schema, for a name that is not known and not a near-miss of a known one: the
    words of a warning saying how to declare it (the fork may register it in C++). None otherwise:
    with BVLC's schema, or for a likely typo, the finding stays an error."""
    if not is_fork_schema(options.schema) or closest(name, known) is not None:
        return None
    what = {"layer_types": "layer type", "filler_types": "filler type", "lr_policies": "lr policy",
            "solver_types": "solver type"}[kind]
    return (f"the {what} is not BVLC Caffe's and the schema does not show it; if your fork registers it in C++, "
            f"declare it with `{SETTING[kind]} = [\"{name}\"]` in the configuration (or --{SETTING[kind]} {name}), "
            "otherwise Caffe aborts")


class Recognition:
    """The fork a file was written for, and the names of the file it explains."""

    def __init__(self, fork: Fork, explained: dict[str, set[str]] | None = None, sure: bool = True,
                 alternatives: list[Fork] | None = None):
        self.fork = fork
        self.explained = {} if explained is None else explained  # kind -> names of the file it explains
        self.sure = sure  # False: the evidence is a name or two that several forks share
        self.alternatives = [] if alternatives is None else alternatives  # other forks that explain the same names

    def count(self) -> int:
        return sum(len(v) for v in self.explained.values())


def _distinctive(kind: str, name: str) -> bool:
    """A name that by itself says the file is for a fork: a layer type, or a layer's `*_param` block
    (a field like DataParameter.shuffle could be a slip)."""
    if kind in ("layer_types", "lr_policies", "solver_types", "filler_types", "roots"):
        return True
    return name.startswith(("LayerParameter.", "V1LayerParameter.")) and (name.endswith("_param") or ":" in name)


def recognise(found: dict[str, set[str]]) -> Recognition | None:
    """The fork that explains most of the unknown names of a file (`found`: kind -> names). None
    when the evidence is too thin: nothing distinctive, and fewer than two names."""
    # A fork's own name is evidence even when it looks like a BVLC one (ReLU6 next to ReLU): a typo
    # rarely lands exactly on a name a fork registers.
    evidence = found
    scored = []
    for fork in _forks():
        shown = {kind: names & fork.names[kind] for kind, names in evidence.items()}
        score = sum(len(v) for v in shown.values())
        if score:
            scored.append(((score, -fork.size()), fork, shown))
    if not scored:
        return None
    # The fork that explains most; on a tie the smallest (the most specific).
    scored.sort(key=lambda item: item[0], reverse=True)
    _key, fork, shown = scored[0]
    alternatives = [other for key, other, other_shown in scored[1:] if other_shown == shown]
    strong = any(_distinctive(kind, n) for kind, names in shown.items() for n in names)
    if not strong and sum(len(v) for v in shown.values()) < 2:
        return None
    explained = {kind: names & fork.names[kind] for kind, names in found.items() if names & fork.names[kind]}
    owners = {f.key for f in _forks() for kind, names in shown.items() for n in names if n in f.names[kind]}
    return Recognition(fork, explained, sure=len(owners) == 1 or sum(len(v) for v in shown.values()) >= 3,
                       alternatives=alternatives)


def registered_by_a_fork(kind: str, name: str) -> bool:
    """Whether some fork of the table registers `name` (kind: "layer_types", "filler_types", ...)."""
    return any(name in fork.names.get(kind, ()) for fork in _forks())
