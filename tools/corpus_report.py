"""Census of protolint's findings on a corpus of real repositories, linted the way their users would.

Each top-level folder of the corpus is one repository; it is linted from its own folder
(`protolint --format json .` with that folder as the working directory), so solvers find their
nets by the paths they were written with. The census counts findings by rule and severity, in
total and per repository, and can show examples of each rule to judge them by.

    python tools/corpus_report.py                      # ../shared/corpus, the installed protolint
    python tools/corpus_report.py --examples 3         # and three findings per rule
    python tools/corpus_report.py --json census.json   # the census as JSON, e.g. to compare runs
    python tools/corpus_report.py --protolint /other/venv/bin/protolint   # another build

Only errors and warnings are listed per rule by default (`--infos` adds infos).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
SEVERITIES = ("error", "warning", "info")


def lint_repository(protolint: list[str], folder: Path, extra: list[str]) -> list[dict]:
    """The findings of `protolint .` run inside one repository folder."""
    done = subprocess.run([*protolint, "--format", "json", "--fail-on", "never", *extra, "."], cwd=folder,
                          capture_output=True, text=True, timeout=600)
    if done.returncode not in (0, 1, 2) or not done.stdout.strip():
        raise SystemExit(f"{folder.name}: protolint exited {done.returncode}: {done.stderr.strip()[-2000:]}")
    findings = json.loads(done.stdout)["diagnostics"]
    for finding in findings:
        finding["repository"] = folder.name
    return findings


def census(findings: list[dict]) -> dict:
    by_rule: dict[tuple[str, str], int] = collections.Counter((f["rule"], f["severity"]) for f in findings)
    totals = collections.Counter(f["severity"] for f in findings)
    per_repo: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for f in findings:
        per_repo[f["repository"]][f["severity"]] += 1
    return {
        "totals": {s: totals.get(s, 0) for s in SEVERITIES},
        "rules": sorted(([rule, severity, n] for (rule, severity), n in by_rule.items()),
                        key=lambda row: (SEVERITIES.index(row[1]), -row[2], row[0])),
        "repositories": {repo: {s: counts.get(s, 0) for s in SEVERITIES} for repo, counts in sorted(per_repo.items())},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", default=str(REPOSITORY.parent / "shared" / "corpus"))
    parser.add_argument("--protolint", help="the protolint command to run (default: the one next to this Python)")
    parser.add_argument("--examples", type=int, default=0, help="show this many findings per rule")
    parser.add_argument("--infos", action="store_true", help="list info findings per rule too")
    parser.add_argument("--json", help="also write the census (and every finding) to this file")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="repositories linted at once")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="after --: more protolint options for every run")
    options = parser.parse_args()

    corpus = Path(options.corpus)
    if not corpus.is_dir():
        print(f"no corpus at {corpus}", file=sys.stderr)
        return 2
    if options.protolint:
        protolint = [options.protolint]
    else:
        beside = Path(sys.executable).with_name("protolint")
        found = str(beside) if beside.exists() else shutil.which("protolint")
        protolint = [found] if found else [sys.executable, "-m", "protolint"]
    extra = [a for a in options.args if a != "--"]
    folders = sorted(p for p in corpus.iterdir() if p.is_dir() and not p.name.startswith("."))
    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        results = list(pool.map(lambda folder: lint_repository(protolint, folder, extra), folders))
    findings = [f for result in results for f in result]
    report = census(findings)

    totals = report["totals"]
    print(f"{len(folders)} repositories: {totals['error']} errors, {totals['warning']} warnings, {totals['info']} infos")
    print()
    print("| rule | severity | findings | repositories |")
    print("| --- | --- | --- | --- |")
    repos_of = collections.defaultdict(set)
    for f in findings:
        repos_of[(f["rule"], f["severity"])].add(f["repository"])
    for rule, severity, n in report["rules"]:
        if severity == "info" and not options.infos:
            continue
        print(f"| {rule} | {severity} | {n} | {len(repos_of[(rule, severity)])} |")
        if options.examples:
            shown = [f for f in findings if f["rule"] == rule and f["severity"] == severity][: options.examples]
            for f in shown:
                print(f"|  | | `{f['repository']}/{f['path'].removeprefix('./')}:{f['line']}` | {f['message'][:300]} |")
    if options.json:
        Path(options.json).write_text(json.dumps({**report, "findings": findings}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
