#!/usr/bin/env python3
"""protolint's speed and memory next to protobuf's own text-format parser, printed as Markdown tables.

    python bench/bench.py [--corpus ../shared/corpus] [--runs 3] [--startup-runs 10] [--size-mb 2.5]
                          [--big-mb 50] [--scale-mb 0.6] [--skip big,scale,folder,cache,startup]

Every protolint figure is a whole command-line run (`protolint --no-cache ...` in a subprocess:
start-up, reading, parsing, the schema check, all rules, the report), the best of --runs, with its
CPU time and peak memory from the operating system. protobuf's figure is `text_format.Parse` of the
same bytes into classes protoc generates from the same caffe.proto (grpcio-tools), timed in this
process in the same runs (interleaved), and its peak memory from a process that does only that. The
inputs are made in a temporary folder:

  * googlenet: BVLC googlenet's train_val.prototxt (from the corpus) with its layers repeated, every
    layer and blob name made unique per copy, so nothing is reported (--size-mb, and --big-mb for
    memory at scale);
  * chain: a conv/BatchNorm/Scale/ReLU chain with Eltwise shortcuts of the same size, also clean;
  * the corpus files protobuf accepts, in one protolint call against parsing each of them;
  * linearity: 1x, 2x, 4x, 8x, 16x a googlenet of --scale-mb;
  * a folder: the whole corpus with -j1 against -jN (N: the CPUs), the result cache cold against
    warm, and the corpus against four copies of it (memory must not grow with the files);
  * start-up on a small file against `python -c "import click"`: a new file with --no-cache, a
    file edited before each run (linted, its result written to the cache), a cached result.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GOOGLENET = Path("BVLC__caffe") / "models" / "bvlc_googlenet" / "train_val.prototxt"


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------


def googlenet(source: str, min_bytes: int) -> bytes:
    """googlenet's layers repeated until the net has `min_bytes`, names unique per copy (the two data
    layers stay shared): a clean net of any size."""
    head, _, rest = source.partition("\nlayer {")
    blocks = ["layer {" + block for block in ("\n" + rest).split("\nlayer {")[1:]]
    data = [block.rstrip("\n") + "\n" for block in blocks if '"Data"' in block]
    body = [block for block in blocks if '"Data"' not in block]
    rename = re.compile(r'^(\s*(?:name|top|bottom):\s*")([^"]*)"', re.M)
    parts, size, copy = [head + "\n", *data], 0, 0
    while size < min_bytes:
        for block in body:
            part = rename.sub(lambda m: m.group(0) if m.group(2) in ("data", "label") else f'{m.group(1)}{m.group(2)}_{copy}"',
                              block).rstrip("\n") + "\n"
            parts.append(part)
            size += len(part)
        copy += 1
    return "".join(parts).encode()


CHAIN_HEAD = """name: "Chain"
layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 16 dim: 3 dim: 64 dim: 64 } } }
layer {
  name: "stem"
  type: "Convolution"
  bottom: "data"
  top: "u0"
  param { lr_mult: 1 decay_mult: 1 }
  convolution_param { num_output: 64 kernel_size: 3 pad: 1 bias_term: false weight_filler { type: "msra" } }
}
"""
CHAIN_UNIT = """layer {{
  name: "conv{i}"
  type: "Convolution"
  bottom: "{bottom}"
  top: "conv{i}"
  param {{ lr_mult: 1 decay_mult: 1 }}
  convolution_param {{
    num_output: 64
    kernel_size: 3
    pad: 1
    stride: 1
    bias_term: false
    weight_filler {{ type: "msra" }}
  }}
}}
layer {{
  name: "conv{i}/bn"
  type: "BatchNorm"
  bottom: "conv{i}"
  top: "conv{i}"
}}
layer {{
  name: "conv{i}/scale"
  type: "Scale"
  bottom: "conv{i}"
  top: "conv{i}"
  scale_param {{ bias_term: true }}
}}
layer {{
  name: "conv{i}/relu"
  type: "ReLU"
  bottom: "conv{i}"
  top: "conv{i}"
}}
"""
CHAIN_SHORTCUT = """layer {{
  name: "add{i}"
  type: "Eltwise"
  bottom: "{a}"
  bottom: "{b}"
  top: "u{i}"
  eltwise_param {{ operation: SUM }}
}}
"""
CHAIN_TAIL = """layer {{ name: "pool" type: "Pooling" bottom: "{bottom}" top: "pool" pooling_param {{ pool: AVE global_pooling: true }} }}
layer {{
  name: "fc"
  type: "InnerProduct"
  bottom: "pool"
  top: "fc"
  inner_product_param {{ num_output: 10 weight_filler {{ type: "xavier" }} bias_filler {{ type: "constant" }} }}
}}
layer {{ name: "prob" type: "Softmax" bottom: "fc" top: "prob" }}
"""


def chain(min_bytes: int) -> bytes:
    """conv -> BatchNorm -> Scale -> ReLU twice, then an Eltwise shortcut, repeated: a clean net."""
    parts, size, i, unit = [CHAIN_HEAD], len(CHAIN_HEAD), 0, "u0"
    while size < min_bytes:
        i += 1
        block = (CHAIN_UNIT.format(i=2 * i - 1, bottom=unit) + CHAIN_UNIT.format(i=2 * i, bottom=f"conv{2 * i - 1}")
                 + CHAIN_SHORTCUT.format(i=i, a=unit, b=f"conv{2 * i}"))
        parts.append(block)
        size += len(block)
        unit = f"u{i}"
    parts.append(CHAIN_TAIL.format(bottom=unit))
    return "".join(parts).encode()


# ---------------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------------


class Child:
    """A finished subprocess: wall seconds, exit code, output (CPU and peak memory: see run_child)."""

    def __init__(self, command: list[str], env: dict, cwd: Path):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, env=env, cwd=cwd, check=False)
        self.wall = time.perf_counter() - start
        self.code, self.out, self.err = done.returncode, done.stdout, done.stderr
        self.cpu = self.rss = float("nan")


def run_child(command: list[str], env: dict, cwd: Path) -> Child:
    """Run a command under a small wrapper (this script with --measure) that reports the command's
    CPU time (its worker processes included) and its own peak memory: the children's maximum that
    this process could read is the largest of all runs so far."""
    wrapper = [sys.executable, str(Path(__file__).resolve()), "--measure", "--"]
    child = Child(wrapper + command, env, cwd)
    match = re.search(rb"\nBENCH-MEASURE (\S+) (\S+) (\S+)\n?$", child.err)
    if match:  # (the wall time too: the wrapper's own start-up is not the command's)
        child.cpu, child.rss, child.wall = float(match.group(1)), float(match.group(2)), float(match.group(3))
        child.err = child.err[: match.start()]
    return child


def run_side_by_side(commands: list[list[str]], env: dict, cwd: Path) -> list[Child]:
    """Run the commands at the same time, each as run_child runs one."""
    import threading

    children: list = [None] * len(commands)

    def run(index: int) -> None:
        children[index] = run_child(commands[index], env, cwd)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(commands))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return children


def _halves(folder: Path) -> list[list[str]]:
    """The folder's entries in two halves, every other one (a repository's folder stays whole, so a
    solver stays with its nets)."""
    entries = sorted(str(entry) for entry in folder.iterdir() if entry.is_dir() or entry.suffix == ".prototxt")
    return [entries[0::2], entries[1::2]]


def measure_main(command: list[str]) -> int:
    """--measure: run the command, then report its CPU seconds and peak RSS on stderr."""
    import resource

    start = time.perf_counter()
    process = subprocess.Popen(command)
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    peak_mb = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)  # bytes on macOS, KB elsewhere
    sys.stderr.write(f"\nBENCH-MEASURE {usage.ru_utime + usage.ru_stime:.4f} {peak_mb:.1f} {wall:.4f}\n")
    return os.waitstatus_to_exitcode(status)


def best(children: list[Child]) -> Child:
    return min(children, key=lambda child: child.cpu if not math.isnan(child.cpu) else child.wall)


def timed(work) -> tuple[float, float]:
    """(wall, CPU) seconds of one call, with the garbage collector off as protolint's CLI has it."""
    gc.collect()
    gc.disable()
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        return time.perf_counter() - wall, time.process_time() - cpu
    finally:
        gc.enable()


