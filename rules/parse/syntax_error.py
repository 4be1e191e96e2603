"""P001 syntax-error: the file is not valid protobuf text format."""

from __future__ import annotations

from protolint.rule import Rule


class SyntaxError_(Rule):
    code = "P001"
    name = "syntax-error"
    severity = "error"
    fixable = True  # a missing ':' and `//` comments
    summary = "The file is not valid protobuf text format"
    what_it_does = (
        "Reports text that Caffe's protobuf text parser cannot read: a missing ':' before a value, "
        "unbalanced or mismatched braces, `//` or `/* */` comments, unterminated strings, a number "
        "running into a name, stray characters, misplaced separators."
    )
    why_it_matters = (
        "Caffe reads prototxt with protobuf's C++ TextFormat parser; on any of these it logs "
        "'Error parsing text-format' and aborts before training starts (`CHECK failed: "
        "ReadProtoFromTextFile`)."
    )
    example = "layer {\n  name: \"conv1\"\n  type \"Convolution\"   # missing ':'\n}"
    how_to_fix = "Follow the message: it names what was expected and, for braces, where the open one is."
