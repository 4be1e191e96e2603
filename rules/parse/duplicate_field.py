"""P004 duplicate-field: A field that takes one value is given twice in the same message."""

from __future__ import annotations

from protolint.rule import Rule


class DuplicateField(Rule):
    code = "P004"
    name = "duplicate-field"
    severity = "error"
    summary = "A field that takes one value is given twice in the same message"
    what_it_does = "Reports a second occurrence of a non-repeated field in one message."
    why_it_matters = (
        "Caffe's C++ parser refuses the file (`Non-repeated field ... is specified multiple times`). "
        "pycaffe's `text_format.Merge` silently keeps the last value instead, so a script and `caffe "
        "train` disagree about the same file."
    )
    example = "convolution_param {\n  num_output: 64\n  num_output: 128\n}"
    how_to_fix = "Keep the value you mean and delete the other."
