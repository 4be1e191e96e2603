"""Navigation and inlay hints: the outline (layers; a solver's settings), definition from a bottom to
the top that produces it, references and rename of a blob following the states, a solver's net
path to the file, and the inferred shape after each top."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as T

from tests.server.kit import (CLIENTS, LanguageClient, apply_edits, close_doc, config, diagnostics, doc_id, edits_of,
                              encoding_of, open_doc, position_of, start)
from tests.server.nets import DEPLOY, PHASED, SOLVER

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("navigation")
    (folder / "phased.prototxt").write_text(PHASED)
    (folder / "deploy.prototxt").write_text(DEPLOY)
    (folder / "solver.prototxt").write_text(SOLVER)
    return folder


@pytest_lsp.fixture(config=config(), params=CLIENTS, scope="module")
async def client(request, lsp_client: LanguageClient, folder):
    await start(lsp_client, request.param, root=folder)
    yield
    await lsp_client.shutdown_session()


async def opened(client, folder, name, text):
    uri = (folder / name).as_uri()
    open_doc(client, uri, text)
    await diagnostics(client, uri, 1)
    return uri


def at(client, text, needle, occurrence=0, delta=1):
    return position_of(text, needle, encoding_of(client), occurrence, delta)


def lines(locations) -> list[int]:
    return sorted(location.range.start.line for location in locations)


def line_of(text: str, needle: str, occurrence: int = 0) -> int:
    offset = -1
    for _ in range(occurrence + 1):
        offset = text.index(needle, offset + 1)
    return text.count("\n", 0, offset)


async def test_outline(client: LanguageClient, folder):
    uri = await opened(client, folder, "phased.prototxt", PHASED)
    symbols = await client.text_document_document_symbol_async(T.DocumentSymbolParams(text_document=doc_id(uri)))
    names = [s.name for s in symbols]
    assert names == ["name", "data", "data", "conv1", "relu1", "pool1", "fc", "loss", "prob"]
    conv = symbols[3]
    assert conv.detail == "Convolution data → conv1" and conv.kind == T.SymbolKind.Class
    assert conv.selection_range.start.line == line_of(PHASED, 'name: "conv1"')
    assert conv.range.start.line == conv.selection_range.start.line - 1
    solver = await opened(client, folder, "solver.prototxt", SOLVER)
    symbols = await client.text_document_document_symbol_async(T.DocumentSymbolParams(text_document=doc_id(solver)))
    assert [s.name for s in symbols][:4] == ["net", "test_iter", "test_interval", "base_lr"]
    assert symbols[3].detail == "0.01" and symbols[3].kind == T.SymbolKind.Property
    close_doc(client, solver)
    close_doc(client, uri)


async def test_definition_from_a_bottom_to_its_producers(client: LanguageClient, folder):
    uri = await opened(client, folder, "phased.prototxt", PHASED)
    found = await client.text_document_definition_async(T.DefinitionParams(
        text_document=doc_id(uri), position=at(client, PHASED, 'bottom: "data"', delta=10)))
    # One producer per state: the TEST Input and the TRAIN DummyData.
    assert lines(found) == [line_of(PHASED, 'top: "data"', 0), line_of(PHASED, 'top: "data"', 1)]
    found = await client.text_document_definition_async(T.DefinitionParams(
        text_document=doc_id(uri), position=at(client, PHASED, 'bottom: "conv1"', 1, delta=10)))
    assert lines(found) == [line_of(PHASED, 'top: "conv1"', 1)]  # the in-place ReLU's top
    found = await client.text_document_definition_async(T.DefinitionParams(
        text_document=doc_id(uri), position=at(client, PHASED, 'top: "conv1"', 1, delta=7)))
    assert lines(found) == [line_of(PHASED, 'top: "conv1"', 0)]  # in place: the blob it rewrites
    close_doc(client, uri)


async def test_definition_of_a_solvers_net_path(client: LanguageClient, folder):
    uri = await opened(client, folder, "solver.prototxt", SOLVER)
    found = await client.text_document_definition_async(T.DefinitionParams(
        text_document=doc_id(uri), position=at(client, SOLVER, "phased.prototxt", delta=2)))
    assert [location.uri for location in found] == [(folder / "phased.prototxt").as_uri()]
    close_doc(client, uri)


async def test_references_follow_the_blob_not_the_name(client: LanguageClient, folder):
    uri = await opened(client, folder, "deploy.prototxt", DEPLOY)
    found = await client.text_document_references_async(T.ReferenceParams(
        text_document=doc_id(uri), position=at(client, DEPLOY, 'top: "conv1"', delta=7),
        context=T.ReferenceContext(include_declaration=True)))
    # conv1's top, the in-place ReLU's bottom and top, conv2's bottom; not the later "again" top
    # that redefines the name, nor prob, which reads that one.
    assert lines(found) == sorted([line_of(DEPLOY, 'top: "conv1"', 0), line_of(DEPLOY, 'bottom: "conv1"', 0),
                                   line_of(DEPLOY, 'top: "conv1"', 1), line_of(DEPLOY, 'bottom: "conv1"', 1)])
    found = await client.text_document_references_async(T.ReferenceParams(
        text_document=doc_id(uri), position=at(client, DEPLOY, 'top: "conv1"', delta=7),
        context=T.ReferenceContext(include_declaration=False)))
    assert lines(found) == sorted([line_of(DEPLOY, 'bottom: "conv1"', 0), line_of(DEPLOY, 'bottom: "conv1"', 1)])
    close_doc(client, uri)


async def test_rename_a_blob_across_states(client: LanguageClient, folder):
    uri = await opened(client, folder, "phased.prototxt", PHASED)
    position = at(client, PHASED, 'bottom: "data"', delta=10)
    prepared = await client.text_document_prepare_rename_async(T.PrepareRenameParams(text_document=doc_id(uri), position=position))
    assert prepared.placeholder == "data"
    assert prepared.range.start == at(client, PHASED, 'bottom: "data"', delta=9)
    edit = await client.text_document_rename_async(T.RenameParams(text_document=doc_id(uri), position=position, new_name="image"))
    renamed = apply_edits(PHASED, edits_of(edit, uri), encoding_of(client))
    assert renamed == PHASED.replace('top: "data"', 'top: "image"').replace('bottom: "data"', 'bottom: "image"')
    # Not a blob: nothing to rename.
    assert await client.text_document_prepare_rename_async(T.PrepareRenameParams(
        text_document=doc_id(uri), position=at(client, PHASED, "num_output"))) is None
    close_doc(client, uri)


async def test_rename_stops_at_a_redefinition(client: LanguageClient, folder):
    uri = await opened(client, folder, "deploy.prototxt", DEPLOY)
    edit = await client.text_document_rename_async(T.RenameParams(
        text_document=doc_id(uri), position=at(client, DEPLOY, 'bottom: "conv1"', 1, delta=10), new_name='we"ird'))
    renamed = apply_edits(DEPLOY, edits_of(edit, uri), encoding_of(client))
    assert renamed.count('"we\\"ird"') == 4 and renamed.count('"conv1"') == 3  # name and the redefinition
    close_doc(client, uri)


async def test_inlay_hints_show_the_inferred_shapes(client: LanguageClient, folder):
    uri = await opened(client, folder, "deploy.prototxt", DEPLOY)
    hints = await client.text_document_inlay_hint_async(T.InlayHintParams(text_document=doc_id(uri), range=T.Range(
        start=T.Position(line=0, character=0), end=T.Position(line=200, character=0))))
    shown = [(h.position.line, h.label) for h in hints]
    assert (line_of(DEPLOY, 'top: "data"'), "1×3×224×224") in shown
    assert (line_of(DEPLOY, 'top: "conv1"'), "1×64×112×112") in shown
    assert (line_of(DEPLOY, 'top: "conv2"'), "1×32×112×112") in shown
    first = hints[0]
    assert first.kind == T.InlayHintKind.Type and first.padding_left
    assert first.position == at(client, DEPLOY, 'top: "data"', delta=len('top: "data"'))
    # Only the requested range.
    some = await client.text_document_inlay_hint_async(T.InlayHintParams(text_document=doc_id(uri), range=T.Range(
        start=T.Position(line=0, character=0), end=T.Position(line=6, character=0))))
    assert [h.label for h in some] == ["1×3×224×224"]
    close_doc(client, uri)
    uri = await opened(client, folder, "phased.prototxt", PHASED)
    hints = await client.text_document_inlay_hint_async(T.InlayHintParams(text_document=doc_id(uri), range=T.Range(
        start=T.Position(line=0, character=0), end=T.Position(line=200, character=0))))
    labels = {h.position.line: h.label for h in hints}
    # The solver in the folder builds it: TRAIN, and one test net ("TEST #1").
    assert labels[line_of(PHASED, 'top: "conv1"')] == "TRAIN 8×64×112×112 · TEST #1 1×64×112×112"
    close_doc(client, uri)
