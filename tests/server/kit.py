"""Helpers for the language server's end-to-end tests: a pytest-lsp client that also records every
publishDiagnostics with its version and every capability registration, recorded editor
capabilities (VS Code 1.65.2 pushes, Neovim 0.11 pulls and negotiates UTF-8), and waiting for
diagnostics the same way whichever way the client gets them.

Import it as `from tests.server.kit import ...`.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("pytest_lsp", reason="the language server tests need pytest-lsp (pip install -e '.[test,server]')")

from lsprotocol import types as T  # noqa: E402
from pygls.protocol import default_converter  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features  # noqa: E402

REPOSITORY = Path(__file__).resolve().parents[2]
SERVER = [sys.executable, "-m", "protolint", "server"]
CLIENTS = ["visual_studio_code", "neovim"]
TIMEOUT = 30.0


def make_client() -> LanguageClient:
    client = LanguageClient(converter_factory=default_converter)
    features = dict(DEFAULT_CLIENT_FEATURES)

    def publish(client: LanguageClient, params: T.PublishDiagnosticsParams):
        client.diagnostics[params.uri] = params.diagnostics
        client.published.append(params)

    def register(client: LanguageClient, params: T.RegistrationParams):
        client.registrations.append(params)

    features[T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish
    features[T.CLIENT_REGISTER_CAPABILITY] = register
    register_lsp_features(client, features)
    client.published = []
    client.registrations = []
    client.opened_at = {}
    return client


def config(env: dict | None = None) -> ClientServerConfig:
    environment = dict(os.environ)
    environment.update(env or {})
    return ClientServerConfig(server_command=SERVER, client_factory=make_client, server_env=environment)


def capabilities(name: str) -> T.ClientCapabilities:
    return client_capabilities(name)


def pulls(client: LanguageClient) -> bool:
    return client.capabilities is not None and client.capabilities.text_document is not None \
        and client.capabilities.text_document.diagnostic is not None


def encoding_of(client: LanguageClient) -> str:
    general = client.capabilities.general if client.capabilities else None
    offered = general.position_encodings if general and general.position_encodings else ["utf-16"]
    return str(getattr(offered[0], "value", offered[0]))


async def start(client: LanguageClient, name: str, root: Path | None = None, options=None, **extra) -> T.InitializeResult:
    caps = capabilities(name) if name in CLIENTS or "@" in name else T.ClientCapabilities()
    folders = [T.WorkspaceFolder(uri=root.as_uri(), name=root.name)] if root else None
    return await client.initialize_session(T.InitializeParams(
        capabilities=caps, workspace_folders=folders, root_uri=root.as_uri() if root else None,
        initialization_options=options, **extra))


def open_doc(client: LanguageClient, uri: str, text: str, version: int = 1) -> None:
    client.opened_at[uri] = len(client.published)  # pushes from before (an earlier open) do not count
    client.text_document_did_open(T.DidOpenTextDocumentParams(
        text_document=T.TextDocumentItem(uri=uri, language_id="prototxt", version=version, text=text)))


def change_doc(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(T.DidChangeTextDocumentParams(
        text_document=T.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[T.TextDocumentContentChangeWholeDocument(text=text)]))


def close_doc(client: LanguageClient, uri: str) -> None:
    client.text_document_did_close(T.DidCloseTextDocumentParams(text_document=T.TextDocumentIdentifier(uri=uri)))


async def wait_until(predicate, timeout: float = TIMEOUT, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


def last_publish(client: LanguageClient, uri: str, version: int | None = None):
    for params in reversed(client.published[client.opened_at.get(uri, 0):]):
        if params.uri == uri and (version is None or params.version == version):
            return params
    return None


async def diagnostics(client: LanguageClient, uri: str, version: int | None = None) -> list[T.Diagnostic]:
    """The server's diagnostics for `uri` (at `version`): pulled when the client pulls, else the
    push for that version."""
    if pulls(client):
        report = await asyncio.wait_for(client.text_document_diagnostic_async(
            T.DocumentDiagnosticParams(text_document=T.TextDocumentIdentifier(uri=uri))), TIMEOUT)
        return list(report.items)
    params = await wait_until(lambda: last_publish(client, uri, version), what=f"diagnostics of {uri} v{version}")
    return list(params.diagnostics)


def position_of(text: str, needle: str, encoding: str = "utf-16", occurrence: int = 0, delta: int = 0) -> T.Position:
    """The LSP position of the `occurrence`-th `needle` in `text` (+delta characters), computed
    independently of the server: lines on \\n, \\r\\n and \\r; columns in the encoding's units."""
    offset = -1
    for _ in range(occurrence + 1):
        offset = text.index(needle, offset + 1)
    return offset_position(text, offset + delta, encoding)


def offset_position(text: str, offset: int, encoding: str = "utf-16") -> T.Position:
    line, start, i = 0, 0, 0
    while i < offset:
        char = text[i]
        if char == "\r" and i + 1 < len(text) and text[i + 1] == "\n":
            if i + 1 >= offset:
                break
            i += 2
            line, start = line + 1, i
            continue
        if char in "\r\n":
            line, start = line + 1, i + 1
        i += 1
    return T.Position(line=line, character=code_units(text[start:offset], encoding))


