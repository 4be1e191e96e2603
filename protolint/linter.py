"""The pipeline for one file: bytes -> syntax tree -> typed document -> rules -> diagnostics."""

from __future__ import annotations

import gc

from . import patterns
from .context import LintContext, Links
from .diagnostics import Diagnostic, at_or_above
from .options import LintOptions
from .rule import Rule
from .schema.checker import SchemaChecker
from .schema.model import MessageType
from .source import SourceText
from .syntax.nodes import Message
from .syntax.parser import Document, parse

__all__ = ["FileResult", "LintOptions", "Prepared", "at_or_above", "finish", "prepare", "run", "run_rules"]

ROOT_MESSAGES = {"net": "NetParameter", "solver": "SolverParameter"}
_HEADER = patterns.compile(r"^#\s*proto-message:\s*([A-Za-z_][\w.]*)\s*$")


# Plain classes, not dataclasses: creating a dataclass costs ~0.3 ms of start-up each.
class FileResult:
    def __init__(self, path: str, document: Document, kind: str, diagnostics: list[Diagnostic],
                 nets: list | None = None):
        self.path = path
        self.document = document
        self.kind = kind  # "net", "solver" or the root message's name
        self.diagnostics = diagnostics
        # The net models the rules built (with their states, graphs and shapes), for tools that show
        # them (the language server); empty when no rule needed one.
        self.nets = [] if nets is None else nets


class Prepared:
    """A file parsed and typed, before rules run (the solver pass needs every file's kind first)."""

    def __init__(self, path: str, document: Document, kind: str, diagnostics: list[Diagnostic], options: LintOptions,
                 fully_typed: bool = False):
        self.path = path
        self.document = document
        self.kind = kind
        self.diagnostics = diagnostics
        self.options = options
        # The schema check left no field untyped (SchemaChecker.untyped): the net model then need not
        # look for unknown fields layer by layer (model.shapes.reasons.all_fields_known).
        self.fully_typed = fully_typed


def prepare(path: str, data: bytes, options: LintOptions) -> Prepared:
    source = SourceText.from_bytes(path, data)
    with _no_cyclic_gc():
        document = parse(source)
        root_type, kind = choose_root(document, options)
        document.root_type = root_type
        diagnostics = list(document.diagnostics)
        checker = SchemaChecker(source, diagnostics)
        checker.check_message(document.root, root_type)
        document.unknown_names = checker.unknown_names
    return Prepared(path, document, kind, diagnostics, options, not checker.untyped)


def run(prepared: Prepared, links: Links | None = None, net=None) -> FileResult:
    """Run the rules on a prepared file. `links` says how it relates to the files linted with it
    (the solvers that use a net, the net files a solver names); `net` is its model when the
    project built it already."""
    options = prepared.options
    with _no_cyclic_gc():
        context = LintContext(prepared.document, options, prepared.kind, links, net)
        context.fully_typed = prepared.fully_typed
        if not prepared.document.not_text:  # (a binary has its one finding; rules would only guess)
            run_rules(context, options.enabled_rules())
        if net is None:
            context.release()
        diagnostics = prepared.diagnostics + context.diagnostics
        if context.superseded:
            diagnostics = [d for d in diagnostics if (d.rule, d.start) not in context.superseded]
    return FileResult(prepared.path, prepared.document, prepared.kind, finish(diagnostics, options, prepared.document),
                      context.built_nets())


class _no_cyclic_gc:
    """The tree is acyclic and built in one go: the cyclic GC would only rescan it again and again."""

    def __enter__(self):
        self.was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc):
        if self.was_enabled:
            gc.enable()


def choose_root(document: Document, options: LintOptions) -> tuple[MessageType, str]:
    """The root message: --as, else a `# proto-message:` header, else the one whose fields the
    file's top-level names fit best (nets and solvers first, on a tie)."""
    schema = options.schema
    header = _header(document)
    wanted = options.root or (header[0] if header else None)
    if wanted:
        name = ROOT_MESSAGES.get(wanted, wanted)
        if schema.has_message(name):
            message_type = schema.message(name)
            return message_type, _kind_of(message_type)
    names = {f.name for f in document.root.fields}
    candidates = [schema.message(n) for n in ROOT_MESSAGES.values() if schema.has_message(n)]
    candidates += [schema.messages[n] for n in schema.top_messages]
    best, best_score = candidates[0], -1
    for message_type in candidates:
        score = len(names & message_type.fields.keys())
        if score > best_score:
            best, best_score = message_type, score
            if score == len(names):
                break  # every name fits: no later candidate can score higher (and a tie keeps the first)
    filename = document.source.path.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if best_score <= 0 and "solver" in filename and schema.has_message("SolverParameter"):
        best = schema.message("SolverParameter")  # an empty or unreadable solver file
    if header and not options.root:
        document.diagnostics.append(
            Diagnostic.at(
                document.source, header[1].start, header[1].end, "unknown-root-message", "warning",
                f"the header names message `{header[0]}`, which this schema does not define; the file is read as "
                f"{best.name} — pass the caffe.proto that defines it with --proto, or fix the name",
            )
        )
    return best, _kind_of(best)


