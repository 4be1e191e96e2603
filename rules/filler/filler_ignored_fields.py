"""F410 filler-ignored-fields: filler fields that the filler's type never reads."""

from __future__ import annotations

from protolint.context import PerNet
from protolint.diagnostics import Fix
from protolint.edits import delete_field
from protolint.model.fillers import FILLER_FIELDS, FILLER_READS, filler_uses
from protolint.rule import Rule

from .._format import and_more, layer_label


class FillerIgnoredFields(Rule):
    code = "F410"
    name = "filler-ignored-fields"
    severity = "info"
    applies_to = ("net",)
    fixable = True
    summary = "Filler fields that the filler's type never reads"
    what_it_does = (
        "Reports fields a filler sets but its type ignores: constant reads only `value`; uniform `min` and "
        "`max`; gaussian `mean`, `std` and `sparse`; xavier and msra only `variance_norm`; bilinear and "
        "positive_unitball nothing. Trained layers only (TRAIN state of a trained net). `sparse` on a non-gaussian "
        "filler is an error of its own (filler-sparse-invalid)."
    )
    why_it_matters = (
        "The ignored values mislead readers: `weight_filler { type: \"xavier\" std: 0.1 }` looks like a std-0.1 "
        "initialisation but draws from U(-sqrt(3/fan_in), sqrt(3/fan_in)); GoogLeNet's "
        "prototxt carried such fields until PR #2536 cleaned them up."
    )
    example = (
        'layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 3 dim: 8 dim: 8 } shape { dim: 8 } } }\n'
        'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc"\n'
        '  inner_product_param { num_output: 10 weight_filler { type: "xavier" std: 0.1 } } }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Delete the ignored fields (the fix does it), or change the filler type if you meant the one that reads them."
    version_notes = "All Caffe versions."
    references = (
        "include/caffe/filler.hpp:30-125 (the constant, uniform, gaussian and positive_unitball fillers and the "
        "fields each reads)",
        "include/caffe/filler.hpp:143-214 (XavierFiller and MSRAFiller: only variance_norm is read)",
        "include/caffe/filler.hpp:249-268 (BilinearFiller: no field is read)",
    )

    def check(self, ctx):
        text = ctx.source.text
        group = PerNet()
        for net, graph, layer in ctx.trained_layers():
            for use in filler_uses(layer):
                kind = use.type
                if kind not in FILLER_READS:
                    continue
                reads = FILLER_READS[kind]
                ignored = [f for f in use.filler.fields
                           if f.name in FILLER_FIELDS and f.name not in reads and f.name != "sparse"]
                if not ignored:
                    continue
                group.add(net, ignored[0], f"{layer_label(layer)}: {use.type} ignores "
                          f"{', '.join(dict.fromkeys(f.name for f in ignored))}", (use, ignored))
        for places in group:
            (_node, _label, (use, ignored)), rest = places[0], places[1:]
            every = [f for _n, _l, (_u, fields) in places for f in fields]
            names = ", ".join(dict.fromkeys(f.name for f in every))
            fix = Fix(f"Remove {names}", [delete_field(text, f) for f in every])
            pronoun = "them" if len({f.name for f in every}) > 1 else "it"
            layer = use.layer
            ctx.report_places(places, f"the {use.type} {use.role} filler of {layer_label(layer)}"
                              f"{and_more(len(rest), 'filler')} {'ignore' if rest else 'ignores'} {names}: "
                              f"remove {pronoun} (no effect)", fixes=[fix])