# ---------------------------------------------------------------------------------------------
# protobuf's side
# ---------------------------------------------------------------------------------------------

def _shown(path) -> str:
    """A path as the README may show it: relative to the repository when it can be (no machine's
    absolute paths in the tables)."""
    try:
        return os.path.relpath(Path(path).resolve(), REPO)
    except ValueError:
        return str(path)


API_LINT = """import gc, sys
gc.disable()  # as the protolint script runs
from protolint.api import default_options, lint_bytes
options = default_options()
for path in sys.argv[1:]:
    with open(path, "rb") as handle:
        lint_bytes(path, handle.read(), options)
"""

PB_PARSE = """import sys, time
sys.path.insert(0, sys.argv[1])
import caffe_pb2
from google.protobuf import text_format
messages = {"net": caffe_pb2.NetParameter, "solver": caffe_pb2.SolverParameter}
for kind, path in zip(sys.argv[2::2], sys.argv[3::2]):
    with open(path, "rb") as handle:
        text_format.Parse(handle.read(), messages[kind]())
"""


def protobuf_classes(folder: Path):
    """caffe_pb2 generated by protoc (grpcio-tools) from protolint's caffe.proto, imported here."""
    from grpc_tools import protoc

    proto = REPO / "protolint" / "schema" / "caffe.proto"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(proto, folder / "caffe.proto")
    if protoc.main(["protoc", f"-I{folder}", f"--python_out={folder}", str(folder / "caffe.proto")]) != 0:
        raise SystemExit("bench: protoc could not compile caffe.proto")
    sys.path.insert(0, str(folder))
    import caffe_pb2

    return {"net": caffe_pb2.NetParameter, "solver": caffe_pb2.SolverParameter}


