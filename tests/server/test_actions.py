"""Code actions: every fix as a quick fix (safe ones preferred, unsafe ones labelled), "Disable RULE
for this line" writing the comment the command line reads, and source.fixAll.protolint applying
what `protolint --fix` applies."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as T

from tests.server.kit import (CLIENTS, LanguageClient, apply_edits, change_doc, close_doc, config, diagnostics, doc_id,
                              edits_of, encoding_of, open_doc, position_of, start)

pytestmark = pytest.mark.asyncio(loop_scope="module")

TEXT = """name: "fixme"  // C++ style
layer {
  name: "data"
  type: "Input"
  top: "data"
  input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } }
}
layer {
  name: "conv"
  type: "convolution"
  bottom: "data"
  top: "conv"
  convolution_param { num_output: 4 kernal_size: 3 weight_filler { type: "msra" } bias_filler { type: "constant" } }
}
layer {
  name: "relu"
  type: "ReLU"
  bottom: "conv"
  top: "conv"
  relu_param { negative_slope 0.1 }  # leaky
}
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("actions")


@pytest_lsp.fixture(config=config(), params=CLIENTS, scope="module")
async def client(request, lsp_client: LanguageClient, folder):
    await start(lsp_client, request.param, root=folder)
    yield
    await lsp_client.shutdown_session()


async def actions_at(client, uri, diagnostic: T.Diagnostic, only=None):
    return await client.text_document_code_action_async(T.CodeActionParams(
        text_document=doc_id(uri), range=diagnostic.range,
        context=T.CodeActionContext(diagnostics=[diagnostic], only=only)))


def _by_rule(items):
    return {d.data["rule"]: d for d in items}


async def test_each_fix_is_a_quick_fix(client: LanguageClient, folder):
    uri = (folder / "quick.prototxt").as_uri()
    encoding = encoding_of(client)
    open_doc(client, uri, TEXT)
    items = _by_rule(await diagnostics(client, uri, 1))
    assert {"unknown-field", "unknown-layer-type", "syntax-error"} <= set(items)

    actions = await actions_at(client, uri, items["unknown-field"])
    fixes = [a for a in actions if "Disable" not in a.title and a.kind == T.CodeActionKind.QuickFix]
    assert len(fixes) == 1, [a.title for a in actions]
    [rename] = fixes
    assert any(a.kind == "source.fixAll.protolint" for a in actions)
    assert rename.title.endswith("(unsafe)") and not rename.is_preferred and rename.kind == T.CodeActionKind.QuickFix
    assert rename.title.startswith("protolint (P002): ")
    assert apply_edits(TEXT, edits_of(rename.edit, uri), encoding).count("kernel_size: 3") == 1

    actions = await actions_at(client, uri, items["unknown-layer-type"])
    [case] = [a for a in actions if "Disable" not in a.title and a.kind == T.CodeActionKind.QuickFix]
    assert case.is_preferred and "(unsafe)" not in case.title
    fixed = apply_edits(TEXT, edits_of(case.edit, uri), encoding)
    assert 'type: "Convolution"' in fixed

    change_doc(client, uri, fixed, 2)
    after = _by_rule(await diagnostics(client, uri, 2))
    assert "unknown-layer-type" not in after and "unknown-field" in after
    close_doc(client, uri)


@pytest.mark.parametrize("rule, expected_line", [
    ("unknown-field", '  convolution_param { num_output: 4 kernal_size: 3 weight_filler { type: "msra" } '
                      'bias_filler { type: "constant" } }  # protolint: disable=unknown-field'),
    ("syntax-error", "  # protolint: disable-next-line=syntax-error"),  # the line ends in another comment
])
async def test_disable_for_this_line(client: LanguageClient, folder, rule, expected_line):
    uri = (folder / f"disable-{rule}.prototxt").as_uri()
    encoding = encoding_of(client)
    open_doc(client, uri, TEXT)
    found = await diagnostics(client, uri, 1)
    before = [d.data["rule"] for d in found].count(rule)
    target = [d for d in found if d.data["rule"] == rule][-1]  # the last: the relu line's syntax error
    actions = await actions_at(client, uri, target)
    [disable] = [a for a in actions if a.title.endswith(f"Disable {rule} for this line")]
    assert [a for a in actions if a.title.endswith(f"Disable {rule} for this file")]
    edited = apply_edits(TEXT, edits_of(disable.edit, uri), encoding)
    assert expected_line in edited.splitlines()
    change_doc(client, uri, edited, 2)
    after = await diagnostics(client, uri, 2)
    names = [d.data["rule"] for d in after]
    assert names.count(rule) == before - 1 and "unused-suppression" not in names and "invalid-suppression" not in names
    close_doc(client, uri)


