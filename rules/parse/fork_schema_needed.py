"""P009 fork-schema-needed: a file written for a well-known Caffe fork, linted with BVLC's schema."""

from __future__ import annotations

from protolint.model.facts import BVLC_LAYER_TYPES
from protolint.model.fillers import filler_uses
from protolint.rule import Rule
from protolint.suggest import closest
from protolint.syntax.nodes import IDENT, Message, Scalar


# The rule whose finding each kind of name would get, so that the one finding here replaces them.
_RULE = {
    "fields": "unknown-field",
    "roots": "unknown-field",
    "layer_types": "unknown-layer-type",
    "filler_types": "filler-unknown-type",
    "lr_policies": "lr-policy-unknown",
    "solver_types": "solver-type-unknown",
}
_SHOWN_RELATED = 20


class ForkSchemaNeeded(Rule):
    code = "P009"
    name = "fork-schema-needed"
    severity = "info"
    summary = "A file written for a well-known Caffe fork, linted with BVLC's schema"
    what_it_does = (
        "With BVLC's schema (the built-in one), collects the names of the file that schema does not know — fields, "
        "enum values, layer types, filler types, lr policies, solver types — and recognises the well-known fork that "
        "defines them (SSD, Faster R-CNN, R-FCN, PSPNet, DeepLab, SegNet, ENet, NVIDIA Caffe/DIGITS, Intel Caffe, "
        "MobileNet-YOLO, ShuffleNet, depthwise convolution, SENet, ...). It reports once per file which fork it is, "
        "the evidence, and how to lint with that fork's schema. The findings those names would get one by one "
        "(unknown-field, unknown-layer-type, invalid-value for an enum value, filler-unknown-type, "
        "lr-policy-unknown, solver-type-unknown) are folded into this one: dropped, and listed as its related "
        "locations. Names the fork does not define keep their own findings; near-misses of BVLC names are no "
        "evidence (they stay typos unless a fork is recognised from other names and defines them). Without a known "
        "fork, a build of the file's own shows as layers of unknown types with parameter blocks of their own, or as "
        "three or more unknown names that are no near-miss of a BVLC name: those are folded into one finding too."
    )
    why_it_matters = (
        "The file is meant for the fork's build, where these names are valid: reporting each as an error buries "
        "real problems under hundreds of false ones. protolint cannot check what the fork's fields mean until it "
        "has the fork's caffe.proto."
    )
    example = (
        'layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 300 dim: 300 } } }\n'
        'layer { name: "conv4_3_norm_mbox_priorbox" type: "PriorBox" bottom: "data" bottom: "data" top: "prior"\n'
        "  prior_box_param { min_size: 30 aspect_ratio: 2 flip: true } }"
    )
    how_to_fix = (
        "Lint with the fork's schema: `--proto path/to/the-fork/src/caffe/proto/caffe.proto`, or `proto = \"...\"` in "
        "the configuration. For a fork that ships layers rather than a schema, add them to your Caffe and pass your "
        "caffe.proto, or declare the layer types with `extra-layer-types`. If you do run BVLC Caffe, the file "
        "cannot work there: replace the fork's layers."
    )
    version_notes = "The fork table records the commit each fork's facts were read from."

    def check(self, ctx):
        found: dict[str, dict[str, list[tuple[int, int]]]] = {kind: {} for kind in _RULE}
        unknown_fields = self._collect(ctx, found)
        if not any(found.values()):
            return  # every name is known (the usual case: the fork tables are not even loaded)
        from protolint.model.forks import is_fork_schema, recognise, registered_by_a_fork

        if is_fork_schema(ctx.schema):
            return  # the names are checked against the fork's own schema
        recognition = recognise({kind: set(names) for kind, names in found.items() if names})
        if recognition is None:
            self._custom_build(ctx, found, _plain(unknown_fields))
            return
        fork = recognition.fork
        places: list[tuple[int, int, str]] = []
        shown: list[tuple[int, str]] = []
        for kind, names in recognition.explained.items():
            for name in names:
                spots = found[kind][name]
                shown.append((spots[0][0], _display(kind, name)))
                for start, end in spots:
                    ctx.supersede(_RULE[kind], start)
                    if kind == "fields" and ":" in name:
                        ctx.supersede("invalid-value", start)  # an enum value the fork adds
                    places.append((start, end, f"{_display(kind, name)}: {fork.name}"))
        # Layer types the fork table does not list but that are no typo of a BVLC type: most likely
        # from the same fork (another version of it, or an add-on built with it) — with the parameter
        # blocks of their own they carry.
        for name, spots in found["layer_types"].items():
            if name in recognition.explained.get("layer_types", ()):
                continue
            if closest(name, BVLC_LAYER_TYPES) is not None and not registered_by_a_fork("layer_types", name):
                continue  # a typo of a BVLC type: unknown-layer-type suggests the right one
            shown.append((spots[0][0], f'"{name}"'))
            for start, end in spots:
                ctx.supersede("unknown-layer-type", start)
                places.append((start, end, f'"{name}": not a BVLC layer type, most likely of the same fork'))
        custom = _custom_layers(ctx, found)
        for _layer_type, uses in custom.items():
            for _type_field, blocks in uses:
                for block in blocks:
                    ctx.supersede("unknown-field", block.name_start)
                    places.append((block.name_start, block.name_end, f"`{block.name}`: the parameters of a fork layer"))
        if custom:  # a build with layers of its own beyond the fork's: its other unknown fields are its too
            explained = recognition.explained.get("fields", ())
            for key in sorted(_plain(unknown_fields) - set(explained)):
                if key.startswith("LayerParameter.") and key.endswith("_param"):
                    continue  # a custom layer's block, listed above
                message_name, field_name = key.rsplit(".", 1)
                shown.append((found["fields"][key][0][0], f"`{field_name}`"))
                for start, end in found["fields"][key]:
                    ctx.supersede("unknown-field", start)
                    places.append((start, end, f"`{field_name}`: a field of that build's {message_name}"))
        places = sorted({p[0]: p for p in places}.values())
        shown = sorted({name: start for start, name in sorted(shown, reverse=True)}.items(), key=lambda item: item[1])
        names = [name for name, _start in shown]
        more = len(names) - 4
        listed = ", ".join(names[:4]) + (f" and {more} more name{'s' if more > 1 else ''} of that fork" if more > 0 else "")
        also = (f"; also defined by {', '.join(f.name for f in recognition.alternatives[:3])}"
                if recognition.alternatives else "")
        lead = (f"written for the {fork.name} fork ({fork.where}{also})" if recognition.sure
                else f"looks written for a Caffe fork such as {fork.name} ({fork.where}{also})")
        if fork.proto:
            how = (f"lint it with the fork's schema: --proto <your {fork.repo} checkout>/{fork.proto} (or "
                   "`proto = \"...\"` in the configuration)")
        else:
            how = (f"to lint it, {fork.how} and pass your caffe.proto with --proto, or declare the layer types with "
                   "`extra-layer-types`")
        count = len(places)
        ctx.report(places[0][0], places[0][1],
                   f"{lead}: {listed} — {count} place{'s' if count != 1 else ''} BVLC Caffe's schema does not know; {how}",
                   related=places[:_SHOWN_RELATED])

    @staticmethod
    def _custom_build(ctx, found, plain_fields: set[str]) -> None:
        """No known fork explains the file, but it shows a Caffe build of its own: layers of unknown
        types with parameter blocks of their own (`DocData` with `doc_data_param`), or at least three
        unknown names that are no near-miss of a BVLC name (a solver with `monitor_test`, `min_lr`,
        ...). One finding names them instead of one per layer, block and field; single unknown names
        and near-misses keep their own findings (they may be typos)."""
        from protolint.model.forks import registered_by_a_fork

        custom = _custom_layers(ctx, found)
        other_types = [name for name in found["layer_types"]
                       if name not in custom and (closest(name, BVLC_LAYER_TYPES) is None
                                                  or registered_by_a_fork("layer_types", name))]
        blocks_of_custom = {f"LayerParameter.{block.name}" for uses in custom.values()
                            for _type_field, blocks in uses for block in blocks}
        fields = [key for key in found["fields"] if key in plain_fields and key not in blocks_of_custom]
        if not custom and len(other_types) + len(fields) < 3:
            return
        places: list[tuple[int, int, str]] = []
        names: list[str] = []
        for layer_type, uses in custom.items():
            names.append(f'"{layer_type}" (with `{uses[0][1][0].name}`)')
            for type_field, blocks in uses:
                ctx.supersede("unknown-layer-type", type_field.value.start)
                places.append((type_field.value.start, type_field.value.end, f'"{layer_type}": a custom layer'))
                for block in blocks:
                    ctx.supersede("unknown-field", block.name_start)
                    places.append((block.name_start, block.name_end, f"`{block.name}`: its parameters"))
        for name in other_types:
            names.append(f'"{name}"')
            for start, end in found["layer_types"][name]:
                ctx.supersede("unknown-layer-type", start)
                places.append((start, end, f'"{name}": a layer of that build'))
        for key in fields:
            message_name, field_name = key.rsplit(".", 1)
            names.append(f"`{field_name}`")
            for start, end in found["fields"][key]:
                ctx.supersede("unknown-field", start)
                places.append((start, end, f"`{field_name}`: a field of that build's {message_name}"))
        places.sort()
        more = len(names) - 4
        listed = ", ".join(names[:4]) + (f" and {more} more" if more > 0 else "")
        what = "its own layers" if custom or other_types else "its own fields"
        declare = " and declare its layer types with `extra-layer-types`" if custom or other_types else ""
        ctx.report(places[0][0], places[0][1],
                   f"written for a Caffe build with {what}: {listed} — {len(places)} places BVLC Caffe's schema "
                   f"does not know; to lint it, pass that build's caffe.proto with --proto (or `proto = \"...\"` in "
                   f"the configuration){declare}",
                   related=places[:_SHOWN_RELATED])

    @staticmethod
    def _collect(ctx, found) -> dict[str, tuple]:
        """Every name of the file BVLC's schema and registries do not know, by kind, with its places.
        Returns the unknown fields with their message types, for `_plain` to judge."""
        plain: dict[str, tuple] = {}  # key -> (field name, message type), judged when needed
        known_types = ctx.known_layer_types()
        root = ctx.document.root
        # The walk over every field only when the schema check met unknown fields or enum values;
        # else the layers' types are all there is to look at.
        stack: list[Message] = [root] if ctx.document.unknown_names else []
        if not stack:
            for _net, layer in ctx.layers(unbuilt=True):
                message_type = layer.message.schema
                f = layer.message.last("type")
                if (message_type is not None and message_type.name == "LayerParameter" and f is not None
                        and isinstance(f.scalar, str) and f.scalar not in known_types):
                    spots = found["layer_types"].setdefault(f.scalar, [])
                    if (f.value.start, f.value.end) not in spots:
                        spots.append((f.value.start, f.value.end))
        while stack:
            message = stack.pop()
            message_type = message.schema
            if message_type is None:
                continue
            is_layer = message_type.name == "LayerParameter"
            for f in message.fields:  # (every field of the file: written for speed)
                schema = f.schema
                if schema is None or f.name_kind != "plain":
                    if f.name_kind == "plain" and f.name not in message_type.reserved_names:
                        key = f"{message_type.name}.{f.name}"
                        found["fields"].setdefault(key, []).append((f.name_start, f.name_end))
                        plain.setdefault(key, (f.name, message_type))
                        if message is root:  # perhaps the file is another message of the fork (a label map)
                            found["roots"].setdefault(f.name, []).append((f.name_start, f.name_end))
                    continue
                if schema.enum is not None:
                    enum = schema.enum
                    for value in f.values():
                        if isinstance(value, Scalar) and value.kind == IDENT and value.text not in enum.values:
                            name = f"{enum.full_name.removeprefix(ctx.schema.package + '.')}:{value.text}"
                            found["fields"].setdefault(name, []).append((value.start, value.end))
                    continue
                if schema.message is not None:
                    value = f.value
                    if value.__class__ is Message:
                        stack.append(value)
                    else:
                        stack.extend(v for v in f.values() if isinstance(v, Message))
                elif is_layer and f.name == "type" and isinstance(f.scalar, str):
                    if f.scalar not in known_types:
                        found["layer_types"].setdefault(f.scalar, []).append((f.value.start, f.value.end))
        filler_known = ctx.known_names("filler_types")
        for _net, layer in ctx.layers(unbuilt=True):
            for use in filler_uses(layer):
                node = use.type_node
                value = node.scalar if node is not None else None
                if isinstance(value, str) and value not in filler_known and isinstance(node.value, Scalar):
                    found["filler_types"].setdefault(value, []).append((node.value.start, node.value.end))
        solver = ctx.solver
        if solver is not None:
            for kind, field_name in (("lr_policies", "lr_policy"), ("solver_types", "type")):
                node = solver.field(field_name)
                value = node.scalar if node is not None else None
                if isinstance(value, str) and value and value not in ctx.known_names(kind) and isinstance(node.value, Scalar):
                    found[kind].setdefault(value, []).append((node.value.start, node.value.end))
        return plain


