"""Positions in UTF-16 (VS Code), UTF-8 (Neovim 0.11) and UTF-32, on text with CRLF, a lone CR,
tabs, emoji, form feeds, U+2028 and undecodable bytes: every range points at the characters it is
about, and edits made from them land where they should."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as T

from tests.server.kit import (LanguageClient, apply_edits, capabilities, close_doc, config, diagnostics, doc_id,
                              edits_of, encoding_of, open_doc, position_of, position_offset)

pytestmark = pytest.mark.asyncio(loop_scope="module")

TEXT = (
    "# 🙂 emoji, 中文 and é in a comment\r\n"
    'name: "né🙂t"\r\n'
    "layer {\x0c name: \"in🙂\"\r\n"
    '\ttype: "Input"  # a U+2028 here:\u2028 is not a line break\r\n'
    '\ttop: "in🙂"\r\n'
    "\tinput_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } }\r\n"
    "}\r\n"
    'layer {\r\n\tname: "c🙂nv"  # \udcff\udcfe bytes that are not UTF-8\r\n\ttype: "Convolution"\r\n'
    '\tbottom: "in🙂"\r\n\ttop: "c🙂nv"\r\n'
    "\tconvolution_param { num_output: 4 𝔘 kernal_size: 3 weight_filler { type: \"msra\" } }\r\n"
    "}\r\n"
    'layer { name: "r" type: "relu" bottom: "c🙂nv" top: "c🙂nv" }\r'  # a lone CR ends this line for LSP only
    "layer { name: \"s\" type: \"Softmax\" bottom: \"c🙂nv\" top: \"s\" }\n"
)

ENCODINGS = ["visual_studio_code", "neovim", "utf-32"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("positions")


@pytest_lsp.fixture(config=config(), params=ENCODINGS, scope="module")
async def client(request, lsp_client: LanguageClient, folder):
    if request.param == "utf-32":
        caps = capabilities("neovim")
        caps.general.position_encodings = [T.PositionEncodingKind.Utf32]
    else:
        caps = capabilities(request.param)
    result = await lsp_client.initialize_session(T.InitializeParams(
        capabilities=caps, workspace_folders=[T.WorkspaceFolder(uri=folder.as_uri(), name="p")]))
    assert result.capabilities.position_encoding == encoding_of(lsp_client)
    yield
    await lsp_client.shutdown_session()


def covered(text: str, d, encoding: str) -> str:
    return text[position_offset(text, d.range.start, encoding):position_offset(text, d.range.end, encoding)]


async def test_diagnostic_ranges_cover_their_text(client: LanguageClient, folder):
    uri = (folder / "positions.prototxt").as_uri()
    encoding = encoding_of(client)
    open_doc(client, uri, TEXT)
    items = {d.data["rule"]: d for d in await diagnostics(client, uri, 1)}
    assert covered(TEXT, items["unknown-field"], encoding) == "kernal_size"
    assert covered(TEXT, items["unknown-layer-type"], encoding) == '"relu"'
    assert covered(TEXT, items["syntax-error"], encoding) == "𝔘"
    # The lone CR: protolint reads one line, LSP two; the second LSP line is the Softmax layer.
    assert items["unknown-layer-type"].range.start.line == TEXT[:TEXT.index('"relu"')].count("\n")
    close_doc(client, uri)


async def test_requests_at_positions_after_wide_characters(client: LanguageClient, folder):
    uri = (folder / "requests.prototxt").as_uri()
    encoding = encoding_of(client)
    open_doc(client, uri, TEXT)
    await diagnostics(client, uri, 1)
    hover = await client.text_document_hover_async(T.HoverParams(
        text_document=doc_id(uri), position=position_of(TEXT, 'bottom: "in🙂"', encoding, delta=12)))
    assert "**blob `in🙂`**" in hover.contents.value and "| TEST | `in🙂` (Input) | 1×3×8×8 |" in hover.contents.value
    assert hover.range.start == position_of(TEXT, '"in🙂"', encoding, 2)
    found = await client.text_document_definition_async(T.DefinitionParams(
        text_document=doc_id(uri), position=position_of(TEXT, 'bottom: "in🙂"', encoding, delta=11)))
    assert [covered(TEXT, location, encoding) for location in found] == ['"in🙂"']
    assert found[0].range.start == position_of(TEXT, '"in🙂"', encoding, 1)
    hints = await client.text_document_inlay_hint_async(T.InlayHintParams(text_document=doc_id(uri), range=T.Range(
        start=T.Position(line=0, character=0), end=T.Position(line=99, character=0))))
    positions = {h.label: h.position for h in hints}
    assert positions["1×3×8×8"] == position_of(TEXT, 'top: "in🙂"', encoding, delta=len('top: "in🙂"'))
    edit = await client.text_document_rename_async(T.RenameParams(
        text_document=doc_id(uri), position=position_of(TEXT, '"c🙂nv"', encoding, 2, delta=3), new_name="c😀x"))
    renamed = apply_edits(TEXT, edits_of(edit, uri), encoding)
    assert renamed == TEXT.replace('"c🙂nv"', '"c😀x"').replace('name: "c😀x"', 'name: "c🙂nv"')
    actions = await client.text_document_code_action_async(T.CodeActionParams(
        text_document=doc_id(uri), range=T.Range(start=position_of(TEXT, "kernal_size", encoding),
                                                 end=position_of(TEXT, "kernal_size", encoding)),
        context=T.CodeActionContext(diagnostics=[])))
    [disable] = [a for a in actions if a.title.endswith("Disable unknown-field for this line")]
    fixed = apply_edits(TEXT, edits_of(disable.edit, uri), encoding)
    assert '} }  # protolint: disable=unknown-field\r\n}' in fixed
    completion = await client.text_document_completion_async(T.CompletionParams(
        text_document=doc_id(uri), position=position_of(TEXT, "kernal_size", encoding, delta=3)))
    item = next(i for i in completion.items if i.label == "kernel_size")
    assert item.text_edit.range.start == position_of(TEXT, "kernal_size", encoding)
    close_doc(client, uri)