def _lsp_line_starts(text: str) -> list[int]:
    starts, i = [0], 0
    while i < len(text):
        if text[i] == "\r" and i + 1 < len(text) and text[i + 1] == "\n":
            i += 2
            starts.append(i)
        elif text[i] in "\r\n":
            i += 1
            starts.append(i)
        else:
            i += 1
    return starts


def position_offset(text: str, position: T.Position, encoding: str = "utf-16", starts: list[int] | None = None) -> int:
    starts = starts or _lsp_line_starts(text)
    if position.line >= len(starts):
        return len(text)
    i, counted = starts[position.line], 0
    while i < len(text) and text[i] not in "\r\n" and counted < position.character:
        counted += code_units(text[i], encoding)
        i += 1
    return i


def code_units(text: str, encoding: str) -> int:
    if encoding == "utf-32":
        return len(text)
    if encoding == "utf-16":
        return sum(2 if ord(c) > 0xFFFF else 1 for c in text)
    return sum(1 if ord(c) < 0x80 or 0xDC80 <= ord(c) <= 0xDCFF else 2 if ord(c) < 0x800 else 3 if ord(c) < 0x10000 else 4
               for c in text)


def doc_id(uri: str) -> T.TextDocumentIdentifier:
    return T.TextDocumentIdentifier(uri=uri)


# --- the command line's findings, to compare with -------------------------------------------------


def cli_json(paths, cwd: Path, *args: str) -> list[dict]:
    """`protolint --format json PATH...` run from `cwd` (in this process, through the CLI itself)."""
    import json

    from click.testing import CliRunner

    from protolint.cli import main

    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, ["check", "--format", "json", "--fail-on", "never", *args, *map(str, paths)])
    finally:
        os.chdir(old)
    assert result.exit_code == 0, (result.output, repr(result.exception))
    return json.loads(result.stdout)["diagnostics"]


SEVERITY_NAMES = {1: "error", 2: "warning", 3: "information"}


def _line_column(text: str, offset: int) -> tuple[int, int]:
    """protolint's 1-based line and column of an offset into the editor's text (lines on \\n only,
    columns in characters, a byte order mark not counted)."""
    if text.startswith("\ufeff"):
        text, offset = text[1:], max(offset - 1, 0)
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def as_json(items, text: str, encoding: str) -> list[tuple]:
    """LSP diagnostics in the JSON reporter's terms, sorted: positions converted back independently."""
    found = []
    starts = _lsp_line_starts(text)
    for d in items:
        start = _line_column(text, position_offset(text, d.range.start, encoding, starts))
        end = _line_column(text, position_offset(text, d.range.end, encoding, starts))
        severity = {1: "error", 2: "warning", 3: "info"}[d.severity.value]
        related = tuple(sorted((*_line_column(text, position_offset(text, r.location.range.start, encoding, starts)), r.message)
                               for r in d.related_information or []))
        found.append((*start, *end, severity, d.code, (d.data or {}).get("rule"), d.message, related))
    return sorted(found)


def json_terms(diagnostics: list[dict], with_related: bool = True) -> list[tuple]:
    return sorted((d["line"], d["column"], d["end_line"], d["end_column"], d["severity"], d["code"], d["rule"], d["message"],
                   tuple(sorted((r["line"], r["column"], r["message"]) for r in d["related"])) if with_related else ())
                  for d in diagnostics)


LAYER = """layer {{
  name: "conv{i}"
  type: "Convolution"
  bottom: "{bottom}"
  top: "conv{i}"
  convolution_param {{ num_output: 8 kernel_size: 3 pad: 1 weight_filler {{ type: "msra" }} bias_filler {{ type: "constant" }} }}
}}
layer {{
  name: "relu{i}"
  type: "ReLU"
  bottom: "conv{i}"
  top: "conv{i}"
}}
"""
HEAD = 'name: "big"\nlayer {\n  name: "data"\n  type: "Input"\n  top: "data"\n  input_param { shape { dim: 1 dim: 3 dim: 32 dim: 32 } }\n}\n'


def big_net(min_bytes: int) -> str:
    """A valid net of at least `min_bytes` (conv + ReLU blocks on a 1x3x32x32 input)."""
    parts, size, i, bottom = [HEAD], len(HEAD), 0, "data"
    while size < min_bytes:
        block = LAYER.format(i=i, bottom=bottom)
        parts.append(block)
        size += len(block)
        bottom, i = f"conv{i}", i + 1
    return "".join(parts)


def edits_of(edit: T.WorkspaceEdit, uri: str) -> list[T.TextEdit]:
    if edit.document_changes:
        return [e for change in edit.document_changes if change.text_document.uri == uri for e in change.edits]
    return list((edit.changes or {}).get(uri, []))


def apply_edits(text: str, edits, encoding: str) -> str:
    """`text` with LSP TextEdits applied (positions converted independently of the server)."""
    starts = _lsp_line_starts(text)
    spans = sorted(((position_offset(text, e.range.start, encoding, starts), position_offset(text, e.range.end, encoding, starts),
                     e.new_text) for e in edits), reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text
