"""Configuration: `.protolint.toml` / `pyproject.toml` found per document as the command line finds
them and reloaded when they change; editor settings from initializationOptions and
workspace/configuration with the command line's precedence; a broken configuration shown on the
configuration file, never a dead server."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as T

from tests.server.kit import (CLIENTS, REPOSITORY, LanguageClient, as_json, change_doc, cli_json, close_doc, config,
                              diagnostics, encoding_of, json_terms, last_publish, open_doc, pulls, start, wait_until)

pytestmark = pytest.mark.asyncio(loop_scope="module")

NET = """name: "n"
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
  name: "prior"
  type: "PriorBox"
  bottom: "conv"
  top: "prior"
}
"""


def rules(items) -> list[str]:
    return sorted(d.data["rule"] for d in items if d.data)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("configuration")
    for name in ("plain", "configured", "pyproject", "broken", "reload"):
        (folder / name).mkdir()
        (folder / name / "net.prototxt").write_text(NET)
    (folder / "configured" / ".protolint.toml").write_text('ignore = ["unknown-field"]\nextra-layer-types = ["PriorBox"]\n')
    (folder / "pyproject.toml").write_text("[project]\nname = 'x'\n")  # no [tool.protolint]: not a configuration
    (folder / "pyproject" / "pyproject.toml").write_text('[tool.protolint]\nselect = ["P002"]\n')
    (folder / "reload" / ".protolint.toml").write_text("")
    return folder


@pytest_lsp.fixture(config=config(), params=CLIENTS, scope="module")
async def client(request, lsp_client: LanguageClient, folder):
    await start(lsp_client, request.param, root=folder)
    yield
    await lsp_client.shutdown_session()


async def lint(client, folder, name, version=1, text=NET):
    uri = (folder / name / "net.prototxt").as_uri()
    if version == 1:
        open_doc(client, uri, text)
    return uri, await diagnostics(client, uri, version)


async def test_configuration_files_are_found_per_document(client: LanguageClient, folder):
    for name in ("plain", "configured", "pyproject"):
        uri, items = await lint(client, folder, name)
        expected = [d for d in cli_json([f"{name}/net.prototxt"], folder)]
        assert as_json(items, NET, encoding_of(client)) == json_terms(expected), name
        close_doc(client, uri)
    uri, items = await lint(client, folder, "plain")
    assert rules(items) == ["fork-schema-needed", "unknown-field"]  # PriorBox: the SSD fork's layer
    close_doc(client, uri)
    uri, items = await lint(client, folder, "configured")
    assert rules(items) == []
    close_doc(client, uri)
    uri, items = await lint(client, folder, "pyproject")
    assert rules(items) == ["unknown-field"]
    close_doc(client, uri)


async def test_a_changed_configuration_is_reloaded(client: LanguageClient, folder):
    config_file = folder / "reload" / ".protolint.toml"
    config_file.write_text("")
    uri, items = await lint(client, folder, "reload")
    assert rules(items) == ["fork-schema-needed", "unknown-field"]
    count = len(client.published)
    config_file.write_text('ignore = ["P005", "P009"]\n')
    if client.registrations:  # a client that watches files tells the server
        client.workspace_did_change_watched_files(T.DidChangeWatchedFilesParams(changes=[
            T.FileEvent(uri=config_file.as_uri(), type=T.FileChangeType.Changed)]))
    if pulls(client):
        async def pulled():
            return rules(await diagnostics(client, uri)) == ["unknown-field"]

        deadline = asyncio.get_running_loop().time() + 20
        while not await pulled():
            assert asyncio.get_running_loop().time() < deadline, "the configuration was not reloaded"
            await asyncio.sleep(0.1)
    else:
        await wait_until(lambda: len(client.published) > count and rules(last_publish(client, uri).diagnostics) == ["unknown-field"],
                         what="diagnostics with the new configuration")
    close_doc(client, uri)


async def test_watchers_are_registered_when_the_client_can(client: LanguageClient):
    dynamic = client.capabilities.workspace.did_change_watched_files
    if dynamic is not None and dynamic.dynamic_registration:
        [registration] = [r for params in client.registrations for r in params.registrations]
        globs = [w["globPattern"] for w in registration.register_options["watchers"]]  # plain JSON here
        assert "**/.protolint.toml" in globs and "**/pyproject.toml" in globs and "**/*.proto" in globs
    else:
        assert not client.registrations


async def test_a_broken_configuration_is_a_diagnostic_on_the_file(client: LanguageClient, folder):
    config_file = folder / "broken" / ".protolint.toml"
    config_file.write_text('select = ["ALL"]\nignored = ["unknown-field"]\n')
    uri, items = await lint(client, folder, "broken")
    [problem] = items
    assert problem.message.startswith("bad configuration: ") and "`ignored`: unknown setting; did you mean `ignore`?" in problem.message
    assert problem.severity == T.DiagnosticSeverity.Error and problem.range.start.line == 0
    config_uri = config_file.as_uri()
    on_file = await wait_until(lambda: last_publish(client, config_uri), what="a diagnostic on the configuration file")
    [shown] = on_file.diagnostics
    assert shown.range.start.line == 1 and shown.range.start.character == 0  # the `ignored` key
    assert "unknown setting" in shown.message
    assert any("bad configuration" in m.message for m in client.messages)
    # The server is alive: other documents are linted, and fixing the file clears it all.
    other, found = await lint(client, folder, "plain")
    assert rules(found) == ["fork-schema-needed", "unknown-field"]
    close_doc(client, other)
    config_file.write_text('select = ["ALL"]\nignore = ["unknown-field"]\n')
    change_doc(client, uri, NET + "\n", 2)
    items = await diagnostics(client, uri, 2)
    assert rules(items) == ["fork-schema-needed"]
    await wait_until(lambda: not last_publish(client, config_uri).diagnostics, what="the configuration's diagnostic cleared")
    close_doc(client, uri)


async def test_toml_syntax_errors_point_at_their_line(client: LanguageClient, folder):
    config_file = folder / "broken" / ".protolint.toml"
    config_file.write_text('select = ["ALL"]\n\nignore = [unknown\n')
    uri, items = await lint(client, folder, "broken")
    assert "not valid TOML" in items[0].message
    on_file = await wait_until(lambda: (p := last_publish(client, config_file.as_uri())) and p.diagnostics and p,
                               what="a diagnostic on the configuration file")
    assert on_file.diagnostics[0].range.start.line == 2
    config_file.write_text("")
    close_doc(client, uri)


@pytest.mark.parametrize("name", CLIENTS)
async def test_editor_settings_override_the_configuration_like_flags(name, folder):
    """initializationOptions, then workspace/configuration (which wins), over the configuration file;
    compared with the same flags on the command line."""
    proto = REPOSITORY / "tests" / "fixtures" / "fork_caffe.proto"
    client = await config().start()
    client.set_configuration({"ignore": ["unknown-layer-type"], "caffeVersion": "rc5"}, section="protolint")
    await start(client, name, root=folder, options={"settings": {"select": ["P"], "ignore": "unknown-layer-type",
                                                                 "extraLayerTypes": ["Nope"]}})
    uri, items = await lint(client, folder, "configured")
    expected = cli_json(["configured/net.prototxt"], folder, "--select", "P", "--ignore", "unknown-layer-type",
                        "--extra-layer-types", "Nope", "--caffe-version", "rc5")
    assert as_json(items, NET, encoding_of(client)) == json_terms(expected)
    assert rules(items) == []  # the configuration ignores unknown-field; the settings add unknown-layer-type
    # A new setting arrives: the fork's schema (relative to the workspace folder) knows PriorBox.
    (folder / "fork.proto").write_bytes(proto.read_bytes())
    client.set_configuration({"proto": "fork.proto", "select": "ALL", "pretrained": True}, section="protolint")
    client.workspace_did_change_configuration(T.DidChangeConfigurationParams(settings=None))
    plain = (folder / "plain" / "net.prototxt").as_uri()
    open_doc(client, plain, NET)
    found = await diagnostics(client, plain, 1)
    expected = cli_json(["plain/net.prototxt"], folder, "--proto", "fork.proto", "--select", "ALL",
                        "--extra-layer-types", "Nope")
    assert as_json(found, NET, encoding_of(client)) == json_terms(expected)
    assert "unknown-layer-type" not in rules(found)
    # A bad setting is shown once and dropped; the server carries on.
    client.set_configuration({"select": ["no-such-rule"]}, section="protolint")
    client.workspace_did_change_configuration(T.DidChangeConfigurationParams(settings=None))
    change_doc(client, plain, NET + "\n", 2)
    await diagnostics(client, plain, 2)
    await wait_until(lambda: any("no-such-rule" in m.message for m in client.messages), what="a message about the setting")
    await client.shutdown_session()
    await client.stop()


TRAINED = """name: "t"
layer {
  name: "data"
  type: "DummyData"
  top: "data"
  top: "label"
  dummy_data_param { shape { dim: 4 dim: 3 dim: 8 dim: 8 } shape { dim: 4 } }
}
layer {
  name: "hidden"
  type: "InnerProduct"
  bottom: "data"
  top: "hidden"
  inner_product_param { num_output: 16 bias_filler { type: "constant" } }
}
layer {
  name: "ip"
  type: "InnerProduct"
  bottom: "hidden"
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


async def test_the_pretrained_setting(folder):
    """`pretrained` has no flag; the server's findings equal the library's with LintOptions(pretrained=True)."""
    from protolint.api import default_options, lint_bytes

    client = await config().start()
    await start(client, "neovim", root=folder, options={"pretrained": True})
    path = folder / "plain" / "trained.prototxt"
    uri = path.as_uri()
    open_doc(client, uri, TRAINED)
    items = await diagnostics(client, uri, 1)
    plain = {d.rule for d in lint_bytes(str(path), TRAINED.encode(), default_options()).diagnostics}
    expected = lint_bytes(str(path), TRAINED.encode(), default_options(pretrained=True)).diagnostics
    assert "missing-weight-filler" in plain and "missing-weight-filler" not in rules(items)
    assert rules(items) == sorted(d.rule for d in expected)
    await client.shutdown_session()
    await client.stop()
