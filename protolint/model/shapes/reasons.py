"""Layers whose tops shape inference does not compute at all, and why, in words the user can act on.

A layer is left unknown, whatever its bottoms, when protolint has no handler for its type (HDF5Data
and Python layers get their shapes from files or code, fork types are not modelled), when it is a
V0-format layer, or when it has parameters protolint's model of Caffe does not know: a field the
schema does not know, or — with a fork's schema (`--proto`) — a field BVLC Caffe does not have. Such
a field may change the shape (a fork's `ceil_mode`, `hole`, ...), so computing on as if it were not
there would report mismatches further down that are not there.

A reason may name `{top}`: the pass puts the top's blob name there.
"""

from __future__ import annotations

import weakref

from ...syntax.nodes import Message
from ..facts import BVLC_LAYER_TYPES
from .common import int_value

GIVE = "give --input-shape {top}=N,C,H,W (or the input-shapes setting)"


def unmodelled_reason(layer, has_handler: bool) -> str | None:
    """Why `layer`'s tops are not computed at all; None when its handler computes them."""
    if layer.v1 and layer.message.has("layer"):
        return ("a V0-format layer (parameters in a nested `layer` block): its shapes are not computed; upgrade the "
                "net with Caffe's upgrade_net_proto_text")
    if not has_handler:
        return _type_reason(layer)
    unknown = unknown_field(layer)
    if unknown is not None:
        path, fork_only = unknown
        if fork_only:
            return (f"a field of your fork that BVLC Caffe does not have (`{path}`): protolint does not know how it "
                    f"changes the shape, so the shape is not computed; {GIVE} to go on")
        return (f"parameters the schema does not know (`{path}`, a fork field or a typo): the shape is not computed; "
                "with a fork, pass its caffe.proto with --proto")
    return None


def _type_reason(layer) -> str:
    kind = layer.type
    if kind == "HDF5Data":
        batch = int_value(layer.get("hdf5_data_param.batch_size"))
        example = "{top}=" + (f"{batch}," if batch and batch > 0 else "N,") + "C,H,W"
        return f"HDF5Data reads its shapes from the HDF5 files: give --input-shape {example} (or the input-shapes setting)"
    if kind == "Python":
        module, name = layer.get("python_param.module"), layer.get("python_param.layer")
        which = f" ({module}.{name})" if module and name else ""
        return f"Python layer{which}: its shapes are set by its code; {GIVE}"
    if kind in BVLC_LAYER_TYPES:
        return f"protolint does not compute the shapes of {kind} layers; {GIVE}"
    return f"a layer type protolint does not model ({kind or 'no type'}); {GIVE}"


def unknown_field(layer) -> tuple[str, bool] | None:
    """(dotted path, fork_only) of the first field of the layer the shape model does not know:
    unknown to the schema (fork_only False), or — with a fork's schema — absent from BVLC's."""
    memo = layer.memo
    if "shapes.unknown_field" not in memo:
        memo["shapes.unknown_field"] = _unknown_field(layer)
    return memo["shapes.unknown_field"]


def all_fields_known(net) -> None:
    """Tell the layers of a net whose file the schema check typed throughout (no unknown field, no
    unchecked message) that, with BVLC's schema, none has a field unknown_field would find."""
    for layer in net.layers:
        schema = layer.message.schema
        if not layer.synthetic and schema is not None and _builtin_type(schema) is False:
            layer.memo["shapes.unknown_field"] = None


def _unknown_field(layer):
    message = layer.message
    if layer.synthetic or message.schema is None:
        return None
    builtin = _builtin_type(message.schema)
    if builtin is False:  # BVLC's schema: only fields it does not know (the common case, kept fast)
        stack = [(message, "")]
        while stack:
            current, prefix = stack.pop()
            for f in current.fields:
                schema = f.schema
                if schema is None:
                    return prefix + f.name, False
                if schema.message is not None:
                    value = f.value
                    if value.__class__ is Message:
                        stack.append((value, prefix + f.name + "."))
                    else:
                        stack += [(item, prefix + f.name + ".") for item in f.values() if item.__class__ is Message]
        return None
    stack = [(message, "", builtin)]
    while stack:
        current, prefix, reference = stack.pop()
        for f in current.fields:
            path = prefix + f.name
            if f.schema is None:
                return path, False
            if reference is not False and (reference is None or f.name not in reference.fields):
                return path, True
            if f.schema.message is not None:
                child = False if reference is False else reference.fields[f.name].message
                for value in f.values():
                    if isinstance(value, Message):
                        stack.append((value, path + ".", child))
    return None


def _builtin_type(message_type):
    """BVLC's own type of the same name when the schema in use is a fork's (None when BVLC has no
    such message); False when the schema in use is BVLC's (then only fields unknown to it count)."""
    last_type, answer = _LAST[0]
    if last_type is message_type:  # (every layer of a file asks about the same LayerParameter type)
        return answer
    found = _REFERENCE.get(message_type)
    if found is None:
        from ...schema.loader import builtin_schema

        own = builtin_schema().messages.get(message_type.full_name)
        found = _REFERENCE[message_type] = (False if own is message_type else own,)
    _LAST[0] = (message_type, found[0])  # (one tuple: read and written whole by any thread)
    return found[0]


_LAST: list = [(None, None)]  # (the last type asked about, its answer): one schema type held, bounded
_REFERENCE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # a schema's type -> (BVLC's type or False,)
