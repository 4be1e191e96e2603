"""--fix and --diff: only the intended characters change, and a broken result is never written."""

import os
import subprocess
import sys

from protolint.api import default_options
from protolint.diagnostics import Fix, TextEdit
from protolint.fixes import apply

BROKEN = (
    b"# \xc4\xe3\xba\xc3 GBK comment\r\n"
    b"// a C-style comment\r\n"
    b"layer {\r\n"
    b'  name: "data"\r\n'
    b'  type: "Input"\r\n'
    b'  top: "data"\r\n'
    b"  input_param { shape { dim: 1 dim: 4 } }\r\n"
    b"}\r\n"
    b"layer {\r\n"
    b'\tname: "relu"\r\n'
    b'\ttype: "Relu"\r\n'
    b'\tbottom "data"\r\n'
    b'\ttop: "data"\r\n'
    b"}\r\n"
)
FIXED = (
    BROKEN.replace(b"// a C-style", b"# a C-style").replace(b'"Relu"', b'"ReLU"').replace(b'bottom "data"', b'bottom: "data"')
)


def protolint(*args, cwd, stdin=None):
    env = dict(os.environ, PROTOLINT_CACHE_DIR=str(cwd / ".cache"))
    return subprocess.run([sys.executable, "-m", "protolint", *args], cwd=cwd, env=env, input=stdin,
                          capture_output=True, timeout=120)


def test_fix_changes_only_the_fixed_characters(tmp_path):
    path = tmp_path / "net.prototxt"
    path.write_bytes(b"\xef\xbb\xbf" + BROKEN)  # with a BOM: kept, and still reported (Caffe rejects it)
    os.chmod(path, 0o640)
    result = protolint("--fix", "net.prototxt", cwd=tmp_path)
    assert path.read_bytes() == b"\xef\xbb\xbf" + FIXED
    assert oct(os.stat(path).st_mode & 0o777) == oct(0o640)
    out = result.stdout.decode()
    assert "Fixed 3 findings." in out
    assert "byte order mark" in out  # not fixable safely: reported, untouched
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".protolint-")]


def test_diff_shows_the_fixes_and_writes_nothing(tmp_path):
    path = tmp_path / "net.prototxt"
    path.write_bytes(BROKEN)
    result = protolint("--diff", "net.prototxt", cwd=tmp_path)
    assert result.returncode == 1
    out = result.stdout.decode("utf-8", "surrogateescape")
    assert "-// a C-style comment\r\n+# a C-style comment" in out
    assert '+\ttype: "ReLU"' in out and '+\tbottom: "data"' in out
    assert path.read_bytes() == BROKEN


def test_diff_on_a_clean_file_exits_0(tmp_path):
    (tmp_path / "net.prototxt").write_bytes(FIXED)
    assert protolint("--diff", "net.prototxt", cwd=tmp_path).returncode == 0


def test_unsafe_fixes_only_on_request(tmp_path):
    path = tmp_path / "net.prototxt"
    text = b'layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 } } }\nlayer { name: "r" type: "ReLU" botom: "data" top: "r" }\n'
    path.write_bytes(text)
    protolint("--fix", "net.prototxt", cwd=tmp_path)
    assert path.read_bytes() == text  # renaming an unknown field is unsafe
    protolint("--fix", "--unsafe-fixes", "net.prototxt", cwd=tmp_path)
    assert path.read_bytes() == text.replace(b"botom", b"bottom")


def test_fix_refuses_stdin(tmp_path):
    result = protolint("--fix", "-", cwd=tmp_path, stdin=BROKEN)
    assert result.returncode == 2 and b"cannot rewrite stdin" in result.stderr


def test_overlapping_fixes_wait_for_the_next_pass():
    text = "abcdef"
    first = Fix("x", [TextEdit(1, 3, "X")])
    overlapping = Fix("y", [TextEdit(2, 4, "Y")])
    later = Fix("z", [TextEdit(5, 5, "Z")])
    assert apply(text, [first, overlapping, later]) == ("aXdeZf", 2)


def test_a_fix_that_would_break_the_file_is_not_applied():
    from protolint.api import lint_bytes
    from protolint.fixes import fix_text
    from protolint.schema.loader import builtin_schema

    options = default_options(schema=builtin_schema())
    data = b'layer { name: "r" type: "Relu" }\n'
    result = lint_bytes("net.prototxt", data, options)
    closing = data.index(b"}")
    result.diagnostics[0].fixes = [Fix("bad", [TextEdit(closing, closing + 1, "")])]  # deletes the brace
    outcome = fix_text(data.decode(), result.diagnostics, lambda text: lint_bytes("net.prototxt", text.encode(), options).diagnostics)
    assert (outcome.text, outcome.applied) == (data.decode(), 0)
    [refusal] = outcome.refused
    assert refusal.fix.title == "bad" and refusal.reason.startswith("more syntax errors")
