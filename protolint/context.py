"""What a rule sees while it checks one document, and how it reports.

The context hands rules the shared analysis, built once per document and kept on the model
objects: the nets of the file with the states Caffe builds them in (`nets()`, `layers()`,
`graphs()`), the backward pass and shapes of a state, the nets a solver builds (`solver_nets()`),
and the places to point at (`report_node`, `report_value`, `report_layer`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .diagnostics import Diagnostic, Fix
from .syntax.nodes import Field, Scalar

if TYPE_CHECKING:
    from .model.net import BlobGraph, Layer, Net, NetState
    from .options import LintOptions
    from .syntax.parser import Document


# Plain classes, not dataclasses: creating a dataclass costs ~0.3 ms of start-up each.
class NetFileLink:
    """A solver's `net`/`train_net`/`test_net` field and the net file it names."""

    def __init__(self, field: Field, role: str, state: NetState, path: str | None, net: Net | None = None):
        self.field = field
        self.role = role  # "train" | "test"
        self.state = state
        self.path = path  # the resolved file, None when not found
        self.net = net  # its model, when it was read and is a net


class SolverNet:
    """A net a solver builds, in one state."""

    def __init__(self, role: str, state: NetState, net: Net, field: Field, path: str | None):
        self.role = role  # "train" | "test"
        self.state = state
        self.net = net
        self.field = field  # the solver field naming it (`net`, `test_net_param`, ...)
        self.path = path  # the net file, None for a net embedded in the solver

    @property
    def where(self) -> str:
        return f'net file "{self.field.scalar}"' if self.path else f"`{self.field.name}`"


class Links:
    """What project.py found about a file's relations to the other files linted with it."""

    def __init__(self, solver_use: object = None, net_files: list[NetFileLink] | None = None):
        self.solver_use = solver_use  # model.usage.SolverUse: for a net file, how solvers use it
        self.net_files = [] if net_files is None else net_files  # for a solver: the net files it names


class Once:
    """Report each node once although several states show it."""

    def __init__(self):
        self.seen: set[int] = set()

    def first(self, node) -> bool:
        key = id(node)
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


class PerNet:
    """One finding per net for what many of its layers share (an idiom, a default, a habit of the
    author): collected layer by layer, then reported once at the first place with the others as
    related locations — forty identical infos would bury the one that matters."""

    def __init__(self):
        self.groups: dict[int, list] = {}  # id(net) -> [(node, label, detail), ...] in file order

    def add(self, net, node, label: str, detail=None) -> None:
        places = self.groups.setdefault(id(net), [])
        if all(other is not node for other, _label, _detail in places):
            places.append((node, label, detail))

    def __iter__(self):
        for places in self.groups.values():
            yield sorted(places, key=lambda place: node_span(place[0])[0])


