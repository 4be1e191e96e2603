"""The VS Code extension in editors/vscode: a valid manifest for `*.prototxt` (language id
`prototxt`) with a setting for the server command, JavaScript that node accepts, and a package
built by vsce (from npm) when node and npm are here."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

EXTENSION = Path(__file__).resolve().parents[2] / "editors" / "vscode"


def test_the_manifest():
    manifest = json.loads((EXTENSION / "package.json").read_text())
    [language] = manifest["contributes"]["languages"]
    assert language["id"] == "prototxt" and language["extensions"] == [".prototxt"]
    settings = manifest["contributes"]["configuration"]["properties"]
    assert settings["protolint.server.command"]["default"] == ["protolint", "server"]
    assert {"protolint.select", "protolint.ignore", "protolint.proto", "protolint.caffeVersion", "protolint.pretrained"} <= set(settings)
    assert manifest["main"] == "./extension.js" and (EXTENSION / "extension.js").is_file()
    for name in ("language-configuration.json", "syntaxes/prototxt.tmLanguage.json"):
        json.loads((EXTENSION / name).read_text())


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_node_accepts_the_extension():
    done = subprocess.run(["node", "--check", str(EXTENSION / "extension.js")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("node") is None or shutil.which("npm") is None, reason="node and npm are not installed")
def test_vsce_packages_the_extension(tmp_path):
    work = tmp_path / "vscode"
    shutil.copytree(EXTENSION, work, ignore=shutil.ignore_patterns("node_modules", "*.vsix", "package-lock.json"))
    install = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=work,
                             capture_output=True, text=True, timeout=600)
    if install.returncode != 0:
        pytest.skip(f"npm could not download the dependencies: {install.stderr.strip()[-300:]}")
    package = subprocess.run(["npx", "--yes", "@vscode/vsce@3", "package", "--out", str(tmp_path / "protolint.vsix")],
                             cwd=work, capture_output=True, text=True, timeout=600)
    if package.returncode != 0 and ("ENOTFOUND" in package.stderr or "ETIMEDOUT" in package.stderr or "EAI_AGAIN" in package.stderr):
        pytest.skip(f"npm could not download vsce: {package.stderr.strip()[-300:]}")
    assert package.returncode == 0, package.stdout + package.stderr
    names = zipfile.ZipFile(tmp_path / "protolint.vsix").namelist()
    assert "extension/package.json" in names and "extension/extension.js" in names
    assert "extension/syntaxes/prototxt.tmLanguage.json" in names
    assert any(name.startswith("extension/node_modules/vscode-languageclient/") for name in names)
