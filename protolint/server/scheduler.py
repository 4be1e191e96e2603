"""When lints run, and which results reach the client.

Lints run one at a time on one daemon thread, so the event loop stays free for hover, completion
and cancellation. Edits mark documents dirty; the loop lints the group of the most recently
edited dirty document with the text current at that moment. A newer edit to a document of the
running group aborts the rest of that lint at the next file boundary, and a result whose version
is no longer current is never stored or published (only the current version reaches the client).
Edits are linted at once (an edit that arrives while a lint runs waits for it, so a burst of edits
costs at most two lints); only while the user types in a file whose lint takes half a second or
more does the loop wait a little (up to 300 ms) so that one lint covers the burst.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import queue
import threading
import time
from dataclasses import replace

from lsprotocol import types as T

from .analysis import Snapshot, Superseded, failed_snapshot, lint_group, problem_file_diagnostics
from .workspace import stamp

log = logging.getLogger("protolint.server")
BURST_SECONDS = 0.25  # edits closer than this are one burst of typing
SLOW_LINT = 0.5  # a file whose lint takes this long waits for a burst of edits to end
MAX_DELAY = 0.3


class LintThread:
    """A daemon thread running jobs in order (a daemon, so exit never waits for a long lint)."""

    def __init__(self):
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def run(self, work) -> asyncio.Future:
        loop = asyncio.get_running_loop()
        future = loop.create_future()

        def job():
            try:
                result = work()
            except Exception as error:  # handed to the awaiting coroutine
                loop.call_soon_threadsafe(_fail, future, error)
            except BaseException as error:  # SystemExit from a lint must not stop the server
                loop.call_soon_threadsafe(_fail, future, RuntimeError(f"{type(error).__name__}: {error}"))
            else:
                loop.call_soon_threadsafe(_done, future, result)

        if self._thread is None:
            self._thread = threading.Thread(target=self._serve, name="protolint-lint", daemon=True)
            self._thread.start()
        self._jobs.put(job)
        return future

    def _serve(self):
        while True:
            self._jobs.get()()


def _done(future, result):
    if not future.done():
        future.set_result(result)


def _fail(future, error):
    if not future.done():
        future.set_exception(error)


class Scheduler:
    def __init__(self, server):
        self.server = server
        self.workspace = server.workspace_state
        self.thread = LintThread()
        self.snapshots: dict[str, Snapshot] = {}
        self.dirty: dict[str, float] = {}  # uri -> when it was marked
        self.generation = 0
        self.ready = asyncio.Event()  # settings known (workspace/configuration answered)
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._running: set[str] = set()
        self._cancel: threading.Event | None = None
        self._waiters: dict[str, list[asyncio.Future]] = {}
        self.groups: dict[str, set[str]] = {}  # uri -> the open documents last linted with it
        self._problem_files: dict[str, set[str]] = {}  # broken config/schema file -> documents using it
        self._announced: set[str] = set()
        self._frozen = False
        self._last: dict[tuple, tuple] = {}  # group -> (resolver, bytes of its files, snapshots)

    # --- requests for work ---------------------------------------------------------------------

    def touch(self, uri: str) -> None:
        """`uri` changed: it and the files last linted with it need a lint."""
        now = time.monotonic()
        for member in self.groups.get(uri, ()) or (uri,):
            if member in self.workspace.docs:
                self.dirty.setdefault(member, now)
        self.dirty[uri] = now
        if uri in self._running and self._cancel is not None:
            self._cancel.set()  # a newer text of a file being linted: the rest is wasted work
        self._start()

    def touch_all(self) -> None:
        for uri in list(self.workspace.docs):
            self.touch(uri)

    def forget(self, uri: str) -> None:
        self.dirty.pop(uri, None)
        self.snapshots.pop(uri, None)
        for member in list(self.groups.pop(uri, ())):
            self.groups.get(member, set()).discard(uri)

    def stale(self, uri: str) -> bool:
        """Whether the document's snapshot may change: its text or a file of its group changed."""
        doc, snapshot = self.workspace.docs.get(uri), self.snapshots.get(uri)
        if doc is None:
            return False
        if snapshot is None or snapshot.version != doc.version:
            return True
        return any(member in self.dirty or member in self._running for member in self.groups.get(uri, (uri,)))

    def _start(self) -> None:
        self._wake.set()
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._loop())

    async def current(self, uri: str, timeout: float = 10.0) -> Snapshot | None:
        """The snapshot of the document's current version (waiting for its lint), else the latest."""
        if not self.stale(uri):
            return self.snapshots.get(uri)
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(uri, []).append(waiter)
        if uri not in self.dirty and uri not in self._running:
            self.touch(uri)
        try:
            return await asyncio.wait_for(asyncio.shield(waiter), timeout)
        except asyncio.TimeoutError:
            return self.snapshots.get(uri)

    async def linted(self, uri: str, timeout: float = 10.0) -> Snapshot | None:
        """current(), when it holds a lint's tree (what hover, navigation and the actions read)."""
        snapshot = await self.current(uri, timeout)
        return snapshot if snapshot is not None and snapshot.result is not None else None

    # --- the loop ------------------------------------------------------------------------------

    async def _loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            if not self.dirty:
                continue
            await self.ready.wait()
            await self._settle()
            if self.workspace.configuration_changed():
                self.touch_all()
            uri = max(self.dirty, key=self.dirty.get)
            if uri not in self.workspace.docs:
                self.dirty.pop(uri, None)
                self._wake.set()
                continue
            try:
                await self._lint(uri)
            except Exception:  # never let one bad lint stop the loop
                log.exception("protolint: lint failed for %s", uri)
                self.dirty.pop(uri, None)
            self._resolve_waiters()
            if self.dirty:
                self._wake.set()

    async def _settle(self) -> None:
        """Let a burst of typing in a slow file finish before linting it."""
        while True:
            now = time.monotonic()
            delay = 0.0
            for uri in self.dirty:
                doc = self.workspace.docs.get(uri)
                last = self.snapshots.get(uri)
                if doc is None or not doc.burst or last is None or last.seconds < SLOW_LINT:
                    continue
                wait = min(last.seconds, MAX_DELAY) - (now - doc.edited_at)
                delay = max(delay, wait)
            if delay <= 0.005:
                return
            await asyncio.sleep(delay)

    async def _lint(self, uri: str) -> None:
        members = self.workspace.group(uri)
        uris = {m.uri for m in members if m.uri}
        for member_uri in uris:
            self.dirty.pop(member_uri, None)
            self.groups[member_uri] = set(uris)
        self.generation += 1
        cancel = threading.Event()
        self._cancel, self._running = cancel, uris
        server = self.server
        key = tuple((m.uri, m.path, m.display) for m in members)
        resolver = self.workspace.resolver()
        # The bytes of the group's files and the state of the net files it reads from disk.
        datas = (tuple(m.data for m in members), tuple((path, stamp(path)) for m in members for path in m.outside(members)))
        reused = self._reused(key, resolver, datas, members)
        try:
            if reused is not None:
                snapshots, problems = reused, []
            else:
                snapshots, problems = await self.thread.run(
                    lambda: lint_group(self.workspace, members, server.client, server.rule_docs, self.generation, cancel))
                if not problems and not cancel.is_set():
                    self._remember(key, resolver, datas, snapshots)
        except Superseded:
            now = time.monotonic()
            for member_uri in uris:
                self.dirty.setdefault(member_uri, now)
            return
        except Exception as error:  # a bug in protolint: say so on the files, keep serving
            log.exception("protolint: the lint of %s failed", sorted(uris))
            snapshots = [failed_snapshot(m, server.client, self.generation, error) for m in members if m.uri]
            problems = []
        finally:
            self._cancel, self._running = None, set()
        if not self._frozen:
            # What is loaded by now (pygls, lsprotocol, the schema, the rules) stays for the
            # session: keep the cyclic GC from scanning it again at every collection.
            gc.freeze()
            self._frozen = True
        changed_elsewhere = False
        for snapshot in snapshots:
            doc = self.workspace.docs.get(snapshot.uri)
            if doc is None or doc.version != snapshot.version:
                continue  # a newer edit is on its way; this result is never shown
            previous = self.snapshots.get(snapshot.uri)
            self.snapshots[snapshot.uri] = snapshot
            if previous is not None and previous.version == snapshot.version and previous.items != snapshot.items:
                changed_elsewhere = True  # changed by another file's edit: a pulling client does not know
            if not server.client.pull:
                server.text_document_publish_diagnostics(T.PublishDiagnosticsParams(
                    uri=snapshot.uri, version=snapshot.version, diagnostics=snapshot.items))
        if changed_elsewhere and server.client.pull and server.client.refresh:
            server.workspace_diagnostic_refresh(None)
        self._report_problems(snapshots, problems)
        self._report_setting_problems()

    def _reused(self, key, resolver, datas, members) -> list[Snapshot] | None:
        """The last lint's snapshots when the same files had the same bytes and configuration
        (a save, a reopened file, an undo to the last linted text): nothing to lint again."""
        found = self._last.get(key)
        if found is None or found[0] is not resolver or found[1] != datas:
            return None
        versions = {m.uri: m.version for m in members}
        return [replace(snapshot, version=versions.get(snapshot.uri)) for snapshot in found[2]]

    def _remember(self, key, resolver, datas, snapshots) -> None:
        self._last.pop(key, None)
        self._last[key] = (resolver, datas, snapshots)
        while len(self._last) > 8:
            del self._last[next(iter(self._last))]

    def _resolve_waiters(self) -> None:
        for uri in list(self._waiters):
            if not self.stale(uri):
                for waiter in self._waiters.pop(uri):
                    if not waiter.done():
                        waiter.set_result(self.snapshots.get(uri))

    # --- configuration problems ----------------------------------------------------------------

    def _report_problems(self, snapshots, problems) -> None:
        """A broken configuration or schema: a diagnostic on that file and one message; cleared
        once no open document reports it any more."""
        by_text = {}
        for error in problems:
            found = problem_file_diagnostics(error, self.server.client)
            by_text[str(error)] = found
            if found is not None:
                self.server.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=found[0], diagnostics=found[1]))
            if str(error) not in self._announced:
                self._announced.add(str(error))
                self.server.window_show_message(T.ShowMessageParams(type=T.MessageType.Error, message=f"protolint: {error}"))
        for snapshot in snapshots:
            for owners in self._problem_files.values():
                owners.discard(snapshot.uri)
            found = by_text.get(str(snapshot.problem)) if snapshot.problem is not None else None
            if found is not None:
                self._problem_files.setdefault(found[0], set()).add(snapshot.uri)
        for file_uri, owners in list(self._problem_files.items()):
            owners &= set(self.workspace.docs)
            if not owners:
                del self._problem_files[file_uri]
                self.server.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=file_uri, diagnostics=[]))
        if not self._problem_files:
            self._announced = {a for a in self._announced if not a.startswith(("bad configuration", "cannot "))}

    def _report_setting_problems(self) -> None:
        for problem in self.workspace.setting_problems:
            if problem not in self._announced:
                self._announced.add(problem)
                self.server.window_show_message(T.ShowMessageParams(type=T.MessageType.Warning, message=f"protolint: {problem}"))
