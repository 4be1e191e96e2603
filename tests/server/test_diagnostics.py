"""Diagnostics over stdio, as VS Code (push) and Neovim (pull, UTF-8) receive them: the same findings
as `protolint --format json`, on open, change and save; rule documentation from the diagnostic;
only the current version published; bad input and unknown requests never take the server down."""

from __future__ import annotations

import asyncio
import random
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as T
from pygls.exceptions import JsonRpcMethodNotFound, JsonRpcRequestCancelled

from tests.server.kit import (CLIENTS, LanguageClient, as_json, big_net, change_doc, cli_json, close_doc, config,
                              diagnostics, doc_id, encoding_of, json_terms, last_publish, open_doc, position_of, pulls,
                              start, wait_until)

pytestmark = pytest.mark.asyncio(loop_scope="module")

TEXT = """# protolint: disable-file=missing-weight-filler -- a fixture
name: "demo"  // a C++ comment
layer {
  name: "data"
  type: "Input"
  top: "data"
  input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } }
}
layer {
  name: "conv"
  type: "Convolution"
  bottom: "data"
  top: "conv"
  convolution_param { num_output: 4 kernal_size: 3 }
}
layer {
  name: "conv"
  type: "relu"
  bottom: "conv"
  top: "conv"  # protolint: disable=missing-bias-filler
}
layer {
  name: "ip"
  type: "InnerProduct"
  bottom: "conv"
  top: "ip"
  inner_product_param { num_output: 2 weight_filler { type: "xavier" } bias_filler { type: "constant" } }
}
layer {
  name: "cat"
  type: "Concat"
  bottom: "ip"
  bottom: "data"
  top: "cat"
  concat_param { concat_dim: 1 }
}
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("diagnostics")


@pytest_lsp.fixture(config=config(), params=CLIENTS, scope="module")
async def client(request, lsp_client: LanguageClient, folder):
    await start(lsp_client, request.param, root=folder)
    yield
    await lsp_client.shutdown_session()


def write(folder: Path, name: str, text: str) -> tuple[Path, str]:
    path = folder / name
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    return path, path.as_uri()


async def test_findings_equal_the_json_output_on_open_change_and_save(client: LanguageClient, folder):
    path, uri = write(folder, "net.prototxt", TEXT)
    encoding = encoding_of(client)
    open_doc(client, uri, TEXT)
    items = await diagnostics(client, uri, 1)
    expected = cli_json([path], folder)
    assert {d["rule"] for d in expected} >= {"unknown-field", "duplicate-layer-name", "unknown-layer-type", "syntax-error",
                                             "unused-suppression", "deprecated-field"}
    assert as_json(items, TEXT, encoding) == json_terms(expected)
    assert all(d.source == "protolint" for d in items)
    related = [d for d in items if d.related_information]
    assert related and related[0].related_information[0].location.uri == uri

    # An unsaved edit: the editor's text wins over the file on disk.
    edited = TEXT.replace("kernal_size", "kernel_size").replace('"relu"', '"ReLU"')
    change_doc(client, uri, edited, 2)
    items = await diagnostics(client, uri, 2)
    path.write_text(edited)
    assert as_json(items, edited, encoding) == json_terms(cli_json([path], folder))
    assert not {"unknown-field", "unknown-layer-type"} & {d.data["rule"] for d in items}

    if not pulls(client):
        count = len(client.published)
        client.text_document_did_save(T.DidSaveTextDocumentParams(text_document=doc_id(uri)))
        await wait_until(lambda: len(client.published) > count, what="a publish after save")
        assert last_publish(client, uri).version == 2
        close_doc(client, uri)
        await wait_until(lambda: last_publish(client, uri) is not None and not last_publish(client, uri).diagnostics,
                         what="diagnostics cleared on close")
    else:
        close_doc(client, uri)


async def test_tags_codes_and_documentation(client: LanguageClient, folder):
    _, uri = write(folder, "tags.prototxt", TEXT)
    open_doc(client, uri, TEXT)
    items = await diagnostics(client, uri, 1)
    by_rule = {d.data["rule"]: d for d in items}
    tags = client.capabilities.text_document.publish_diagnostics.tag_support
    if tags is not None:
        assert list(by_rule["deprecated-field"].tags) == [T.DiagnosticTag.Deprecated]
        assert list(by_rule["unused-suppression"].tags) == [T.DiagnosticTag.Unnecessary]
    assert by_rule["unknown-field"].code == "P002" and by_rule["unknown-field"].severity == T.DiagnosticSeverity.Error
    assert by_rule["deprecated-field"].severity == T.DiagnosticSeverity.Information
    from protolint.api import default_registry

    explain = default_registry().lookup("unknown-field").documentation()
    described = client.capabilities.text_document.publish_diagnostics.code_description_support
    if described:
        href = by_rule["unknown-field"].code_description.href
        assert href.startswith("file://") and Path(href[len("file://"):]).read_text().strip() == explain.strip()
    # Hovering over the finding shows `protolint explain unknown-field`.
    hover = await client.text_document_hover_async(T.HoverParams(
        text_document=doc_id(uri), position=by_rule["unknown-field"].range.start))
    assert explain in hover.contents.value
    close_doc(client, uri)


async def test_pull_reports_unchanged_until_the_text_changes(client: LanguageClient, folder):
    if not pulls(client):
        pytest.skip("a push client")
    _, uri = write(folder, "pull.prototxt", TEXT)
    open_doc(client, uri, TEXT)
    first = await client.text_document_diagnostic_async(T.DocumentDiagnosticParams(text_document=doc_id(uri)))
    again = await client.text_document_diagnostic_async(T.DocumentDiagnosticParams(
        text_document=doc_id(uri), previous_result_id=first.result_id))
    assert first.kind == "full" and again.kind == "unchanged" and again.result_id == first.result_id
    change_doc(client, uri, TEXT + "\n", 2)
    third = await client.text_document_diagnostic_async(T.DocumentDiagnosticParams(
        text_document=doc_id(uri), previous_result_id=first.result_id))
    assert third.kind == "full" and third.result_id != first.result_id
    assert not [uri for p in client.published if p.uri == uri]  # nothing pushed to a client that pulls
    close_doc(client, uri)


async def test_rapid_edits_publish_only_the_current_version(client: LanguageClient, folder):
    text = big_net(300_000)
    _, uri = write(folder, "burst.prototxt", text)
    open_doc(client, uri, text)
    await diagnostics(client, uri, 1)
    start_count = len(client.published)
    for version in range(2, 12):
        change_doc(client, uri, text.replace('num_output: 8', f'num_output: {version}', 1), version)
        await asyncio.sleep(0.005)
    broken = text.replace('type: "ReLU"', 'type: "Relu"', 1)
    change_doc(client, uri, broken, 12)
    items = await diagnostics(client, uri, 12)
    assert [d.data["rule"] for d in items] == ["unknown-layer-type"]
    if not pulls(client):
        await asyncio.sleep(0.3)
        published = [p.version for p in client.published[start_count:] if p.uri == uri]
        assert published[-1] == 12
        assert published == sorted(published)  # never an older version after a newer one
        assert len(published) < 6, published  # superseded runs are dropped, not all published
    close_doc(client, uri)


async def test_a_pull_can_be_cancelled(client: LanguageClient, folder):
    if not pulls(client):
        pytest.skip("a push client")
    text = big_net(1_500_000)
    _, uri = write(folder, "slow.prototxt", text)
    open_doc(client, uri, text)
    # (pytest-lsp's send_request_async is a coroutine: it sends only once it runs)
    request = asyncio.ensure_future(client.protocol.send_request_async(T.TEXT_DOCUMENT_DIAGNOSTIC, T.DocumentDiagnosticParams(
        text_document=doc_id(uri)), msg_id="pull-to-cancel"))
    await asyncio.sleep(0.2)
    client.protocol.notify(T.CANCEL_REQUEST, T.CancelParams(id="pull-to-cancel"))
    with pytest.raises(JsonRpcRequestCancelled):
        await asyncio.wait_for(request, 10)
    close_doc(client, uri)


def _garbage(seed: int, size: int) -> str:
    rng = random.Random(seed)
    return bytes(rng.randrange(256) for _ in range(size)).decode("utf-8", "surrogateescape")


@pytest.mark.parametrize("name, text", [
    ("empty", ""),
    ("binary", _garbage(1, 4000)),
    ("nul and controls", "layer {\x00 name: \"a\x01\" \x1b[31m }\n\x7f\x08"),
    ("half typed", 'layer {\n  name: "conv1\n  type: "Convol\n  convolution_param { num_output: \n  bottom: [\n'),
    ("unbalanced", "}}}}>>>{{{{<<<[[[ ::: ,,, ;;; " * 50),
    ("deep", "a {" * 3000 + "}" * 3000),
    ("only comments", "# a\n#\n# protolint: disable=\n# protolint: nonsense\n"),
    ("lone surrogates", 'name: "\udcff\ud800\udfff"\n'),
])
async def test_bad_input_never_takes_the_server_down(client: LanguageClient, folder, name, text):
    uri = (folder / f"bad-{name.replace(' ', '-')}.prototxt").as_uri()
    open_doc(client, uri, text)
    items = await diagnostics(client, uri, 1)
    assert isinstance(items, list)
    for request in (
        client.text_document_hover_async(T.HoverParams(text_document=doc_id(uri), position=T.Position(line=0, character=3))),
        client.text_document_completion_async(T.CompletionParams(text_document=doc_id(uri), position=T.Position(line=1, character=5))),
        client.text_document_document_symbol_async(T.DocumentSymbolParams(text_document=doc_id(uri))),
        client.text_document_inlay_hint_async(T.InlayHintParams(text_document=doc_id(uri), range=T.Range(
            start=T.Position(line=0, character=0), end=T.Position(line=99, character=0)))),
        client.text_document_code_action_async(T.CodeActionParams(text_document=doc_id(uri), range=T.Range(
            start=T.Position(line=0, character=0), end=T.Position(line=5, character=0)), context=T.CodeActionContext(diagnostics=[]))),
    ):
        await asyncio.wait_for(request, 30)
    close_doc(client, uri)


async def test_a_huge_document(client: LanguageClient, folder):
    text = big_net(2_000_000)
    uri = (folder / "huge.prototxt").as_uri()
    open_doc(client, uri, text)
    assert await diagnostics(client, uri, 1) == []
    hints = await client.text_document_inlay_hint_async(T.InlayHintParams(text_document=doc_id(uri), range=T.Range(
        start=T.Position(line=0, character=0), end=T.Position(line=40, character=0))))
    assert [h.label for h in hints][:3] == ["1×3×32×32", "1×8×32×32", "1×8×32×32"]
    close_doc(client, uri)


async def test_unknown_requests_are_answered(client: LanguageClient, folder):
    with pytest.raises(JsonRpcMethodNotFound):
        await asyncio.wait_for(client.protocol.send_request_async("protolint/noSuchRequest", {"x": 1}), 10)
    client.protocol.notify("protolint/noSuchNotification", {"x": 1})
    client.protocol.notify("$/noSuchThing", None)
    # Requests about documents the server was never told about.
    uri = (folder / "never-opened.prototxt").as_uri()
    assert await client.text_document_hover_async(T.HoverParams(text_document=doc_id(uri), position=T.Position(line=0, character=0))) is None
    position = position_of(TEXT, "kernal_size")
    assert not await client.text_document_definition_async(T.DefinitionParams(text_document=doc_id(uri), position=position))
    if pulls(client):
        report = await client.text_document_diagnostic_async(T.DocumentDiagnosticParams(text_document=doc_id(uri)))
        assert list(report.items) == []


@pytest.mark.parametrize("name", CLIENTS)
async def test_shutdown_and_exit_are_clean(name, folder):
    client = await config().start()
    await start(client, name, root=folder)
    uri = (folder / "exit.prototxt").as_uri()
    open_doc(client, uri, TEXT)
    await diagnostics(client, uri, 1)
    await client.shutdown_async(None)
    client.exit(None)
    code = await asyncio.wait_for(client._server.wait(), 10)
    assert code == 0
    await client.stop()


CRASHING_SERVER = [sys.executable, "-c", (
    "import protolint.server.analysis as analysis\n"
    "real = analysis.lint_inputs\n"
    "def lint_inputs(inputs, options_for):\n"
    "    if any('crash' in item.display for item in inputs):\n"
    "        raise RuntimeError('a rule broke')\n"
    "    return real(inputs, options_for)\n"
    "analysis.lint_inputs = lint_inputs\n"
    "from protolint.server.app import main\n"
    "main()\n")]


async def test_a_failing_lint_is_reported_and_the_server_carries_on(folder):
    from pytest_lsp import ClientServerConfig

    from tests.server.kit import make_client

    client = await ClientServerConfig(server_command=CRASHING_SERVER, client_factory=make_client).start()
    await start(client, "neovim", root=folder)
    uri = (folder / "crash.prototxt").as_uri()
    open_doc(client, uri, TEXT)
    [item] = await diagnostics(client, uri, 1)
    assert item.code == "internal-error" and "RuntimeError: a rule broke" in item.message
    hover = await client.text_document_hover_async(T.HoverParams(text_document=doc_id(uri), position=T.Position(line=1, character=1)))
    assert hover is None
    other = (folder / "fine.prototxt").as_uri()
    open_doc(client, other, TEXT)
    assert len(await diagnostics(client, other, 1)) > 3
    await client.shutdown_session()
    await client.stop()
