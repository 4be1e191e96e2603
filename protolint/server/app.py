"""The language server: lifecycle, document sync, settings, file watching and diagnostics.

Documents are synced in full (the whole text on every change): prototxt files are small, and
incremental sync would need a line index the client and server agree on exactly.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import sys
import time

from lsprotocol import types as T
from pygls.lsp.server import LanguageServer

from .. import __version__
from ..api import default_registry
from .analysis import RuleDocs
from .client import ClientView
from .scheduler import BURST_SECONDS, Scheduler
from .workspace import Workspace, normalize_settings, uri_to_path

log = logging.getLogger("protolint.server")
WATCHED = ("**/.protolint.toml", "**/pyproject.toml", "**/*.proto", "**/*.prototxt")
INDEX_WAIT = 2.0  # seconds the first lint waits for the workspace's solvers to be indexed
CONFIGURATION_WAIT = 3.0
POLL_SECONDS = 1.0


class ProtolintServer(LanguageServer):
    def __init__(self):
        super().__init__("protolint", __version__, text_document_sync_kind=T.TextDocumentSyncKind.Full)
        self.registry = default_registry()
        self.workspace_state = Workspace(self.registry)
        self.client = ClientView()
        self.rule_docs = RuleDocs(self.registry)
        self.scheduler: Scheduler | None = None
        self.poller: asyncio.Future | None = None

    def report_server_error(self, error, source):
        # Errors are logged, never shown as pop-ups for every keystroke.
        log.error("protolint server error: %s", error)


def build() -> ProtolintServer:
    server = ProtolintServer()
    _lifecycle(server)
    _documents(server)
    _diagnostics(server)
    from .features import actions, completion, hover, inlay, navigation

    for feature in (actions, hover, completion, navigation, inlay):
        feature.register(server)
    return server


def _lifecycle(server: ProtolintServer) -> None:
    @server.feature(T.INITIALIZE)
    def initialize(ls: ProtolintServer, params: T.InitializeParams):
        ls.client = ClientView.read(params.capabilities, ls.workspace.position_encoding)
        state = ls.workspace_state
        roots = [uri_to_path(f.uri) for f in params.workspace_folders or []]
        if not roots and params.root_uri:
            roots = [uri_to_path(params.root_uri)]
        elif not roots and params.root_path:
            roots = [params.root_path]
        state.roots = [r for r in roots if r and os.path.isdir(r)]
        if state.roots:
            # Relative net paths in solvers are tried from here, as from where `caffe train` runs.
            os.chdir(state.roots[0])
        state.init_settings = normalize_settings(params.initialization_options)
        ls.scheduler = Scheduler(ls)

    @server.feature(T.INITIALIZED)
    async def initialized(ls: ProtolintServer, params):
        state = ls.workspace_state
        indexing = asyncio.get_running_loop().run_in_executor(None, state.index.scan, list(state.roots))
        if ls.client.watch_files:
            try:
                await asyncio.wait_for(ls.client_register_capability_async(T.RegistrationParams(registrations=[
                    T.Registration(id="protolint-watch", method=T.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                                   register_options=T.DidChangeWatchedFilesRegistrationOptions(
                                       watchers=[T.FileSystemWatcher(glob_pattern=g) for g in WATCHED]))])), 5)
            except Exception:  # the client may refuse; mtimes are checked before every lint anyway
                log.info("protolint: the client did not register the file watchers")
        await _pull_configuration(ls)
        try:
            await asyncio.wait_for(asyncio.shield(indexing), INDEX_WAIT)
        except Exception:
            pass
        ls.scheduler.ready.set()
        indexing.add_done_callback(lambda _: _relint_nets(ls))
        ls.poller = asyncio.ensure_future(_poll_configuration(ls))

    @server.feature(T.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: ProtolintServer, params: T.DidChangeConfigurationParams):
        ls.scheduler.ready.clear()  # no lint with the old settings while the new ones are fetched
        try:
            settings = params.settings
            if isinstance(settings, dict) and normalize_settings(settings):
                ls.workspace_state.client_settings = normalize_settings(settings)
            await _pull_configuration(ls)
            ls.workspace_state.settings_changed()
        finally:
            ls.scheduler.ready.set()
        ls.scheduler.touch_all()

    @server.feature(T.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: ProtolintServer, params: T.DidChangeWatchedFilesParams):
        state = ls.workspace_state
        reload = False
        for change in params.changes:
            path = uri_to_path(change.uri)
            if path is None:
                continue
            if path.endswith(".prototxt"):
                state.index.update(path)
            else:
                reload = True
        if reload:
            state.reload()
        ls.scheduler.touch_all()

    @server.feature(T.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    async def did_change_workspace_folders(ls: ProtolintServer, params: T.DidChangeWorkspaceFoldersParams):
        state = ls.workspace_state
        removed = {uri_to_path(f.uri) for f in params.event.removed}
        added = [uri_to_path(f.uri) for f in params.event.added]
        state.roots = [r for r in state.roots if r not in removed] + [r for r in added if r and os.path.isdir(r)]
        await asyncio.get_running_loop().run_in_executor(None, state.index.scan, list(state.roots))
        ls.scheduler.touch_all()

    @server.feature(T.SHUTDOWN)
    def shutdown(ls: ProtolintServer, params):
        for task in (ls.poller, ls.scheduler._task if ls.scheduler is not None else None):
            if task is not None:
                task.cancel()


async def _poll_configuration(ls: ProtolintServer) -> None:
    """Configuration and schema files changed on disk re-lint the open documents, also for clients
    that do not watch files (a few stat calls every POLL_SECONDS)."""
    while True:
        await asyncio.sleep(POLL_SECONDS)
        try:
            if ls.workspace_state.docs and ls.workspace_state.configuration_changed():
                ls.scheduler.touch_all()
        except Exception:  # never let the poller die
            log.exception("protolint: checking the configuration files failed")


async def _pull_configuration(ls: ProtolintServer) -> None:
    if ls.client.configuration:
        try:
            result = await asyncio.wait_for(ls.workspace_configuration_async(T.ConfigurationParams(
                items=[T.ConfigurationItem(section="protolint")])), CONFIGURATION_WAIT)
            if result and isinstance(result[0], dict):
                ls.workspace_state.client_settings = normalize_settings(result[0])
                ls.workspace_state.settings_changed()
        except Exception:
            log.info("protolint: workspace/configuration was not answered")


def _relint_nets(ls: ProtolintServer) -> None:
    """The workspace index is complete: nets it links to solvers get their findings again."""
    for uri, doc in ls.workspace_state.docs.items():
        if not doc.refs():
            ls.scheduler.touch(uri)


def _documents(server: ProtolintServer) -> None:
    @server.feature(T.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ProtolintServer, params: T.DidOpenTextDocumentParams):
        item = params.text_document
        ls.workspace_state.open(item.uri, item.text, item.version)
        ls.scheduler.touch(item.uri)

    @server.feature(T.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ProtolintServer, params: T.DidChangeTextDocumentParams):
        doc = ls.workspace_state.docs.get(params.text_document.uri)
        if doc is None:
            return
        for change in params.content_changes:
            if isinstance(change, T.TextDocumentContentChangeWholeDocument) or getattr(change, "range", None) is None:
                doc.text = change.text
            else:  # a client that sends ranges although Full sync was asked for
                from .positions import LineIndex

                index = LineIndex(doc.text, ls.client.encoding)
                start = index.offset(change.range.start.line, change.range.start.character)
                end = index.offset(change.range.end.line, change.range.end.character)
                doc.text = doc.text[:start] + change.text + doc.text[end:]
        now = time.monotonic()
        doc.burst = now - doc.edited_at < BURST_SECONDS
        doc.edited_at = now
        doc.version = params.text_document.version
        ls.scheduler.touch(doc.uri)

    @server.feature(T.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: ProtolintServer, params: T.DidSaveTextDocumentParams):
        path = uri_to_path(params.text_document.uri)
        if path is not None:
            ls.workspace_state.index.update(path)  # a solver saved: the nets it names now
        ls.scheduler.touch(params.text_document.uri)  # and the files linted with it

    @server.feature(T.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ProtolintServer, params: T.DidCloseTextDocumentParams):
        uri = params.text_document.uri
        state = ls.workspace_state
        others = [m.uri for m in state.group(uri) if m.uri and m.uri != uri]
        state.docs.pop(uri, None)
        ls.scheduler.forget(uri)
        if not ls.client.pull:
            ls.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        for other in others:
            ls.scheduler.touch(other)


def _diagnostics(server: ProtolintServer) -> None:
    @server.feature(T.TEXT_DOCUMENT_DIAGNOSTIC, T.DiagnosticOptions(
        identifier="protolint", inter_file_dependencies=True, workspace_diagnostics=False))
    async def pull(ls: ProtolintServer, params: T.DocumentDiagnosticParams):
        snapshot = await ls.scheduler.current(params.text_document.uri)
        if snapshot is None:
            return T.FullDocumentDiagnosticReport(items=[])
        if params.previous_result_id == snapshot.result_id:
            return T.UnchangedDocumentDiagnosticReport(result_id=snapshot.result_id)
        return T.FullDocumentDiagnosticReport(items=snapshot.items, result_id=snapshot.result_id)


def main() -> None:
    # `python -m` puts the working directory first on sys.path; a module imported later (the
    # server imports lazily) must never come from a workspace the editor opened.
    start = os.getcwd()
    sys.path[:] = [entry for entry in sys.path if entry not in ("", ".", start)]
    logging.basicConfig(level=os.environ.get("PROTOLINT_LOG", "WARNING").upper(), format="%(name)s: %(message)s")
    server = build()
    # The `protolint` script turns the cyclic GC off for its one lint (cli.entry), start-up
    # included; a session lasts hours and makes cycles, so it runs again from here, without
    # scanning what start-up loaded (pygls, lsprotocol, protolint), which stays for the session.
    gc.freeze()
    gc.enable()
    server.start_io()
    # pygls swallows the SystemExit of `exit`; LSP wants 1 when no shutdown request came first.
    sys.exit(0 if getattr(server.protocol, "_shutdown", False) else 1)
