"""Solver <-> net: a net's findings depend on the solver that trains it. A solver found in the
workspace folder or open in the editor links its nets; editing the solver (unsaved) re-lints the
open net, editing the net re-lints the solver; the findings are those of
`protolint solver.prototxt net.prototxt` on the same texts. Pull clients get a refresh."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as T

from tests.server.kit import (LanguageClient, as_json, capabilities, change_doc, cli_json, close_doc, config,
                              diagnostics, encoding_of, json_terms, last_publish, open_doc, pulls, wait_until)

pytestmark = pytest.mark.asyncio(loop_scope="module")

NET = """name: "x"
layer {
  name: "data"
  type: "Input"
  top: "data"
  top: "label"
  input_param { shape { dim: 4 dim: 3 dim: 8 dim: 8 } shape { dim: 4 } }
  include { phase: TRAIN }
}
layer {
  name: "data"
  type: "Input"
  top: "data"
  top: "label"
  input_param { shape { dim: 2 dim: 3 dim: 8 dim: 8 } shape { dim: 2 } }
  include { phase: TEST stage: "val" }
}
layer {
  name: "ip"
  type: "InnerProduct"
  bottom: "data"
  top: "ip"
  inner_product_param { num_output: 10 weight_filler { type: "xavier" } bias_filler { type: "constant" } }
}
layer {
  name: "loss"
  type: "SoftmaxWithLoss"
  bottom: "ip"
  bottom: "label"
  top: "loss"
}
"""
SOLVER = """net: "net.prototxt"
test_iter: 10
test_interval: 100
test_state { stage: "val" }
base_lr: 0.01
lr_policy: "fixed"
max_iter: 1000
snapshot: 500
snapshot_prefix: "snap"
solver_mode: CPU
"""
UNTESTED_SOLVER = SOLVER.replace("test_iter: 10\ntest_interval: 100\ntest_state { stage: \"val\" }\n", "")

# VS Code pushes; Neovim pulls without refresh; a client that pulls and accepts refreshes.
VARIANTS = ["visual_studio_code", "neovim", "pull-with-refresh"]


def _caps(name: str) -> T.ClientCapabilities:
    if name != "pull-with-refresh":
        return capabilities(name)
    caps = capabilities("visual_studio_code")
    caps.text_document.diagnostic = T.DiagnosticClientCapabilities(related_information=True)
    caps.workspace.diagnostics = T.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    return caps


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("crossfile")
    for name, solver in (("a", SOLVER), ("b", SOLVER), ("c", UNTESTED_SOLVER)):
        (root / name).mkdir()
        (root / name / "net.prototxt").write_text(NET)
        (root / name / "solver.prototxt").write_text(solver)
    return root


@pytest_lsp.fixture(config=config(), params=VARIANTS, scope="module")
async def client(request, lsp_client: LanguageClient, root):
    result = await lsp_client.initialize_session(T.InitializeParams(
        capabilities=_caps(request.param), workspace_folders=[T.WorkspaceFolder(uri=root.as_uri(), name="ws")]))
    assert result.capabilities.diagnostic_provider.inter_file_dependencies is True
    yield
    await lsp_client.shutdown_session()


def expected_for(root: Path, files: dict[str, str], target: str) -> list[tuple]:
    """The command line's findings for `target` when `files` (name -> text) are linted together,
    run from a copy of the folder (relative paths, so messages name the same files)."""
    mirror = root.parent / f"mirror-{root.name}"
    shutil.rmtree(mirror, ignore_errors=True)
    mirror.mkdir()
    for name, text in files.items():
        (mirror / name).write_text(text)
    return json_terms([d for d in cli_json(list(files), mirror) if d["path"] == target])


async def test_a_net_gets_the_findings_of_the_solver_found_in_the_workspace(client: LanguageClient, root):
    folder = root / "a"
    uri = (folder / "net.prototxt").as_uri()
    open_doc(client, uri, NET)
    items = await diagnostics(client, uri, 1)
    cwd = folder  # the server runs from the workspace folder; messages name files relative to it
    expected = json_terms([d for d in cli_json(["a/solver.prototxt", "a/net.prototxt"], root) if d["path"] == "a/net.prototxt"])
    assert as_json(items, NET, encoding_of(client)) == expected
    assert [(d[6]) for d in expected] == ["input-layer-in-cli-train-net"]  # a trained net: only with the solver
    assert json_terms(cli_json(["net.prototxt"], cwd)) == []  # the net alone has none
    close_doc(client, uri)


async def test_editing_the_solver_relints_the_open_net(client: LanguageClient, root):
    folder = root / "b"
    net_uri, solver_uri = (folder / "net.prototxt").as_uri(), (folder / "solver.prototxt").as_uri()
    open_doc(client, net_uri, NET)
    open_doc(client, solver_uri, SOLVER)
    before = await diagnostics(client, net_uri, 1)
    assert [d.data["rule"] for d in before] == ["input-layer-in-cli-train-net"]
    refreshes = client.diagnostic_refresh_count
    published = len(client.published)

    edited = SOLVER.replace('stage: "val"', 'stage: "test"')  # unsaved: the editor's text wins
    change_doc(client, solver_uri, edited, 2)
    if pulls(client):
        await diagnostics(client, solver_uri, 2)
        if client.capabilities.workspace.diagnostics is not None:
            await wait_until(lambda: client.diagnostic_refresh_count > refreshes, what="a diagnostic refresh")
    else:
        # The net's new findings are pushed (with the same lint as the solver's version 2) although
        # the net itself did not change.
        def pushed_after_edit():
            pushes = client.published[published:]
            done = [i for i, p in enumerate(pushes) if p.uri == solver_uri and p.version == 2]
            return done and any(p.uri == net_uri for p in pushes[done[0]:])

        await wait_until(pushed_after_edit, what="a push for the net")
    after = await diagnostics(client, net_uri, 1)
    rules = sorted(d.data["rule"] for d in after)
    assert rules == ["input-layer-in-cli-train-net", "unknown-bottom", "unknown-bottom"]
    expected = expected_for(root, {"solver.prototxt": edited, "net.prototxt": NET}, "net.prototxt")
    assert as_json(after, NET, encoding_of(client)) == expected
    if not pulls(client):
        assert last_publish(client, net_uri).version == 1
    close_doc(client, solver_uri)
    close_doc(client, net_uri)


async def test_editing_the_net_relints_the_solver(client: LanguageClient, root):
    folder = root / "c"
    net_uri, solver_uri = (folder / "net.prototxt").as_uri(), (folder / "solver.prototxt").as_uri()
    open_doc(client, solver_uri, UNTESTED_SOLVER)
    open_doc(client, net_uri, NET)
    before = await diagnostics(client, solver_uri, 1)
    assert "generic-net-no-test-iter" in {d.data["rule"] for d in before}
    published = len(client.published)
    edited = NET.replace('  include { phase: TEST stage: "val" }\n', "").replace('  include { phase: TRAIN }\n', "")
    edited = edited.replace('layer {\n  name: "data"', 'layer {\n  name: "data2"', 1)
    change_doc(client, net_uri, edited, 2)
    await diagnostics(client, net_uri, 2)
    if not pulls(client):
        def pushed_after_edit():
            pushes = client.published[published:]
            done = [i for i, p in enumerate(pushes) if p.uri == net_uri and p.version == 2]
            return done and any(p.uri == solver_uri for p in pushes[done[0]:] + pushes[max(done[0] - 1, 0):done[0]])

        await wait_until(pushed_after_edit, what="a push for the solver")
    after = await diagnostics(client, solver_uri, 1)
    assert "generic-net-no-test-iter" not in {d.data["rule"] for d in after}
    expected = expected_for(root, {"solver.prototxt": UNTESTED_SOLVER, "net.prototxt": edited}, "solver.prototxt")
    assert as_json(after, UNTESTED_SOLVER, encoding_of(client)) == expected
    # Closing the net: the solver reads it from disk again (the unsaved edit is gone).
    close_doc(client, net_uri)
    await asyncio.sleep(0.2)
    again = await diagnostics(client, solver_uri, 1) if pulls(client) else None
    if again is not None:
        assert "generic-net-no-test-iter" in {d.data["rule"] for d in again}
    # The net changes on disk (another program saved it): the solver's next lint reads it again.
    (folder / "net.prototxt").write_text(edited)
    published = len(client.published)
    client.text_document_did_save(T.DidSaveTextDocumentParams(text_document=T.TextDocumentIdentifier(uri=solver_uri)))
    if pulls(client):
        await asyncio.sleep(0.3)
    else:
        await wait_until(lambda: any(p.uri == solver_uri for p in client.published[published:]), what="a push after save")
    assert "generic-net-no-test-iter" not in {d.data["rule"] for d in await diagnostics(client, solver_uri, 1)}
    (folder / "net.prototxt").write_text(NET)
    close_doc(client, solver_uri)