class LintContext:
    def __init__(self, document: Document, options: LintOptions, kind: str, links: Links | None = None,
                 net: Net | None = None):
        self.document = document
        self.source = document.source
        self.options = options
        self.schema = options.schema
        self.kind = kind  # "net" | "solver" | another root message's name
        self.links = links or Links()
        self.diagnostics: list[Diagnostic] = []
        self.superseded: set[tuple[str, int]] = set()  # (rule, start) of findings another one explains
        self.rule = None  # the rule class being run; set by the linter
        self._net = net
        self._solver = None
        self._nets: list[Net] | None = None
        self._version = None  # options.version(), asked for by rules on every message they visit
        self._enabled_names: set[str] | None = None  # for rule_enabled
        self.fully_typed = False  # the schema check typed every field of the file (linter.Prepared)

    def built_nets(self) -> list:
        """The net models the rules built (for the editor's hover and hints), without building any."""
        if self._nets is not None:
            return self._nets
        return [self._net] if self._net is not None else []

    # --- the model -----------------------------------------------------------------------------

    @property
    def net(self) -> Net | None:
        """The net model of a net file (None for a solver file)."""
        if self._net is None and self.kind == "net":
            from .model.net import Net
            from .model.usage import decide

            self._net = Net.from_message(self.document.root)
            if self.fully_typed:
                from .model.shapes.reasons import all_fields_known

                all_fields_known(self._net)
            self._net.usage = decide(self._net, self.links.solver_use, self.options.pretrained, self.source.path)
        return self._net

    @property
    def solver(self):
        """The solver model of a solver file (None for a net file)."""
        if self._solver is None and self.kind == "solver":
            from .model.solver import Solver

            self._solver = Solver(self.document.root)
        return self._solver

    def nets(self) -> list[Net]:
        """Every net in this file: the file itself, or the nets embedded in a solver."""
        if self._nets is None:
            if self.kind == "net":
                self._nets = [self.net]
            elif self.kind == "solver":
                from .model.usage import embedded_nets

                self._nets = embedded_nets(self.solver, self.options.pretrained, self.source.path)
            else:
                self._nets = []
        return self._nets

    def release(self) -> None:
        """Release the nets this context built itself (see Net.release); a net handed in by the
        project is released there, after every file that shares it."""
        for net in self._nets or ([self._net] if self._net is not None else []):
            net.release()

    def layers(self, *types, trained: bool = False, unbuilt: bool = False):
        """(net, layer) for the layers of the given types (all when none are given; a tuple of types
        works too) that Caffe builds in some state of each net — with `trained`, in a state a solver
        trains it in; with `unbuilt`, every layer written, built or not — in file order."""
        if len(types) == 1 and not isinstance(types[0], str):
            types = tuple(types[0])
        for net in self.nets():
            if unbuilt:
                chosen = [layer for layer in net.layers if layer.type in types] if types else net.layers
            elif trained:
                chosen = net.trained_layers()
                if types:
                    chosen = [layer for layer in chosen if layer.type in types]
            elif not types:
                chosen = net.built_layers()
            elif len(types) == 1:
                chosen = net.built_by_type().get(types[0], ())
            else:
                # Rules ask for the same few type groups (convolutions, pooling, losses): each list is
                # merged and sorted once per net.
                key = ("layers of types", types)
                chosen = net.memo.get(key)
                if chosen is None:
                    by_type = net.built_by_type()
                    chosen = [layer for t in types for layer in by_type.get(t, ())]
                    chosen.sort(key=lambda layer: layer.index)
                    net.memo[key] = chosen
            for layer in chosen:
                yield net, layer

    def graphs(self, trained: bool = False):
        """(net, state, graph) for every net of the file and every state it is built (or trained) in."""
        for net in self.nets():
            for state in (net.train_states() if trained else net.states()):
                yield net, state, net.graph(state)

    def trained_layers(self):
        """(net, graph, layer) for each layer of the states a solver trains each net in, once, with
        the graph of the first such state."""
        for net in self.nets():
            seen: set[int] = set()
            for state in net.train_states():
                graph = net.graph(state)
                for layer in graph.layers:
                    if id(layer) not in seen:
                        seen.add(id(layer))
                        yield net, graph, layer

    def backward(self, net: Net, graph: BlobGraph):
        """Caffe's backward inference for one of the net's state graphs (model.backward)."""
        from .model.backward import backward_for_graph

        return backward_for_graph(net, graph)

    def shape_issues(self, kind: str) -> list[tuple[object, str]]:
        """(issue, message) for each layer whose setup CHECK of this kind fails with the inferred
        shapes (model.shapes), once per layer; the message names the states when not all fail."""
        from .model.shapes import shape_issues

        found: list[tuple[object, str]] = []
        for net in self.nets():
            states = net.states()
            by_layer: dict[int, list] = {}  # id(layer) -> [issue, [state labels]]
            for state in states:
                for issue in shape_issues(net.graph(state), self.options.input_shapes):
                    if issue.kind != kind:
                        continue
                    entry = by_layer.get(id(issue.layer))
                    if entry is None:
                        by_layer[id(issue.layer)] = [issue, [state.describe()]]
                    elif state.describe() not in entry[1]:
                        entry[1].append(state.describe())
            for issue, labels in by_layer.values():
                message = issue.message
                if len(states) > 1 and len(labels) < len(states):
                    message += f" (in the {', '.join(labels)} net)"
                found.append((issue, message))
        return found

    def solver_nets(self, roles=("train", "test")) -> list[SolverNet]:
        """The nets the solver of this file builds, in Caffe's order, each with the state it is built
        in: the nets written inside it, then the net files project.py linked (read once, shared with
        their own lint)."""
        if self.solver is None:
            return []
        train: list[SolverNet] = []
        inline_tests: list[SolverNet] = []
        generic_tests: list[SolverNet] = []
        for net in self.nets():
            usage = net.usage
            train += [SolverNet("train", s, net, usage.embedded_field, None) for s in usage.train_states]
            tests = [SolverNet("test", s, net, usage.embedded_field, None) for s in usage.test_states]
            (inline_tests if usage.embedded_field.name == "test_net_param" else generic_tests).extend(tests)
        files = [SolverNet(link.role, link.state, link.net, link.field, link.path)
                 for link in self.links.net_files if link.net is not None]
        found = train + [n for n in files if n.role == "train"] + inline_tests + [n for n in files if n.role == "test"]
        found += generic_tests
        return [item for item in found if item.role in roles]

    def rule_enabled(self, name: str) -> bool:
        """Whether the rule called `name` runs on this file (rules defer to a more specific one)."""
        names = self._enabled_names
        if names is None:
            names = self._enabled_names = {rule.name for rule in self.options.enabled_rules()}
        return name in names

    def known_layer_types(self) -> frozenset[str]:
        """BVLC's layer types, the configured extras, the types a fork's schema implies (parameter
        messages) and those the recognised fork registers in C++."""
        from .model.facts import known_layer_types
        from .model.forks import known_names

        return known_layer_types(self.schema, self.options.extra_layer_types) | known_names("layer_types", self.options)

    def known_names(self, kind: str) -> frozenset[str]:
        """The filler types, lr policies or solver types ("filler_types", "lr_policies",
        "solver_types") the targeted build knows: BVLC's, the configured extras, a recognised fork's."""
        from .model.forks import known_names

        return known_names(kind, self.options)

    def undeclared(self, kind: str, name: str, known) -> str | None:
        """With a fork's schema, the words of a warning for a name the fork may register in C++
        (model.forks.undeclared); None when the finding stays an error."""
        from .model.forks import undeclared

        return undeclared(kind, name, self.options, known)

    def supersede(self, rule: str, start: int) -> None:
        """Drop the finding of `rule` that starts at `start` (from the schema checker or another
        rule): a finding that explains it was reported instead."""
        self.superseded.add((rule, start))

    @property
    def version(self):
        """The targeted Caffe release with how it is known (versions.VersionAnswer)."""
        if self._version is None:
            self._version = self.options.version()
        return self._version

    @property
    def caffe_version(self) -> str:
        """The targeted Caffe release (rc1..rc5, 1.0, master); for a guess, the oldest the schema allows."""
        return self.version.release

    def version_at_least(self, release: str) -> bool:
        """Whether the target is `release` or newer, on the best answer (the oldest release a fork's
        schema allows when it cannot tell)."""
        from .versions import at_least

        return at_least(self.version.release, release)

    def version_severity(self, severity: str, release: str | None = None, *, version_rule: bool = False) -> str:
        """The severity of a finding that holds because of the target version (older than `release`,
        or at least it): as meant when the version was given or is the built-in schema's BVLC master
        (the documented default target); info when it was read off a --proto schema — a guessed
        version never makes a finding more severe. Rules whose whole point is a version
        difference (`version_rule`) are info unless the version was given."""
        answer = self.version
        if answer.given:
            return severity
        if version_rule or answer.confidence != "default":
            return "info"
        return severity

    def version_note(self) -> str:
        """Words for a finding whose severity was lowered because the version is a guess."""
        answer = self.version
        if answer.given:
            return ""
        return f" (the target version is a guess: {answer.describe()}; set --caffe-version to be sure)"

    # --- reporting -----------------------------------------------------------------------------

    def report(self, start: int, end: int, message: str, *, rule=None, fixes: list[Fix] | None = None,
               related: list[tuple[int, int, str]] | None = None, severity: str | None = None) -> None:
        rule = rule or self.rule
        self.diagnostics.append(
            Diagnostic.at(self.source, start, end, rule.name, severity or rule.severity, message, related, fixes)
        )

    def report_node(self, node, message: str, **kwargs) -> None:
        """Report at a tree node; for a field, at its name."""
        start = getattr(node, "name_start", node.start)
        end = getattr(node, "name_end", node.end)
        self.report(start, end, message, **kwargs)

    def report_value(self, node, message: str, **kwargs) -> None:
        """Report at what is wrong in a field: a scalar field's value, a message field's name; a bare
        node as it is; the file start when there is no node."""
        start, end = node_span(node) if node is not None else (0, 0)
        self.report(start, end, message, **kwargs)

    def report_places(self, places: list, message: str, **kwargs) -> None:
        """Report a PerNet group: at its first place, the rest (up to 20) as related locations."""
        first, *rest = places
        related = [related_at(node, label) for node, label, _detail in rest[:20]]
        self.report(*node_span(first[0]), message, related=related, **kwargs)

    def report_layer(self, layer: Layer, message: str, node=None, **kwargs) -> None:
        """Report at `node` (a field: at its name) when given, else at the layer (layer_span)."""
        if node is not None:
            self.report_node(node, message, **kwargs)
        else:
            start, end = layer_span(layer)
            self.report(start, end, message, **kwargs)


