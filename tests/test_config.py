"""Configuration files: discovery, every key, CLI precedence, and errors that name the file and key."""

import os
import subprocess
import sys

import pytest

from protolint.api import default_registry
from protolint.config import ConfigError, clear_caches, find_config_file, load_config

NET = """layer { name: "data" type: "Input" top: "data" top: "label" input_param { shape { dim: 2 dim: 4 } shape { dim: 2 } } }
layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 3 } }
layer { name: "relu" type: "ReLU" bottom: "fc" top: "fc" }
layer { name: "out" type: "InnerProduct" bottom: "fc" top: "out"
        inner_product_param { num_output: 2 weight_filler { type: "xavier" } bias_filler { type: "constant" } } }
layer { name: "loss" type: "SoftmaxWithLoss" bottom: "out" bottom: "label" top: "loss" }
"""  # the hidden layer fc has no weight_filler (F401 warning) and no bias_filler (F402 info)


def protolint(*args, cwd):
    env = dict(os.environ, PROTOLINT_CACHE_DIR=str(cwd / ".cache"))
    return subprocess.run([sys.executable, "-m", "protolint", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def load(tmp_path, text, name=".protolint.toml"):
    path = tmp_path / name
    path.write_text(text)
    load_config.cache_clear()
    return load_config(str(path), default_registry())


def test_nearest_config_wins_and_pyproject_needs_the_tool_table(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.protolint]\nignore = ['P007']\n")
    sub = tmp_path / "models" / "a"
    sub.mkdir(parents=True)
    (tmp_path / "models" / "pyproject.toml").write_text("[project]\nname = 'x'\n")  # no [tool.protolint]: skipped
    assert find_config_file(str(sub / "net.prototxt")) == str(tmp_path / "pyproject.toml")
    (sub / ".protolint.toml").write_text("ignore = ['P005']\n")
    clear_caches()
    assert find_config_file(str(sub / "net.prototxt")) == str(sub / ".protolint.toml")


def test_every_key_is_read(tmp_path):
    proto = tmp_path / "fork.proto"
    proto.write_text('syntax = "proto2";\npackage caffe;\nmessage NetParameter { optional string name = 1; }\n')
    config = load(
        tmp_path,
        """
select = ["P", "F401"]
ignore = ["deprecated-field"]
proto = "fork.proto"
caffe-version = "rc5"
extra-layer-types = ["PriorBox"]
[severity]
missing-bias-filler = "warning"
[per-file-ignores]
"deploy/*.prototxt" = ["F401"]
""",
    )
    assert config.select == ["P", "F401"]
    assert config.ignore == ["deprecated-field"]
    assert config.proto == str(proto)
    assert config.caffe_version == "rc5"
    assert config.extra_layer_types == ["PriorBox"]
    assert config.severity == {"missing-bias-filler": "warning"}
    assert config.ignored_for(str(tmp_path / "deploy" / "net.prototxt")) == ["F401"]
    assert config.ignored_for(str(tmp_path / "train" / "net.prototxt")) == []


@pytest.mark.parametrize(
    "text, key, reason",
    [
        ("selct = ['P']", "selct", "did you mean `select`?"),
        ("ignore = ['no-such-rule']", "ignore", "no rule is named or coded 'no-such-rule'"),
        ("ignore = 3", "ignore", "expected a list of strings"),
        ("caffe-version = '2.0'", "caffe-version", "unknown Caffe version '2.0'"),
        ("proto = 'missing.proto'", "proto", "no such file"),
        ("[severity]\nmissing-bias-filler = 'loud'", "severity.missing-bias-filler", "expected \"error\", \"warning\" or \"info\""),
        ("[severity]\nnope = 'info'", "severity.nope", "no rule is named or coded like that"),
        ("[per-file-ignores]\n'*.prototxt' = ['bogus']", "per-file-ignores.*.prototxt", "no rule is named or coded 'bogus'"),
    ],
)
def test_bad_settings_name_the_file_and_the_key(tmp_path, text, key, reason):
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text)
    assert caught.value.key == key
    assert reason in caught.value.reason
    assert str(tmp_path / ".protolint.toml") in str(caught.value)


def test_invalid_toml_is_reported(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, "select = [")
    assert "not valid TOML" in caught.value.reason


def test_a_config_that_is_not_utf8_is_reported_not_a_traceback(tmp_path):
    (tmp_path / ".protolint.toml").write_bytes(b'select = ["ALL"]\ncaffe-version = "\xff"\n')
    (tmp_path / "net.prototxt").write_text(NET)
    run = protolint("net.prototxt", cwd=tmp_path)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert ".protolint.toml: not UTF-8 text (at line 2, column 18: byte 0xff)" in run.stderr


def test_a_parsed_config_is_cached_by_its_text(tmp_path):
    """The second run reads what the TOML parsed to from the cache (no TOML parser is imported),
    and a changed file is parsed again; a value marshal cannot keep (a date) is parsed every time."""
    (tmp_path / ".protolint.toml").write_text("ignore = ['missing-weight-filler']\n")
    (tmp_path / "net.prototxt").write_text(NET)
    probe = ("import sys, atexit; from protolint.cli import entry; "
             "atexit.register(lambda: print('tomllib' in sys.modules, file=sys.stderr)); "
             "sys.argv = ['protolint', '--no-cache', 'net.prototxt']; entry()")
    env = dict(os.environ, PROTOLINT_CACHE_DIR=str(tmp_path / ".cache"))

    def run():
        done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True)
        return done.stdout, done.stderr.strip().splitlines()[-1]

    first, parsed = run()
    again, parsed_again = run()
    assert (parsed, parsed_again) == ("True", "False")
    assert first == again and "missing-weight-filler" not in first and "missing-bias-filler" in first
    (tmp_path / ".protolint.toml").write_text("ignore = ['missing-bias-filler']\n")
    changed, parsed = run()
    assert parsed == "True" and "missing-weight-filler" in changed and "missing-bias-filler" not in changed
    (tmp_path / ".protolint.toml").unlink()
    (tmp_path / "pyproject.toml").write_text("[project]\nreleased = 2016-04-01\n\n"
                                             "[tool.protolint]\nignore = ['missing-weight-filler']\n")
    for _ in range(2):
        dated, parsed = run()
        assert parsed == "True" and dated == first