def _display(kind: str, name: str) -> str:
    """A fork name as the file writes it: `prior_box_param`, CROP, "PriorBox"."""
    if kind == "fields" and ":" in name:
        return name.rsplit(":", 1)[1]
    if kind in ("fields", "roots"):
        return f"`{name.rsplit('.', 1)[-1]}`"
    return f'"{name}"'


def _plain(unknown_fields: dict[str, tuple]) -> set[str]:
    """The unknown fields that are no near-miss of a field of their message (nor a field of one of
    its blocks, written a level too high)."""
    return {key for key, (name, message_type) in unknown_fields.items() if _no_near_miss(name, message_type)}


def _no_near_miss(name: str, message_type) -> bool:
    """Whether an unknown field name is no misspelling of a field of its message, nor a field of one
    of the message's blocks written a level too high (those are typos: unknown-field says which)."""
    if closest(name, message_type.fields) is not None:
        return False
    return not any(f.message is not None and name in f.message.fields for f in message_type.fields.values())


def _custom_layers(ctx, found) -> dict[str, list]:
    """Layers of types no schema or registry knows that carry unknown `*_param` blocks of their own:
    type -> [(its `type` field, its unknown blocks), ...]."""
    custom: dict[str, list] = {}
    for _net, layer in ctx.layers(unbuilt=True):
        if layer.type not in found["layer_types"] or layer.synthetic:
            continue
        blocks = [f for f in layer.message.fields if f.schema is None and f.name.endswith("_param")]
        if blocks:
            custom.setdefault(layer.type, []).append((layer.message.last("type"), blocks))
    return custom
