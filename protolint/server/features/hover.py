"""Hover: what the schema says about a field, what a layer type reads, where a blob comes from and
its shape in each state, and the documentation of the rules whose findings are under the cursor."""

from __future__ import annotations

import re

from lsprotocol import types as T

from ..tree import LAYER_MESSAGES, hit_at, layer_of, param_blocks, shapes_by_state, states_of

_DIRECTIVE_NAMES = re.compile(r"#\s*protolint:\s*(?:disable-next-line|disable-file|disable)\s*=\s*([^#]*?)\s*(?:--.*)?$")


def register(server) -> None:
    @server.feature(T.TEXT_DOCUMENT_HOVER)
    async def hover(ls, params: T.HoverParams):
        snapshot = await ls.scheduler.linted(params.text_document.uri)
        if snapshot is None:
            return None
        offset = snapshot.offset(params.position)
        parts, span = describe(snapshot, offset)
        docs = rule_docs_at(snapshot, offset, ls.registry)
        if docs:
            parts += docs
        if not parts:
            return None
        text = "\n\n---\n\n".join(parts)
        kind = T.MarkupKind.Markdown if ls.client.markdown else T.MarkupKind.PlainText
        return T.Hover(contents=T.MarkupContent(kind=kind, value=text),
                       range=snapshot.range(*span) if span else None)


def describe(snapshot, offset: int) -> tuple[list[str], tuple[int, int] | None]:
    """Markdown paragraphs about what is at `offset`, and the span they are about."""
    document = snapshot.result.document
    for comment in document.comments:
        if comment.start <= offset <= comment.end:
            return [], None
    hit = hit_at(document.root, offset)
    f = hit.field
    if f is None or hit.part == "none" or hit.part == "body":
        return [], None
    holder_type = hit.holder.schema
    if hit.part == "value" and holder_type is not None and holder_type.name in LAYER_MESSAGES:
        net, layer = layer_of(snapshot, hit.chain)
        if f.name == "type" and layer is not None:
            return [layer_type_text(layer, holder_type, snapshot)], (hit.scalar.start, hit.scalar.end)
        if f.name in ("bottom", "top") and layer is not None and isinstance(hit.scalar.value, str):
            return [blob_text(net, layer, f, f.name)], (hit.scalar.start, hit.scalar.end)
    if hit.part == "value" and f.name == "input" and holder_type is not None and holder_type.name == "NetParameter":
        for net in _nets(snapshot):
            for layer in net.layers:
                if layer.synthetic and any(node is f for _, node in layer.tops):
                    return [blob_text(net, layer, f, "top")], (hit.scalar.start, hit.scalar.end)
    schema_field = f.schema
    if schema_field is None:
        return [], None
    span = (f.name_start, f.name_end) if hit.part == "name" else (hit.scalar.start, hit.scalar.end) if hit.scalar else None
    paragraphs = [field_text(schema_field)]
    if hit.part == "value" and schema_field.enum is not None and hit.scalar is not None:
        value = schema_field.enum.values.get(hit.scalar.text)
        if value is not None and value.doc:
            paragraphs.insert(0, f"`{value.name}` = {value.number}: {value.doc}")
    return paragraphs, span


def _nets(snapshot):
    from ..tree import nets_of

    return nets_of(snapshot)


def field_text(schema_field) -> str:
    """A field as the schema declares it: message, label, type, default, enum values, doc."""
    container = schema_field.containing.name if schema_field.containing is not None else ""
    kind = (schema_field.message.name if schema_field.message is not None else
            schema_field.enum.name if schema_field.enum is not None else schema_field.scalar or schema_field.type_name)
    lines = [f"**{schema_field.name}** — `{schema_field.label} {kind}` in `{container}` (field {schema_field.number})"]
    if schema_field.deprecated:
        lines.append("*deprecated*")
    if schema_field.message is None and not schema_field.repeated:
        default = schema_field.effective_default()
        shown = _literal(default)
        lines.append(f"default: `{shown}`" + ("" if schema_field.has_default else " (protobuf's default)"))
    if schema_field.enum is not None:
        values = " · ".join(f"`{v.name}`" for v in schema_field.enum.values.values())
        lines.append(f"values: {values}")
    if schema_field.doc:
        lines.append(schema_field.doc)
    elif schema_field.message is not None and schema_field.message.doc:
        lines.append(schema_field.message.doc)
    return "\n\n".join(lines)


