"""`protolint server` as a command: the plain CLI never imports pygls, the server without pygls says
how to install it, and the pieces that need no client: LSP positions and editor settings."""

from __future__ import annotations

import subprocess
import sys

import pytest

from protolint.api import default_registry
from protolint.server.positions import UTF8, UTF16, UTF32, LineIndex, units
from protolint.server.workspace import net_refs, normalize_settings, overrides_from
from tests.server.kit import REPOSITORY, code_units, offset_position, position_offset


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPOSITORY, timeout=120)


@pytest.mark.parametrize("argv", [["--version"], ["examples/lenet_clean.prototxt"], ["rules"]])
def test_plain_cli_never_imports_pygls(argv):
    done = _python(
        "import sys\nfrom protolint.cli import main\n"
        f"try:\n    main({argv!r}, prog_name='protolint')\nexcept SystemExit:\n    pass\n"
        "print('LOADED', sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol', 'cattrs')))")
    assert "LOADED []" in done.stdout, done.stdout + done.stderr


def test_server_without_pygls_exits_2_with_the_install_command():
    done = _python(
        "import sys\nsys.modules['pygls'] = None\nsys.modules['lsprotocol'] = None\n"
        "from protolint.cli import main\nmain(['server'], prog_name='protolint')")
    assert done.returncode == 2
    assert "pip install 'caffe-protolint[server]'" in done.stderr


def test_server_help():
    done = subprocess.run([sys.executable, "-m", "protolint", "server", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "language server" in done.stdout


# --- positions -----------------------------------------------------------------------------------

TEXTS = [
    'name: "🙂net"\nlayer {\n\ttype: "ReLU"  # é\n}\n',
    "a: 1\r\nb: 2\r\n\r\nc: 3",
    "a: 1\rb: 2\r\rc: 3\n",  # lone CR: a line break for LSP, not for protobuf
    "a: 1  # x\x0cy\nb: 2\u2028c\n# \u2029 \x0b \x1c\x85\nd: 3",  # not line breaks for LSP
    "# \udcff\udce9 bytes that are not UTF-8\nname: \"\udcc3x\"\n",
    "emoji 👍🏽 and 𝔘 astral; 中文 wide\n\ttab\n",
    "",
    "no newline at the end",
]


@pytest.mark.parametrize("encoding", [UTF8, UTF16, UTF32])
@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_positions_round_trip_and_match_an_independent_count(text, encoding):
    index = LineIndex(text, encoding)
    for offset in range(len(text) + 1):
        line, character = index.position(offset)
        expected = offset_position(text, offset, encoding)
        if offset > 0 and text[offset - 1] == "\r" and offset < len(text) and text[offset] == "\n":
            continue  # between CR and LF: not a position a client can name
        assert (line, character) == (expected.line, expected.character), (offset, text[max(0, offset - 3):offset + 3])
        assert index.offset(line, character) == offset
        assert position_offset(text, expected, encoding) == offset


def test_positions_clamp_and_snap():
    index = LineIndex("ab🙂c\nxy", UTF16)
    assert index.offset(0, 99) == 4  # past the end of a line: its end
    assert index.offset(0, 3) == 2  # inside the surrogate pair: the character's start
    assert index.offset(5, 0) == len("ab🙂c\nxy")
    assert index.offset(-1, 0) == 0
    assert index.position(1000) == (1, 2)


def test_units():
    assert units("🙂", UTF16) == 2 and units("🙂", UTF8) == 4 and units("🙂", UTF32) == 1
    assert units("\udcff", UTF8) == 1 and units("\ud800", UTF8) == 3 and units("\ud800", UTF16) == 1
    assert code_units("é", UTF8) == 2


# --- editor settings and solver references -------------------------------------------------------


def test_editor_settings_are_normalised_and_checked(tmp_path):
    settings = normalize_settings({"settings": {"select": "P,N2", "ignore": ["deprecated-field", "nope"],
                                                "extraLayerTypes": ["PriorBox"], "caffeVersion": "rc3",
                                                "proto": "fork.proto", "pretrained": True, "trace": "off"}})
    assert settings == {"select": "P,N2", "ignore": ["deprecated-field", "nope"], "extra-layer-types": ["PriorBox"],
                        "caffe-version": "rc3", "proto": "fork.proto", "pretrained": True}
    overrides, problems = overrides_from(settings, default_registry(), str(tmp_path))
    assert overrides.select == ("P", "N2") and overrides.ignore == ("deprecated-field",)
    assert overrides.extra_layer_types == ("PriorBox",) and overrides.caffe_version == "rc3"
    assert overrides.proto == str(tmp_path / "fork.proto") and overrides.pretrained is True
    assert problems == ["setting `ignore`: no rule is named or coded 'nope'; `protolint rules` lists them"]
    _, problems = overrides_from({"caffe-version": "9.9", "as": "bogus", "pretrained": "yes"}, default_registry(), ".")
    assert len(problems) == 3


def test_net_refs():
    text = 'net: "a.prototxt"\n  test_net: \'b.prototxt\'\n# net: "c.prototxt"\ntrain_net:"d"\nbase_lr: 0.1\n'
    assert net_refs(text) == ["a.prototxt", "b.prototxt", "d"]


def test_exit_without_shutdown_is_an_error_exit():
    import json
    import subprocess

    def frame(payload: dict) -> bytes:
        body = json.dumps(payload).encode()
        return f"Content-Length: {len(body)}\r\n\r\n".encode() + body

    messages = frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}, "processId": None}})
    messages += frame({"jsonrpc": "2.0", "method": "exit"})
    done = subprocess.run([sys.executable, "-m", "protolint", "server"], input=messages, capture_output=True, timeout=60)
    assert done.returncode == 1  # LSP: exit before shutdown means exit code 1
    assert b'"id": 1' in done.stdout or b'"id":1' in done.stdout


def test_the_server_never_imports_from_the_workspace(tmp_path):
    """A workspace with a module named like one the server imports late (tomllib reads the
    configuration) is not imported, even when the server runs as `python -m protolint server` there."""
    import json

    (tmp_path / "tomllib.py").write_text("raise SystemExit('imported from the workspace')\n")
    (tmp_path / ".protolint.toml").write_text("ignore = []\n")

    def frame(payload: dict) -> bytes:
        body = json.dumps(payload).encode()
        return f"Content-Length: {len(body)}\r\n\r\n".encode() + body

    uri = (tmp_path / "net.prototxt").as_uri()
    messages = frame({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                      "params": {"capabilities": {}, "processId": None, "rootUri": tmp_path.as_uri()}})
    messages += frame({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    messages += frame({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": uri, "languageId": "prototxt", "version": 1, "text": 'name: "x"\nlayer { type: "Nope" }\n'}}})
    server = subprocess.Popen([sys.executable, "-m", "protolint", "server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, cwd=tmp_path)
    try:
        server.stdin.write(messages)
        server.stdin.flush()
        import select
        import time

        seen, deadline = b"", time.monotonic() + 30
        while b"unknown layer type" not in seen:  # the first diagnostics: the configuration was read
            ready, _, _ = select.select([server.stdout], [], [], max(deadline - time.monotonic(), 0))
            assert ready, "no diagnostics within 30 s"
            chunk = server.stdout.read1(65536)
            assert chunk, server.stderr.read()
            seen += chunk
        server.stdin.write(frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}) + frame({"jsonrpc": "2.0", "method": "exit"}))
        server.stdin.close()
        assert server.wait(30) == 0
        assert b"imported from the workspace" not in server.stderr.read()
    finally:
        server.kill()
