"""D617 legacy-input-fields: net inputs declared with the deprecated input / input_shape / input_dim fields."""

from __future__ import annotations

from protolint.diagnostics import Fix, TextEdit
from protolint.edits import delete_field, field_end, line_ending
from protolint.rule import Rule
from protolint.syntax.nodes import Message, Scalar

from ._helpers import _legacy_fields


def _input_layer_fix(ctx, root: Message, inputs, shapes, dims: int) -> Fix | None:
    """Rewrite the legacy fields as the Input layer Caffe's upgrade builds from them (UpgradeNetInput),
    when the counts fit exactly and the result loads where the file does: only for a target that has
    the Input layer (rc4 and later, certainly; a schema with InputParameter) and a net of `layer`
    blocks (Input would be a `layer` among V1 `layers`, which Caffe refuses to upgrade). Comments in
    the input_shape blocks move with them; a comment anywhere else inside the fields is a reason to
    offer nothing. The new lines take the line ending of the line they replace."""
    names = [f.scalar for f in inputs]
    if not all(isinstance(n, str) for n in names):
        return None
    if root.has("layers") or ctx.version.at_least("rc4") is not True or not _has_input_layer(ctx.options.schema):
        return None
    text = ctx.source.text
    legacy = [f for f in root.fields if f.name in ("input", "input_shape", "input_dim")]
    first = legacy[0]
    # The Input layer must come first; the legacy fields usually do. Otherwise offer nothing.
    first_layer = root.first("layer")
    if first_layer is not None and first_layer.start < first.start:
        return None
    if shapes:
        if len(shapes) != len(names) or root.has("input_dim"):
            return None
        if not all(isinstance(f.value, Message) for f in shapes):
            return None
        blocks = [text[f.value.start:f.value.end] for f in shapes]
    else:
        values = [v for f in root.all("input_dim") for v in f.values()]
        if dims != 4 * len(names) or not all(isinstance(v, Scalar) and isinstance(v.value, int) for v in values):
            return None
        blocks = ["{ " + " ".join(f"dim: {v.value}" for v in values[4 * i: 4 * i + 4]) + " }" for i in range(len(names))]
    carried = [(f.value.start, f.value.end) for f in shapes]
    commented = False  # a comment inside an input_shape block: the blocks keep their lines
    for comment in ctx.document.comments:
        if any(a <= comment.start < b for a, b in carried):
            commented = True
        elif any(f.start <= comment.start < f.end for f in legacy):
            return None
    newline = line_ending(text, first.start)
    line_start = text.rfind("\n", 0, first.start) + 1
    indent = text[line_start:first.start] if not text[line_start:first.start].strip() else ""
    lines = ["layer {", '  name: "input"', '  type: "Input"', *(f'  top: "{n}"' for n in names)]
    if commented:
        lines.append("  input_param {")
        for block in blocks:
            lines += _reindented("    shape ", block)
        lines.append("  }")
    else:
        lines.append(f"  input_param {{ {' '.join('shape ' + ' '.join(b.split()) for b in blocks)} }}")
    lines.append("}")
    layer = newline.join(lines[:1] + [indent + line for line in lines[1:]])
    edits = [TextEdit(first.start, field_end(first), layer)]
    edits += [delete_field(text, f) for f in legacy[1:]]
    return Fix('Rewrite as an Input layer named "input"', edits, safe=True)


def _reindented(head: str, block: str) -> list[str]:
    """A `{ ... }` block written over several lines, as lines under `head`: its own line breaks (so
    its comments stay at the ends of their lines), each line re-indented below `head`."""
    pieces = [piece.rstrip("\r").lstrip(" \t") for piece in block.split("\n")]
    inner = " " * (len(head) - len(head.lstrip()) + 2)
    closing = " " * (len(head) - len(head.lstrip()))
    out = [head + pieces[0]]
    for piece in pieces[1:]:
        out.append((closing if piece.startswith("}") else inner) + piece)
    return out


def _has_input_layer(schema) -> bool:
    """The schema has the Input layer's parameters (`LayerParameter.input_param` with `shape`)."""
    if not schema.has_message("LayerParameter"):
        return False
    field = schema.message("LayerParameter").fields.get("input_param")
    return field is not None and field.message is not None and "shape" in field.message.fields


class LegacyInputFields(Rule):
    code = "D617"
    name = "legacy-input-fields"
    severity = "info"
    applies_to = ("net",)
    fixable = True
    summary = "Net inputs declared with the deprecated input / input_shape / input_dim fields"
    what_it_does = "Reports a net file that declares its inputs with top-level `input:` plus `input_shape` or `input_dim`."
    why_it_matters = (
        "Caffe (rc4+) converts the fields into an Input layer named \"input\" when it loads the file; the fields are "
        "not upgraded in nets embedded in a solver, are handled differently by older releases, and many converters "
        "only understand the Input layer."
    )
    example = 'input: "data"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 224\ninput_dim: 224'
    how_to_fix = 'Write `layer { name: "input" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 224 dim: 224 } } }`.'
    version_notes = "Before rc4 Net::Init read the fields itself; from rc4 they are upgraded to an Input layer."
    references = (
        "src/caffe/util/upgrade_proto.cpp:964-1003 (NetNeedsInputUpgrade, UpgradeNetInput)",
    )

    def check(self, ctx):
        found = _legacy_fields(ctx)
        if found is None:
            return
        net, inputs, shapes, dims = found
        if not shapes and not dims:
            return  # legacy-input-without-shape
        kind = "input_shape" if shapes else "input_dim"
        first = inputs[0]
        fix = _input_layer_fix(ctx, net.root, inputs, shapes, dims)
        ctx.report(
            first.name_start, first.name_end,
            f'deprecated net inputs (input / {kind}): Caffe converts them into an Input layer named "input" — write '
            'layer { name: "input" type: "Input" top: … input_param { shape { … } } }',
            fixes=[fix] if fix else None,
        )