def _literal(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value if value.isidentifier() and value.isupper() else f'"{value}"'
    return repr(value) if isinstance(value, float) else str(value)


def layer_type_text(layer, layer_message_type, snapshot) -> str:
    from ...model.facts import BVLC_LAYER_TYPES, blob_counts, known_layer_types

    options = snapshot.options
    lines = [f"**{layer.type}** — layer type"]
    if options is not None and layer.type not in known_layer_types(options.schema, options.extra_layer_types):
        lines[0] += " (not registered in this Caffe)"
    elif layer.type not in BVLC_LAYER_TYPES:
        lines[0] += " (from your fork or settings)"
    blocks = param_blocks(layer_message_type, layer.type)
    if blocks:
        described = []
        for name in blocks:
            sub = layer_message_type.fields[name].message
            described.append(f"`{name}` ({sub.name})" if sub is not None else f"`{name}`")
        lines.append("reads " + ", ".join(described))
    else:
        lines.append("reads no `*_param` block")
    counts = blob_counts(layer)
    if counts is not None:
        tops = "one top per bottom" if counts.equal_bottom_top else f"{counts.describe('top')} top(s)"
        lines.append(f"takes {counts.describe('bottom')} bottom(s), produces {tops}")
    bottoms = ", ".join(f"`{name}`" for name, _ in layer.bottoms) or "none"
    tops = ", ".join(f"`{name}`" for name, _ in layer.tops) or "none"
    lines.append(f"this layer: bottoms {bottoms} → tops {tops}")
    return "\n\n".join(lines)


def blob_text(net, layer, node, side: str) -> str:
    from ...model.shapes import fmt_shape

    name = node.scalar
    lines = [f"**blob `{name}`** — {'written' if side == 'top' else 'read'} by layer `{layer.name or layer.type}`"]
    rows = []
    for state, shape, producer in shapes_by_state(net, layer, node, side):
        if producer is None:
            source = "nothing produces it in this state"
        else:
            where = producer.layer
            source = f"`{where.name or where.type}` ({where.type})"
            if producer.in_place:
                source += ", in place"
        rows.append(f"| {state.describe()} | {source} | {fmt_shape(shape) if shape is not None else '?'} |")
    if rows:
        lines.append("| state | produced by | shape |\n|---|---|---|\n" + "\n".join(rows))
    elif not states_of(net, layer):
        lines.append("this layer is not built in any state the net is built in")
    return "\n\n".join(lines)


def rule_docs_at(snapshot, offset: int, registry) -> list[str]:
    """The documentation of the rules whose findings cover the offset, and of a rule named in a
    `# protolint:` comment under the cursor."""
    found, seen = [], set()
    for d in snapshot.findings:
        if d.start <= offset <= max(d.end, d.start + 1) and d.rule not in seen:
            rule = registry.lookup(d.rule)
            if rule is not None:
                seen.add(d.rule)
                found.append(_rule_text(rule))
    for comment in snapshot.result.document.comments:
        if not comment.start <= offset <= comment.end:
            continue
        match = _DIRECTIVE_NAMES.match(comment.text)
        if match is None:
            continue
        base = comment.start + match.start(1)
        for piece in re.finditer(r"[^,\s]+", match.group(1)):
            if base + piece.start() <= offset <= base + piece.end():
                rule = registry.lookup(piece.group())
                if rule is not None and rule.name not in seen:
                    seen.add(rule.name)
                    found.append(_rule_text(rule))
    return found


def _rule_text(rule) -> str:
    return f"**{rule.code} {rule.name}** (`protolint explain {rule.name}`)\n\n" + rule.documentation()

