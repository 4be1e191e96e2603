"""X001 unused-suppression: A suppression comment that silences nothing."""

from __future__ import annotations

from protolint.rule import Rule


class UnusedSuppression(Rule):
    code = "X001"
    name = "unused-suppression"
    severity = "info"
    summary = "A suppression comment that silences nothing"
    what_it_does = "Reports a rule named in a `# protolint: disable...` comment that did not report anything there."
    why_it_matters = "Stale suppressions hide the next real finding on that line and mislead readers about what is wrong with it."
    example = "base_lr: 0.01  # protolint: disable=base-lr-missing -- nothing to suppress"
    how_to_fix = "Remove the rule from the directive (or the whole comment)."