# ---------------------------------------------------------------------------------------------
# The tables
# ---------------------------------------------------------------------------------------------


def main() -> int:
    if sys.argv[1:2] == ["--measure"]:
        return measure_main(sys.argv[3:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus", help="folder of .prototxt files (default: ../shared/corpus)")
    parser.add_argument("--runs", type=int, default=3, help="best of this many runs per row (default 3)")
    parser.add_argument("--startup-runs", type=int, default=10, help="best of this many runs per start-up row (default 10)")
    parser.add_argument("--folder-runs", type=int, default=5,
                        help="best of this many runs per folder row (default 5: a second of two busy CPUs is what the host's noise hits most)")
    parser.add_argument("--size-mb", type=float, default=2.5, help="size of the generated nets in MB (default 2.5)")
    parser.add_argument("--big-mb", type=float, default=50, help="size of the net for memory at scale in MB (default 50)")
    parser.add_argument("--scale-mb", type=float, default=0.6, help="size of the 1x net of the linearity rows (default 0.6)")
    parser.add_argument("--skip", default="", help="sections to leave out, comma-separated: big, scale, folder, cache, startup")
    args = parser.parse_args()
    skip = {part.strip() for part in args.skip.split(",") if part.strip()}

    corpus = sorted(p for p in args.corpus.rglob("*.prototxt") if p.is_file()) if args.corpus.is_dir() else []
    if not corpus:
        print(f"bench: no .prototxt files under {args.corpus}", file=sys.stderr)
        return 2
    googlenet_source = args.corpus / GOOGLENET
    if not googlenet_source.is_file():  # a corpus without BVLC's models: the copy in the corpus is not there
        print(f"bench: {googlenet_source} is missing (googlenet's train_val is the real net the rows are made of)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="protolint-bench-") as scratch:
        return _bench(args, skip, corpus, googlenet_source.read_text(), Path(scratch))


def _bench(args, skip: set, corpus: list[Path], source: str, scratch: Path) -> int:
    import google.protobuf
    from google.protobuf import text_format
    from google.protobuf.internal import api_implementation

    from protolint.api import default_options, lint_bytes
    from protolint.files import MAX_BYTES

    env = dict(os.environ, PROTOLINT_CACHE_DIR=str(scratch / "cache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as after `pip install`: modules load from compiled .pyc
    script = Path(sys.executable).parent / "protolint"
    protolint = [str(script)] if script.exists() else [sys.executable, "-m", "protolint"]
    classes = protobuf_classes(scratch / "pb")
    options = default_options()
    empty = scratch / "empty.prototxt"
    empty.write_bytes(b"")
    run_child([*protolint, str(empty)], env, scratch)  # the schema cache built, the .pyc files and the OS warm
    baseline = best([run_child([*protolint, "--no-cache", str(empty)], env, scratch) for _ in range(args.runs)])

    def kind_of(path: Path, data: bytes) -> str:
        return lint_bytes(str(path), data, options).kind

    def files(name: str, data: bytes) -> Path:
        path = scratch / name
        path.write_bytes(data)
        return path

    def versus(label: str, paths: list[Path], kinds: list[str], runs: int) -> tuple:
        """protolint on `paths` in one call against text_format.Parse of each, interleaved. A file
        over the command line's input limit is linted through protolint.api in a child process (the
        same lint, without the command line's reading and printing)."""
        datas = [p.read_bytes() for p in paths]
        too_big = any(len(d) > MAX_BYTES for d in datas)
        if too_big:
            label += "; through protolint.api, over the CLI's input limit"
        command = ([sys.executable, "-c", API_LINT, *map(str, paths)] if too_big
                   else [*protolint, "--no-cache", "-j1", "--fail-on", "never", *map(str, paths)])
        lint, parse = [], []
        for _ in range(runs):
            child = run_child(command, env, scratch)
            if child.code != 0:
                raise SystemExit(f"bench: protolint failed on {label} (exit {child.code}):\n"
                                 + child.err.decode("utf-8", "replace")[-2000:])
            lint.append(child)
            parse.append(timed(lambda: [text_format.Parse(d, classes[k]()) for d, k in zip(datas, kinds)]))
        pb_memory = run_child([sys.executable, "-c", PB_PARSE, str(scratch / "pb"),
                               *[x for k, p in zip(kinds, paths) for x in (k, str(p))]], env, scratch).rss
        child = best(lint)
        parse_wall, parse_cpu = min(p[0] for p in parse), min(p[1] for p in parse)
        mb = sum(len(d) for d in datas) / 1e6
        return (label, mb, child, parse_wall, parse_cpu, pb_memory)

    rows = []
    size = int(args.size_mb * 1_000_000)
    net = files("googlenet.prototxt", googlenet(source, size))
    rows.append(versus(f"googlenet, renamed copies (clean)", [net], ["net"], args.runs))
    resnet = files("chain.prototxt", chain(size))
    rows.append(versus("conv/BatchNorm/Scale/ReLU chain (clean)", [resnet], ["net"], args.runs))
    accepted, kinds = [], []
    for path in corpus:
        data = path.read_bytes()
        kind = kind_of(path, data)
        if kind in classes:
            try:
                text_format.Parse(data, classes[kind]())
            except (text_format.ParseError, UnicodeDecodeError):
                continue
            accepted.append(path)
            kinds.append(kind)
    rows.append(versus(f"the {len(accepted)} corpus files protobuf accepts, one call", accepted, kinds, args.runs))
    if "big" not in skip and args.big_mb > 0:
        big = files("googlenet-big.prototxt", googlenet(source, int(args.big_mb * 1_000_000)))
        rows.append(versus("googlenet, renamed copies (memory at scale)", [big], ["net"], 1))
        big.unlink()

    print(f"Python {platform.python_version()}, protobuf {google.protobuf.__version__} ({api_implementation.Type()} backend), "
          f"{_cpus()} CPUs available; protolint: whole CLI runs (`protolint --no-cache -j1`), best of {args.runs} "
          f"(1 at scale); protobuf: text_format.Parse in the same runs")
    print()
    print("| input | MB | protolint CPU s (wall) | protobuf Parse CPU s (wall) | time: protolint / protobuf | "
          "peak MB: protolint / protobuf |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, mb, child, parse_wall, parse_cpu, pb_memory in rows:
        print(f"| {label} | {mb:.2f} | {child.cpu:.2f} ({child.wall:.2f}) | {parse_cpu:.2f} ({parse_wall:.2f}) | "
              f"**{child.cpu / parse_cpu:.2f}x** | {child.rss:.0f} / {pb_memory:.0f} = **{child.rss / pb_memory:.2f}x** |")

    if "scale" not in skip:
        print()
        print(f"Linearity: googlenet of {args.scale_mb} MB (1x) and its multiples, one run each")
        print()
        print("| size | MB | protolint CPU s | s per MB | protobuf Parse CPU s | protolint / protobuf | peak MB | MB per MB |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        points = []
        for factor in (1, 2, 4, 8, 16):
            path = files(f"googlenet-{factor}x.prototxt", googlenet(source, int(args.scale_mb * factor * 1_000_000)))
            label, mb, child, _wall, parse_cpu, _pb = versus("", [path], ["net"], 1)
            points.append((mb, child.cpu - baseline.cpu, child.rss - baseline.rss))
            print(f"| {factor}x | {mb:.2f} | {child.cpu:.2f} | {(child.cpu - baseline.cpu) / mb:.2f} | {parse_cpu:.2f} | "
                  f"{child.cpu / parse_cpu:.2f}x | {child.rss:.0f} | {(child.rss - baseline.rss) / mb:.1f} |")
            path.unlink()
        print()
        print(f"(per MB: above a run on an empty file, {baseline.cpu:.2f} s and {baseline.rss:.0f} MB.) Log-log slope from 1x to "
              f"16x of what is above it: time {_slope([(m, c) for m, c, _ in points]):.2f}, memory "
              f"{_slope([(m, r) for m, _, r in points]):.2f} (1.00 = linear)")

    if "folder" not in skip:
        print()
        print(f"A folder: {_shown(args.corpus)} ({len(corpus)} files), `--no-cache`, best of {args.folder_runs}")
        print()
        print("| run | wall s | CPU s | peak MB | output |")
        print("| --- | --- | --- | --- | --- |")
        jobs = _cpus()
        # What two processes give on this machine, for -j2 to be read against: -j1 on each half of
        # the folder, one after the other, then both at once (no pool, no shared plan). All four
        # interleaved, run by run: this machine's speed drifts over tens of seconds.
        halves = _halves(args.corpus) if jobs == 2 else None
        ones, manies, apart, together = [], [], [], []
        for _ in range(args.folder_runs):  # interleaved: a busy moment hits both
            ones.append(run_child([*protolint, "--no-cache", "-j1", str(args.corpus)], env, scratch))
            manies.append(run_child([*protolint, "--no-cache", f"-j{jobs}", str(args.corpus)], env, scratch))
            if halves:
                apart.append([run_child([*protolint, "--no-cache", "-j1", *half], env, scratch) for half in halves])
                together.append(run_side_by_side([[*protolint, "--no-cache", "-j1", *half] for half in halves], env, scratch))
        one, many = min(ones, key=lambda c: c.wall), min(manies, key=lambda c: c.wall)
        print(f"| `-j1` | {one.wall:.2f} | {one.cpu:.2f} | {one.rss:.0f} | |")
        pairs = sorted(o.wall / m.wall for o, m in zip(ones, manies))  # (each pair ran back to back)
        same = all(m.out == one.out and m.code == one.code for m in manies)
        print(f"| `-j{jobs}` | {many.wall:.2f} | {many.cpu:.2f} | {many.rss:.0f} | "
              f"{'identical' if same else 'DIFFERENT'}; **{one.wall / many.wall:.2f}x** faster (best against best; "
              f"run by run {pairs[0]:.2f}-{pairs[-1]:.2f}x, median {statistics.median(pairs):.2f}x) |")
        if halves:
            alone = min(apart, key=lambda runs: sum(c.cpu for c in runs))
            both = min(together, key=lambda runs: max(c.wall for c in runs))
            alone_cpu, both_cpu, both_wall = sum(c.cpu for c in alone), sum(c.cpu for c in both), max(c.wall for c in both)
            print(f"| `-j1` on each half of the folder, one after the other | {sum(c.wall for c in alone):.2f} | "
                  f"{alone_cpu:.2f} | | |")
            print(f"| `-j1` on each half, both at once (what two processes give here) | {both_wall:.2f} | "
                  f"{both_cpu:.2f} | | **{one.wall / both_wall:.2f}x** faster than `-j1`; CPU "
                  f"{100 * (both_cpu / alone_cpu - 1):+.0f}% against one after the other; `-j2` takes "
                  f"{many.wall / both_wall:.2f}x its time |")
        copies = scratch / "copies"
        for n in range(4):
            shutil.copytree(args.corpus, copies / f"copy{n}", ignore=shutil.ignore_patterns("*.md", "*.tsv"))
        four = run_child([*protolint, "--no-cache", "-j1", str(copies)], env, scratch)
        print(f"| `-j1`, four copies of the corpus ({4 * len(corpus)} files) | {four.wall:.2f} | {four.cpu:.2f} | {four.rss:.0f} | "
              f"peak memory {four.rss / one.rss:.2f}x the single corpus's |")
        shutil.rmtree(copies)

    if "cache" not in skip:
        print()
        print(f"The result cache: {_shown(args.corpus)}, default -j, cold (empty cache) then warm; best of {args.runs}")
        print()
        print("| run | wall s | CPU s | output |")
        print("| --- | --- | --- | --- |")
        colds, warms = [], []
        for _ in range(args.runs):
            shutil.rmtree(scratch / "cache", ignore_errors=True)
            colds.append(run_child([*protolint, str(args.corpus)], env, scratch))
            warms.append(run_child([*protolint, str(args.corpus)], env, scratch))
        cold, warm = min(colds, key=lambda c: c.wall), min(warms, key=lambda c: c.wall)
        same = all(w.out == colds[0].out and w.code == colds[0].code for w in colds + warms)
        print(f"| cold | {cold.wall:.2f} | {cold.cpu:.2f} | |")
        print(f"| warm | {warm.wall:.2f} | {warm.cpu:.2f} | {'identical' if same else 'DIFFERENT'}; **{cold.wall / warm.wall:.1f}x** faster |")

    if "startup" not in skip:
        target = REPO / "examples" / "lenet_clean.prototxt"
        edited = scratch / "startup" / "net.prototxt"  # (edited before each run: its result is never cached)
        edited.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / "examples" / ".protolint.toml", edited.parent)
        text = target.read_text()

        def edit() -> None:
            edited.write_text(text + f"# edit {time.time_ns()}\n")

        edit()
        for command in ([*protolint, str(target)], [*protolint, str(edited)]):
            run_child(command, env, REPO)  # warm the caches (schema, rule list, code pack), the .pyc files, the OS
        commands = [
            (f"`protolint --no-cache examples/{target.name}`", [*protolint, "--no-cache", str(target)], None),
            ("`protolint net.prototxt` (a new or edited file: linted, its result cached)", [*protolint, str(edited)], edit),
            (f"`protolint examples/{target.name}` (its result cached)", [*protolint, str(target)], None),
            ('`python -c "import click"`', [sys.executable, "-c", "import click"], None),
            ("`python -c pass`", [sys.executable, "-c", "pass"], None),
        ]
        times = {label: math.inf for label, _command, _before in commands}
        for _round in range(args.startup_runs):  # (interleaved: the machine's moods fall on every row alike)
            for label, command, before in commands:
                if before is not None:
                    before()
                times[label] = min(times[label], Child(command, env, REPO).wall)
        click_time = times['`python -c "import click"`']
        print()
        print(f"Start-up (wall, best of {args.startup_runs}, interleaved)")
        print()
        print("| command | ms | / import click |")
        print("| --- | --- | --- |")
        for label, _command, _before in commands:
            print(f"| {label} | {times[label] * 1000:.0f} | {times[label] / click_time:.2f}x |")
    return 0


def _slope(points: list[tuple[float, float]]) -> float:
    """The least-squares slope of log(y) against log(x)."""
    logs = [(math.log(x), math.log(max(y, 1e-9))) for x, y in points]
    mx = sum(x for x, _ in logs) / len(logs)
    my = sum(y for _, y in logs) / len(logs)
    return sum((x - mx) * (y - my) for x, y in logs) / sum((x - mx) ** 2 for x, _ in logs)


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on every platform
        return os.cpu_count() or 1


if __name__ == "__main__":
    sys.exit(main())
