#!/usr/bin/env python3
"""The language server's speed, printed as a Markdown table.

    python bench/server.py [--net ../shared/corpus/hujie-frank__SENet/models/SE-ResNet-152.prototxt]
                           [--edits 21] [--spawns 5]

Rows:
  * spawn to first diagnostics: wall time from starting `python -m protolint server` to the
    publishDiagnostics of examples/lenet_clean.prototxt opened right after `initialized` (best and
    median of --spawns, warm cache);
  * edit to fresh diagnostics: on the net given with --net (150 KB by default), the median time
    from sending a didChange (the whole new text, as the server asks for) to receiving the
    publishDiagnostics of that version, over --edits edits after two warm-up edits; each edit
    changes one character of the net's name, as typing does;
  * in the same rounds and on the same text: protobuf's `text_format.Parse` into message classes
    built from the same schema, and protolint's own lint (`lint_bytes`) in this process, one of
    each after every edit, so that a busy machine slows all three alike; medians. The ratio
    edit / Parse is the figure to watch; (edit - lint) / lint is what the server adds (JSON-RPC
    both ways, positions, diagnostics).

The server is driven over stdio with plain JSON-RPC (no client library in the way).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_NET = REPO.parent / "shared" / "corpus" / "hujie-frank__SENet" / "models" / "SE-ResNet-152.prototxt"


class Server:
    """`protolint server` in a subprocess, spoken to in JSON-RPC over its stdin/stdout."""

    def __init__(self, cwd: Path, env: dict[str, str]):
        self.started = time.perf_counter()
        self.process = subprocess.Popen([sys.executable, "-m", "protolint", "server"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=cwd, env=env)
        self.messages: list[tuple[float, dict]] = []
        self.condition = threading.Condition()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
                elif line in (b"\r\n", b"\n"):
                    break
            body = json.loads(stream.read(length))
            with self.condition:
                self.messages.append((time.perf_counter(), body))
                self.condition.notify_all()
            if "method" in body and "id" in body:  # a request from the server: answer it
                self.send({"jsonrpc": "2.0", "id": body["id"], "result": None})

    def send(self, payload: dict) -> None:
        body = json.dumps(payload).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def request(self, method: str, params) -> dict:
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == self.next_id and "method" not in m)[1]

    def notify(self, method: str, params) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait(self, predicate, timeout: float = 120.0) -> tuple[float, dict]:
        deadline = time.perf_counter() + timeout
        with self.condition:
            while True:
                for index, (at, message) in enumerate(self.messages):
                    if predicate(message):
                        del self.messages[: index + 1]
                        return at, message
                left = deadline - time.perf_counter()
                if left <= 0:
                    raise TimeoutError("the server did not answer")
                self.condition.wait(left)

    def diagnostics(self, uri: str, version: int) -> tuple[float, dict]:
        return self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                         and m["params"]["uri"] == uri and m["params"].get("version") == version)

    def start(self, root: Path) -> None:
        self.request("initialize", {"processId": os.getpid(), "rootUri": root.as_uri(), "capabilities": {},
                                    "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}]})
        self.notify("initialized", {})

    def open(self, uri: str, text: str) -> None:
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "prototxt", "version": 1, "text": text}})

    def stop(self) -> None:
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self.process.wait(10)
        except Exception:
            self.process.kill()


def spawn_to_first_diagnostics(root: Path, env: dict[str, str]) -> float:
    sample = (REPO / "examples" / "lenet_clean.prototxt").read_text()
    uri = (root / "lenet_clean.prototxt").as_uri()
    server = Server(root, env)
    server.start(root)
    server.open(uri, sample)
    at, _ = server.diagnostics(uri, 1)
    server.stop()
    return at - server.started


def edit_rounds(root: Path, env: dict[str, str], text: str, edits: int, parse, lint) -> tuple[dict, int]:
    """Per round: one edit through the server, then protobuf's Parse and protolint's in-process lint
    of the same text; interleaved so that a busy machine slows all three alike."""
    uri = (root / "net.prototxt").as_uri()
    server = Server(root, env)
    server.start(root)
    server.open(uri, text)
    _, first = server.diagnostics(uri, 1)
    anchor = text.index('"', text.index("name:")) + 1  # inside the net's name
    times: dict[str, list[float]] = {"edit": [], "parse": [], "lint": []}
    for version in range(2, edits + 4):
        letter = "abcdefghijklmnopqrstuvwxyz"[version % 26]
        new_text = text[:anchor] + letter + text[anchor:]
        time.sleep(0.05)  # not a burst: each edit is measured on its own
        sent = time.perf_counter()
        server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                 "contentChanges": [{"text": new_text}]})
        at, _ = server.diagnostics(uri, version)
        started = time.perf_counter()
        parse(new_text)
        parsed = time.perf_counter()
        lint(new_text)
        linted = time.perf_counter()
        if version > 3:  # two warm-up rounds
            times["edit"].append(at - sent)
            times["parse"].append(parsed - started)
            times["lint"].append(linted - parsed)
    server.stop()
    return times, len(first["params"]["diagnostics"])


def median_of(runs: int, work) -> float:
    found = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        found.append(time.perf_counter() - start)
    return statistics.median(found)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--net", type=Path, default=DEFAULT_NET, help="the net to edit (default: SE-ResNet-152 from ../shared/corpus)")
    parser.add_argument("--edits", type=int, default=21, help="timed edits (default 21)")
    parser.add_argument("--spawns", type=int, default=5, help="server starts timed (default 5)")
    args = parser.parse_args()
    if not args.net.is_file():
        print(f"bench: no such net: {args.net}", file=sys.stderr)
        return 2
    try:
        import pygls  # noqa: F401
    except ImportError:
        print("bench: the server needs pygls: pip install 'caffe-protolint[server]'", file=sys.stderr)
        return 2

    cache_dir = tempfile.mkdtemp(prefix="protolint-bench-cache-")
    root = Path(tempfile.mkdtemp(prefix="protolint-bench-ws-"))
    env = dict(os.environ, PROTOLINT_CACHE_DIR=cache_dir)
    os.environ["PROTOLINT_CACHE_DIR"] = cache_dir
    try:
        text = args.net.read_bytes().decode("utf-8", "surrogateescape")
        spawn_to_first_diagnostics(root, env)  # fills the cache (parse tables, schema)
        spawns = [spawn_to_first_diagnostics(root, env) for _ in range(args.spawns)]

        from google.protobuf import text_format

        from protolint.api import default_options, lint_bytes
        from protolint.schema.descriptors import message_classes
        from protolint.schema.loader import builtin_schema

        schema = builtin_schema()
        options = default_options(schema=schema)
        net_class = message_classes(schema)[f"{schema.package}.NetParameter" if schema.package else "NetParameter"]
        path = str(root / "net.prototxt")
        data = text.encode("utf-8", "surrogateescape")
        times, findings = edit_rounds(root, env, text, args.edits, lambda t: text_format.Parse(t, net_class()),
                                      lambda t: lint_bytes(path, t.encode("utf-8", "surrogateescape"), options))
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)
        shutil.rmtree(root, ignore_errors=True)

    edit, parse, lint = (statistics.median(times[key]) for key in ("edit", "parse", "lint"))
    ratios = statistics.median(e / p for e, p in zip(times["edit"], times["parse"]))
    import google.protobuf
    from google.protobuf.internal import api_implementation

    print(f"Python {platform.python_version()}, protobuf {google.protobuf.__version__} ({api_implementation.Type()} backend), "
          f"{os.cpu_count()} CPUs; {args.net.name} ({len(data) / 1000:.0f} KB, {findings} findings)\n")
    print("| measurement | time |")
    print("| --- | --- |")
    print(f"| spawn to first diagnostics (lenet_clean, best / median of {args.spawns}) | "
          f"{min(spawns) * 1000:.0f} ms / {statistics.median(spawns) * 1000:.0f} ms |")
    print(f"| edit to fresh diagnostics, server (median of {len(times['edit'])}) | {edit * 1000:.1f} ms |")
    print(f"| protolint lint_bytes of the same text, in process (median) | {lint * 1000:.1f} ms |")
    print(f"| protobuf text_format.Parse of the same text (median) | {parse * 1000:.1f} ms |")
    print(f"| **edit to diagnostics / Parse** (ratio of the medians; median of the per-round ratios) | "
          f"**{edit / parse:.2f}x**; {ratios:.2f}x |")
    print(f"| server overhead over the lint: (edit - lint) / lint | {(edit - lint) / lint * 100:.0f}% |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
