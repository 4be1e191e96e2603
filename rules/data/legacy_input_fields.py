"""D617 legacy-input-fields: net inputs declared with the deprecated input / input_shape / input_dim fields."""

from __future__ import annotations

from protolint.diagnostics import Fix, TextEdit
from protolint.rule import Rule
from protolint.syntax.nodes import Message, Scalar

from ._helpers import _legacy_fields


def _input_layer_fix(ctx, root: Message, inputs, shapes, dims: int) -> Fix | None:
    """Rewrite the legacy fields as the Input layer Caffe builds from them, when the counts fit exactly."""
    names = [f.scalar for f in inputs]
    if not all(isinstance(n, str) for n in names):
        return None
    text = ctx.source.text
    if shapes:
        if len(shapes) != len(names) or root.has("input_dim"):
            return None
        if not all(isinstance(f.value, Message) for f in shapes):
            return None
        shape_texts = [" ".join(text[f.value.start:f.value.end].split()) for f in shapes]
        shape_texts = [f"shape {t}" for t in shape_texts]
    else:
        values = [v for f in root.all("input_dim") for v in f.values()]
        if dims != 4 * len(names) or not all(isinstance(v, Scalar) and isinstance(v.value, int) for v in values):
            return None
        shape_texts = [
            "shape { " + " ".join(f"dim: {v.value}" for v in values[4 * i: 4 * i + 4]) + " }" for i in range(len(names))
        ]
    legacy = [f for f in root.fields if f.name in ("input", "input_shape", "input_dim")]
    first = legacy[0]
    tops = "".join(f'  top: "{n}"\n' for n in names)
    layer = f'layer {{\n  name: "input"\n  type: "Input"\n{tops}  input_param {{ {" ".join(shape_texts)} }}\n}}'
    edits = [TextEdit(first.start, first.end, layer)]
    for f in legacy[1:]:
        start, end = f.start, f.end
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        if not text[line_start:start].strip() and not text[end:line_end].strip():
            start, end = line_start, min(line_end + 1, len(text))  # the field is alone on its line(s)
        edits.append(TextEdit(start, end, ""))
    # The Input layer must come first; the legacy fields usually do. Otherwise offer nothing.
    first_layer = root.first("layer") or root.first("layers")
    if first_layer is not None and first_layer.start < first.start:
        return None
    return Fix('Rewrite as an Input layer named "input"', edits, safe=True)


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
