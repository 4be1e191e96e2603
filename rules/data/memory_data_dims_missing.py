"""D604 memory-data-dims-missing: memoryData without batch_size, channels, height and width."""

from __future__ import annotations

from protolint.rule import Rule
from protolint.syntax.nodes import number

from .._format import layer_name
from ._helpers import _block_span


class MemoryDataDimsMissing(Rule):
    code = "D604"
    name = "memory-data-dims-missing"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("MemoryData",)
    summary = "MemoryData without batch_size, channels, height and width"
    what_it_does = "Reports MemoryData layers whose `batch_size`, `channels`, `height` or `width` is unset or 0."
    why_it_matters = (
        "MemoryData allocates its blobs from these four values and aborts otherwise: \"batch_size, channels, "
        "height, and width must be specified and positive in memory_data_param\"."
    )
    example = 'layer {\n  name: "data"\n  type: "MemoryData"\n  top: "data"\n  top: "label"\n  memory_data_param { batch_size: 1 channels: 3 height: 224 }\n}'
    how_to_fix = "Give all four dimensions of the arrays you will feed."
    version_notes = "Same in every Caffe version."
    references = (
        "src/caffe/layers/memory_data_layer.cpp:14-21 (MemoryDataLayer::DataLayerSetUp: CHECK_GT(batch_size_ * "
        "size_, 0))",
    )

    def check(self, ctx):
        for net, layer in ctx.layers(("MemoryData",), unbuilt=True):
            missing = [n for n in ("batch_size", "channels", "height", "width")
                       if not (number(layer.get(f"memory_data_param.{n}")) or 0) > 0]
            if missing:
                ctx.report(*_block_span(layer, net, "memory_data_param"), f'MemoryData "{layer_name(layer)}" needs batch_size, channels, height and width > 0 ({", ".join(missing)} '
                    f'{"is" if len(missing) == 1 else "are"} missing): Caffe aborts with "batch_size, channels, height, '
                    'and width must be specified and positive in memory_data_param"')
