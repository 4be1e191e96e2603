"""protolint as it is shipped: a wheel installed into a fresh venv, and the pre-commit hook.

Both tests install from PyPI (build backend, dependencies, pre-commit's hook venv), so they are
marked `slow`; they run by default, `-m "not slow"` skips them. They work on a copy of the
working tree (tracked plus untracked, not ignored, files), so they never write into the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
LONG = 900  # seconds: building and installing from PyPI on a slow day

GOOD = (REPO / "examples" / "lenet_clean.prototxt").read_text()
BAD = """name: "tiny"
layer {
  name: "data" type: "Input" top: "data"
  input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } }
}
layer {
  name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
  convolution_param { num_output: 4 kernal_size: 3 }
}
"""
BAD_DIAGNOSTIC = "bad.prototxt:8:37: error: unknown field `kernal_size` in ConvolutionParameter"

GIT_IDENTITY = ["-c", "user.name=protolint tests", "-c", "user.email=tests@protolint.invalid", "-c", "commit.gpgsign=false"]

pytestmark = pytest.mark.slow


def _run(args, **kwargs):
    kwargs.setdefault("capture_output", True)
    kwargs.setdefault("text", True)
    kwargs.setdefault("timeout", LONG)
    return subprocess.run([str(a) for a in args], **kwargs)


def _ok(done):
    assert done.returncode == 0, f"{done.args} exited {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    return done


def _git(cwd, *args):
    return _ok(_run(["git", *GIT_IDENTITY, *args], cwd=cwd))


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    environment = dict(os.environ)
    environment["PROTOLINT_CACHE_DIR"] = str(tmp_path_factory.mktemp("protolint-cache"))
    environment["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    environment["PRE_COMMIT_COLOR"] = "never"
    environment.pop("VIRTUAL_ENV", None)
    return environment


@pytest.fixture(scope="module")
def source_copy(tmp_path_factory):
    """The working tree as git sees it (tracked and untracked, minus ignored), committed in a new repo."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs git and a git checkout")
    listed = _ok(_run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO)).stdout
    target = tmp_path_factory.mktemp("source") / "caffe-protolint"
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():  # skips tracked files deleted in the work tree
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    _git(target, "init", "-q")
    _git(target, "add", "-A")
    _git(target, "commit", "-q", "-m", "snapshot for tests")
    return target


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory):
    """One pre-commit home for the hook tests: the hook's environment is built once."""
    return str(tmp_path_factory.mktemp("pre-commit-home"))


def test_pre_commit_hook(source_copy, env, tmp_path, pre_commit_home):
    project = tmp_path / "project"
    project.mkdir()
    (project / "good.prototxt").write_text(GOOD)
    (project / "bad.prototxt").write_text(BAD)
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    hook_env = dict(env, PRE_COMMIT_HOME=pre_commit_home)
    pre_commit = [sys.executable, "-m", "pre_commit", "try-repo", source_copy, "protolint"]

    bad = _run([*pre_commit, "--files", "bad.prototxt"], cwd=project, env=hook_env)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert BAD_DIAGNOSTIC in bad.stdout, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout

    good = _run([*pre_commit, "--files", "good.prototxt"], cwd=project, env=hook_env)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout


def test_pre_commit_hook_sees_files_that_are_not_text(source_copy, env, tmp_path, pre_commit_home):
    """pre-commit does not classify a UTF-16 file as text; the hook still gets it (types: [file])."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "wide.prototxt").write_bytes(GOOD.encode("utf-16"))
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    hook_env = dict(env, PRE_COMMIT_HOME=pre_commit_home)
    done = _run([sys.executable, "-m", "pre_commit", "try-repo", source_copy, "protolint", "--files", "wide.prototxt"],
                cwd=project, env=hook_env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "wide.prototxt:1:1: error: the file is UTF-16 (little-endian, with a byte order mark)" in done.stdout


def test_pre_commit_hooks_file_skips_other_files(source_copy, env, tmp_path, pre_commit_home):
    """`files: \\.prototxt$`: a broken file with another extension is not handed to the hook."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "notes.txt").write_text(BAD)
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    hook_env = dict(env, PRE_COMMIT_HOME=pre_commit_home)
    done = _run([sys.executable, "-m", "pre_commit", "try-repo", source_copy, "protolint", "--files", "notes.txt"], cwd=project, env=hook_env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no files to check" in done.stdout.lower()


@pytest.fixture(scope="module")
def wheel(source_copy, tmp_path_factory, env):
    dist = tmp_path_factory.mktemp("dist")
    _ok(_run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, source_copy], env=env))
    (built,) = dist.glob("caffe_protolint-*.whl")
    return built


