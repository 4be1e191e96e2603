"""bench/bench.py still runs and prints its table (tiny inputs: this is a smoke test, not a benchmark)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_bench_prints_its_table(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("lenet_clean.prototxt", "poly_solver_without_max_iter.prototxt", "schema_mistakes.prototxt"):
        shutil.copy(REPO / "examples" / name, corpus / name)
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "bench.py"), "--corpus", str(corpus), "--runs", "1", "--startup-runs", "1", "--size-mb", "0.05"],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "| corpus, all 3 files" in out
    assert "| corpus, the 2 files protobuf accepts" in out  # schema_mistakes.prototxt is rejected
    assert "| generated net (0.05 MB) |" in out
    assert "`protolint examples/lenet_clean.prototxt`" in out and "import click, lark" in out
    assert "x |" in out  # the ratio column


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
