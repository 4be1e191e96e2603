"""bench/server.py still runs and prints its table (a small net and few runs: a smoke test, not a benchmark)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_server_bench_prints_its_table():
    done = subprocess.run([sys.executable, str(REPO / "bench" / "server.py"), "--net", str(REPO / "examples" / "lenet_clean.prototxt"),
                           "--edits", "2", "--spawns", "1"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "| spawn to first diagnostics" in done.stdout and "| **edit to diagnostics / Parse**" in done.stdout


def test_the_server_bench_without_its_net_exits_2(tmp_path):
    done = subprocess.run([sys.executable, str(REPO / "bench" / "server.py"), "--net", str(tmp_path / "none.prototxt")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "no such net" in done.stderr
