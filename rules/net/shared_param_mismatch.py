"""N222 shared-param-mismatch: layers share a named param but disagree on lr_mult, decay_mult or shape."""

from __future__ import annotations

from protolint.context import node_span, related_at
from protolint.model.params import param_specs
from protolint.rule import Rule
from protolint.versions import CHECK_SINCE

from .._format import and_more, fmt, in_states, layer_name
from ._helpers import param_signature, signature_difference


class SharedParamMismatch(Rule):
    code = "N222"
    name = "shared-param-mismatch"
    severity = "error"
    applies_to = ("net",)
    summary = "Layers share a named param but disagree on lr_mult, decay_mult or shape"
    what_it_does = (
        "For params shared by name (`param { name: \"w\" }` on several layers), reports explicit lr_mult or "
        "decay_mult values that differ between sharers, and sharers of the same type whose written shape "
        "fields differ (num_output, kernel, group, transpose, input_dim) — without share_mode: PERMISSIVE."
    )
    why_it_matters = (
        "Caffe checks shared params when it builds the net: \"Shared param 'w' has mismatched lr_mult.\" or \"Cannot "
        "share param 'w' owned by layer 'a' with layer 'b'; shape mismatch.\" — the net does not start."
    )
    example = (
        'layer { name: "data" type: "Input" top: "a" top: "b" input_param { shape { dim: 1 dim: 4 } } }\n'
        'layer { name: "ip_a" type: "InnerProduct" bottom: "a" top: "fa" param { name: "w" lr_mult: 1 } '
        'inner_product_param { num_output: 2 } }\n'
        'layer { name: "ip_b" type: "InnerProduct" bottom: "b" top: "fb" param { name: "w" lr_mult: 2 } '
        'inner_product_param { num_output: 2 } }'
    )
    how_to_fix = "Set lr_mult/decay_mult on one sharer only (or identically on all), and give sharers identical shapes."
    version_notes = (
        "The lr_mult/decay_mult agreement is checked since August 2015 (between rc2 and rc3): not reported for "
        "an older --caffe-version or a schema older than that, an info when the schema cannot tell or when a "
        "V1-format file (`layers`) is linted with the built-in schema and no version is given. The shape check "
        "is in every version."
    )
    references = (
        "src/caffe/net.cpp:459-513 (Net::AppendParam: the shape or count CHECK and the lr_mult and decay_mult "
        "CHECKs)",
    )

    def check(self, ctx):
        # The lr_mult/decay_mult agreement is a check Caffe added in August 2015: skipped for a schema
        # older than that, an info when the schema cannot tell.
        mults = ctx.version.predates(CHECK_SINCE["shared-param-mults"])
        found: dict[int, list] = {}
        for net in ctx.nets():
            for state in net.states() or net.states():
                owners: dict[str, dict] = {}
                for layer in net.layers_in(state):
                    for spec in param_specs(layer):
                        if not spec.name:
                            continue
                        entry = owners.get(spec.name)
                        if entry is None:
                            owners[spec.name] = {"layer": layer, "spec": spec, "lr": None, "decay": None}
                            entry = owners[spec.name]
                            for kind in ("lr", "decay"):
                                if getattr(spec, kind) is not None:
                                    entry[kind] = (getattr(spec, kind), layer)
                            continue
                        problem = None
                        severity = self.severity
                        for kind, label in (("lr", "lr_mult"), ("decay", "decay_mult")):
                            value = getattr(spec, kind)
                            if value is None:
                                continue
                            if entry[kind] is None:
                                entry[kind] = (value, layer)
                            elif entry[kind][0] != value and problem is None and mults is not True:
                                first_value, first_layer = entry[kind]
                                severity, note = self._mults_severity(ctx, mults, first_layer, layer)
                                problem = (
                                    f'param "{spec.name}" is shared by "{layer_name(first_layer)}" and "{layer_name(layer)}" '
                                    f"but their {label} differ ({fmt(first_value)} vs {fmt(value)}): Caffe aborts with "
                                    f"\"Shared param '{spec.name}' has mismatched {label}.\" — set it on one sharer only "
                                    "or use the same value" + note
                                )
                        owner = entry["layer"]
                        if problem is None and not spec.permissive and owner.type == layer.type:
                            severity = self.severity
                            a = param_signature(owner, entry["spec"].index)
                            b = param_signature(layer, spec.index)
                            if a is not None and b is not None and a != b and entry["spec"].index == spec.index:
                                problem = (
                                    f'param "{spec.name}" is shared by "{layer_name(owner)}" and "{layer_name(layer)}" but '
                                    f"their shapes differ ({signature_difference(a, b)}): Caffe aborts with \"Cannot share "
                                    f"param '{spec.name}' owned by layer '{owner.name}' with layer '{layer.name}'; shape "
                                    "mismatch.\" — make the sharing layers identical"
                                )
                        if problem is not None:
                            node = spec.name_node
                            item = found.setdefault(id(node), [node, problem, [], net, severity])
                            item[2].append(state)
        # One finding per net and severity: a file that shares a whole branch (a siamese twin, a
        # pseudo-label copy) with other multipliers shows the same mismatch at every param.
        groups: dict[tuple[int, str], list] = {}
        for item in found.values():
            groups.setdefault((id(item[3]), item[4]), []).append(item)
        for items in groups.values():
            node, problem, states, net, severity = items[0]
            related = [related_at(other[0], f'"{other[0].value}"') for other in items[1:21]]
            more = and_more(len(items) - 1, "shared param")
            ctx.report(*node_span(node), f"{problem}{in_states(net, states)}" + (f" ({more.strip()} the same way)" if more else ""),
                       severity=severity, related=related)

    @staticmethod
    def _mults_severity(ctx, mults, first, second) -> tuple[str, str]:
        """(severity, note) of an lr_mult/decay_mult disagreement: an error unless the target's Caffe
        may predate the check — the schema cannot tell, or, with the built-in schema and no version
        given, the sharers are written in the V1 format of Caffe before the check."""
        answer = ctx.version
        if answer.given:
            return "error", ""
        if mults is None:
            return "info", (" (Caffe checks this since August 2015; the schema does not show whether yours does: "
                            f"{answer.describe()})")
        if answer.confidence == "default" and first.v1 and second.v1:
            return "info", (" (Caffe checks this since August 2015; this V1-format file may be meant for an older "
                            "Caffe, which accepts it — set --caffe-version to be sure)")
        return "error", ""
