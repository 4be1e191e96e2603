"""Third-party rules come from the `protolint.rules` entry-point group of installed distributions."""

import os
import subprocess
import sys

PLUGIN_MODULE = '''
from protolint.rule import Rule


class NoTanh(Rule):
    code = "Z901"
    name = "no-tanh"
    severity = "warning"
    applies_to = ("net",)
    summary = "Our team does not use TanH"
    what_it_does = "Reports TanH layers."
    message_types = ("LayerParameter",)

    def visit(self, message, ctx):
        type_field = message.last("type")
        if type_field is not None and type_field.scalar == "TanH":
            ctx.report_node(type_field, "TanH is not allowed here; use ReLU")
'''

NET = 'layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 } } }\n' \
      'layer { name: "t" type: "TanH" bottom: "data" top: "t" }\n'


def make_plugin(where):
    """A tiny installed distribution: a module plus a dist-info folder with the entry point."""
    os.makedirs(where / "team_rules", exist_ok=True)
    (where / "team_rules" / "__init__.py").write_text(PLUGIN_MODULE)
    info = where / "team_rules-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: team-rules\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[protolint.rules]\nno-tanh = team_rules:NoTanh\n")


def run(args, cwd, pythonpath=None, cache=None):
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if pythonpath:
        env["PYTHONPATH"] = str(pythonpath)
    env["PROTOLINT_CACHE_DIR"] = str(cache)
    return subprocess.run([sys.executable, "-m", "protolint", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_an_installed_plugin_rule_is_listed_explained_and_run(tmp_path):
    site = tmp_path / "site"
    make_plugin(site)
    work = tmp_path / "work"
    work.mkdir()
    (work / "net.prototxt").write_text(NET)
    listed = run(["rules"], work, site, tmp_path / "cache")
    assert "Z901" in listed.stdout and "no-tanh" in listed.stdout
    explained = run(["explain", "no-tanh"], work, site, tmp_path / "cache")
    assert "Reports TanH layers." in explained.stdout
    result = run(["net.prototxt"], work, site, tmp_path / "cache")
    assert result.returncode == 1
    assert "net.prototxt:2:19: warning: TanH is not allowed here; use ReLU [Z901 no-tanh]" in result.stdout


def test_a_plugin_in_the_working_directory_is_never_loaded(tmp_path):
    work = tmp_path / "checkout"
    work.mkdir()
    make_plugin(work)  # a checkout that carries a plugin: `python -m` puts the cwd on sys.path
    (work / "net.prototxt").write_text(NET)
    listed = run(["rules"], work, cache=tmp_path / "cache")
    assert listed.returncode == 0
    assert "no-tanh" not in listed.stdout
    result = run(["net.prototxt"], work, cache=tmp_path / "cache")
    assert "no-tanh" not in result.stdout
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_broken_plugin_is_a_clear_error_not_a_traceback(tmp_path):
    site = tmp_path / "site"
    make_plugin(site)
    (site / "team_rules" / "__init__.py").write_text("raise ImportError('missing dependency foo')\n")
    work = tmp_path / "work"
    work.mkdir()
    (work / "net.prototxt").write_text(NET)
    result = run(["net.prototxt"], work, site, tmp_path / "cache")
    assert result.returncode == 2
    assert "plugin no-tanh (team_rules:NoTanh) failed to load: missing dependency foo" in result.stderr
    assert "Traceback" not in result.stderr
