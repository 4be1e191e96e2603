"""Completion from the schema in use and the net model.

The context at the cursor comes from the tokens before it (protolint's own token pattern), not from
the parse tree, so half-typed text (`kern`, `type: "Con`, an unclosed block) still completes:

* a field name where a field starts: the fields of the enclosing message (type, default, doc),
  the parameter blocks of the layer's type first;
* a value after `field:`: an enum's values, or true/false;
* inside `type: "` in a layer: the layer types this Caffe registers (fork and settings included);
* inside `bottom: "`: the tops produced by earlier layers in the states the layer is built in;
* inside `# protolint: disable=`: rule names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lsprotocol import types as T

from ...syntax import lexer
from ..tree import LAYER_MESSAGES, layer_at, nets_of, param_blocks, states_of

_DIRECTIVE = re.compile(r"#\s*protolint:\s*(?:disable-next-line|disable-file|disable)\s*=\s*(?:[^,\s#]+\s*,\s*)*([^,\s#]*)$")
_DIRECTIVE_KIND = re.compile(r"#\s*protolint:\s*([a-z-]*)$")
_SKIP = {lexer.WHITESPACE}


@dataclass
class Context:
    kind: str  # "field" | "value" | "string" | "directive" | "directive-kind"
    path: list  # field names of the open messages, outermost first
    name: str | None = None  # the field whose value is being written
    start: int = 0  # where the text being completed starts (replaced by the completion)
    written: set = field(default_factory=set)  # field names already written at this level
    layer_type: str | None = None  # `type: "..."` written earlier in the enclosing block


def context_at(text: str, offset: int) -> Context | None:
    prefix = text[:offset]
    stack: list[str | None] = []
    written: list[set] = [set()]
    types: list[str | None] = [None]
    state, name = "field", None
    last = None
    before = state
    for match in lexer.PATTERN.finditer(prefix):
        kind = match.lastgroup
        if kind in _SKIP:
            continue
        last, before = match, state
        if kind == lexer.COMMENT:
            continue
        value = match.group()
        if kind == "IDENT":
            if state in ("field", "name"):
                name, state = value, "name"
                written[-1].add(value)
            elif state == "colon":
                state = "field"
        elif kind == "COLON":
            if state == "name":
                state = "colon"
        elif kind in ("LBRACE", "LANGLE"):
            stack.append(name if state in ("name", "colon") else None)
            written.append(set())
            types.append(None)
            state, name = "field", None
        elif kind in ("RBRACE", "RANGLE"):
            if stack:
                stack.pop()
                written.pop()
                types.pop()
            state, name = "field", None
        elif kind == "LSQB":
            state = "list" if state == "colon" else state
        elif kind == "RSQB":
            state = "field"
        elif kind in ("STRING", "INT", "FLOAT", lexer.NUMBER_RUNS_INTO_NAME, lexer.UNTERMINATED_STRING):
            if state == "colon" and name == "type" and kind == "STRING":
                types[-1] = value[1:-1]
            if state == "colon":
                state = "field"
        elif kind in ("COMMA", "SEMICOLON"):
            state = "list" if state == "list" else "field"
    if last is None or last.end() != offset:
        last, before = None, state
    if last is not None:
        kind = last.lastgroup
        if kind == lexer.COMMENT:
            comment = last.group()
            match = _DIRECTIVE.search(comment)
            if match:
                return Context("directive", list(stack), start=last.start() + match.start(1))
            match = _DIRECTIVE_KIND.search(comment)
            if match:
                return Context("directive-kind", list(stack), start=last.start() + match.start(1))
            return None
        if kind == lexer.UNTERMINATED_STRING:
            if before == "colon":
                return Context("string", list(stack), name, last.start() + 1, written[-1], types[-1])
            return None
        if kind == "IDENT":
            if before in ("field", "name"):
                written[-1].discard(last.group())
                return Context("field", list(stack), None, last.start(), written[-1], types[-1])
            if before == "colon":
                return Context("value", list(stack), name, last.start(), written[-1], types[-1])
            return None
        if kind in ("STRING", "INT", "FLOAT"):
            return None
    if state == "field":
        return Context("field", list(stack), None, offset, written[-1], types[-1])
    if state == "colon":
        return Context("value", list(stack), name, offset, written[-1], types[-1])
    return None


def message_type_at(root_type, path):
    current = root_type
    for name in path:
        if current is None:
            return None
        if name is None:
            continue
        f = current.fields.get(name)
        current = f.message if f is not None else None
    return current


def register(server) -> None:
    @server.feature(T.TEXT_DOCUMENT_COMPLETION, T.CompletionOptions(trigger_characters=['"', ":", "=", ","]))
    async def completion(ls, params: T.CompletionParams):
        uri = params.text_document.uri
        doc = ls.workspace_state.docs.get(uri)
        if doc is None:
            return None
        snapshot = await ls.scheduler.current(uri, timeout=1.0)
        from ..positions import LineIndex

        index = LineIndex(doc.text, ls.client.encoding)
        offset = index.offset(params.position.line, params.position.character)
        context = context_at(doc.text, offset)
        if context is None:
            return T.CompletionList(is_incomplete=False, items=[])
        items = _items(ls, snapshot, doc.text, offset, context)
        replace = T.Range(start=T.Position(*index.position(context.start)), end=params.position)
        # Right after `field:` (completion triggered by the colon) a value gets its space.
        spaced = context.kind == "value" and context.start > 0 and doc.text[context.start - 1] == ":"
        for item in items:
            item.text_edit = T.TextEdit(range=replace, new_text=(" " if spaced else "") + (item.insert_text or item.label))
            if spaced:
                item.filter_text = " " + item.label
            item.insert_text = None
        return T.CompletionList(is_incomplete=False, items=items)


def _schema_and_root(ls, snapshot):
    if snapshot is not None and snapshot.options is not None:
        schema = snapshot.options.schema
        root = snapshot.result.document.root_type if snapshot.result is not None else None
    else:
        from ...schema.loader import builtin_schema

        schema, root = builtin_schema(), None
    if root is None and schema.has_message("NetParameter"):
        root = schema.message("NetParameter")
    return schema, root


def _items(ls, snapshot, text: str, offset: int, context: Context) -> list[T.CompletionItem]:
    if context.kind == "directive":
        return [T.CompletionItem(label=rule.name, kind=T.CompletionItemKind.Keyword, detail=f"{rule.code} ({rule.severity})",
                                 documentation=rule.summary, sort_text=rule.code) for rule in ls.registry.rules]
    if context.kind == "directive-kind":
        return [T.CompletionItem(label=f"{kind}=", kind=T.CompletionItemKind.Keyword, detail=what)
                for kind, what in (("disable", "this line"), ("disable-next-line", "the next line"),
                                   ("disable-file", "the whole file"))]
    schema, root = _schema_and_root(ls, snapshot)
    message_type = message_type_at(root, context.path)
    if message_type is None:
        return []
    if context.kind == "field":
        return _field_items(ls, snapshot, message_type, context, offset)
    f = message_type.fields.get(context.name or "")
    if context.kind == "value":
        if f is not None and f.enum is not None:
            return [T.CompletionItem(label=v.name, kind=T.CompletionItemKind.EnumMember, detail=f"{f.enum.name} = {v.number}",
                                     documentation=v.doc or None) for v in f.enum.values.values()]
        if f is not None and f.scalar == "bool":
            return [T.CompletionItem(label=v, kind=T.CompletionItemKind.Value) for v in ("true", "false")]
        return []
    # Inside a string.
    if message_type.name in LAYER_MESSAGES and context.name == "type" and f is not None and f.scalar == "string":
        from ...model.facts import known_layer_types

        extra = snapshot.options.extra_layer_types if snapshot is not None and snapshot.options is not None else frozenset()
        items = []
        for name in sorted(known_layer_types(schema, extra)):
            blocks = param_blocks(message_type, name)
            items.append(T.CompletionItem(label=name, kind=T.CompletionItemKind.Class,
                                          detail=("reads " + ", ".join(blocks)) if blocks else "layer type"))
        return items
    if message_type.name in LAYER_MESSAGES and context.name == "bottom" and snapshot is not None:
        return _blob_items(snapshot, offset)
    return []


def _field_items(ls, snapshot, message_type, context: Context, offset: int) -> list[T.CompletionItem]:
    from .hover import _literal, field_text

    preferred: list[str] = []
    if message_type.name in LAYER_MESSAGES:
        layer_type = context.layer_type
        if layer_type is None and snapshot is not None:
            _, layer = layer_at(snapshot, offset)
            layer_type = layer.type if layer is not None else None
        preferred = param_blocks(message_type, layer_type or "")
    items = []
    for f in message_type.fields.values():
        if not f.repeated and f.name in context.written:
            continue
        kind_name = f.message.name if f.message is not None else f.enum.name if f.enum is not None else f.scalar
        detail = f"{f.label} {kind_name}"
        if f.message is None and not f.repeated:
            default = f.effective_default()
            detail += f" = {_literal(default)}"
        if f.message is not None:
            if ls.client.snippets:
                insert, fmt = f"{f.name} {{\n\t$0\n}}", T.InsertTextFormat.Snippet
            else:
                insert, fmt = f"{f.name} {{ }}", T.InsertTextFormat.PlainText
        else:
            insert, fmt = f"{f.name}: ", T.InsertTextFormat.PlainText
        rank = "0" if f.name in preferred else "2" if f.deprecated else "1"
        items.append(T.CompletionItem(
            label=f.name, kind=T.CompletionItemKind.Struct if f.message is not None else
            T.CompletionItemKind.Enum if f.enum is not None else T.CompletionItemKind.Field,
            detail=detail, documentation=T.MarkupContent(kind=T.MarkupKind.Markdown, value=field_text(f)),
            insert_text=insert, insert_text_format=fmt, sort_text=f"{rank}{f.number:06d}",
            deprecated=True if f.deprecated else None))
    return items


def _blob_items(snapshot, offset: int) -> list[T.CompletionItem]:
    """Tops that earlier layers produce in the states this layer is built in."""
    net, layer = layer_at(snapshot, offset)
    produced: dict[str, list[str]] = {}  # blob -> where it comes from
    if net is not None and layer is not None:
        states = states_of(net, layer) or net.states()
        for state in states:
            for other in net.layers_in(state):
                if other.index >= layer.index:
                    break
                for name, _ in other.tops:
                    sources = produced.setdefault(name, [])
                    label = f"{other.name or other.type} ({state.describe()})"
                    if label not in sources:
                        sources.append(label)
    else:  # the layer is not in the last good parse yet: every top written before the cursor
        for candidate in nets_of(snapshot):
            for other in candidate.layers:
                if other.message.end <= offset:
                    for name, _ in other.tops:
                        produced.setdefault(name, []).append(other.name or other.type)
    return [T.CompletionItem(label=name, kind=T.CompletionItemKind.Variable, detail="from " + ", ".join(sources[:3]),
                             sort_text=f"{i:05d}") for i, (name, sources) in enumerate(reversed(list(produced.items())))]