def test_pyproject_keys_are_reported_with_their_table(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, "[tool.protolint]\nignroe = ['P007']\n", name="pyproject.toml")
    assert caught.value.key == "tool.protolint.ignroe"


def test_cli_applies_the_config_and_cli_options_win(tmp_path):
    (tmp_path / "net.prototxt").write_text(NET)
    result = protolint("net.prototxt", "--fail-on", "info", cwd=tmp_path)
    # The missing weight filler is the root cause; the missing bias filler is reported once that rule is off.
    assert "[F401 missing-weight-filler]" in result.stdout and "[F402 missing-bias-filler]" not in result.stdout

    (tmp_path / ".protolint.toml").write_text('ignore = ["F401"]\n[severity]\nmissing-bias-filler = "error"\n')
    result = protolint("net.prototxt", cwd=tmp_path)
    assert "F401" not in result.stdout
    assert "error: InnerProduct \"fc\" has a bias but no bias_filler" in result.stdout
    assert result.returncode == 1

    result = protolint("net.prototxt", "--select", "F401", cwd=tmp_path)  # --select replaces select, ignore still applies
    assert "1 file checked: no findings." in result.stdout


def test_per_file_ignores_in_the_cli(tmp_path):
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "net.prototxt").write_text(NET)
    (tmp_path / "train.prototxt").write_text(NET)
    (tmp_path / ".protolint.toml").write_text('[per-file-ignores]\n"deploy/*" = ["F401", "F402"]\n')
    result = protolint(".", "--fail-on", "info", cwd=tmp_path)
    assert "train.prototxt" in result.stdout
    assert "deploy/net.prototxt" not in result.stdout


def test_bad_config_exits_2_with_file_and_key(tmp_path):
    (tmp_path / "net.prototxt").write_text(NET)
    (tmp_path / ".protolint.toml").write_text("caffe-version = 'latestest'\n")
    result = protolint("net.prototxt", cwd=tmp_path)
    assert result.returncode == 2
    assert ".protolint.toml: `caffe-version`: unknown Caffe version 'latestest'" in result.stderr
    assert "Traceback" not in result.stderr


def test_explicit_config_and_caffe_version_option(tmp_path):
    (tmp_path / "net.prototxt").write_text(NET)
    (tmp_path / "strict.toml").write_text('select = ["F401"]\n')
    result = protolint("net.prototxt", "--config", "strict.toml", cwd=tmp_path)
    assert "[F401 missing-weight-filler]" in result.stdout and "F402" not in result.stdout
    result = protolint("net.prototxt", "--caffe-version", "9.9", cwd=tmp_path)
    assert result.returncode == 2 and "unknown Caffe version" in result.stderr