async def test_disable_extends_an_existing_directive(client: LanguageClient, folder):
    text = TEXT.replace("kernal_size: 3 weight_filler { type: \"msra\" } bias_filler { type: \"constant\" } }",
                        "kernal_size: 3 }  # protolint: disable=missing-weight-filler -- on purpose")
    uri = (folder / "extend.prototxt").as_uri()
    encoding = encoding_of(client)
    open_doc(client, uri, text)
    items = _by_rule(await diagnostics(client, uri, 1))
    actions = await actions_at(client, uri, items["unknown-field"])
    [disable] = [a for a in actions if a.title.endswith("for this line")]
    edited = apply_edits(text, edits_of(disable.edit, uri), encoding)
    assert "# protolint: disable=missing-weight-filler,unknown-field -- on purpose" in edited
    change_doc(client, uri, edited, 2)
    names = [d.data["rule"] for d in await diagnostics(client, uri, 2)]
    assert "unknown-field" not in names and "invalid-suppression" not in names
    close_doc(client, uri)


async def test_fix_all_applies_what_protolint_fix_applies(client: LanguageClient, folder):
    path = folder / "fixall.prototxt"
    path.write_text(TEXT)
    uri = path.as_uri()
    encoding = encoding_of(client)
    open_doc(client, uri, TEXT)
    items = await diagnostics(client, uri, 1)
    actions = await client.text_document_code_action_async(T.CodeActionParams(
        text_document=doc_id(uri), range=T.Range(start=T.Position(line=0, character=0), end=T.Position(line=0, character=0)),
        context=T.CodeActionContext(diagnostics=[], only=[T.CodeActionKind.SourceFixAll])))
    [fix_all] = actions
    assert fix_all.kind == "source.fixAll.protolint"
    if fix_all.edit is None:  # the client resolves edits lazily
        fix_all = await client.code_action_resolve_async(fix_all)
    fixed = apply_edits(TEXT, edits_of(fix_all.edit, uri), encoding)

    copy = folder / "cli" / "fixall.prototxt"
    copy.parent.mkdir(exist_ok=True)
    shutil.copy(path, copy)
    subprocess.run([sys.executable, "-m", "protolint", "--fix", str(copy)], capture_output=True, timeout=120)
    assert fixed == copy.read_text()
    assert fixed != TEXT and "# C++ style" in fixed and "negative_slope: 0.1" in fixed and "kernal_size" in fixed
    # Quick fixes for one line are not mixed in when only fix-all is asked for, and no fix-all
    # is offered when nothing is safe to fix.
    change_doc(client, uri, fixed, 2)
    await diagnostics(client, uri, 2)
    actions = await client.text_document_code_action_async(T.CodeActionParams(
        text_document=doc_id(uri), range=T.Range(start=T.Position(line=0, character=0), end=T.Position(line=0, character=0)),
        context=T.CodeActionContext(diagnostics=[], only=[T.CodeActionKind.SourceFixAll])))
    assert not actions
    assert items
    close_doc(client, uri)


async def test_no_actions_from_a_stale_version(client: LanguageClient, folder):
    uri = (folder / "stale.prototxt").as_uri()
    open_doc(client, uri, TEXT)
    items = _by_rule(await diagnostics(client, uri, 1))
    position = position_of(TEXT, "kernal_size")
    assert position.line == items["unknown-field"].range.start.line
    actions = await actions_at(client, uri, items["unknown-field"])
    assert actions
    close_doc(client, uri)
