"""X002 invalid-suppression: A suppression comment that names an unknown rule or is malformed."""

from __future__ import annotations

from protolint.rule import Rule


class InvalidSuppression(Rule):
    code = "X002"
    name = "invalid-suppression"
    severity = "warning"
    summary = "A suppression comment that names an unknown rule or is malformed"
    what_it_does = "Reports `# protolint:` directives whose rule names or codes do not exist, or that do not follow the directive syntax."
    why_it_matters = "A misspelt directive silently suppresses nothing, so the finding you meant to silence stays and the one you did not mean to keep is hidden by nothing."
    example = "layer {  # protolint: disable=dupliate-top -- misspelt\n}"
    how_to_fix = "Use a name or code from `protolint rules`: `# protolint: disable=RULE[,RULE] -- reason`."
