"""Many files: grouping (a solver with its net files), -j/--jobs, the result cache, --no-cache.

The output must not depend on how a run is done: in one process or several, from the cache or not,
it is byte for byte what linting all files together (project.lint_inputs) gives.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import protolint
from protolint import batch
from protolint.api import default_options
from protolint.project import Input, lint_inputs
from protolint.reporters import render

# A net without a loss: linted alone it is only run forward; the solver trains it, and then that is
# an error. So its findings show whether it was linted with its solver.
NET = """name: "tiny"
layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } } }
layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
  convolution_param { num_output: 4 kernel_size: 3 weight_filler { type: "xavier" } } }
"""
SOLVER = """net: "{net}"
base_lr: 0.01
lr_policy: "fixed"
max_iter: 100
solver_mode: CPU
"""
TYPO = """layer {
  name: "relu" type: "RELU" bottom: "x" top: "x"
}
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def project(tmp_path):
    """A net given before the solver that trains it, a solver whose net is not given, a duplicate,
    an unrelated file with a typo, and a file the solver of another folder names."""
    write(tmp_path / "a" / "net.prototxt", NET)
    write(tmp_path / "a" / "solver.prototxt", SOLVER.format(net="net.prototxt"))
    write(tmp_path / "b" / "solver.prototxt", SOLVER.format(net="hidden/net.prototxt"))
    write(tmp_path / "b" / "hidden" / "net.prototxt", NET)
    write(tmp_path / "c" / "typo.prototxt", TYPO)
    write(tmp_path / "c" / "alone.prototxt", NET)
    return tmp_path


INPUTS = ["a/net.prototxt", "c/typo.prototxt", "a/solver.prototxt", "b/solver.prototxt", "c/alone.prototxt",
          "a/net.prototxt"]


@pytest.fixture
def env(tmp_path):
    environment = dict(os.environ)
    environment["PROTOLINT_CACHE_DIR"] = str(tmp_path / "cache")
    environment.pop("NO_COLOR", None)
    return environment


