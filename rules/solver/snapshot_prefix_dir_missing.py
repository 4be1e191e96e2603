"""S138 snapshot-prefix-dir-missing: the directory of snapshot_prefix does not exist."""

from __future__ import annotations

import os

from protolint.rule import SolverRule


class SnapshotPrefixDirMissing(SolverRule):
    code = "S138"
    name = "snapshot-prefix-dir-missing"
    severity = "info"
    summary = "The directory of snapshot_prefix does not exist"
    what_it_does = (
        "For a solver file on disk that snapshots (snapshot > 0, or snapshot_after_train, the default), checks that "
        "the directory part of `snapshot_prefix` exists. Caffe resolves it against the directory it is run from, "
        "which protolint does not know: the solver's directory, each directory above it (Caffe's examples are "
        "relative to the Caffe root) and the working directory are tried."
    )
    why_it_matters = (
        "With snapshot > 0, solver construction calls CheckSnapshotWritePermissions, which aborts with \"Cannot "
        "write to snapshot prefix '...'. Make sure that the directory exists and is writable.\" when the directory "
        "is missing — before any net is built. With snapshot 0 nothing is checked: Caffe trains to max_iter and "
        "then, with snapshot_after_train, fails the CHECK in WriteProtoToBinaryFile — the trained weights are lost."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 1000\nsnapshot: 1000\nsnapshot_prefix: "no_such_dir/model"\nsolver_mode: GPU'
    how_to_fix = "Create the directory (e.g. `mkdir -p snapshots`) before training, or point snapshot_prefix at an existing one."
    version_notes = (
        "All Caffe versions. Without snapshot_prefix, post-1.0 master uses the solver file's path without extension; "
        "1.0 and older abort with \"snapshot is specified but snapshot_prefix is not\"."
    )
    references = (
        "src/caffe/solver.cpp:437-453 (Solver::CheckSnapshotWritePermissions, called from Solver::Init when "
        "snapshot > 0)",
        "src/caffe/solver.cpp:304-309 (Solver::Solve: the snapshot after training)",
        "src/caffe/util/io.cpp:67-70 (WriteProtoToBinaryFile: CHECK(SerializeToOstream))",
        "src/caffe/util/upgrade_proto.cpp:1100-1116 (UpgradeSnapshotPrefixProperty: the default snapshot_prefix)",
    )

    def check_solver(self, solver, ctx):
        node = solver.field("snapshot_prefix")
        prefix = solver.get("snapshot_prefix")
        path = ctx.source.path
        if node is None or not isinstance(prefix, str) or not prefix or not os.path.isfile(path):
            return
        snapshot = solver.number("snapshot") or 0
        if snapshot <= 0 and solver.get("snapshot_after_train") is False:
            return
        directory = os.path.dirname(prefix)
        if not directory:
            return
        if os.path.isabs(directory):
            bases = [""]
        else:
            bases = []
            current = os.path.dirname(os.path.abspath(path))
            while True:
                bases.append(current)
                parent = os.path.dirname(current)
                if parent == current:
                    break
                current = parent
            bases.append(os.getcwd())
        if any(os.path.isdir(os.path.join(base, directory)) for base in bases):
            return
        where = "the solver's directory, the directories above it or the working directory"
        if snapshot > 0:
            effect = ('Caffe aborts at construction with "Cannot write to snapshot prefix" if it is missing when training '
                      "starts")
        else:
            effect = ("Caffe trains and then aborts writing the final snapshot (Check failed: "
                      "proto.SerializeToOstream(&output)) if it is missing — the trained weights are lost")
        ctx.report_value(node, f'snapshot_prefix "{prefix}": directory "{directory}" does not exist relative to {where}; {effect} '
               "— create it")
