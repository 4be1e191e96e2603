"""Code actions: each fix of a finding as a quick fix (safe ones preferred, unsafe ones labelled),
"Disable RULE for this line / for this file" (the `# protolint:` comments the command line reads),
and `source.fixAll.protolint`, which applies the safe fixes the way `protolint --fix` does: again
while fixes keep coming, and never when the result would parse worse than before."""

from __future__ import annotations

import re

from lsprotocol import types as T

from ...suppressions import _DIRECTIVE
from .navigation import workspace_edit

FIX_ALL = f"{T.CodeActionKind.SourceFixAll.value}.protolint"
_INDENT = re.compile(r"[ \t]*")


def register(server) -> None:
    options = T.CodeActionOptions(code_action_kinds=[T.CodeActionKind.QuickFix, FIX_ALL], resolve_provider=True)

    @server.feature(T.TEXT_DOCUMENT_CODE_ACTION, options)
    async def code_actions(ls, params: T.CodeActionParams):
        uri = params.text_document.uri
        snapshot = await ls.scheduler.linted(uri)
        doc = ls.workspace_state.docs.get(uri)
        if snapshot is None or doc is None or doc.version != snapshot.version:
            return []
        only = params.context.only
        actions: list[T.CodeAction] = []
        if _wanted(only, T.CodeActionKind.QuickFix.value):
            actions += quick_fixes(ls, snapshot, params)
        if _wanted(only, FIX_ALL) and any(f.safe for d in snapshot.findings for f in d.fixes):
            action = T.CodeAction(title="protolint: Fix all auto-fixable problems", kind=FIX_ALL,
                                  data={"uri": uri, "version": snapshot.version})
            if not ls.client.resolve_edit:
                action.edit = await fix_all_edit(ls, snapshot)
                if action.edit is None:
                    return actions
            actions.append(action)
        return actions

    @server.feature(T.CODE_ACTION_RESOLVE)
    async def resolve(ls, action: T.CodeAction):
        data = action.data if isinstance(action.data, dict) else {}
        if action.kind == FIX_ALL and action.edit is None and data.get("uri"):
            snapshot = await ls.scheduler.linted(data["uri"])
            if snapshot is not None and snapshot.version == data.get("version"):
                action.edit = await fix_all_edit(ls, snapshot)
        return action


def _wanted(only, kind: str) -> bool:
    """Whether a requested kind filter (`only`) admits `kind` (kinds are hierarchical)."""
    if not only:
        return True
    for requested in only:
        requested = getattr(requested, "value", requested)
        if kind == requested or kind.startswith(requested + "."):
            return True
    return False


def quick_fixes(ls, snapshot, params: T.CodeActionParams) -> list[T.CodeAction]:
    start, end = snapshot.offset(params.range.start), snapshot.offset(params.range.end)
    asked = {(d.code, d.message, d.range.start.line, d.range.start.character) for d in params.context.diagnostics or []}
    actions: list[T.CodeAction] = []
    disabled: set[tuple[str, int]] = set()
    for finding, item in zip(snapshot.findings, snapshot.items):
        key = (item.code, item.message, item.range.start.line, item.range.start.character)
        if not (finding.start <= end and max(finding.end, finding.start + 1) >= start) and key not in asked:
            continue
        for number, fix in enumerate(finding.fixes):
            edits = [T.TextEdit(range=snapshot.range(e.start, e.end), new_text=e.new_text) for e in fix.edits]
            title = f"protolint ({finding.code}): {fix.title}" + ("" if fix.safe else " (unsafe)")
            actions.append(T.CodeAction(title=title, kind=T.CodeActionKind.QuickFix, diagnostics=[item],
                                        edit=workspace_edit(ls, snapshot, edits), is_preferred=fix.safe and number == 0))
        line = snapshot.result.document.source.position(finding.start)[0]
        if (finding.rule, line) not in disabled:
            disabled.add((finding.rule, line))
            edit = disable_line_edit(snapshot, finding)
            actions.append(T.CodeAction(title=f"protolint ({finding.code}): Disable {finding.rule} for this line",
                                        kind=T.CodeActionKind.QuickFix, diagnostics=[item],
                                        edit=workspace_edit(ls, snapshot, [edit])))
        if (finding.rule, 0) not in disabled:
            disabled.add((finding.rule, 0))
            newline = "\r\n" if "\r\n" in snapshot.source_text[:2000] else "\n"
            edit = T.TextEdit(range=snapshot.range(0, 0), new_text=f"# protolint: disable-file={finding.rule}{newline}")
            actions.append(T.CodeAction(title=f"protolint ({finding.code}): Disable {finding.rule} for this file",
                                        kind=T.CodeActionKind.QuickFix, diagnostics=[item],
                                        edit=workspace_edit(ls, snapshot, [edit])))
    return actions


def disable_line_edit(snapshot, finding) -> T.TextEdit:
    """The edit that makes `# protolint: disable=RULE` cover the finding's line (protolint's lines:
    split on \\n only): extend a directive already there, add one at the end of the line, or, when
    the line ends in another comment, put a disable-next-line directive above it."""
    text = snapshot.source_text
    line_start = text.rfind("\n", 0, finding.start) + 1
    line_end = text.find("\n", finding.start)
    if line_end < 0:
        line_end = len(text)
    crlf = line_end > line_start and text[line_end - 1] == "\r"
    content_end = line_end - 1 if crlf else line_end
    comment = next((c for c in snapshot.result.document.comments if line_start <= c.start < line_end), None)
    if comment is None:
        return T.TextEdit(range=snapshot.range(content_end, content_end), new_text=f"  # protolint: disable={finding.rule}")
    match = _DIRECTIVE.match(comment.text)
    if match is not None and match.group("kind") == "disable":
        at = comment.start + match.end("names")
        return T.TextEdit(range=snapshot.range(at, at), new_text=f",{finding.rule}")
    indent = _INDENT.match(text, line_start).group()
    newline = "\r\n" if crlf else "\n"
    return T.TextEdit(range=snapshot.range(line_start, line_start),
                      new_text=f"{indent}# protolint: disable-next-line={finding.rule}{newline}")


async def fix_all_edit(ls, snapshot) -> T.WorkspaceEdit | None:
    new_text = await ls.scheduler.thread.run(lambda: fixed_text(snapshot))
    old_text = snapshot.text
    if new_text is None or new_text == old_text:
        return None
    # One edit covering what changed: the common prefix and suffix stay untouched.
    prefix = 0
    limit = min(len(old_text), len(new_text))
    while prefix < limit and old_text[prefix] == new_text[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old_text[-1 - suffix] == new_text[-1 - suffix]:
        suffix += 1
    start = T.Position(*snapshot.index.position(prefix))
    end = T.Position(*snapshot.index.position(len(old_text) - suffix))
    edit = T.TextEdit(range=T.Range(start=start, end=end), new_text=new_text[prefix:len(new_text) - suffix])
    return workspace_edit(ls, snapshot, [edit])


def fixed_text(snapshot, unsafe: bool = False) -> str | None:
    """The document's text with its fixes applied as `protolint --fix` applies them (the same
    passes, each re-linted and refused if it would make the file worse)."""
    from ...fixes import fix_text
    from ...project import lint_bytes

    source = snapshot.result.document.source

    def relint(text: str):
        return lint_bytes(source.path, source.encode(text), snapshot.options).diagnostics

    outcome = fix_text(source.text, snapshot.findings, relint, unsafe)
    return ("\ufeff" if snapshot.shift else "") + outcome.text