def cli(cwd: Path, env: dict, *args) -> tuple[int, str]:
    done = subprocess.run([sys.executable, "-m", "protolint", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, done.stdout


def cache_entries(env: dict) -> list[Path]:
    folder = Path(env["PROTOLINT_CACHE_DIR"]) / "results"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_plan_groups_a_solver_with_its_nets(project, monkeypatch):
    monkeypatch.chdir(project)
    options = default_options()
    sources = [(path, (lambda p=path: Path(p).read_bytes()), path) for path in INPUTS]
    plan = batch.plan(sources, lambda _path: options, lambda *_: pytest.fail("nothing is unreadable"))
    groups = [[(m.display, m.given) for m in group.members] for group in plan.groups]
    assert groups == [
        # the net, its solver and the same net given again: one group (the solver links the last copy)
        [("a/net.prototxt", True), ("a/solver.prototxt", True), ("a/net.prototxt", True)],
        [("c/typo.prototxt", True)],
        # the net the solver names comes along, after every given file
        [("b/solver.prototxt", True), (os.path.join("b", "hidden", "net.prototxt"), False)],
        [("c/alone.prototxt", True)],
    ]
    assert plan.count == 7


def expected_output(project: Path, fmt: str) -> str:
    """What linting every file together gives (the behaviour before groups, jobs and the cache)."""
    cwd = os.getcwd()
    os.chdir(project)
    try:
        options = default_options()
        results = lint_inputs([Input(p, Path(p).read_bytes(), p) for p in INPUTS], lambda _path: options)
        return render(fmt, results, False, options.registry)
    finally:
        os.chdir(cwd)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_jobs_do_not_change_the_output(project, env, fmt):
    expected = expected_output(project, fmt)
    outputs = {jobs: cli(project, env, "--no-cache", "--format", fmt, "-j", jobs, *INPUTS) for jobs in (1, 2, 4)}
    assert outputs[1] == outputs[2] == outputs[4]
    rc, out = outputs[1]
    assert rc == 1
    assert out.startswith(expected)
    assert "no-loss-in-train-net" in out and "unknown-layer-type" in out  # linted with their solvers
    if fmt == "text":
        assert "\n7 files checked: " in out


@pytest.mark.parametrize("args", [(), ("--format", "json"), ("--format", "sarif"), ("--quiet",), ("--fail-on", "never")])
def test_a_warm_cache_gives_the_same_output(project, env, args):
    cold = cli(project, env, *args, *INPUTS)
    assert cache_entries(env)
    warm = cli(project, env, *args, *INPUTS)
    assert warm == cold
    assert cli(project, env, "--no-cache", *args, *INPUTS) == cold


def test_cached_findings_keep_their_fixes(tmp_path, env):
    write(tmp_path / "net.prototxt", TYPO)
    cold = cli(tmp_path, env, "--format", "json", "net.prototxt")
    assert '"new_text": "\\"ReLU\\""' in cold[1]
    assert cli(tmp_path, env, "--format", "json", "net.prototxt") == cold


FORK_PROTO = (Path(protolint.__file__).parent / "schema" / "caffe.proto").read_text() + "\nmessage ForkOnly { optional int32 x = 1; }\n"


def _edit(path: str, old: str, new: str):
    def change(project: Path):
        target = project / path
        target.write_text(target.read_text().replace(old, new))
    return change


@pytest.mark.parametrize("change, before, after", [
    (_edit("a/net.prototxt", "num_output: 4", "num_output: 8"), (), ()),  # a file's content
    (_edit("b/hidden/net.prototxt", "num_output: 4", "num_output: 8"), (), ()),  # a net file a solver names
    (lambda project: write(project / ".protolint.toml", '[severity]\nunknown-layer-type = "warning"\n'), (), ()),
    (_edit("fork.proto", "ForkOnly", "ForkOnly2"), ("--proto", "fork.proto"), ("--proto", "fork.proto")),  # the schema
    (None, (), ("--select", "P,N")),  # options
    (None, (), ("--ignore", "unknown-layer-type")),
    (None, (), ("--extra-layer-types", "RELU")),
    (None, (), ("--caffe-version", "1.0")),
    (None, (), ("--from-scratch",)),
])
def test_any_change_of_an_input_is_a_cache_miss(project, env, change, before, after):
    write(project / "fork.proto", FORK_PROTO)
    cli(project, env, *before, *INPUTS)
    entries = len(cache_entries(env))
    cli(project, env, *before, *INPUTS)
    assert len(cache_entries(env)) == entries  # nothing changed: every group from the cache
    if change is not None:
        change(project)
    changed = cli(project, env, *after, *INPUTS)
    assert len(cache_entries(env)) > entries
    assert changed == cli(project, env, "--no-cache", *after, *INPUTS)


def test_the_version_and_the_code_are_part_of_the_key(monkeypatch):
    from protolint import cache

    def fingerprint():
        cache.code_fingerprint.cache_clear()
        return cache.code_fingerprint()

    base = fingerprint()
    monkeypatch.setattr(protolint, "__version__", "0.0.0-other")
    assert fingerprint() != base
    monkeypatch.undo()
    real_stamp = cache.entry_stamp
    for module in ("linter.py", "unknown_layer_type.py", "caffe.proto"):  # protolint, a rule, the built-in schema
        monkeypatch.setattr(cache, "entry_stamp",
                            lambda entry: real_stamp(entry) + ("edited" if entry.path.endswith(module) else ""))
        assert fingerprint() != base, module
    monkeypatch.undo()
    assert fingerprint() == base


def test_no_cache_neither_reads_nor_writes(project, env):
    cli(project, env, "--no-cache", "c/typo.prototxt", "a/solver.prototxt")
    assert cache_entries(env) == []
    assert not list(Path(env["PROTOLINT_CACHE_DIR"]).glob("net-files-*"))  # (what a solver names)
    real = cli(project, env, "c/typo.prototxt")
    (entry,) = cache_entries(env)
    stored = pickle.loads(entry.read_bytes())
    for _place, result in stored:
        result.diagnostics = []  # a planted entry: the file is clean
    entry.write_bytes(pickle.dumps(stored))
    assert cli(project, env, "c/typo.prototxt") == (0, "1 file checked: no findings.\n")  # read from the cache
    assert cli(project, env, "--no-cache", "c/typo.prototxt") == real


def test_a_broken_entry_is_a_miss(project, env):
    real = cli(project, env, "c/typo.prototxt")
    (entry,) = cache_entries(env)
    entry.write_bytes(entry.read_bytes()[:20])
    assert cli(project, env, "c/typo.prototxt") == real


def test_fix_never_uses_the_cache(project, env):
    cli(project, env, "c/typo.prototxt")
    (entry,) = cache_entries(env)
    stored = pickle.loads(entry.read_bytes())
    for _place, result in stored:
        result.diagnostics = []
    entry.write_bytes(pickle.dumps(stored))
    cli(project, env, "--fix", "--unsafe-fixes", "c/typo.prototxt")
    assert 'type: "ReLU"' in (project / "c" / "typo.prototxt").read_text()


def test_concurrent_runs_share_the_cache(project, env):
    runs = [subprocess.Popen([sys.executable, "-m", "protolint", "--format", "json", "-j", "2", *INPUTS], cwd=project,
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outputs = {run.communicate(timeout=300)[0] for run in runs}
    assert len(outputs) == 1
    expected = cli(project, env, "--no-cache", "--format", "json", *INPUTS)[1]
    assert outputs == {expected}
    for entry in cache_entries(env):
        assert isinstance(pickle.loads(entry.read_bytes()), list)  # each written whole
    assert not [p for p in (Path(env["PROTOLINT_CACHE_DIR"]) / "results").iterdir() if p.name.startswith(".")]


def test_results_keep_no_tree(project, monkeypatch):
    monkeypatch.chdir(project)
    options = default_options()
    sources = [(path, (lambda p=path: Path(p).read_bytes()), path) for path in INPUTS]
    plan = batch.plan(sources, lambda _path: options, lambda *_: None)
    results = [item for kind, item in batch.run(plan, lambda _path: options, use_cache=False) if kind == "result"]
    assert len(results) == 7
    assert all(isinstance(result.document, batch.Snapshot) for result in results)


def test_a_net_file_that_appears_joins_its_solver(tmp_path, env):
    """The solver's net file list is cached with the solver; where the files are is looked up anew."""
    write(tmp_path / "solver.prototxt", SOLVER.format(net="later.prototxt"))
    rc, out = cli(tmp_path, env, "solver.prototxt")
    assert "net-file-not-found" in out and "1 file checked" in out
    write(tmp_path / "later.prototxt", NET)
    assert cli(tmp_path, env, "solver.prototxt") == cli(tmp_path, env, "--no-cache", "solver.prototxt")
    assert "2 files checked" in cli(tmp_path, env, "solver.prototxt")[1]


def test_real_paths_are_os_realpath(tmp_path, monkeypatch):
    """batch._real_path resolves each folder once; it must still give what os.path.realpath gives,
    through linked files and linked folders, relative paths and `..`."""
    from protolint import batch

    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "net.prototxt").write_text("")
    (tmp_path / "linked_folder").symlink_to(tmp_path / "real", target_is_directory=True)
    (tmp_path / "real" / "linked.prototxt").symlink_to(tmp_path / "real" / "net.prototxt")
    monkeypatch.chdir(tmp_path / "real")
    paths = ["net.prototxt", "./net.prototxt", "linked.prototxt", "../linked_folder/net.prototxt",
             "../linked_folder/linked.prototxt", str(tmp_path / "linked_folder" / "net.prototxt"),
             "../real/../linked_folder/./net.prototxt", "missing.prototxt", "..", "."]
    batch._REAL_FOLDERS.clear()
    assert [batch._real_path(p) for p in paths] == [os.path.realpath(p) for p in paths]


def plan_layout(plan) -> list:
    return [[(m.index, m.display, m.given, m.real) for m in group.members] for group in plan.groups] + [plan.count]


def many_solvers(root: Path) -> list[str]:
    """Eight solvers (past the count the pool is asked to parse), two naming one net, one naming a
    file that itself names a net (taken in a later round), one naming what is not there."""
    for n in range(5):
        write(root / f"s{n}" / "net.prototxt", NET)
        write(root / f"s{n}" / "solver.prototxt", SOLVER.format(net="net.prototxt"))
    write(root / "shared" / "net.prototxt", NET)
    write(root / "shared" / "one.prototxt", SOLVER.format(net="net.prototxt"))
    write(root / "shared" / "two.prototxt", SOLVER.format(net="net.prototxt"))
    write(root / "chain" / "first.prototxt", SOLVER.format(net="second.prototxt"))
    write(root / "chain" / "second.prototxt", SOLVER.format(net="third.prototxt"))
    write(root / "chain" / "third.prototxt", NET)
    write(root / "lost" / "solver.prototxt", SOLVER.format(net="nowhere.prototxt"))
    return ["s3/net.prototxt", *(f"s{n}/solver.prototxt" for n in range(5)), "shared/two.prototxt",
            "chain/first.prototxt", "shared/one.prototxt", "lost/solver.prototxt", "s0/net.prototxt"]


def plans_with_and_without_pool(paths: list[str], options_for) -> tuple[list, list]:
    sources = [(path, (lambda p=path: Path(p).read_bytes()), path) for path in paths]
    alone = batch.plan(sources, options_for, lambda *_: None, use_cache=False)
    with batch.start_pool(2, options_for, paths[0]) as pool:
        parsed = batch.plan(sources, options_for, lambda *_: None, use_cache=False, pool=pool)
    return plan_layout(alone), plan_layout(parsed)


def test_solvers_parsed_by_the_workers_give_the_same_plan(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    paths = many_solvers(tmp_path)
    options = default_options()
    alone, parsed = plans_with_and_without_pool(paths, lambda _path: options)
    assert parsed == alone
    displays = [[m[1] for m in group] for group in alone[:-1]]
    assert ["chain/first.prototxt", os.path.join("chain", "second.prototxt"),
            os.path.join("chain", "third.prototxt")] in displays  # the file the second round brought in
    assert ["shared/two.prototxt", "shared/one.prototxt", os.path.join("shared", "net.prototxt")] in displays


def test_solvers_parsed_by_the_workers_give_the_same_plan_on_the_corpus(monkeypatch):
    from tests.corpus_location import need_corpus

    root = need_corpus().resolve()
    monkeypatch.chdir(root)
    paths = sorted(str(p.relative_to(root)) for p in root.rglob("*.prototxt"))
    options = default_options()
    alone, parsed = plans_with_and_without_pool(paths, lambda _path: options)
    assert parsed == alone
    assert sum(len(group) > 1 for group in alone[:-1]) > 20  # (solvers with their nets: the pool parsed them)


def a_worker_that_fails(member):
    return False  # what batch._names_work answers when the parse raised


def test_a_solver_a_worker_cannot_parse_is_parsed_by_the_run(tmp_path, monkeypatch):
    """Whatever stops a worker (here: it finds the file gone) is met again, and dealt with, by the
    process that made the plan: the plan is what it would have been."""
    monkeypatch.chdir(tmp_path)
    paths = many_solvers(tmp_path)
    options = default_options()
    monkeypatch.setattr(batch, "_names_work", a_worker_that_fails)
    alone, parsed = plans_with_and_without_pool(paths, lambda _path: options)
    assert parsed == alone


def test_jobs_do_not_change_the_output_of_many_solvers(tmp_path, env):
    paths = many_solvers(tmp_path)
    outputs = {jobs: cli(tmp_path, env, "--no-cache", "-j", jobs, *paths) for jobs in (1, 2)}
    assert outputs[1] == outputs[2]
    assert "net-file-not-found" in outputs[1][1] and "no-loss-in-train-net" in outputs[1][1]


@pytest.mark.parametrize("configuration", ['select = [\n', 'select = ["no-such-rule"]\n'])
def test_a_bad_configuration_is_reported_once_with_workers(tmp_path, env, configuration):
    """The worker processes load the configuration too; only the run says what is wrong with it."""
    paths = many_solvers(tmp_path)
    write(tmp_path / "pyproject.toml", "[tool.protolint]\n" + configuration)
    for args in (("--no-cache", "-j", "2"), ("-j", "2")):
        done = subprocess.run([sys.executable, "-m", "protolint", *args, *paths], capture_output=True, text=True,
                              cwd=tmp_path, env=env, timeout=300)
        assert done.returncode == 2 and done.stdout == ""
        assert done.stderr.count("bad configuration") == 1, done.stderr
        assert "pyproject.toml" in done.stderr


def end_this_process(_item):
    os._exit(3)  # (what the kernel's out-of-memory killer does to a worker, as far as the pool can tell)


def test_a_worker_that_dies_is_said_not_waited_for(tmp_path, monkeypatch):
    """A killed worker must end the run with a message, never leave it waiting for ever."""
    monkeypatch.chdir(tmp_path)
    paths = many_solvers(tmp_path)
    options = default_options()
    with batch.start_pool(2, lambda _path: options, paths[0]) as pool:
        with pytest.raises(batch.WorkerLost):
            list(pool.collect([pool.submit(end_this_process, n) for n in range(8)]))


def test_the_command_line_says_a_worker_died(tmp_path, env):
    """The same through the command line: exit 2 and one line, no traceback (the workers, forked
    from the probe, end their process where they would lint)."""
    paths = many_solvers(tmp_path)
    probe = ("import os, sys; from protolint import batch; "
             "batch.lint_group = lambda *args, **kwargs: os._exit(3); "
             "sys.argv = ['protolint', '--no-cache', '-j', '2', *sys.argv[1:]]; "
             "from protolint.cli import entry; entry()")
    done = subprocess.run([sys.executable, "-c", probe, *paths], capture_output=True, text=True, cwd=tmp_path, env=env,
                          timeout=120)
    assert done.returncode == 2
    assert "a worker process ended before its files were linted" in done.stderr and "Traceback" not in done.stderr


# A run where no worker process can be started (as under a limit on processes).
NO_FORK = ("import errno, os, sys\n"
           "def refused(): raise BlockingIOError(errno.EAGAIN, os.strerror(errno.EAGAIN))\n"
           "os.fork = refused\n"
           "sys.argv = ['protolint', *sys.argv[1:]]\n"
           "from protolint.cli import entry; entry()\n")


@pytest.mark.parametrize("cache", [("--no-cache",), ()])
def test_no_worker_processes_means_one_process_and_a_word(tmp_path, env, cache):
    """Where no process can be started (a limit on processes), -j lints in the run's own process and
    says so once: the same output and exit code as -j1."""
    paths = many_solvers(tmp_path)
    expected = cli(tmp_path, env, "--no-cache", "-j", 1, *paths)
    done = subprocess.run([sys.executable, "-c", NO_FORK, *cache, "-j", "2", *paths], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=120)
    assert (done.returncode, done.stdout) == expected
    assert done.stderr == "protolint: cannot start worker processes (Resource temporarily unavailable): " \
                          "linting in this process\n"


def age(paths, days: float) -> None:
    import time

    when = time.time() - days * 24 * 60 * 60
    for path in paths:
        os.utime(path, (when, when))


def content_entries(env: dict) -> list[Path]:
    """What the cache keeps per content: results, net file lists, configuration parses."""
    top = Path(env["PROTOLINT_CACHE_DIR"])
    return cache_entries(env) + sorted(p for p in top.iterdir() if p.name.startswith(("net-files-", "config-")))


def test_entries_unused_for_a_month_go(project, env):
    write(project / "pyproject.toml", "[tool.protolint]\nignore = []\n")
    first = cli(project, env, *INPUTS)
    old = content_entries(env)
    assert old and any(p.name.startswith("net-files-") for p in old) and any(p.name.startswith("config-") for p in old)
    age(old, 31)
    stamp = Path(env["PROTOLINT_CACHE_DIR"]) / "pruned"
    age([stamp], 2)
    leftover = Path(env["PROTOLINT_CACHE_DIR"]) / "results" / ".protolint-1-abc.tmp"  # (a killed run's)
    leftover.write_bytes(b"half")
    age([leftover], 2)
    write(project / "new.prototxt", NET)
    cli(project, env, "new.prototxt")  # (writes a result: the run looks at the others)
    left = content_entries(env)
    assert not leftover.exists()
    assert [p for p in left if p in old] == [p for p in old if p.name.startswith("config-")]  # (used again: kept)
    assert len(left) == 2  # that, and the new file's result
    assert cli(project, env, *INPUTS) == first  # (what went is linted again, as before)


def test_a_hit_keeps_an_entry_and_pruning_waits_a_day(project, env):
    first = cli(project, env, *INPUTS)
    used = cache_entries(env)
    age(used, 31)
    assert cli(project, env, *INPUTS) == first  # hits: each entry's time is now
    stamp = Path(env["PROTOLINT_CACHE_DIR"]) / "pruned"
    age([stamp], 2)
    write(project / "new.prototxt", NET)
    cli(project, env, "new.prototxt")
    assert set(used) <= set(cache_entries(env))
    age(used, 31)  # (unused now, but the cache was looked at less than a day ago)
    write(project / "newer.prototxt", NET)
    cli(project, env, "newer.prototxt")
    assert set(used) <= set(cache_entries(env))


@pytest.mark.parametrize("cache", [("--no-cache",), ()])
@pytest.mark.parametrize("count, started", [(5, False), (30, True)])
def test_without_j_workers_start_only_for_enough_files(tmp_path, env, cache, count, started):
    """A pre-commit hook's few small files are quicker in one process than in workers that must
    start first; a folder of many is quicker in several. (Told apart by a run whose workers cannot
    start: it says so only when it tried.)"""
    if started and len(os.sched_getaffinity(0)) < 2:
        pytest.skip("one CPU: -j is 1 without the option")
    for n in range(count):
        write(tmp_path / "nets" / f"net{n:02}.prototxt", NET)
    expected = cli(tmp_path, env, "--no-cache", "-j", 1, "nets")
    done = subprocess.run([sys.executable, "-c", NO_FORK, *cache, "nets"], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=120)
    assert (done.returncode, done.stdout) == expected
    assert ("cannot start worker processes" in done.stderr) == started, done.stderr
