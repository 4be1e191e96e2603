"""The command line as a user runs it: `python -m protolint ...` in a subprocess.

Every test runs the real entry point (click, exit codes, stdout/stderr, no tty), with the disk
cache in a temporary folder shared by the whole module, so only the first run builds it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import protolint

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"

NET_WITH_TYPO = """name: "tiny"
layer {
  name: "data" type: "Input" top: "data"
  input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } }
}
layer {
  name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
  convolution_param { num_output: 4 kernal_size: 3 }
}
"""
TYPO_LINE, TYPO_COLUMN = 8, 37  # `kernal_size`, 1-based

# Only an info finding (a deprecated field): below the default --fail-on warning.
NET_WITH_INFO = """name: "slices"
layer {
  name: "data" type: "Input" top: "data"
  input_param { shape { dim: 1 dim: 4 dim: 8 dim: 8 } }
}
layer {
  name: "slice" type: "Slice" bottom: "data" top: "a" top: "b"
  slice_param { slice_dim: 1 }
}
"""

DIAGNOSTIC_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|warning|info): (?P<message>.+) \[(?P<code>[A-Z]+\d+) (?P<rule>[a-z0-9-]+)\]$")
ANSI = "\x1b["


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    environment = dict(os.environ)
    environment["PROTOLINT_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    environment.pop("NO_COLOR", None)
    return environment


@pytest.fixture
def run(env, tmp_path):
    def run(*args, stdin: str | bytes | None = None, cwd: Path | None = None, check_rc: int | None = None):
        data = stdin.encode() if isinstance(stdin, str) else stdin
        done = subprocess.run(
            [sys.executable, "-m", "protolint", *map(str, args)],
            input=data if data is not None else b"",
            capture_output=True,
            cwd=cwd or tmp_path,
            env=env,
            timeout=120,
        )
        out, err = done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")
        if check_rc is not None:
            assert done.returncode == check_rc, f"rc {done.returncode}\nstdout:\n{out}\nstderr:\n{err}"
        assert "Traceback" not in err, err
        return done.returncode, out, err

    return run


@pytest.fixture
def files(tmp_path):
    (tmp_path / "typo.prototxt").write_text(NET_WITH_TYPO)
    (tmp_path / "info.prototxt").write_text(NET_WITH_INFO)
    return tmp_path


# --- exit codes ---------------------------------------------------------------------------------


def test_clean_example_exits_0_with_no_findings(run):
    rc, out, err = run(EXAMPLES / "lenet_clean.prototxt", check_rc=0)
    assert out.strip() == "1 file checked: no findings."
    assert err == ""


def test_findings_exit_1(run, files):
    rc, out, _ = run("typo.prototxt", check_rc=1)
    assert "unknown field `kernal_size`" in out
    assert out.rstrip().endswith("1 file checked: 1 error.")


@pytest.mark.parametrize(
    "fail_on, file, expected",
    [
        (None, "info.prototxt", 0),  # default warning: an info finding does not fail
        ("info", "info.prototxt", 1),
        ("error", "info.prototxt", 0),
        ("error", "typo.prototxt", 1),
        ("never", "typo.prototxt", 0),
    ],
)
def test_fail_on(run, files, fail_on, file, expected):
    args = ["--select", "P001,P002,P007"]  # only the findings these files are about
    if fail_on:
        args += ["--fail-on", fail_on]
    rc, out, _ = run(*args, file, check_rc=expected)
    assert "[P00" in out  # the finding is reported either way


def test_missing_file_exits_2_and_says_why(run, files):
    rc, out, err = run("typo.prototxt", "nowhere.prototxt", check_rc=2)
    assert "protolint: nowhere.prototxt: cannot read: " in err
    assert "kernal_size" in out  # the readable file is still linted


def test_bad_proto_exits_2_with_position(run, files, tmp_path):
    (tmp_path / "fork.proto").write_text('syntax = "proto2";\nmessage NetParameter {\n  optional strin name = 1;\n}\n')
    rc, out, err = run("--proto", "fork.proto", "typo.prototxt", check_rc=2)
    assert re.search(r"fork\.proto:3:\d+: ", err), err
    assert out == ""


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (a device that is always full)")
@pytest.mark.parametrize("args", [("typo.prototxt",), ("--format", "json", "typo.prototxt"), ("--no-cache", "-j", "2", "typo.prototxt", "info.prototxt")])
def test_output_that_cannot_be_written_exits_2_in_one_line(env, files, args):
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "protolint", *args], stdout=full, stderr=subprocess.PIPE, cwd=files,
                              env=env, timeout=120, text=True)
    assert done.returncode == 2
    assert done.stderr == "protolint: cannot write the output: No space left on device\n"


def test_unreadable_proto_exits_2(run, files):
    rc, _, err = run("--proto", "missing.proto", "typo.prototxt", check_rc=2)
    assert "missing.proto" in err and ":0:0" not in err


def test_unknown_select_exits_2(run, files):
    rc, _, err = run("--select", "no-such-rule", "typo.prototxt", check_rc=2)
    assert "no-such-rule" in err


def test_no_paths_is_a_usage_error(run):
    run("check", check_rc=2)


# --- text output --------------------------------------------------------------------------------


def test_text_output_line_snippet_and_carets(run, files):
    rc, out, _ = run("typo.prototxt", check_rc=1)
    lines = out.splitlines()
    match = DIAGNOSTIC_LINE.match(lines[0])
    assert match, lines[0]
    assert match["path"] == "typo.prototxt"
    assert (int(match["line"]), int(match["column"])) == (TYPO_LINE, TYPO_COLUMN)
    assert (match["severity"], match["code"], match["rule"]) == ("error", "P002", "unknown-field")
    source_line = NET_WITH_TYPO.splitlines()[TYPO_LINE - 1]
    gutter = f" {TYPO_LINE} | "
    assert lines[1] == gutter + source_line
    caret_line = lines[2]
    assert caret_line.startswith(" " * (len(gutter) - 2) + "| ")
    carets = caret_line[len(gutter):]
    start = len(carets) - len(carets.lstrip(" "))
    assert start == TYPO_COLUMN - 1
    assert carets.strip() == "^" * len("kernal_size")
    assert source_line[start : start + len("kernal_size")] == "kernal_size"


def test_no_colour_when_not_a_tty(run, files):
    rc, out, _ = run("typo.prototxt", check_rc=1)
    assert ANSI not in out


def test_color_always_gives_ansi(run, files):
    rc, out, _ = run("--color", "always", "typo.prototxt", check_rc=1)
    assert ANSI in out
    rc, out, _ = run("--color", "never", "typo.prototxt", check_rc=1)
    assert ANSI not in out


def test_quiet_prints_only_failing_findings(run, files):
    rc, out, _ = run("-q", "--select", "P002,P007", "info.prototxt", check_rc=0)
    assert out == ""
    rc, out, _ = run("--quiet", "--select", "P002,P007", "typo.prototxt", "info.prototxt", check_rc=1)
    assert "kernal_size" in out and "slice_dim" not in out and "checked" not in out


# --- machine-readable output --------------------------------------------------------------------


def test_json_contract(run, files):
    rc, out, _ = run("--format", "json", "typo.prototxt", check_rc=1)
    data = json.loads(out)
    assert data["version"] == 1
    assert len(data["diagnostics"]) == 1
    d = data["diagnostics"][0]
    for key in ("path", "line", "column", "end_line", "end_column", "severity", "code", "rule", "message"):
        assert key in d, key
    assert d["path"] == "typo.prototxt"
    assert (d["line"], d["column"]) == (TYPO_LINE, TYPO_COLUMN)  # 1-based
    assert (d["end_line"], d["end_column"]) == (TYPO_LINE, TYPO_COLUMN + len("kernal_size"))
    assert (d["severity"], d["code"], d["rule"]) == ("error", "P002", "unknown-field")
    assert "kernal_size" in d["message"]


def test_json_clean_file_is_an_empty_list(run):
    rc, out, _ = run("--format", "json", EXAMPLES / "lenet_clean.prototxt", check_rc=0)
    assert json.loads(out) == {"version": 1, "diagnostics": []}


def test_sarif_is_valid_json_with_results(run, files):
    rc, out, _ = run("--format", "sarif", "typo.prototxt", check_rc=1)
    log = json.loads(out)
    assert log["version"] == "2.1.0"
    results = log["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["P002"]
    region = results[0]["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (TYPO_LINE, TYPO_COLUMN)
    assert "P002" in {rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]}


# --- inputs -------------------------------------------------------------------------------------


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "models" / "deep" / "deeper").mkdir(parents=True)
    (tmp_path / "models" / "skip").mkdir()
    (tmp_path / "models" / "top.prototxt").write_text(NET_WITH_TYPO)
    (tmp_path / "models" / "deep" / "deeper" / "nested.prototxt").write_text(NET_WITH_TYPO)
    (tmp_path / "models" / "skip" / "skipped.prototxt").write_text(NET_WITH_TYPO)
    (tmp_path / "models" / "notes.txt").write_text("not a prototxt {")
    (tmp_path / "models" / "deploy.pt").write_text(NET_WITH_TYPO)
    return tmp_path


def _paths(out: str) -> set[str]:
    return {d["path"].replace(os.sep, "/") for d in json.loads(out)["diagnostics"]}


def test_folders_are_walked_recursively_for_prototxt(run, tree):
    rc, out, _ = run("--format", "json", "models", check_rc=1)
    assert _paths(out) == {"models/top.prototxt", "models/deep/deeper/nested.prototxt", "models/skip/skipped.prototxt"}


def test_include_and_exclude(run, tree):
    rc, out, _ = run("--format", "json", "--include", "*.pt", "models", check_rc=1)
    assert _paths(out) == {"models/deploy.pt"}
    rc, out, _ = run("--format", "json", "--include", "*.prototxt,*.pt", "--exclude", "skip", "models", check_rc=1)
    assert _paths(out) == {"models/top.prototxt", "models/deep/deeper/nested.prototxt", "models/deploy.pt"}
    rc, out, _ = run("--format", "json", "--exclude", "nested.prototxt", "--exclude", "skip", "models", check_rc=1)
    assert _paths(out) == {"models/top.prototxt"}


def test_text_summary_counts_files(run, tree):
    rc, out, _ = run("models", check_rc=1)
    assert out.rstrip().endswith("3 files checked: 3 errors.")


def test_stdin_with_stdin_filename(run):
    rc, out, _ = run("-", "--stdin-filename", "nets/from_editor.prototxt", stdin=NET_WITH_TYPO, check_rc=1)
    assert out.startswith(f"nets/from_editor.prototxt:{TYPO_LINE}:{TYPO_COLUMN}: error: ")
    rc, out, _ = run("--format", "json", "-", stdin=NET_WITH_TYPO, check_rc=1)
    assert _paths(out) == {"<stdin>"}


def test_as_solver_and_header(run, tmp_path):
    (tmp_path / "plain.prototxt").write_text('name: "x"\n')
    rc, out, _ = run("--select", "P002", "plain.prototxt", check_rc=0)  # detected as a net
    rc, out, _ = run("--select", "P002", "--as", "solver", "plain.prototxt", check_rc=1)
    assert "unknown field `name` in SolverParameter" in out
    header = "# proto-message: SolverParameter\nname: \"x\"\n"
    rc, out, _ = run("--select", "P002", "-", stdin=header, check_rc=1)
    assert "in SolverParameter" in out
    rc, out, _ = run("--select", "P002", "--as", "net", "-", stdin=header, check_rc=0)


def test_solver_detected_from_content(run, tmp_path):
    (tmp_path / "train.prototxt").write_text('net: "net.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 10\n')
    run("--select", "P002,P003", "train.prototxt", check_rc=0)


# --- other commands -----------------------------------------------------------------------------


def test_rules_lists_codes_and_names(run):
    rc, out, _ = run("rules", check_rc=0)
    for code, name in [("P001", "syntax-error"), ("P002", "unknown-field"), ("P003", "invalid-value")]:
        assert re.search(rf"^{code}\s+{name}\s+(error|warning|info)\s+\S", out, re.M), out


@pytest.mark.parametrize("name", ["unknown-field", "P002", "p002"])
def test_explain_by_name_and_code(run, name):
    rc, out, _ = run("explain", name, check_rc=0)
    assert out.startswith("P002 unknown-field (error")
    assert "What it does" in out


def test_explain_unknown_rule_exits_2(run):
    rc, out, err = run("explain", "no-such-rule", check_rc=2)
    assert "no-such-rule" in err


def test_version(run):
    rc, out, _ = run("--version", check_rc=0)
    assert out.strip() == f"protolint, version {protolint.__version__}"


def test_help_lists_check_options(run):
    rc, out, _ = run("check", "--help", check_rc=0)
    for option in ("--format", "--fail-on", "--quiet", "--proto", "--as", "--select", "--ignore", "--include", "--exclude", "--stdin-filename", "--color"):
        assert option in out


# --- the bundled examples -----------------------------------------------------------------------


def test_examples_are_schema_valid_except_the_mistakes_file(run):
    rc, out, _ = run("--format", "json", "--select", "P001,P002,P003,P004,P005,P006", EXAMPLES, check_rc=1)
    found = {(Path(d["path"]).name, d["line"], d["column"], d["code"]) for d in json.loads(out)["diagnostics"]}
    assert found == {
        ("schema_mistakes.prototxt", 14, 38, "P002"),  # kernal_size
        ("schema_mistakes.prototxt", 20, 9, "P005"),  # type: "RELU"
        ("schema_mistakes.prototxt", 26, 16, "P001"),  # missing colon
    }


def test_examples_folder_exits_1(run):
    rc, out, _ = run(EXAMPLES, check_rc=1)
    assert re.search(r"^7 files checked: ", out, re.M)


# --- start-up -----------------------------------------------------------------------------------


def test_normal_run_does_not_import_lark(env, tmp_path):
    """With the parse tables and the schema cached, linting needs neither lark nor a grammar compile."""
    target = EXAMPLES / "lenet_clean.prototxt"
    probe = (
        "import sys\n"
        "from protolint.cli import main\n"
        "try:\n"
        f"    main([{str(target)!r}], prog_name='protolint')\n"
        "except SystemExit as exit:\n"
        "    code = exit.code\n"
        "print('LARK' if 'lark' in sys.modules else 'NO-LARK', code)\n"
    )
    warm = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert warm.returncode == 0, warm.stderr
    assert warm.stdout.strip().endswith(" 0")
    again = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert again.stdout.strip().splitlines()[-1] == "NO-LARK 0", again.stdout + again.stderr


def test_a_small_clean_file_imports_only_what_it_needs(env, tmp_path):
    """Start-up: no parser generator, no error recovery, no did-you-mean, no process pool, no plugin
    scan, nothing written; with its result cached, not even the rules, the model, the schema or the
    parser."""
    (tmp_path / "small.prototxt").write_bytes((EXAMPLES / "lenet_clean.prototxt").read_bytes())
    never = ["lark", "protolint.schema.builder", "protolint.syntax.recovery", "protolint.syntax.tables", "difflib",
             "multiprocessing", "concurrent.futures", "importlib.metadata", "tempfile"]
    linting = ["protolint.rules", "protolint.linter", "protolint.syntax.parser", "protolint.schema.checker",
               "protolint.schema.loader", "protolint.model.net"]

    def imported(*args, unwanted):
        probe = (
            "import sys\n"
            "from protolint.cli import main\n"
            "try:\n"
            "    main(sys.argv[1:], prog_name='protolint')\n"
            "except SystemExit as exit:\n"
            "    code = exit.code\n"
            f"print(code, [m for m in {unwanted!r} if m in sys.modules])\n"
        )
        done = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, env=env, cwd=tmp_path,
                              timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1]

    imported("small.prototxt", unwanted=[])  # the schema, the parse tables, the rule list and this file's result cached
    assert imported("--no-cache", "small.prototxt", unwanted=never) == "0 []"
    assert imported("small.prototxt", unwanted=never + linting) == "0 []"  # from the cache: nothing to lint


# --- the README tells the truth -----------------------------------------------------------------

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_readme_sample_output_is_real(run):
    block = re.search(r"^    \$ protolint (examples/\S+)\n((?:    .*\n)+)", README, re.M)
    assert block, "the README's sample run is missing"
    expected = "".join(line[4:] + "\n" for line in block[2].splitlines())
    rc, out, _ = run(block[1], cwd=REPO)
    assert out == expected


def test_readme_documents_every_check_option(run):
    rc, out, _ = run("check", "--help", check_rc=0)
    options = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", out))
    undocumented = sorted(option for option in options if f"`{option}" not in README)
    assert not undocumented, f"options missing from the README's option table: {undocumented}"


def test_readme_test_command_is_what_ci_runs():
    ci = (REPO / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert f"\n    {ci}\n" in README


def test_text_output_never_prints_control_characters(tmp_path):
    # A file can carry terminal escape sequences; the snippet must not replay them.
    (tmp_path / "evil.prototxt").write_bytes(b'layer { name: "x\x1b[2J" type: "ReLU" \x07 }\n')
    result = subprocess.run([sys.executable, "-m", "protolint", "evil.prototxt", "--color", "never"], cwd=tmp_path,
                            capture_output=True, timeout=60, env=dict(os.environ, PROTOLINT_CACHE_DIR=str(tmp_path)))
    assert b"\x1b" not in result.stdout and b"\x07" not in result.stdout
    assert "\ufffd[2J".encode() in result.stdout  # shown, one replacement character each


def test_a_schema_without_messages_is_a_usage_error(tmp_path):
    (tmp_path / "empty.proto").write_text('syntax = "proto2";\n')
    (tmp_path / "net.prototxt").write_text('name: "x"\n')
    result = subprocess.run([sys.executable, "-m", "protolint", "--proto", "empty.proto", "net.prototxt"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60, env=dict(os.environ, PROTOLINT_CACHE_DIR=str(tmp_path)))
    assert result.returncode == 2
    assert "protolint: cannot use the schema: empty.proto: it defines no message" in result.stderr


def test_header_naming_an_unknown_message(tmp_path):
    (tmp_path / "labels.prototxt").write_text('# proto-message: LabelMap\nitem { name: "cat" label: 1 }\n')
    result = subprocess.run([sys.executable, "-m", "protolint", "labels.prototxt"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60, env=dict(os.environ, PROTOLINT_CACHE_DIR=str(tmp_path)))
    assert "labels.prototxt:1:1: warning: the header names message `LabelMap`, which this schema does not define" in result.stdout


def test_readme_rule_count_is_current():
    from protolint.api import default_registry

    count = len(default_registry().rules)
    assert f"What it checks today ({count} rules;" in README
    assert f"the {count} rules" in README


def test_header_naming_a_known_message_is_silent(tmp_path):
    (tmp_path / "s.prototxt").write_text('# proto-message: caffe.SolverParameter\nbase_lr: 0.01\n')
    result = subprocess.run([sys.executable, "-m", "protolint", "--select", "P", "s.prototxt"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60, env=dict(os.environ, PROTOLINT_CACHE_DIR=str(tmp_path)))
    assert result.returncode == 0 and "unknown-root-message" not in result.stdout


def test_text_output_shows_a_few_related_places_and_counts_the_rest(run, tmp_path):
    # Eight BatchNorm layers without Scale: one finding for the net, seven related places.
    layers = ['layer { name: "in" type: "Input" top: "x0" input_param { shape { dim: 1 dim: 2 dim: 4 dim: 4 } } }']
    for i in range(8):
        layers.append(f'layer {{ name: "bn{i}" type: "BatchNorm" bottom: "x{i}" top: "x{i + 1}" }}')
    layers.append('layer { name: "relu" type: "ReLU" bottom: "x8" top: "y" }')
    (tmp_path / "deploy.prototxt").write_text("\n".join(layers) + "\n")
    _rc, out, _err = run("deploy.prototxt", "--select", "batchnorm-without-scale")
    assert out.count("[B505 batchnorm-without-scale]") == 1
    assert out.count(": note: ") == 5 and "... and 2 more places (--format json lists them)" in out
    _rc, out, _err = run("deploy.prototxt", "--select", "batchnorm-without-scale", "--format", "json")
    (finding,) = json.loads(out)["diagnostics"]
    assert len(finding["related"]) == 7


def test_the_language_server_runs_with_the_cyclic_gc_on(monkeypatch):
    """The `protolint` script turns the cyclic GC off for its one lint (cli.entry); a language server
    started by it lints for hours and must have it back once it is up."""
    import gc

    from protolint import cli
    from protolint.server import app

    seen = []

    class Server:
        protocol = None

        def start_io(self):
            seen.append(gc.isenabled())

    monkeypatch.setattr(app, "build", Server)
    monkeypatch.setattr(sys, "argv", ["protolint", "server"])
    monkeypatch.setattr(sys, "path", list(sys.path))  # (the server takes the working folder off it)
    was_enabled = gc.isenabled()
    try:
        with pytest.raises(SystemExit):
            cli.entry()
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()
    assert seen == [True]