def _kind_of(message_type: MessageType) -> str:
    for kind, name in ROOT_MESSAGES.items():
        if message_type.name == name:
            return kind
    return message_type.name


def _header(document: Document):
    """(message name, comment) of a `# proto-message:` header in the first lines, or None."""
    for comment in document.comments:
        if document.source.position(comment.start)[0] > 10:
            break
        match = _HEADER.match(comment.text)
        if match:
            return match.group(1).rsplit(".", 1)[-1], comment
    return None


def runnable(rules: list, context: LintContext) -> list[type[Rule]]:
    """The rules that can report on this file, loaded (`rules`: rule classes, or rules from the cached
    rule list, which are imported only here): not a rule without hooks (the parser or the schema
    check reports its findings), a solver rule only on a solver, a rule with `layer_types` on a net
    only when a layer of one of them is written in it."""
    kind = context.kind
    present = None
    chosen = []
    for rule in rules:
        if rule.passive or (rule.solver_only and kind != "solver"):
            continue
        if rule.layer_types and kind == "net":
            if present is None:
                present = {layer.type for net in context.nets() for layer in net.layers}
            if present.isdisjoint(rule.layer_types):
                continue
        chosen.append(rule.load())
    return chosen


def run_rules(context: LintContext, rules: list) -> None:
    """One walk over the typed tree, dispatching each message to the rules that visit its type
    (`rules`: those enabled; the ones that can report on this file run)."""
    rules = runnable(rules, context)
    instances = [rule() for rule in rules]
    dispatch = _dispatch(rules)
    visitors = {type_name: [instances[i] for i in indexes] for type_name, indexes in dispatch[0].items()}
    if visitors:
        stack: list[Message] = [context.document.root]
        while stack:
            message = stack.pop()
            message_type = message.schema
            if message_type is None:
                continue
            for rule in visitors.get(message_type.name, ()):
                context.rule = type(rule)
                rule.visit(message, context)
            for f in message.fields:
                schema = f.schema
                if schema is not None and schema.message is not None:
                    value = f.value
                    if value.__class__ is Message:
                        stack.append(value)
                    else:
                        stack += [item for item in f.values() if item.__class__ is Message]
    for i in dispatch[1]:
        rule = instances[i]
        context.rule = type(rule)
        rule.check(context)
    context.rule = None


_DISPATCH: dict[tuple, tuple[dict[str, list[int]], list[int]]] = {}


def _dispatch(rules: list[type[Rule]]) -> tuple[dict[str, list[int]], list[int]]:
    """(message type name -> indexes of the rules that visit it, indexes of the rules with a check),
    worked out once per rule list (a run lints every file with the same one or few)."""
    key = tuple(rules)
    found = _DISPATCH.get(key)
    if found is None:
        visitors: dict[str, list[int]] = {}
        for i, rule in enumerate(rules):
            for type_name in rule.message_types:
                visitors.setdefault(type_name, []).append(i)
        checks = [i for i, rule in enumerate(rules) if rule.check is not Rule.check]
        if len(_DISPATCH) >= 16:  # bounded: a server may see many selections over its life
            _DISPATCH.clear()
        found = _DISPATCH[key] = (visitors, checks)
    return found


def finish(diagnostics: list[Diagnostic], options: LintOptions, document: Document) -> list[Diagnostic]:
    """Apply suppression comments, drop disabled rules, apply severity overrides, fill in codes, sort."""
    registry = options.registry
    enabled = {rule.name for rule in options.enabled_rules()}
    # Suppression findings are only added for enabled rules, so this one filter is enough.
    kept = [d for d in diagnostics if d.rule in enabled]
    if any("protolint" in comment.text for comment in document.comments):  # (else no directive to read)
        from . import suppressions

        kept = suppressions.apply(document, kept, registry, enabled)
    for diagnostic in kept:
        rule = registry.lookup(diagnostic.rule)
        diagnostic.code = rule.code if rule else ""
        override = options.severity_overrides.get(diagnostic.rule)
        if override:
            diagnostic.severity = override
    kept.sort(key=Diagnostic.sort_key)
    return kept

