"""P008 unknown-root-message: A `# proto-message:` header names a message the schema does not define."""

from __future__ import annotations

from protolint.rule import Rule


class UnknownRootMessage(Rule):
    code = "P008"
    name = "unknown-root-message"
    severity = "warning"
    summary = "A `# proto-message:` header names a message the schema does not define"
    what_it_does = (
        "Checks the `# proto-message: Name` header that text-proto tools use to say what a file holds. "
        "When the schema has no such message, protolint reads the file as the message its fields fit best "
        "and says so."
    )
    why_it_matters = (
        "The header usually names a fork's message (SSD's `LabelMap`, for instance): against BVLC's schema "
        "every field of the file would then be reported as unknown for the wrong reason."
    )
    example = "# proto-message: LabelMap\nname: \"net\""
    how_to_fix = "Lint with the caffe.proto that defines the message (`--proto`), or correct the name."
