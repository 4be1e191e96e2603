"""Findings about `# protolint:` suppression comments themselves."""

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


class InvalidSuppression(Rule):
    code = "X002"
    name = "invalid-suppression"
    severity = "warning"
    summary = "A suppression comment that names an unknown rule or is malformed"
    what_it_does = "Reports `# protolint:` directives whose rule names or codes do not exist, or that do not follow the directive syntax."
    why_it_matters = "A misspelt directive silently suppresses nothing, so the finding you meant to silence stays and the one you did not mean to keep is hidden by nothing."
    example = "layer {  # protolint: disable=dupliate-top -- misspelt\n}"
    how_to_fix = "Use a name or code from `protolint rules`: `# protolint: disable=RULE[,RULE] -- reason`."
