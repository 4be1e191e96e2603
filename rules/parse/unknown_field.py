"""P002 unknown-field: A field name that the message's schema does not define."""

from __future__ import annotations

from protolint.rule import Rule


class UnknownField(Rule):
    code = "P002"
    name = "unknown-field"
    severity = "error"
    fixable = True  # rename to the closest known field (unsafe: a fork may define the name)
    summary = "A field name that the message's schema does not define"
    what_it_does = (
        "Reports field names not defined for the enclosing message in the schema (BVLC caffe.proto "
        "by default, or the one given with --proto), with the closest known name or the parameter "
        "block the field belongs in."
    )
    why_it_matters = (
        "protobuf rejects the whole file (`Message type \"caffe.LayerParameter\" has no field named "
        "...`), so Caffe aborts. Fields from a fork's caffe.proto (SSD, faster-rcnn, ...) are unknown to "
        "BVLC Caffe."
    )
    example = "layer {\n  name: \"conv1\"\n  type: \"Convolution\"\n  kernel_size: 3   # belongs in convolution_param\n}"
    how_to_fix = (
        "Fix the spelling, move the field into the right parameter block, or lint with the caffe.proto "
        "of the Caffe fork you train with (`--proto path/to/caffe.proto`)."
    )
