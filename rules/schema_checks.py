"""The checks every Caffe text file gets from protobuf's own parser, as protolint rules.

Their findings come from protolint.syntax.parser and protolint.schema.checker; these classes carry the
codes, names and documentation, so the findings can be selected, configured and explained like
every other rule.
"""

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