def _package_dirs() -> dict[str, Path]:
    """Every package the source tree has, by its installed path (grammars/ and rules/ live at the top)."""
    found = {}
    for init in (REPO / "protolint").rglob("__init__.py"):
        found["/".join(init.parent.relative_to(REPO).parts)] = init.parent
    found["protolint/grammars"] = REPO / "grammars"
    found["protolint/rules"] = REPO / "rules"
    return found


def test_wheel_contents(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for data_file in ("protolint/grammars/prototxt.lark", "protolint/grammars/proto.lark", "protolint/schema/caffe.proto"):
        assert data_file in names
    missing = []
    for installed, folder in _package_dirs().items():
        for module in folder.glob("*.py"):
            if f"{installed}/{module.name}" not in names:
                missing.append(f"{installed}/{module.name}")
    assert not missing, f"not in the wheel (is the package listed in pyproject.toml?): {missing}"
    assert any(name.endswith(".dist-info/entry_points.txt") for name in names)


def test_installed_wheel_outside_the_source_tree(wheel, env, tmp_path):
    venv = tmp_path / "venv"
    _ok(_run([sys.executable, "-m", "venv", venv], env=env))
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    _ok(_run([python, "-m", "pip", "install", "-q", wheel], env=env))

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "good.prototxt").write_text(GOOD)
    (elsewhere / "bad.prototxt").write_text(BAD)
    run_env = dict(env, PROTOLINT_CACHE_DIR=str(tmp_path / "cache"))

    purelib = Path(_ok(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=elsewhere, env=run_env)).stdout.strip())
    where = _ok(_run(
        [python, "-c", "import protolint, protolint.grammars, protolint.rules, protolint.schema; "
                       "print(protolint.__file__); print(protolint.grammars.__file__); print(protolint.rules.__file__)"],
        cwd=elsewhere, env=run_env,
    )).stdout.split()
    assert len(where) == 3
    for path in where:
        assert Path(path).resolve().is_relative_to(purelib.resolve()), (path, purelib)
        assert not Path(path).resolve().is_relative_to(REPO)

    protolint = bindir / "protolint"
    good = _run([protolint, "good.prototxt"], cwd=elsewhere, env=run_env)
    assert good.returncode == 0, good.stdout + good.stderr
    assert good.stdout.strip() == "1 file checked: no findings."

    bad = _run([protolint, "bad.prototxt"], cwd=elsewhere, env=run_env)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert bad.stdout.startswith(BAD_DIAGNOSTIC)

    piped = _run([protolint, "-", "--stdin-filename", "bad.prototxt"], input=BAD, cwd=elsewhere, env=run_env)
    assert piped.returncode == 1, piped.stdout + piped.stderr
    assert piped.stdout.startswith(BAD_DIAGNOSTIC)

    module = _run([python, "-m", "protolint", "--format", "json", "-"], input=GOOD, cwd=elsewhere, env=run_env)
    assert module.returncode == 0, module.stdout + module.stderr
    assert '"diagnostics": []' in module.stdout

    # A syntax error: the LALR driver runs (well-formed files never need its tables).
    broken = _run([python, "-m", "protolint", "-"], input="layer { name: 'x' ", cwd=elsewhere, env=run_env)
    assert broken.returncode == 1 and "syntax-error" in broken.stdout, broken.stdout + broken.stderr

    # The derived artefacts went where PROTOLINT_CACHE_DIR says, and nowhere near the source.
    cached = {p.name.split("-")[0] for p in (tmp_path / "cache").iterdir()}
    assert {"prototxt", "schema", "rules", "results"} <= cached, cached
