"""bench/bench.py still runs and prints its table (tiny inputs: this is a smoke test, not a benchmark)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_bench_prints_its_tables(tmp_path):
    corpus = tmp_path / "corpus"
    googlenet = corpus / "BVLC__caffe" / "models" / "bvlc_googlenet"
    googlenet.mkdir(parents=True)
    # A stand-in for googlenet's train_val: two data layers and a body of layers to copy.
    (googlenet / "train_val.prototxt").write_text(
        'name: "G"\nlayer {\n  name: "data"\n  type: "Data"\n  top: "data"\n  top: "label"\n'
        '  include { phase: TRAIN }\n  data_param { source: "x" batch_size: 2 backend: LMDB }\n}\n'
        'layer {\n  name: "ip"\n  type: "InnerProduct"\n  bottom: "data"\n  top: "ip"\n'
        '  inner_product_param { num_output: 2 weight_filler { type: "xavier" } }\n}\n'
        'layer {\n  name: "loss"\n  type: "SoftmaxWithLoss"\n  bottom: "ip"\n  bottom: "label"\n  top: "loss"\n}\n')
    for name in ("lenet_clean.prototxt", "poly_solver_without_max_iter.prototxt", "schema_mistakes.prototxt"):
        shutil.copy(REPO / "examples" / name, corpus / name)
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "bench.py"), "--corpus", str(corpus), "--runs", "1", "--startup-runs", "1",
         "--folder-runs", "1", "--size-mb", "0.02", "--big-mb", "0.03", "--scale-mb", "0.01"],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "| googlenet, renamed copies (clean) | 0.02 |" in out
    assert "| conv/BatchNorm/Scale/ReLU chain (clean) |" in out
    assert "| the 3 corpus files protobuf accepts, one call |" in out  # schema_mistakes.prototxt is rejected
    assert "| googlenet, renamed copies (memory at scale) |" in out
    assert "| 16x |" in out and "Log-log slope" in out
    assert "identical; **" in out and "run by run " in out and "four copies of the corpus (16 files)" in out
    if "| `-j2` |" in out:  # (two CPUs: what two processes give, -j1 on each half at once)
        assert "| `-j1` on each half, both at once (what two processes give here)" in out and "x** faster than `-j1`" in out
    assert "| warm |" in out
    assert '`python -c "import click"`' in out and "`protolint --no-cache examples/lenet_clean.prototxt`" in out


def test_bench_without_corpus_exits_2(tmp_path):
    done = subprocess.run([sys.executable, str(REPO / "bench" / "bench.py"), "--corpus", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "no .prototxt files" in done.stderr


def test_scaling_prints_its_table():
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "scaling.py"), "--net", str(REPO / "examples" / "lenet_clean.prototxt"),
         "--factors", "1,2", "--runs", "1", "--no-hostile"],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("| 1x") or line.startswith("| 2x")]
    assert len(rows) == 2 and all(row.count("|") == 9 for row in rows), done.stdout
