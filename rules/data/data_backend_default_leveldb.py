"""D612 data-backend-default-leveldb: A Data layer reading an LMDB without backend: LMDB."""

from __future__ import annotations

from protolint.context import node_span
from protolint.diagnostics import Fix, TextEdit
from protolint.rule import Rule

from .._format import layer_name


class DataBackendDefaultLeveldb(Rule):
    code = "D612"
    name = "data-backend-default-leveldb"
    severity = "warning"
    applies_to = ("net",)
    layer_types = ("Data",)
    fixable = True
    summary = "A Data layer reading an LMDB without backend: LMDB"
    what_it_does = "Reports Data layers without `backend` whose `source` contains \"lmdb\"."
    why_it_matters = (
        "`backend` defaults to LEVELDB; opening an LMDB directory as LevelDB fails when the layer is set up."
    )
    example = 'layer {\n  name: "data"\n  type: "Data"\n  top: "data"\n  top: "label"\n  data_param { source: "train_lmdb" batch_size: 64 }\n}'
    how_to_fix = "Add `backend: LMDB`."
    version_notes = "Same in every Caffe version."
    references = (
        "src/caffe/proto/caffe.proto:678 (DataParameter.backend: default LEVELDB)",
        "src/caffe/layers/data_layer.cpp:18-19 (DataLayer::DataLayer opens the source with that backend)",
    )

    def check(self, ctx):
        for net, layer in ctx.layers(("Data",), unbuilt=True):
            source = layer.field("data_param.source")
            if source is None or layer.has("data_param.backend") or not isinstance(source.scalar, str):
                continue
            if "lmdb" not in source.scalar.lower():
                continue
            edit = TextEdit(source.value.end, source.value.end, " backend: LMDB")
            ctx.report(*node_span(source), f'Data "{layer_name(layer)}" reads "{source.scalar}" but backend defaults to LEVELDB: opening an LMDB '
                "directory as LevelDB fails at start-up — add backend: LMDB", fixes=[Fix("Add backend: LMDB", [edit], safe=False)])
