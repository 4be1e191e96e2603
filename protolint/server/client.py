"""What the client said it supports, read once at `initialize` into plain fields."""

from __future__ import annotations

from dataclasses import dataclass, field

from .positions import UTF16


def _get(obj, path: str):
    for part in path.split("."):
        if obj is None:
            return None
        obj = getattr(obj, part, None)
    return obj


@dataclass
class ClientView:
    encoding: str = UTF16
    pull: bool = False  # asks with textDocument/diagnostic: no pushes for prototxt documents
    refresh: bool = False  # workspace/diagnostic/refresh
    related: bool = True
    code_description: bool = True
    tags: set = field(default_factory=set)  # DiagnosticTag values it understands
    markdown: bool = True
    snippets: bool = False
    hierarchical_symbols: bool = False
    document_changes: bool = False
    configuration: bool = False
    watch_files: bool = False  # dynamic registration of workspace/didChangeWatchedFiles
    resolve_edit: bool = False  # codeAction/resolve may fill in `edit`

    @classmethod
    def read(cls, caps, encoding: str) -> ClientView:
        pull = _get(caps, "text_document.diagnostic") is not None
        # What a client can show of a diagnostic: LSP 3.17 clients say it under publishDiagnostics
        # even when they pull, newer ones under diagnostic too.
        both = [_get(caps, "text_document.diagnostic"), _get(caps, "text_document.publish_diagnostics")]

        def either(path: str):
            return next((value for value in (_get(d, path) for d in both) if value), None)

        tag_values = either("tag_support.value_set") or []
        hover_formats = _get(caps, "text_document.hover.content_format")
        return cls(
            encoding=str(getattr(encoding, "value", encoding) or UTF16),
            pull=pull,
            refresh=bool(_get(caps, "workspace.diagnostics.refresh_support")),
            related=bool(either("related_information")),
            code_description=bool(either("code_description_support")),
            tags={int(getattr(t, "value", t)) for t in tag_values},
            markdown=hover_formats is None or any(str(getattr(f, "value", f)) == "markdown" for f in hover_formats),
            snippets=bool(_get(caps, "text_document.completion.completion_item.snippet_support")),
            hierarchical_symbols=bool(_get(caps, "text_document.document_symbol.hierarchical_document_symbol_support")),
            document_changes=bool(_get(caps, "workspace.workspace_edit.document_changes")),
            configuration=bool(_get(caps, "workspace.configuration")),
            watch_files=bool(_get(caps, "workspace.did_change_watched_files.dynamic_registration")),
            resolve_edit="edit" in (_get(caps, "text_document.code_action.resolve_support.properties") or []),
        )
