#!/usr/bin/env python3
"""How protolint's time and peak memory grow with the input, printed as Markdown tables.

    python bench/scaling.py [--net PATH] [--factors 1,2,4,8,16] [--runs 3] [--no-hostile]

Scaling: a real net (default: an Inception v3 train_val, 157 KB, from ../shared/corpus, else the bundled
examples/lenet_clean.prototxt) repeated 1x..16x: every copy's layers get their layer and blob names
suffixed, so each size is one valid net of independent copies. Each row is measured in fresh child
processes: protolint's whole lint (`lint_bytes`: decode, parse, schema check, every rule) and
protobuf's `text_format.Parse` into message classes built from the same schema, each the best of
--runs for time and, for memory, the growth of the process's resident set while it runs (peak RSS
during the call minus RSS before it: the Linux high-water mark is reset just before the call via
/proc/self/clear_refs; elsewhere ru_maxrss, which includes the start-up). "x file" is peak memory
over file size; "vs protobuf" is protolint's peak over protobuf's.

Hostile inputs (the shapes that once were quadratic or flooded the output), same measurement,
protolint only, each at 1x, 4x and 16x so the growth shows: time and peak should grow with the
size, not its square.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_NET = REPO.parent / "shared" / "corpus" / "Dhruv-Mohan__google_inception_v3_for_caffe" / "train_val.prototxt"
FALLBACK_NET = REPO / "examples" / "lenet_clean.prototxt"

# The child: measures one call on one file and prints {"seconds": best, "peak": bytes, "base": bytes}.
CHILD = r'''
import gc, json, os, resource, sys, time
tool, path, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path.insert(0, sys.argv[4])
data = open(path, "rb").read()
from protolint.api import default_options, lint_bytes
from protolint.schema.loader import builtin_schema
options = default_options(schema=builtin_schema())
if tool == "protobuf":
    from google.protobuf import text_format
    from protolint.schema.descriptors import message_classes
    root = message_classes(options.schema)["caffe.NetParameter"]
    text = data.decode("utf-8")
    call = lambda: text_format.Parse(text, root())
else:
    call = lambda: lint_bytes(path, data, options)
    lint_bytes(path, b"layer {}", options)  # (imports and caches the first lint needs, outside the measurement)

def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

def high_water():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return None

gc.collect()
try:
    base = rss()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset the peak RSS to the current RSS
    exact = True
except OSError:
    base, exact = 0, False
result = call()
peak = (high_water() if exact else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
del result
best = float("inf")
for _ in range(runs):
    gc.collect()
    start = time.perf_counter()
    call()
    best = min(best, time.perf_counter() - start)
print(json.dumps({"seconds": best, "peak": peak - base, "exact": exact}))
'''


def measure(tool: str, path: Path, runs: int) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, tool, str(path), str(runs), str(REPO)],
                          capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise SystemExit(f"scaling: {tool} on {path} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


_NAMED = re.compile(r'\b(name|bottom|top)(\s*:\s*)"([^"\\\n]*)"')


def repeated(net: bytes, times: int) -> bytes:
    """The net's layers `times` times over, names and blobs suffixed per copy (one `name:` on top)."""
    from protolint.api import default_options, lint_bytes
    from protolint.schema.loader import builtin_schema

    text = net.decode("utf-8")
    root = lint_bytes("net.prototxt", net, default_options(schema=builtin_schema())).document.root
    blocks = [text[f.start:f.end] for f in root.fields if f.name in ("layer", "layers")]
    head = "".join(f"{text[f.start:f.end]}\n" for f in root.fields if f.name not in ("layer", "layers", "name"))
    copies = []
    for copy in range(times):
        suffix = f"_{copy}" if copy else ""
        copies += [_NAMED.sub(lambda m: f'{m.group(1)}{m.group(2)}"{m.group(3)}{suffix}"', block) for block in blocks]
    return (f'name: "scaled"\n{head}' + "\n".join(copies) + "\n").encode()


HOSTILE_SCALES = (1, 4, 16)


def hostile_inputs(scale: int) -> dict[str, bytes]:
    """The shapes of input that once were slow, huge or flooded the output, at `scale`."""
    k = 1000 * scale
    return {
        f"{k:,} layers with unknown bottoms": "".join(
            f'layer {{ name: "l{i}" type: "ReLU" bottom: "missing_{i}" top: "t{i}" }}\n' for i in range(k)).encode(),
        f"{25 * scale} KB of `}}`": b"}" * (25_000 * scale),
        f"{2000 * scale:,} unclosed `layer {{` on one line": b"layer { " * (2000 * scale),
        f"a {scale} MiB string literal": b'name: "' + b"a" * (1_048_576 * scale) + b'"\n',
        f"{6250 * scale:,} tiny layers": b"".join(b'layer { name: "l%d" type: "ReLU" bottom: "d" top: "d" }\n' % i
                                                 for i in range(6250 * scale)),
        f"{64 * scale} KB of random bytes": bytes((i * 2654435761 >> 13) & 0xFF for i in range(65_536 * scale)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--net", type=Path, default=DEFAULT_NET if DEFAULT_NET.is_file() else FALLBACK_NET)
    parser.add_argument("--factors", default="1,2,4,8,16", help="sizes, as multiples of the net (default 1,2,4,8,16)")
    parser.add_argument("--runs", type=int, default=3, help="best of this many timed runs (default 3)")
    parser.add_argument("--no-hostile", action="store_true", help="only the scaling table")
    args = parser.parse_args()
    factors = [int(f) for f in args.factors.split(",") if f.strip()]
    net = args.net.read_bytes()

    import google.protobuf

    print(f"Python {platform.python_version()}, protobuf {google.protobuf.__version__}, {os.cpu_count()} CPUs; "
          f"time: best of {args.runs}; memory: peak RSS growth during the call\n")
    print(f"Scaling: `{args.net.name}` ({len(net) / 1e3:.0f} KB) repeated\n")
    print("| size | file | protolint time | protolint peak | x file | protobuf time | protobuf peak | vs protobuf |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory(prefix="protolint-scaling-") as folder:
        for factor in factors:
            path = Path(folder) / f"net_x{factor}.prototxt"
            path.write_bytes(repeated(net, factor))
            size = path.stat().st_size
            ours, theirs = measure("protolint", path, args.runs), measure("protobuf", path, args.runs)
            print(f"| {factor}x | {size / 1e6:.2f} MB | {ours['seconds']:.2f} s ({size / 1e6 / ours['seconds']:.2f} MB/s) "
                  f"| {ours['peak'] / 2**20:.0f} MiB | {ours['peak'] / size:.0f}x "
                  f"| {theirs['seconds']:.2f} s | {theirs['peak'] / 2**20:.0f} MiB | {ours['peak'] / max(theirs['peak'], 1):.1f}x |",
                  flush=True)
        if args.no_hostile:
            return 0
        print("\nHostile inputs (protolint)\n")
        print("| input | file | time | peak | x file |")
        print("| --- | --- | --- | --- | --- |")
        rows = sorted(((index, scale, name, data) for scale in HOSTILE_SCALES
                       for index, (name, data) in enumerate(hostile_inputs(scale).items())), key=lambda row: row[:2])
        for _index, _scale, name, data in rows:
            path = Path(folder) / "hostile.prototxt"
            path.write_bytes(data)
            ours = measure("protolint", path, 1)
            print(f"| {name} | {len(data) / 1e6:.2f} MB | {ours['seconds']:.2f} s | {ours['peak'] / 2**20:.0f} MiB "
                  f"| {ours['peak'] / len(data):.0f}x |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
