"""D618 legacy-input-shape-count: legacy net inputs whose input_shape / input_dim count does not fit the inputs."""

from __future__ import annotations

from protolint.rule import Rule

from ._helpers import _legacy_fields


class LegacyInputShapeCount(Rule):
    code = "D618"
    name = "legacy-input-shape-count"
    severity = "error"
    applies_to = ("net",)
    summary = "Legacy net inputs whose input_shape / input_dim count does not fit the inputs"
    what_it_does = (
        "For top-level `input:` fields, checks one `input_shape` per input, or (without input_shape) exactly "
        "four `input_dim` values per input. Info when both input_shape and input_dim are given."
    )
    why_it_matters = (
        "The upgrade to an Input layer does not validate the counts: with too few it indexes past the end of the "
        "list (crash or garbage shapes); surplus values are silently ignored. With both fields, current Caffe uses "
        "input_shape and ignores input_dim, while rc3 aborted."
    )
    example = 'input: "a"\ninput: "b"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 32\ninput_dim: 32'
    how_to_fix = "Give one input_shape per input, or exactly 4 input_dim values (N, C, H, W) per input."
    version_notes = "rc3 and earlier checked the counts in Net::Init; rc4+ does not."
    references = (
        "src/caffe/util/upgrade_proto.cpp:972-993 (UpgradeNetInput: input_shape(i), or four input_dim values per "
        "input, read without a bounds check)",
    )

    def check(self, ctx):
        found = _legacy_fields(ctx)
        if found is None:
            return
        net, inputs, shapes, dims = found
        n = len(inputs)
        root = net.root
        if shapes:
            k = sum(len(f.values()) for f in shapes)
            if k != n:
                self._count(ctx, shapes[0], n, k, "input_shape", "one input_shape per input", k < n)
            if dims:
                node = root.first("input_dim")
                ctx.report(
                    node.name_start, node.name_end,
                    "both input_shape and input_dim are given: current Caffe uses input_shape and silently ignores "
                    "input_dim (Caffe rc3 aborts) — keep one",
                    severity="info",
                )
        elif dims and dims != 4 * n:
            self._count(ctx, root.first("input_dim"), n, dims, "input_dim", "exactly 4 input_dim values per input", dims < 4 * n)

    @staticmethod
    def _count(ctx, node, n, k, name, wanted, too_few):
        if too_few:
            effect = "the upgrade indexes past the end of the list (crash or garbage shapes)"
            severity = None
        else:
            effect = "the surplus values are silently ignored"
            severity = "warning"
        ctx.report(
            node.name_start, node.name_end,
            f"{n} net input(s) but {k} {name} value(s): {effect} — give {wanted}",
            severity=severity,
        )
