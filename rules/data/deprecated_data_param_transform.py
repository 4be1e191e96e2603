"""D602 deprecated-data-param-transform: transformation fields in a data parameter, which `layer` syntax ignores."""

from __future__ import annotations

from protolint.context import node_span
from protolint.rule import Rule

from .._format import layer_name
from ._helpers import DATA_PARAM, deprecated_transform_fields


class DeprecatedDataParamTransform(Rule):
    code = "D602"
    name = "deprecated-data-param-transform"
    severity = "warning"
    applies_to = ("net",)
    layer_types = tuple(DATA_PARAM)
    fixable = False
    summary = "Transformation fields in a data parameter, which `layer` syntax ignores"
    what_it_does = (
        "Reports `scale`, `mean_file`, `crop_size` and `mirror` written in `data_param` / `image_data_param` "
        "(and `mean_file`/`mirror` in `window_data_param`; its crop_size is windowdata-crop-size-missing's) of a "
        "`layer` entry, and `transform_param.scale` on WindowData, which WindowData never reads. Values that "
        "change nothing (scale 1, mirror false) and fields transform_param also sets are not reported."
    )
    why_it_matters = (
        "Caffe moves these fields into transform_param only when it upgrades V1 `layers` files. A current `layer` "
        "reads transform_param alone, so the setting is silently ignored: the data is fed unscaled (raw 0–255), "
        "without mean subtraction, uncropped or unmirrored — a frequent cause of divergence after hand-converting a "
        "V1 net. WindowData scales by window_data_param.scale only."
    )
    example = (
        'layer {\n  name: "data"\n  type: "Data"\n  top: "data"\n  top: "label"\n'
        '  data_param { source: "train_lmdb" backend: LMDB batch_size: 64 scale: 0.00390625 }\n}'
    )
    how_to_fix = "Move the fields into `transform_param { ... }` (for WindowData: scale into window_data_param)."
    version_notes = "Since the V2 `layer` format (early 2015); V1 `layers` files are upgraded and fine — unless embedded in a solver."
    references = (
        "src/caffe/util/upgrade_proto.cpp:608-667 (NetNeedsDataUpgrade, UpgradeNetDataTransformation: V1 layers "
        "only)",
        "src/caffe/layers/window_data_layer.cpp:238 (WindowDataLayer::load_batch reads window_data_param.scale)",
    )

    def check(self, ctx):
        for net, layer in ctx.layers(DATA_PARAM, unbuilt=True):
            for node, consequence, written in deprecated_transform_fields(layer):
                if written == "transform_param.scale":
                    text = (f'WindowData "{layer_name(layer)}" sets transform_param.scale: {consequence} — move it to '
                            "window_data_param { scale: … }")
                else:
                    text = (f'{layer.type} "{layer_name(layer)}" sets {written}, which Caffe ignores in "layer" syntax '
                            f'(only V1 "layers" files are upgraded): {consequence} — move it to transform_param '
                            f"{{ {written.rsplit('.', 1)[1]}: … }}")
                ctx.report(*node_span(node), text)
