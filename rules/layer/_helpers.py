"""Helpers shared by several layer-parameter rules (L3xx)."""

from __future__ import annotations

from protolint.context import Once
from protolint.edits import delete_fields
from protolint.model.dataflow import producer
from protolint.rule import Rule
from protolint.syntax.nodes import Message, number, values


# Nets the rule examples start from: an Input with data and labels, and a classifier on it.
EXAMPLE_INPUT = (
    'layer { name: "in" type: "Input" top: "data" top: "label" '
    'input_param { shape { dim: 8 dim: 3 dim: 8 dim: 8 } shape { dim: 8 } } }\n'
)
EXAMPLE_CLASSIFIER = (
    'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" '
    'inner_product_param { num_output: 10 weight_filler { type: "xavier" } } }\n'
)
EXAMPLE_FLAT_NET = (
    'layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 16 } shape { dim: 8 } } }\n'
    'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 10 weight_filler { type: "xavier" } } }\n'
)


def has_unknown_fields(layer, block: str) -> bool:
    """The parameter block holds a field the schema does not know — most likely a misspelling of the
    field a "missing" rule would ask for (`kernal_size`). unknown-field reports it; Caffe does not
    even parse the file."""
    sub = layer.sub(block)
    return sub is not None and any(f.schema is None for f in sub.fields)


def unset_or_zero(layer, path: str) -> bool:
    """The field is absent (its default 0 applies) or written as 0. A value the schema rejected is
    neither: the schema checker reports it, and Caffe would not even parse the file."""
    node = layer.field(path)
    if node is None:
        return not number(layer.get(path))
    return not isinstance(node.value, Message) and number(node.scalar) == 0


def eltwise_coeffs(layer):
    return values(layer.sub("eltwise_param"), "coeff")


def eltwise_coeff_fields(layer):
    block = layer.sub("eltwise_param")
    return block.all("coeff") if block is not None else []


def affine(layer, block):
    """(scale, shift) of a Log/Exp/Power layer's input transform (defaults 1 and 0)."""
    scale = number(layer.get(f"{block}.scale"))
    shift = number(layer.get(f"{block}.shift"))
    return (1.0 if scale is None else scale), (0.0 if shift is None else shift)


def loss_inputs(ctx, loss_type):
    """(graph, loss layer, bottom-0 use, effective producer top, Once) per loss bottom, over all states."""
    once = Once()
    for _net, _state, graph in ctx.graphs():
        for layer in graph.layers:
            if layer.type != loss_type or not layer.bottoms:
                continue
            use = graph.bottom_use(layer, 0)
            if use is None:
                continue
            top = producer(graph, use)
            if top is not None:
                yield graph, layer, use, top, once


class AxisAndLegacyDim(Rule):
    """Concat/Slice with both `axis` and the deprecated concat_dim/slice_dim."""

    applies_to = ("net",)
    fixable = True
    layer_type = ""
    block = ""
    legacy = ""

    def check(self, ctx):
        for _, layer in ctx.layers(self.layer_type):
            axis = layer.field(f"{self.block}.axis")
            dim = layer.field(f"{self.block}.{self.legacy}")
            if axis is None or dim is None:
                continue
            same = number(axis.scalar) is not None and number(axis.scalar) == number(dim.scalar)
            fixes = delete_fields(ctx.source.text, f"Remove {self.legacy} (same axis)", [dim], safe=True) if same else []
            ctx.report_node(dim, f'{self.layer_type} "{layer.name}" sets both axis and the deprecated {self.legacy}: Caffe aborts '
                            f'with "Either axis or {self.legacy} should be specified; not both." — keep axis and remove {self.legacy}', fixes=fixes)
