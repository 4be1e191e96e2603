"""D619 legacy-input-without-shape: A legacy net input without input_shape or input_dim."""

from __future__ import annotations

from protolint.context import node_span
from protolint.rule import Rule

from ._helpers import _legacy_fields


class LegacyInputWithoutShape(Rule):
    code = "D619"
    name = "legacy-input-without-shape"
    severity = "error"
    applies_to = ("net",)
    summary = "A legacy net input without input_shape or input_dim"
    what_it_does = "Reports top-level `input:` fields in a net file that has neither `input_shape` nor `input_dim`."
    why_it_matters = (
        "Without a shape Caffe takes the net for a legacy .caffemodel and simply drops the inputs, so the layers "
        "reading them fail with \"Unknown bottom blob\"."
    )
    example = 'input: "data"\nlayer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 2 } }'
    how_to_fix = "Add `input_shape { dim: … }` for each input, or replace the fields by an Input layer."
    version_notes = "rc4+ drops shapeless inputs; older releases aborted in Net::Init."
    references = (
        "src/caffe/util/upgrade_proto.cpp:968-1003 (UpgradeNetInput: without input_shape or input_dim the inputs "
        "are only cleared)",
    )

    def check(self, ctx):
        found = _legacy_fields(ctx)
        if found is None:
            return
        net, inputs, shapes, dims = found
        if shapes or dims:
            return
        produced = {name for layer in net.layers for name, _node in layer.tops}
        for f in inputs:
            blob = f.scalar if isinstance(f.scalar, str) else "?"
            if blob in produced:
                continue  # a layer produces it: Caffe dropping the shapeless input changes nothing
            ctx.report(*node_span(f), f'input "{blob}" has no shape: Caffe treats the file as a legacy caffemodel and drops the inputs, so '
                f'layers reading "{blob}" fail with "Unknown bottom blob" — add input_shape, or an Input layer')
