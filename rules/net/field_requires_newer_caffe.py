"""N227 field-requires-newer-caffe: A field or layer type that the targeted Caffe release does not have."""

from __future__ import annotations

from protolint.rule import Rule
from protolint.versions import FIELD_SINCE, MESSAGE_SINCE, TYPE_SINCE, at_least


_FIELDS_BY_MESSAGE: dict[str, dict[str, str]] = {}
for (_message, _field), _since in FIELD_SINCE.items():
    _FIELDS_BY_MESSAGE.setdefault(_message, {})[_field] = _since


_SHOW = {"master": "the post-1.0 master branch"}


def _show(release: str) -> str:
    return _SHOW.get(release, release)


class FieldRequiresNewerCaffe(Rule):
    code = "N227"
    name = "field-requires-newer-caffe"
    severity = "info"
    applies_to = ("solver", "net")
    summary = "A field or layer type that the targeted Caffe release does not have"
    what_it_does = (
        "When the targeted Caffe release is older than the schema (`--caffe-version`, `caffe-version` in the "
        "configuration), reports fields and layer types that appeared later: e.g. `round_mode`, solver `weights`, "
        "Clip/Swish (post-1.0 master), InfogainLoss `axis` (1.0), Input/Crop/LSTM/RNN/Parameter and "
        "`layer_wise_reduce` (rc4), BatchNorm/Scale/Reshape/... and `normalization` (rc3)."
    )
    why_it_matters = (
        "Protobuf's text parser rejects unknown fields, so an older Caffe does not even load the file; an "
        "unknown layer type aborts when the net is built (\"Unknown layer type\")."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 9 dim: 9 } } }\n'
        'layer {\n  name: "pool1"\n  type: "Pooling"\n  bottom: "data"\n  top: "pool1"\n'
        "  pooling_param { pool: MAX kernel_size: 3 stride: 2 round_mode: FLOOR }\n}"
    )
    example_caffe_version = "1.0"
    how_to_fix = "Remove the field or layer (or replace it by what the target supports), or target a newer Caffe."
    version_notes = (
        "An error only when the target was given (--caffe-version, `caffe-version`). When the version is read off "
        "the schema, fields are never reported (the schema has them) and a layer type only as an info, when the "
        "schema looks older than the type and has no parameter message for it. Nothing for the master branch. "
        "Fields are dated from the schema of every BVLC release."
    )

    message_types = tuple(dict.fromkeys(("LayerParameter", *_FIELDS_BY_MESSAGE)))

    def visit(self, message, ctx):
        answer = ctx.version
        name = message.schema.name
        if not answer.given and name != "LayerParameter":
            return  # (most visits) the field is in the schema, and the version was read off that schema
        target = answer.release
        if answer.given and target == "master":
            return
        if name == "LayerParameter":
            type_field = message.last("type")
            layer_type = type_field.scalar if type_field is not None else None
            since = TYPE_SINCE.get(layer_type) if isinstance(layer_type, str) else None
            if not since or answer.at_least(since) is not False:
                pass
            elif answer.given:
                ctx.report(
                    type_field.value.start, type_field.value.end,
                    f'layer type "{layer_type}" exists only in Caffe >= {_show(since)}; the configured target {target} '
                    f'aborts with "Unknown layer type: {layer_type}"',
                    severity="error",
                )
            elif not ctx.schema.has_message(f"{layer_type}Parameter") and layer_type not in ctx.options.extra_layer_types:
                # Read off the schema: its Caffe looks older than the type, and the schema does not
                # show the type either (no parameter message for it).
                ctx.report(
                    type_field.value.start, type_field.value.end,
                    f'layer type "{layer_type}" exists only in Caffe >= {_show(since)}, and the schema looks like '
                    f'{answer.describe()}: if your build lacks it, it aborts with "Unknown layer type: {layer_type}"; '
                    "set --caffe-version to be sure",
                )
        if not answer.given:
            return  # the field is in the schema, and the version was read off that schema
        if not at_least(target, MESSAGE_SINCE.get(name, "rc1")):
            return  # the whole message is newer: the field holding it is reported
        fields = _FIELDS_BY_MESSAGE.get(name, {})
        for f in message.fields:
            since = fields.get(f.name)
            if since is None or f.schema is None or at_least(target, since):
                continue
            ctx.report(
                f.name_start, f.name_end,
                f'field "{f.name}" exists only in Caffe >= {_show(since)}; the configured target {target} rejects the '
                f'file at parse time (Message type "caffe.{name}" has no field named "{f.name}")',
                severity="error",
            )
