"""Navigation: the outline (layers; a solver's settings), go to definition (a bottom -> the top
that produces it; a solver's net path -> the file), references and rename of a blob.

A blob is followed the way Caffe wires it, per state: a bottom reads the latest top of that name,
an in-place top continues the blob, a top that redefines a name starts another blob. The states
a net is built in are joined: a name produced by a TRAIN-only and a TEST-only data layer is one
blob for its readers, so renaming it renames both producers.
"""

from __future__ import annotations

import os

from lsprotocol import types as T

from ...project import resolve_net_file
from ...syntax.nodes import Field, ListValue, Message, Scalar
from ..tree import LAYER_MESSAGES, blob_use, hit_at, layer_of, nets_of, string_content
from ..workspace import path_to_uri, uri_to_path

_NET_FIELDS = ("net", "train_net", "test_net")


def register(server) -> None:
    @server.feature(T.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    async def symbols(ls, params: T.DocumentSymbolParams):
        snapshot = await ls.scheduler.linted(params.text_document.uri)
        if snapshot is None:
            return []
        found = document_symbols(snapshot)
        if ls.client.hierarchical_symbols:
            return found
        return _flatten(found, snapshot.uri)

    @server.feature(T.TEXT_DOCUMENT_DEFINITION)
    async def definition(ls, params: T.DefinitionParams):
        snapshot = await ls.scheduler.linted(params.text_document.uri)
        if snapshot is None:
            return None
        return definitions(snapshot, snapshot.offset(params.position)) or None

    @server.feature(T.TEXT_DOCUMENT_REFERENCES)
    async def references(ls, params: T.ReferenceParams):
        snapshot = await ls.scheduler.linted(params.text_document.uri)
        if snapshot is None:
            return None
        blob = blob_at(snapshot, snapshot.offset(params.position))
        if blob is None:
            return None
        nodes = [(n, side) for n, side in blob_nodes(*blob) if params.context.include_declaration or side == "bottom"]
        return [T.Location(uri=snapshot.uri, range=snapshot.range(n.value.start, n.value.end)) for n, _ in nodes]

    @server.feature(T.TEXT_DOCUMENT_PREPARE_RENAME)
    async def prepare_rename(ls, params: T.PrepareRenameParams):
        snapshot = await ls.scheduler.linted(params.text_document.uri)
        if snapshot is None:
            return None
        blob = blob_at(snapshot, snapshot.offset(params.position))
        if blob is None:
            return None
        node = blob[2]
        span = string_content(snapshot.source_text, node.value) or (node.value.start, node.value.end)
        return T.PrepareRenamePlaceholder(range=snapshot.range(*span), placeholder=node.scalar)

    @server.feature(T.TEXT_DOCUMENT_RENAME)
    async def rename(ls, params: T.RenameParams):
        snapshot = await ls.scheduler.linted(params.text_document.uri)
        if snapshot is None:
            return None
        doc = ls.workspace_state.docs.get(snapshot.uri)
        if doc is None or doc.version != snapshot.version:
            return None  # the text moved on while waiting: never edit from stale offsets
        blob = blob_at(snapshot, snapshot.offset(params.position))
        if blob is None or not params.new_name:
            return None
        text = snapshot.source_text
        edits = []
        for node, _ in blob_nodes(*blob):
            span = string_content(text, node.value)
            if span is not None:
                quote = text[node.value.start]
                new = params.new_name.replace("\\", "\\\\").replace(quote, "\\" + quote)
            else:
                span = (node.value.start, node.value.end)
                new = '"' + params.new_name.replace("\\", "\\\\").replace('"', '\\"') + '"'
            edits.append(T.TextEdit(range=snapshot.range(*span), new_text=new))
        return workspace_edit(ls, snapshot, edits)


def workspace_edit(ls, snapshot, edits: list[T.TextEdit]) -> T.WorkspaceEdit:
    if ls.client.document_changes:
        return T.WorkspaceEdit(document_changes=[T.TextDocumentEdit(
            text_document=T.OptionalVersionedTextDocumentIdentifier(uri=snapshot.uri, version=snapshot.version),
            edits=edits)])
    return T.WorkspaceEdit(changes={snapshot.uri: edits})


# --- blobs ---------------------------------------------------------------------------------------


def blob_at(snapshot, offset: int):
    """(net, layer, node, side) of the bottom or top string under the cursor, or None."""
    hit = hit_at(snapshot.result.document.root, offset)
    f = hit.field
    if f is None or hit.part != "value" or not isinstance(f.value, Scalar) or not isinstance(f.scalar, str):
        return None
    holder = hit.holder.schema
    if holder is not None and holder.name in LAYER_MESSAGES and f.name in ("bottom", "top"):
        net, layer = layer_of(snapshot, hit.chain)
        if layer is not None:
            return net, layer, f, f.name
    if holder is not None and holder.name == "NetParameter" and f.name == "input":
        for net in nets_of(snapshot):
            for layer in net.layers:
                if layer.synthetic and any(node is f for _, node in layer.tops):
                    return net, layer, f, "top"
    return None


def blob_nodes(net, layer, node, side) -> list[tuple[Field, str]]:
    """Every bottom and top field of the blob `node` belongs to, in file order, with its side."""
    parent: dict[int, int] = {}
    nodes: dict[int, tuple[Field, str]] = {}

    def find(key: int) -> int:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def union(a: int, b: int) -> None:
        parent[find(a)] = find(b)

    for state in net.states():
        graph = net.graph(state)
        current: dict[str, int] = {}  # blob name -> the node its latest version started from
        for each in graph.layers:
            for name, bottom in each.bottoms:
                nodes[id(bottom)] = (bottom, "bottom")
                find(id(bottom))
                if name in current:
                    union(id(bottom), current[name])
            bottom_names = [name for name, _ in each.bottoms]
            for index, (name, top) in enumerate(each.tops):
                nodes[id(top)] = (top, "top")
                find(id(top))
                in_place = index < len(bottom_names) and bottom_names[index] == name
                if in_place and name in current:
                    union(id(top), current[name])
                else:
                    current[name] = id(top)
    if id(node) not in nodes:  # a layer no state builds: the name is all there is
        same = [(n, "bottom") for other in net.layers for nm, n in other.bottoms if nm == node.scalar]
        same += [(n, "top") for other in net.layers for nm, n in other.tops if nm == node.scalar]
        return sorted(same, key=lambda item: item[0].start)
    root = find(id(node))
    members = [value for key, value in nodes.items() if find(key) == root]
    return sorted(members, key=lambda item: item[0].start)


def definitions(snapshot, offset: int) -> list[T.Location]:
    result = snapshot.result
    blob = blob_at(snapshot, offset)
    found: list[T.Location] = []
    if blob is not None:
        net, layer, node, side = blob
        seen = set()
        for state in net.states():
            if not layer.included_in(state):
                continue
            graph = net.graph(state)
            use = blob_use(graph, layer, node, side)
            if use is None:
                continue
            if side == "top":
                index = use.index
                if not use.in_place:
                    producer = use
                else:
                    read = graph.bottom_use(layer, index)
                    producer = graph.producer_of(read) if read is not None else None
            else:
                producer = graph.producer_of(use)
            if producer is not None and id(producer.node) not in seen:
                seen.add(id(producer.node))
                value = producer.node.value
                found.append(T.Location(uri=snapshot.uri, range=snapshot.range(value.start, value.end)))
        return found
    hit = hit_at(result.document.root, offset)
    f = hit.field
    if (f is not None and hit.part == "value" and result.kind == "solver" and f.name in _NET_FIELDS
            and isinstance(f.scalar, str) and hit.holder is result.document.root):
        target = resolve_net_file(f.scalar, uri_to_path(snapshot.uri))
        if target is not None:
            start = T.Position(line=0, character=0)
            found.append(T.Location(uri=path_to_uri(os.path.abspath(target)), range=T.Range(start=start, end=start)))
    return found


# --- outline -------------------------------------------------------------------------------------


def document_symbols(snapshot) -> list[T.DocumentSymbol]:
    result = snapshot.result
    if result.kind == "net":
        nets = nets_of(snapshot)
        symbols = [_field_symbol(snapshot, f, depth=0) for f in result.document.root.fields
                   if f.name not in ("layer", "layers")]
        if nets:
            symbols += [_layer_symbol(snapshot, layer) for layer in nets[0].layers if not layer.synthetic]
        return sorted((s for s in symbols if s is not None), key=lambda s: (s.range.start.line, s.range.start.character))
    return [s for s in (_field_symbol(snapshot, f, depth=0) for f in result.document.root.fields) if s is not None]


def _layer_symbol(snapshot, layer) -> T.DocumentSymbol:
    keyword = layer.keyword
    start = keyword.start if keyword is not None else layer.message.start
    selection = None
    for key in ("name", "type"):
        f = layer.message.last(key)
        if f is not None and isinstance(f.value, Scalar):
            selection = (f.value.start, f.value.end)
            break
    if selection is None:
        selection = (start, keyword.name_end if keyword is not None else start)
    flow = ", ".join(n for n, _ in layer.bottoms) + " → " + ", ".join(n for n, _ in layer.tops)
    return T.DocumentSymbol(
        name=layer.name or f"({layer.type or 'layer'})", kind=T.SymbolKind.Class,
        detail=f"{layer.type} {flow}".strip(), range=snapshot.range(start, layer.message.end),
        selection_range=snapshot.range(*selection))


def _field_symbol(snapshot, f: Field, depth: int) -> T.DocumentSymbol | None:
    value = f.value
    if isinstance(value, Message):
        children = []
        if depth < 3:
            if f.name in ("net_param", "train_net_param", "test_net_param"):
                from ...model.net import Net

                children = [_layer_symbol(snapshot, layer) for layer in Net.from_message(value, embedded=True).layers
                            if not layer.synthetic]
            else:
                children = [s for s in (_field_symbol(snapshot, c, depth + 1) for c in value.fields) if s is not None]
        return T.DocumentSymbol(name=f.name, kind=T.SymbolKind.Struct, range=snapshot.range(f.start, max(f.end, f.name_end)),
                                selection_range=snapshot.range(f.name_start, f.name_end), children=children or None)
    if isinstance(value, (Scalar, ListValue)):
        shown = snapshot.source_text[value.start:value.end]
        if len(shown) > 60:
            shown = shown[:57] + "..."
        return T.DocumentSymbol(name=f.name, kind=T.SymbolKind.Property, detail=shown,
                                range=snapshot.range(f.start, max(f.end, f.name_end)),
                                selection_range=snapshot.range(f.name_start, f.name_end))
    return None


def _flatten(symbols, uri: str, container: str | None = None) -> list[T.SymbolInformation]:
    flat = []
    for symbol in symbols:
        flat.append(T.SymbolInformation(name=symbol.name, kind=symbol.kind, container_name=container,
                                        location=T.Location(uri=uri, range=symbol.range)))
        flat += _flatten(symbol.children or [], uri, symbol.name)
    return flat
