"""Trust (issue 8): fixes that never break a file, bounded output on hostile input, inputs that are
not text or not regular files, and the smaller promises of the command line."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from protolint.api import default_options, lint_bytes
from protolint.fixes import fix_text, write_file
from protolint.reporters import render
from protolint.schema.loader import builtin_schema, load_schema
from protolint.syntax.state import MAX_SYNTAX_ERRORS

REPO = Path(__file__).resolve().parent.parent
CLEAN = (REPO / "examples" / "lenet_clean.prototxt").read_text()


@pytest.fixture(scope="module")
def options():
    return default_options(schema=builtin_schema())


def lint(data, options, path="net.prototxt"):
    return lint_bytes(path, data if isinstance(data, bytes) else data.encode(), options)


def fixed(text: str, options, unsafe=False):
    result = lint(text, options)
    return fix_text(text, result.diagnostics, lambda t: lint(t, options).diagnostics, unsafe=unsafe)


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory):
    return dict(os.environ, PROTOLINT_CACHE_DIR=str(tmp_path_factory.mktemp("cache")))


def protolint(*args, cwd, env, stdin=b""):
    done = subprocess.run([sys.executable, "-m", "protolint", *map(str, args)], cwd=cwd, env=env, input=stdin,
                          capture_output=True, timeout=120)
    out, err = done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err
    return done.returncode, out, err


# --- legacy-input-fields: the Input layer only where it loads -------------------------------------

V1_INPUTS = ('input: "data"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 8\ninput_dim: 8\n'
             'layers { name: "r" type: RELU bottom: "data" top: "r" }\n')
V2_INPUTS = V1_INPUTS.replace('layers { name: "r" type: RELU', 'layer { name: "r" type: "ReLU"')


def legacy_fixes(text, options):
    return [f for d in lint(text, options).diagnostics if d.rule == "legacy-input-fields" for f in d.fixes]


def test_no_input_layer_among_v1_layers(options):
    assert "legacy-input-fields" in [d.rule for d in lint(V1_INPUTS, options).diagnostics]
    assert legacy_fixes(V1_INPUTS, options) == []
    assert legacy_fixes(V2_INPUTS, options)


def test_no_input_layer_before_rc4(options):
    assert legacy_fixes(V2_INPUTS, default_options(schema=options.schema, caffe_version="rc3")) == []
    assert legacy_fixes(V2_INPUTS, default_options(schema=options.schema, caffe_version="rc4"))


def test_no_input_layer_with_a_schema_without_it(tmp_path):
    # A fork that branched before rc4 (SegNet's caffe.proto): LayerParameter has no input_param.
    proto = (REPO / "protolint" / "schema" / "caffe.proto").read_text()
    lines = [line for line in proto.splitlines() if "InputParameter input_param" not in line]
    assert len(lines) == len(proto.splitlines()) - 1
    (tmp_path / "old.proto").write_text("\n".join(lines) + "\n")
    assert legacy_fixes(V2_INPUTS, default_options(schema=load_schema(tmp_path / "old.proto"))) == []


def test_input_shape_comments_stay_at_the_ends_of_their_lines_and_crlf_stays(options):
    text = ('name: "rois"\r\ninput: "rois"\r\ninput_shape {\r\n  dim: 1 # num ROIs\r\n  dim: 5\r\n}\r\n'
            'layer { name: "r" type: "ReLU" bottom: "rois" top: "r" }\r\n')
    outcome = fixed(text, options)
    assert outcome.applied == 1 and not outcome.refused
    assert outcome.text == ('name: "rois"\r\nlayer {\r\n  name: "input"\r\n  type: "Input"\r\n  top: "rois"\r\n'
                            '  input_param {\r\n    shape {\r\n      dim: 1 # num ROIs\r\n      dim: 5\r\n    }\r\n  }\r\n}\r\n'
                            'layer { name: "r" type: "ReLU" bottom: "rois" top: "r" }\r\n')
    assert lint(outcome.text, options).diagnostics == []


def test_a_comment_inside_an_input_field_means_no_fix(options):
    text = 'input: # the image\n  "data"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 8\ninput_dim: 8\n'
    assert legacy_fixes(text, options) == []


def test_fixes_that_would_add_an_error_are_refused_and_said(options):
    from protolint.diagnostics import Fix, TextEdit

    text = V2_INPUTS
    result = lint(text, options)
    at = text.index("layer {")
    bad = Fix("add a V1 block", [TextEdit(at, at, 'layers { name: "x" type: RELU bottom: "data" top: "x" }\n')])
    result.diagnostics[0].fixes = [bad]
    outcome = fix_text(text, result.diagnostics, lambda t: lint(t, options).diagnostics)
    assert outcome.applied == 0 and outcome.text == text
    [refusal] = outcome.refused
    assert refusal.rule == "legacy-input-fields" and "mixed-layer-formats" in refusal.reason


# --- deleting fixes take their separator, inserted lines their line's ending ----------------------


def test_deleted_fields_take_their_separators(options):
    text = ('layer { name: "in" type: "Input" top: "a" top: "b" input_param { shape { dim: 1 dim: 2 } shape { dim: 1 dim: 2 } } }\n'
            'layer { name: "c" type: "Concat" bottom: "a" bottom: "b" top: "c" concat_param { concat_dim: 1; axis: 1; } }\n'
            'layer { name: "m" type: "Eltwise" bottom: "a" bottom: "b" top: "m" eltwise_param { operation: MAX, coeff: 1, coeff: 2 } }\n')
    outcome = fixed(text, options)
    assert outcome.applied == 2
    assert "concat_param { axis: 1; }" in outcome.text
    assert "eltwise_param { operation: MAX, }" in outcome.text  # (the field before keeps its own separator)


def test_inserted_lines_take_the_line_ending_of_their_line(options):
    text = ('layer {\r\n  name: "in"\r\n  type: "Input"\r\n  top: "x"\r\n  top: "y"\r\n'
            '  input_param { shape { dim: 1 dim: 3 } shape { dim: 1 dim: 3 } }\r\n}\r\n'
            'layer {\r\n  name: "loss"\r\n  type: "InfogainLoss"\r\n  bottom: "x"\r\n  bottom: "y"\r\n'
            '  top: "loss"\r\n  top: "prob";\r\n  infogain_loss_param { source: "H.binaryproto" }\r\n}\r\n')
    [fix] = [f for d in lint(text, options).diagnostics if d.rule == "loss-weight-count" for f in d.fixes]
    from protolint.fixes import apply

    new_text, _ = apply(text, [fix])
    assert '  top: "prob";\r\n  loss_weight: 1\r\n  loss_weight: 0\r\n' in new_text  # (after the separator)
    assert new_text.count("\n") == new_text.count("\r\n")


# --- --fix writes through symlinks, keeps hard links and the mode --------------------------------


BROKEN = b'// a comment\r\nlayer { name: "r" type: "Relu" bottom: "x" top: "x" }\r\n'


@pytest.mark.skipif(not hasattr(os, "symlink") or sys.platform == "win32", reason="POSIX links")
def test_fix_writes_through_a_symlink_and_keeps_hard_links(tmp_path, cli_env):
    real = tmp_path / "real"
    real.mkdir()
    target = real / "net.prototxt"
    target.write_bytes(BROKEN)
    os.chmod(target, 0o640)
    (tmp_path / "link.prototxt").symlink_to("real/net.prototxt")
    os.link(target, tmp_path / "hard.prototxt")
    rc, out, err = protolint("--fix", "--fail-on", "never", "link.prototxt", cwd=tmp_path, env=cli_env)
    assert rc == 0, err
    assert "Fixed 2 findings." in out and err == ""
    assert (tmp_path / "link.prototxt").is_symlink()
    expected = BROKEN.replace(b"// a", b"# a").replace(b'"Relu"', b'"ReLU"')
    assert target.read_bytes() == expected
    assert (tmp_path / "hard.prototxt").read_bytes() == expected  # still the same file
    assert os.stat(target).st_nlink == 2
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640


def test_write_file_replaces_a_lone_file_atomically(tmp_path):
    path = tmp_path / "net.prototxt"
    path.write_bytes(b"old")
    os.chmod(path, 0o604)
    write_file(str(path), b"new text")
    assert path.read_bytes() == b"new text" and stat.S_IMODE(os.stat(path).st_mode) == 0o604
    assert [p.name for p in tmp_path.iterdir()] == ["net.prototxt"]


# --- unsafe renames: only near-misses of the same kind --------------------------------------------


def rename_fixes(text, options):
    return [(d.message.split(";")[0], f.edits[0].new_text) for d in lint(text, options).diagnostics
            if d.rule == "unknown-field" for f in d.fixes]


def test_a_fork_block_is_not_renamed_into_an_unrelated_message(options):
    net = ('layer { name: "bn" type: "BN" bottom: "x" top: "x" bn_param { scale_filler { type: "constant" value: 1 } } }\n'
           'layer { name: "p" type: "Permute" bottom: "x" top: "y" permute_param { order: 0 order: 2 } }\n'
           'layer { name: "i" type: "Interp" bottom: "x" top: "z" interp_param { zoom_factor: 2 } }\n'
           'layer { name: "l" type: "LSTM" bottom: "x" top: "w" lstm_param { num_output: 4 } }\n')
    assert rename_fixes(net, options) == []


def test_renames_only_into_a_field_that_takes_the_value_and_is_not_set(options):
    base = 'layer { name: "c" type: "Convolution" bottom: "x" top: "y" convolution_param { %s } }\n'
    assert rename_fixes(base % "num_output: 4 kernal_size: 3", options) == [
        ("unknown field `kernal_size` in ConvolutionParameter", "kernel_size")]
    # bias_filler given already: a misspelt second one would be a duplicate.
    assert rename_fixes(base % 'bias_filler { type: "constant" } bias_filer { type: "constant" }', options) == []
    # A block whose fields the message does not have.
    assert rename_fixes(base % 'weight_filer { no_such_field: 1 }', options) == []
    # A value of the wrong kind (a string for a number).
    assert rename_fixes(base % 'num_outpt: "four"', options) == []


# --- hostile input: bounded findings and output ----------------------------------------------------


def text_output(result) -> str:
    return render("text", [result], False, None)


HOSTILE = {
    "closers": b"}" * 20_000,
    "unclosed braces on one line": b"layer { " * 3_000,
    "names without quotes": b"".join(b"layer { name: conv%d/bn type: BatchNorm bottom: conv%d top: conv%d }\n" % (i, i, i)
                                     for i in range(3_000)),
    "a long string": b'name: "' + b"x" * 2_000_000 + b'"\n',
    "an unterminated string": b'name: "' + b"x\\" * 500_000 + b"\n",
    "a long block comment": b"/*" + b" *" * 500_000 + b"*/\n",
    "a number running into a name": b"base_lr: 1" + b"e" * 500_000 + b"\n",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_input_gives_bounded_findings_and_output(name, options):
    data = HOSTILE[name]
    result = lint(data, options)
    syntax = [d for d in result.diagnostics if d.rule == "syntax-error"]
    assert len(syntax) <= MAX_SYNTAX_ERRORS + 1
    output = text_output(result)
    # Every finding prints a bounded amount: a header, an excerpt window, notes.
    assert len(output) <= 2_000 * max(len(result.diagnostics), 1) + 2 * sum(len(r.message) for d in result.diagnostics for r in d.related)
    assert max((len(line) for line in output.splitlines()), default=0) <= 800


def test_the_syntax_error_cap_ends_with_a_note(options):
    result = lint(b"}" * 500, options)
    syntax = [d for d in result.diagnostics if d.rule == "syntax-error"]
    assert len(syntax) == MAX_SYNTAX_ERRORS + 1
    assert syntax[-1].message.startswith(f"… and {500 - MAX_SYNTAX_ERRORS} more syntax errors from here on, not shown")
    assert (syntax[-1].line, syntax[-1].column) == (1, MAX_SYNTAX_ERRORS + 1)


def test_an_error_at_the_end_of_the_file_is_on_a_line_that_exists(options):
    result = lint('layer {\n  name: "a"\n\n\n', options)
    [error] = result.diagnostics
    assert (error.line, error.column) == (2, 12)
    assert ' 2 |   name: "a"' in text_output(result)


def test_excerpts_are_a_window_around_the_span(options):
    line = 'layer { name: "a" type: "ReLU" bottom: "x" top: "x" } ' * 100 + 'layer { name: "b" type: "Relu" }\n'
    result = lint(line, options)
    output = text_output(result)
    excerpt = next(out for out in output.splitlines() if out.startswith(" 1 | ") and '"Relu"' in out)
    assert excerpt.startswith(" 1 | …") and len(excerpt) < 200 and '"Relu"' in excerpt
    caret = output.splitlines()[output.splitlines().index(excerpt) + 1]
    assert caret.index("^") == excerpt.index('"Relu"')


# --- input that is not text ------------------------------------------------------------------------


@pytest.mark.parametrize("encoding, words", [
    ("utf-16", "UTF-16 (little-endian, with a byte order mark)"),
    ("utf-16-le", "UTF-16 (little-endian, without a byte order mark)"),
    ("utf-16-be", "UTF-16 (big-endian, without a byte order mark)"),
    ("utf-32", "UTF-32 (little-endian, with a byte order mark)"),
    ("utf-32-be", "UTF-32 (big-endian, without a byte order mark)"),
])
def test_wide_text_is_one_clear_finding(encoding, words, options):
    result = lint(CLEAN.encode(encoding), options, path="solver.prototxt")  # (a solver's rules would fire on nothing)
    [finding] = result.diagnostics
    assert finding.rule == "syntax-error" and finding.message.startswith(f"the file is {words}, not UTF-8")
    assert "save it as UTF-8" in finding.message


def test_binary_is_one_clear_finding(options):
    import random

    generator = random.Random(8)
    noise = bytes(generator.getrandbits(8) for _ in range(200_000))
    [finding] = lint(noise, options).diagnostics
    assert finding.message.startswith("the file is not text: it has a NUL byte here")
    no_nul = noise.replace(b"\0", b"")
    [finding] = lint(no_nul, options).diagnostics
    assert finding.message.startswith("the file is not text:") and "control characters" in finding.message


def test_gbk_comments_are_still_text(options):
    data = "# 网络定义\n".encode("gbk") * 50 + CLEAN.encode()
    assert [d.rule for d in lint(data, options).diagnostics] == []


# --- files that are not regular ----------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_fifos_and_devices_are_not_read(tmp_path, cli_env):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "net.prototxt").write_text(CLEAN)
    os.mkfifo(tmp_path / "models" / "pipe.prototxt")
    rc, out, err = protolint("models", cwd=tmp_path, env=cli_env)  # the folder: the FIFO is skipped, not opened
    assert (rc, err) == (0, "") and out.strip() == "1 file checked: no findings."
    rc, out, err = protolint("models/pipe.prototxt", cwd=tmp_path, env=cli_env)
    assert rc == 2 and "protolint: models/pipe.prototxt: cannot read: not a regular file (a FIFO)" in err
    assert "files checked" not in out
    if os.path.exists("/dev/zero"):
        rc, out, err = protolint("--proto", "/dev/zero", "models/net.prototxt", cwd=tmp_path, env=cli_env)
        assert rc == 2 and "cannot use the schema: /dev/zero: cannot read the schema file: not a regular file" in err


def test_files_past_the_size_limit_are_refused(tmp_path, cli_env, monkeypatch):
    from protolint import files

    big = tmp_path / "big.prototxt"
    big.write_bytes(b" " * 2048)
    with pytest.raises(OSError, match="too large"):
        files.read_regular(big, limit=1024)
    assert files.read_regular(big, limit=4096) == b" " * 2048
    import io

    with pytest.raises(OSError, match="too large"):
        files.read_stream(io.BytesIO(b" " * 2048), limit=1024)


def test_a_missing_path_is_not_a_clean_run(tmp_path, cli_env):
    rc, out, err = protolint("nowhere.prototxt", cwd=tmp_path, env=cli_env)
    assert rc == 2 and "cannot read" in err and out == ""


# --- smaller promises of the command line ---------------------------------------------------------


def test_unsafe_fixes_alone_is_a_usage_error(tmp_path, cli_env):
    (tmp_path / "net.prototxt").write_text(CLEAN)
    rc, _, err = protolint("--unsafe-fixes", "net.prototxt", cwd=tmp_path, env=cli_env)
    assert rc == 2 and "--unsafe-fixes only applies with --fix or --diff" in err


def test_explain_takes_any_case_and_suggests(tmp_path, cli_env):
    rc, out, _ = protolint("explain", "UNKNOWN-FIELD", cwd=tmp_path, env=cli_env)
    assert rc == 0 and out.startswith("P002 unknown-field")
    rc, _, err = protolint("explain", "unknwn-field", cwd=tmp_path, env=cli_env)
    assert rc == 2 and "did you mean `unknown-field`?" in err
    rc, _, err = protolint("--select", "missing_bias_filer", "x.prototxt", cwd=tmp_path, env=cli_env)
    assert rc == 2 and "did you mean `missing-bias-filler`?" in err


def test_stdin_solver_finds_its_net_next_to_the_stdin_filename(tmp_path, cli_env):
    (tmp_path / "A").mkdir()
    (tmp_path / "A" / "net.prototxt").write_text(CLEAN.replace('name: "LeNet"', 'name: "LeNet" force_backward: true', 1))
    solver = b'net: "net.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 10\nsolver_mode: CPU\n'
    rc, out, err = protolint("-", "--stdin-filename", "A/solver.prototxt", "--format", "json", "--fail-on", "never",
                             cwd=tmp_path, env=cli_env, stdin=solver)
    assert rc == 0, err
    rules = {d["rule"] for d in json.loads(out)["diagnostics"]}
    assert "net-file-not-found" not in rules


def test_sarif_uris_are_encoded_and_columns_are_code_points(tmp_path, cli_env):
    (tmp_path / "my nets").mkdir()
    (tmp_path / "my nets" / "é.prototxt").write_text("// x\n")
    rc, out, _ = protolint("--format", "sarif", "my nets/é.prototxt", cwd=tmp_path, env=cli_env)
    run = json.loads(out)["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "my%20nets/%C3%A9.prototxt"


def test_json_fix_edits_have_code_point_offsets_and_positions(options):
    from protolint.reporters.json import render as render_json

    result = lint('# é\nlayer { name: "r" type: "Relu" }\n', options)
    [edit] = [e for d in json.loads(render_json([result]))["diagnostics"] for f in d["fixes"] for e in f["edits"]]
    assert (edit["start"], edit["start_line"], edit["start_column"]) == (28, 2, 25)  # code points: `é` is one
