"""P003 invalid-value: A value of the wrong kind or out of range for its field."""

from __future__ import annotations

from protolint.rule import Rule


class InvalidValue(Rule):
    code = "P003"
    name = "invalid-value"
    severity = "error"
    summary = "A value of the wrong kind or out of range for its field"
    what_it_does = (
        "Checks every value against its field's type: integers (and their range), numbers, true/false, "
        "quoted strings (valid escapes, UTF-8), enum names (with did-you-mean), list syntax only on "
        "repeated fields, a message only where the schema has a message, one member per oneof."
    )
    why_it_matters = "protobuf's parser rejects the file, so Caffe aborts before training."
    example = "pooling_param {\n  pool: max        # enum values are upper case: MAX\n  kernel_size: 2.5 # an integer field\n}"
    how_to_fix = "Write a value of the field's type; the message says which."
