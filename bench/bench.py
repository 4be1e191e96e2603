#!/usr/bin/env python3
"""protolint's speed next to protobuf's own text-format parser, printed as a Markdown table.

    python bench/bench.py [--corpus ../shared/corpus] [--runs 5] [--startup-runs 10] [--size-mb 2.5]

Rows:
  * lint throughput: `protolint.api.lint_bytes` on every file (decode + parse + schema check +
    all rules) against `google.protobuf.text_format.Parse` into message classes built from the same
    schema (`protolint.schema.descriptors.message_classes(builtin_schema())`), best of --runs;
    (a) the corpus (protobuf only gets the files it accepts; protolint is timed on both all files
    and that same subset), (b) a generated net of at least --size-mb MB (conv/bn/scale/relu/pool
    blocks and a classifier, repeated; made deterministically in a temporary folder);
  * start-up: wall time of `protolint examples/lenet_clean.prototxt` (a subprocess, warm cache),
    best of --startup-runs, against `python -c "import click, lark"` and `python -c pass`.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

BLOCK = """layer {{
  name: "conv{i}"
  type: "Convolution"
  bottom: "{bottom}"
  top: "conv{i}"
  param {{ lr_mult: 1 decay_mult: 1 }}
  convolution_param {{
    num_output: {width}
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
  batch_norm_param {{ moving_average_fraction: 0.999 eps: 1e-5 }}
}}
layer {{
  name: "conv{i}/scale"
  type: "Scale"
  bottom: "conv{i}"
  top: "conv{i}"
  param {{ lr_mult: 1 decay_mult: 0 }}
  param {{ lr_mult: 2 decay_mult: 0 }}
  scale_param {{ bias_term: true }}
}}
layer {{
  name: "conv{i}/relu"
  type: "ReLU"
  bottom: "conv{i}"
  top: "conv{i}"
}}
layer {{
  name: "pool{i}"  # 2x2 max pooling, stride 2
  type: "Pooling"
  bottom: "conv{i}"
  top: "pool{i}"
  pooling_param {{
    pool: MAX
    kernel_size: 2
    stride: 2
  }}
}}
"""

HEAD = """# A generated benchmark net: conv/bn/scale/relu/pool blocks repeated.
name: "BenchNet"
layer {
  name: "data"
  type: "Input"
  top: "data"
  input_param { shape { dim: 32 dim: 3 dim: 224 dim: 224 } }
}
"""

TAIL = """layer {{
  name: "fc"
  type: "InnerProduct"
  bottom: "{bottom}"
  top: "fc"
  param {{ lr_mult: 1 decay_mult: 1 }}
  param {{ lr_mult: 2 decay_mult: 0 }}
  inner_product_param {{
    num_output: 1000
    weight_filler {{ type: "gaussian" std: 0.01 }}
    bias_filler {{ type: "constant" value: 0 }}
  }}
}}
layer {{
  name: "prob"
  type: "Softmax"
  bottom: "fc"
  top: "prob"
}}
"""


def generated_net(min_bytes: int) -> bytes:
    parts = [HEAD]
    size, i, bottom = len(HEAD), 0, "data"
    while size < min_bytes:
        i += 1
        block = BLOCK.format(i=i, bottom=bottom, width=(32, 64, 128, 256)[i % 4])
        parts.append(block)
        size += len(block)
        bottom = f"pool{i}"
    parts.append(TAIL.format(bottom=bottom))
    return "".join(parts).encode()


def best_of(runs: int, work) -> float:
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def wall(command: list[str], runs: int, env: dict[str, str], cwd: Path) -> float:
    subprocess.run(command, capture_output=True, env=env, cwd=cwd, check=False)  # warm the cache and the OS
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, env=env, cwd=cwd, check=False)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus", help="folder of .prototxt files (default: ../shared/corpus)")
    parser.add_argument("--runs", type=int, default=5, help="best of this many timed runs per throughput row (default 5)")
    parser.add_argument("--startup-runs", type=int, default=10, help="best of this many runs per start-up row (default 10)")
    parser.add_argument("--size-mb", type=float, default=2.5, help="minimum size of the generated net in MB (default 2.5)")
    args = parser.parse_args()

    cache_dir = tempfile.mkdtemp(prefix="protolint-bench-cache-")
    os.environ["PROTOLINT_CACHE_DIR"] = cache_dir  # before protolint reads it: a private, then warm, cache
    try:
        return _bench(args, cache_dir)
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)


def _bench(args, cache_dir: str) -> int:
    import google.protobuf
    from google.protobuf import text_format
    from google.protobuf.internal import api_implementation

    from protolint.api import default_options
    from protolint.api import lint_bytes
    from protolint.schema.descriptors import message_classes
    from protolint.schema.loader import builtin_schema

    schema = builtin_schema()
    options = default_options(schema=schema)
    classes = message_classes(schema)
    package = f"{schema.package}." if schema.package else ""
    root_class = {"net": classes[f"{package}NetParameter"], "solver": classes[f"{package}SolverParameter"]}

    corpus = sorted(p for p in args.corpus.rglob("*.prototxt") if p.is_file()) if args.corpus.is_dir() else []
    if not corpus:
        print(f"bench: no .prototxt files under {args.corpus}", file=sys.stderr)
        return 2
    files = [(str(p), p.read_bytes()) for p in corpus]

    # Which root each file has (as protolint decides it), and which files protobuf accepts.
    accepted = []
    for path, data in files:
        kind = lint_bytes(path, data, options).kind
        if kind in root_class:
            try:
                text_format.Parse(data, root_class[kind]())
            except (text_format.ParseError, UnicodeDecodeError):
                continue
            accepted.append((path, data, root_class[kind]))

    def lint_all(batch):
        return lambda: [lint_bytes(path, data, options) for path, data, *_ in batch]

    def parse_all(batch):
        return lambda: [text_format.Parse(data, cls()) for _, data, cls in batch]

    net = generated_net(int(args.size_mb * 1_000_000))
    with tempfile.TemporaryDirectory(prefix="protolint-bench-") as folder:
        net_path = Path(folder) / "bench_net.prototxt"
        net_path.write_bytes(net)
        generated = [(str(net_path), net_path.read_bytes(), root_class["net"])]
        assert lint_bytes(str(net_path), net, options).kind == "net"
        text_format.Parse(net, root_class["net"]())  # the generated net is valid

        rows = []
        mb = lambda batch: sum(len(item[1]) for item in batch) / 1e6  # noqa: E731
        all_mb, sub_mb, net_mb = mb(files), mb(accepted), mb(generated)
        t_all = best_of(args.runs, lint_all(files))
        t_sub = best_of(args.runs, lint_all(accepted))
        t_sub_pb = best_of(args.runs, parse_all(accepted))
        t_net = best_of(args.runs, lint_all(generated))
        t_net_pb = best_of(args.runs, parse_all(generated))

    rows.append((f"corpus, all {len(files)} files ({all_mb:.2f} MB)", f"{t_all * 1000:.0f} ms, {all_mb / t_all:.2f} MB/s", "n/a (rejects some files)", ""))
    rows.append((
        f"corpus, the {len(accepted)} files protobuf accepts ({sub_mb:.2f} MB)",
        f"{t_sub * 1000:.0f} ms, {sub_mb / t_sub:.2f} MB/s",
        f"{t_sub_pb * 1000:.0f} ms, {sub_mb / t_sub_pb:.2f} MB/s",
        f"{t_sub_pb / t_sub:.2f}x",
    ))
    rows.append((
        f"generated net ({net_mb:.2f} MB)",
        f"{t_net * 1000:.0f} ms, {net_mb / t_net:.2f} MB/s",
        f"{t_net_pb * 1000:.0f} ms, {net_mb / t_net_pb:.2f} MB/s",
        f"{t_net_pb / t_net:.2f}x",
    ))

    # Start-up: the installed console script beside this interpreter, else `python -m protolint`.
    script = Path(sys.executable).parent / "protolint"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "protolint"]
    env = dict(os.environ, PROTOLINT_CACHE_DIR=cache_dir)
    # As after `pip install`: modules load from their compiled .pyc (the warm-up run writes them).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    target = REPO / "examples" / "lenet_clean.prototxt"
    t_cli = wall([*command, str(target)], args.startup_runs, env, REPO)
    t_imports = wall([sys.executable, "-c", "import click, lark"], args.startup_runs, env, REPO)
    t_pass = wall([sys.executable, "-c", "pass"], args.startup_runs, env, REPO)

    print(f"Python {platform.python_version()}, protobuf {google.protobuf.__version__} ({api_implementation.Type()} backend), "
          f"{os.cpu_count()} CPUs; best of {args.runs} runs (start-up: best of {args.startup_runs})")
    print()
    print("| input | protolint (lint: parse + schema + rules) | protobuf text_format.Parse | lint speed / Parse speed |")
    print("| --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    print("| start-up (wall, warm cache) | time |")
    print("| --- | --- |")
    print(f"| `protolint examples/lenet_clean.prototxt` | {t_cli * 1000:.0f} ms |")
    print(f"| `python -c \"import click, lark\"` | {t_imports * 1000:.0f} ms |")
    print(f"| `python -c pass` | {t_pass * 1000:.0f} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
