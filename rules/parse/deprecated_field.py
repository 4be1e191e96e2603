"""P007 deprecated-field: A field Caffe still accepts but has replaced."""

from __future__ import annotations

from protolint.rule import Rule


# Fields a more specific rule explains (with the details of Caffe's upgrade); when that rule is on,
# it reports them instead, so each finding appears once.
_SPECIFIC_RULE = {
    "layers": "legacy-v1-syntax",
    "input": "legacy-input-fields",
    "input_dim": "legacy-input-fields",
    "input_shape": "legacy-input-fields",
}


# (message, field) -> what to write instead. Facts of BVLC caffe.proto 9b89154.
REPLACEMENTS = {
    ("NetParameter", "layers"): "`layer` blocks with string types (Caffe upgrades V1 `layers` each time it loads the file)",
    ("NetParameter", "input"): "an `Input` layer (`layer { type: \"Input\" top: ... input_param { shape { dim: ... } } }`)",
    ("NetParameter", "input_dim"): "an `Input` layer with `input_param { shape { dim: ... } }`",
    ("NetParameter", "input_shape"): "an `Input` layer with `input_param { shape { ... } }`",
    ("SolverParameter", "solver_type"): "`type: \"SGD\"` (or \"Nesterov\", \"AdaGrad\", \"RMSProp\", \"AdaDelta\", \"Adam\")",
    ("ConcatParameter", "concat_dim"): "`axis` (which also accepts negative values)",
    ("SliceParameter", "slice_dim"): "`axis` (which also accepts negative values)",
    ("LossParameter", "normalize"): "`normalization: VALID` (or FULL, BATCH_SIZE, NONE); `normalize` is ignored when `normalization` is set",
    ("DataParameter", "rand_skip"): "nothing: each solver already reads its own part of the database",
    ("PythonParameter", "share_in_parallel"): "nothing: Python layers are no longer shared across parallel solvers",
    ("BlobProto", "num"): "`shape { dim: ... }`",
    ("BlobProto", "channels"): "`shape { dim: ... }`",
    ("BlobProto", "height"): "`shape { dim: ... }`",
    ("BlobProto", "width"): "`shape { dim: ... }`",
}
_BY_MESSAGE: dict[str, dict[str, str]] = {}
for (_message, _field), _instead in REPLACEMENTS.items():
    _BY_MESSAGE.setdefault(_message, {})[_field] = _instead


class DeprecatedField(Rule):
    code = "P007"
    name = "deprecated-field"
    severity = "info"
    summary = "A field Caffe still accepts but has replaced"
    what_it_does = (
        "Points out deprecated fields (V1 `layers`, `input`/`input_dim`/`input_shape`, `solver_type`, "
        "`concat_dim`, `slice_dim`, `normalize`, `rand_skip`, ...) and says what to write instead. When "
        "legacy-v1-syntax or legacy-input-fields is enabled, that rule reports V1 nets and legacy inputs "
        "instead (with the details of Caffe's upgrade), so each appears once. Transformation fields inside "
        "data parameters have their own rule, deprecated-data-param-transform."
    )
    why_it_matters = (
        "Caffe upgrades these when it loads the file, so they work, but forks and tools (pycaffe's "
        "NetSpec, converters to other frameworks) often handle only the current form, and mixing forms "
        "leads to upgrade failures."
    )
    example = 'base_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 100\nsolver_type: ADAM'
    how_to_fix = "Write the replacement the message names."

    message_types = tuple(_BY_MESSAGE)

    def visit(self, message, ctx):
        replacements = _BY_MESSAGE[message.schema.name]
        reported = set()
        for field in message.fields:
            instead = replacements.get(field.name)
            if instead is None or field.name in reported:
                continue
            if message.schema.name == "NetParameter" and ctx.rule_enabled(_SPECIFIC_RULE.get(field.name, "")):
                continue
            reported.add(field.name)  # once per message: a V1 net has hundreds of `layers`
            ctx.report_node(field, f"`{field.name}` is deprecated; write {instead}")