def node_span(node) -> tuple[int, int]:
    """A scalar field's value; a message field's name; a bare node as it is."""
    if isinstance(node, Field):
        if isinstance(node.value, Scalar):
            return node.value.start, node.value.end
        return node.name_start, node.name_end
    return node.start, node.end


def layer_span(layer: Layer) -> tuple[int, int]:
    """Where a layer is named: its `name:` value, else its `type:` value, else its `layer` keyword;
    for the input layer Caffe makes of the legacy `input:` fields, the first `input`."""
    if layer.synthetic:
        first = layer.message.first("input")
        return (first.name_start, first.name_end) if first is not None else (0, 0)
    for key in ("name", "type"):
        f = layer.message.last(key)
        if f is not None and isinstance(f.value, Scalar):
            return f.value.start, f.value.end
    if layer.keyword is not None:
        return layer.keyword.name_start, layer.keyword.name_end
    return layer.message.start, layer.message.start + 1


def net_span(net: Net) -> tuple[int, int]:
    """Where findings about a whole net go: the solver field of an embedded net, else the file start."""
    field = net.usage.embedded_field
    return (field.name_start, field.name_end) if field is not None else (0, 0)


def related_at(node, text: str) -> tuple[int, int, str]:
    """A related location for a diagnostic, at node_span(node)."""
    start, end = node_span(node)
    return start, end, text
