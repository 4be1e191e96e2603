"""S139 net-file-not-found: A solver's net/train_net/test_net file was not found, so it was not checked with the solver."""

from __future__ import annotations

from protolint.rule import Rule


class NetFileNotFound(Rule):
    code = "S139"
    name = "net-file-not-found"
    severity = "info"
    applies_to = ("solver",)
    summary = "A solver's net/train_net/test_net file was not found, so it was not checked with the solver"
    what_it_does = (
        "When protolint lints a solver it also lints the net files it names, in the states the solver "
        "builds them in. It looks for each file relative to the solver, then to the working directory, "
        "and reports the ones it cannot find."
    )
    why_it_matters = (
        "Caffe resolves these paths relative to the directory `caffe train` runs in (often the Caffe "
        "root) and aborts when the file is missing (`Failed to parse NetParameter file`). Either the "
        "path is wrong, or it is relative to a directory other than the solver's — then run protolint "
        "from that directory to get the cross-file checks."
    )
    example = 'net: "models/missing/train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 100'
    how_to_fix = "Fix the path, or run protolint from the directory Caffe is run from."

    def check(self, ctx):
        if ctx.kind != "solver":
            return
        seen = set()
        for link in ctx.links.net_files:
            if link.path is None and id(link.field) not in seen:
                seen.add(id(link.field))
                ctx.report(link.field.value.start, link.field.value.end,
                           f"net file \"{link.field.scalar}\" not found (looked next to the solver and in the working "
                           "directory): it was not checked with this solver; Caffe aborts if it cannot open it either")
