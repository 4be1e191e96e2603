"""deprecated-field: fields Caffe still reads but has replaced."""

from protolint.rule import Rule

# (message, field) -> what to write instead. Facts of BVLC caffe.proto 9b89154. V1 `layers` and the
# legacy input fields have rules of their own (legacy-v1-syntax, legacy-input-fields).
REPLACEMENTS = {
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
        "Points out deprecated fields (`solver_type`, `concat_dim`, `slice_dim`, `normalize`, "
        "`rand_skip`, ...) and says what to write instead. V1 `layers`, the legacy `input` fields and "
        "transformation fields inside data parameters have rules of their own (legacy-v1-syntax, "
        "legacy-input-fields, deprecated-data-param-transform)."
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
            reported.add(field.name)  # once per message: a V1 net has hundreds of `layers`
            ctx.report_node(field, f"`{field.name}` is deprecated; write {instead}")
