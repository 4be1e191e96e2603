"""Layers that combine, split or reshape blobs: Eltwise, Concat, Slice, Reshape, Tile, ArgMax."""

from protolint.rule import Rule

from .layers_common import (
    Once,
    backward,
    delete_fields_fix,
    fmt,
    has_unknown_fields,
    layers_of,
    number,
    report_at,
    train_states,
    values,
)


def _coeffs(layer):
    return values(layer.sub("eltwise_param"), "coeff")


def _coeff_fields(layer):
    block = layer.sub("eltwise_param")
    return block.all("coeff") if block is not None else []


class EltwiseCoeffCount(Rule):
    code = "L348"
    name = "eltwise-coeff-count"
    severity = "error"
    applies_to = ("net",)
    summary = "Eltwise coefficients not one per bottom"
    what_it_does = "Reports Eltwise SUM/MAX layers whose number of `coeff` values is neither 0 nor the number of bottoms."
    why_it_matters = 'EltwiseLayer::LayerSetUp aborts with "Eltwise Layer takes one coefficient per bottom blob." (eltwise_layer.cpp).'
    example = 'layer { name: "sum" type: "Eltwise" bottom: "a" bottom: "b" top: "c" eltwise_param { operation: SUM coeff: 1 } }'
    how_to_fix = "Give one coeff per bottom (e.g. coeff: 1 coeff: -1 for a difference), or none."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for _, layer in layers_of(ctx, ("Eltwise",)):
            coeffs = _coeffs(layer)
            if not coeffs or len(coeffs) == len(layer.bottoms) or layer.get("eltwise_param.operation") == "PROD":
                continue  # PROD with coefficients: eltwise-coeff-with-prod
            ctx.report_node(coeffs[0][1], f'Eltwise "{layer.name}" has {len(coeffs)} coeff values for {len(layer.bottoms)} '
                            'bottoms: Caffe aborts with "Eltwise Layer takes one coefficient per bottom blob." — give one coeff per bottom, or none')


class EltwiseCoeffWithProd(Rule):
    code = "L349"
    name = "eltwise-coeff-with-prod"
    severity = "error"
    applies_to = ("net",)
    fixable = True
    summary = "Eltwise PROD with coefficients"
    what_it_does = "Reports `eltwise_param { operation: PROD }` with any `coeff`."
    why_it_matters = 'EltwiseLayer::LayerSetUp aborts with "Eltwise layer only takes coefficients for summation." (eltwise_layer.cpp).'
    example = 'layer { name: "prod" type: "Eltwise" bottom: "a" bottom: "b" top: "c" eltwise_param { operation: PROD coeff: 1 coeff: 1 } }'
    how_to_fix = "Remove the coefficients (scale an input with a Power or Scale layer if needed), or use SUM."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for _, layer in layers_of(ctx, ("Eltwise",)):
            coeffs = _coeffs(layer)
            if coeffs and layer.get("eltwise_param.operation") == "PROD":
                ctx.report_node(coeffs[0][1], f'Eltwise "{layer.name}" is PROD with coefficients: Caffe aborts with "Eltwise '
                                'layer only takes coefficients for summation." — remove the coefficients (or use SUM)',
                                fixes=delete_fields_fix(ctx, "Remove the coefficients", _coeff_fields(layer), safe=False))


class EltwiseCoeffWithMax(Rule):
    code = "L350"
    name = "eltwise-coeff-with-max"
    severity = "warning"
    applies_to = ("net",)
    fixable = True
    summary = "Eltwise MAX with coefficients (silently ignored)"
    what_it_does = "Reports `eltwise_param { operation: MAX }` with coefficients (one per bottom)."
    why_it_matters = "Only SUM uses the coefficients; MAX silently ignores them, so the layer does not compute what the file says."
    example = 'layer { name: "max" type: "Eltwise" bottom: "a" bottom: "b" top: "c" eltwise_param { operation: MAX coeff: 0.5 coeff: 0.5 } }'
    how_to_fix = "Remove the coefficients, or use SUM if a weighted sum was meant."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for _, layer in layers_of(ctx, ("Eltwise",)):
            coeffs = _coeffs(layer)
            if coeffs and len(coeffs) == len(layer.bottoms) and layer.get("eltwise_param.operation") == "MAX":
                ctx.report_node(coeffs[0][1], f'Eltwise "{layer.name}" is MAX with coefficients: Caffe silently ignores them — '
                                "remove them or use SUM",
                                fixes=delete_fields_fix(ctx, "Remove the ignored coefficients", _coeff_fields(layer), safe=True))


class EltwiseUnstableProdGrad(Rule):
    code = "L351"
    name = "eltwise-unstable-prod-grad"
    severity = "warning"
    applies_to = ("net",)
    fixable = True
    summary = "A trained Eltwise PROD with stable_prod_grad: false"
    what_it_does = "In the TRAIN state of a trained net, reports Eltwise PROD layers with `stable_prod_grad: false` whose inputs need a gradient."
    why_it_matters = (
        "The unstable gradient is computed as top / bottom: any input value of exactly 0 (e.g. after ReLU) gives "
        "0/0 = NaN (eltwise_layer.cpp; reproduced by running Caffe)."
    )
    example = (
        'layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 16 } shape { dim: 8 } } }\n'
        'layer { name: "a" type: "InnerProduct" bottom: "data" top: "a" inner_product_param { num_output: 4 weight_filler { type: "xavier" } } }\n'
        'layer { name: "b" type: "InnerProduct" bottom: "data" top: "b" inner_product_param { num_output: 4 weight_filler { type: "xavier" } } }\n'
        'layer { name: "prod" type: "Eltwise" bottom: "a" bottom: "b" top: "ab" eltwise_param { operation: PROD stable_prod_grad: false } }\n'
        'layer { name: "loss" type: "EuclideanLoss" bottom: "ab" bottom: "label" top: "loss" }'
    )
    how_to_fix = "Remove `stable_prod_grad: false` (the default, true, multiplies the other inputs instead of dividing)."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        once = Once()
        for net in ctx.nets():
            for state in train_states(ctx, net):
                graph = net.graph(state)
                info = None
                for layer in graph.layers:
                    if layer.type != "Eltwise" or layer.get("eltwise_param.operation") != "PROD":
                        continue
                    node = layer.field("eltwise_param.stable_prod_grad")
                    if node is None or node.scalar is not False:
                        continue
                    info = info or backward(ctx, net, graph)
                    if info.any_propagate_down(layer) and once.first(node):
                        ctx.report_node(node, f'Eltwise PROD "{layer.name}" with stable_prod_grad: false computes gradients as '
                                        "top/bottom: any bottom value of exactly 0 (e.g. after ReLU) gives 0/0 = NaN — leave "
                                        "stable_prod_grad at its default (true)",
                                        fixes=delete_fields_fix(ctx, "Remove stable_prod_grad: false", [node], safe=False))


class _AxisAndLegacyDim(Rule):
    applies_to = ("net",)
    fixable = True
    layer_type = ""
    block = ""
    legacy = ""

    def check(self, ctx):
        for _, layer in layers_of(ctx, (self.layer_type,)):
            axis = layer.field(f"{self.block}.axis")
            dim = layer.field(f"{self.block}.{self.legacy}")
            if axis is None or dim is None:
                continue
            same = number(axis.scalar) is not None and number(axis.scalar) == number(dim.scalar)
            fixes = delete_fields_fix(ctx, f"Remove {self.legacy} (same axis)", [dim], safe=True) if same else []
            ctx.report_node(dim, f'{self.layer_type} "{layer.name}" sets both axis and the deprecated {self.legacy}: Caffe aborts '
                            f'with "Either axis or {self.legacy} should be specified; not both." — keep axis and remove {self.legacy}', fixes=fixes)


class ConcatAxisAndConcatDim(_AxisAndLegacyDim):
    code = "L352"
    name = "concat-axis-and-concat-dim"
    severity = "error"
    summary = "Concat with both axis and the deprecated concat_dim"
    what_it_does = "Reports `concat_param` setting both `axis` and `concat_dim`."
    why_it_matters = 'ConcatLayer::LayerSetUp aborts with "Either axis or concat_dim should be specified; not both." (concat_layer.cpp).'
    example = 'layer { name: "cat" type: "Concat" bottom: "a" bottom: "b" top: "c" concat_param { axis: 1 concat_dim: 1 } }'
    how_to_fix = "Keep axis and remove concat_dim."
    version_notes = "`axis` was added in Caffe rc3 and replaces `concat_dim`; both fields are still parsed."
    layer_type, block, legacy = "Concat", "concat_param", "concat_dim"


class SliceAxisAndSliceDim(_AxisAndLegacyDim):
    code = "L353"
    name = "slice-axis-and-slice-dim"
    severity = "error"
    summary = "Slice with both axis and the deprecated slice_dim"
    what_it_does = "Reports `slice_param` setting both `axis` and `slice_dim`."
    why_it_matters = 'SliceLayer::LayerSetUp aborts with "Either axis or slice_dim should be specified; not both." (slice_layer.cpp).'
    example = 'layer { name: "slice" type: "Slice" bottom: "a" top: "b" top: "c" slice_param { axis: 1 slice_dim: 1 } }'
    how_to_fix = "Keep axis and remove slice_dim."
    version_notes = "`axis` was added in Caffe rc3 and replaces `slice_dim`; both fields are still parsed."
    layer_type, block, legacy = "Slice", "slice_param", "slice_dim"


class SlicePointCount(Rule):
    code = "L354"
    name = "slice-point-count"
    severity = "error"
    applies_to = ("net",)
    summary = "A Slice with a slice_point count other than #tops - 1"
    what_it_does = "Reports Slice layers that give `slice_point` values but not exactly one fewer than their tops."
    why_it_matters = 'SliceLayer::Reshape aborts with "Check failed: slice_point_.size() == top.size() - 1" (slice_layer.cpp).'
    example = 'layer { name: "slice" type: "Slice" bottom: "a" top: "b" top: "c" top: "d" slice_param { slice_point: 10 } }'
    how_to_fix = "Give #tops - 1 slice points, or none to split evenly."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for _, layer in layers_of(ctx, ("Slice",)):
            points = values(layer.sub("slice_param"), "slice_point")
            if points and len(points) != len(layer.tops) - 1:
                ctx.report_node(points[0][1], f'Slice "{layer.name}" has {len(points)} slice_point values for {len(layer.tops)} '
                                'tops: Caffe aborts ("Check failed: slice_point_.size() == top.size() - 1") — give #tops−1 points')


class SlicePointOrder(Rule):
    code = "L355"
    name = "slice-point-order"
    severity = "error"
    applies_to = ("net",)
    summary = "Slice points not strictly increasing (or starting at 0)"
    what_it_does = "Reports Slice layers whose `slice_point` values are not strictly increasing, or whose first point is 0."
    why_it_matters = 'SliceLayer::Reshape aborts with "Check failed: slice_point_[i] > prev" (slice_layer.cpp).'
    example = 'layer { name: "slice" type: "Slice" bottom: "a" top: "b" top: "c" top: "d" slice_param { slice_point: 20 slice_point: 10 } }'
    how_to_fix = "List the points in increasing order, each > 0 (they are offsets along the axis, not sizes)."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for _, layer in layers_of(ctx, ("Slice",)):
            points = values(layer.sub("slice_param"), "slice_point")
            previous = 0
            for value, node in points:
                v = number(value)
                if v is None:
                    break
                if v <= previous:
                    listed = ", ".join(fmt(number(x)) for x, _ in points)
                    ctx.report_node(node, f'Slice "{layer.name}" slice_point values {listed} must be strictly increasing and '
                                    '> 0: Caffe aborts ("Check failed: slice_point_[i] > prev") — list increasing offsets along the axis')
                    break
                previous = v


class ReshapeMultipleMinusOne(Rule):
    code = "L356"
    name = "reshape-multiple-minus-one"
    severity = "error"
    applies_to = ("net",)
    summary = "A Reshape shape with more than one -1"
    what_it_does = "Reports `reshape_param { shape { ... } }` with more than one `dim: -1`."
    why_it_matters = (
        'ReshapeLayer::LayerSetUp aborts with "new shape contains multiple -1 dims; at most a single (1) value of '
        '-1 may be specified" (reshape_layer.cpp).'
    )
    example = 'layer { name: "r" type: "Reshape" bottom: "a" top: "b" reshape_param { shape { dim: 0 dim: -1 dim: -1 } } }'
    how_to_fix = "Keep one -1 (inferred) and give the other sizes, or 0 to copy an input axis."
    version_notes = "The Reshape layer exists since Caffe rc3."

    def check(self, ctx):
        for _, layer in layers_of(ctx, ("Reshape",)):
            shape = layer.field("reshape_param.shape")
            dims = values(shape.value, "dim") if shape is not None else []
            minus = [node for v, node in dims if number(v) == -1]
            if len(minus) > 1:
                ctx.report_node(minus[1], f'Reshape "{layer.name}" has {len(minus)} dims of -1: Caffe aborts with "new shape '
                                'contains multiple -1 dims; at most a single (1) value of -1 may be specified" — keep one -1 and give the other sizes')


class ReshapeNumAxesInvalid(Rule):
    code = "L357"
    name = "reshape-num-axes-invalid"
    severity = "error"
    applies_to = ("net",)
    summary = "A Reshape num_axes below -1"
    what_it_does = "Reports `reshape_param { num_axes: n }` with n < -1."
    why_it_matters = 'ReshapeLayer::Reshape aborts with "num_axes must be >= 0, or -1 for all" (reshape_layer.cpp).'
    example = 'layer { name: "r" type: "Reshape" bottom: "a" top: "b" reshape_param { num_axes: -2 shape { dim: -1 } } }'
    how_to_fix = "Use -1 (all axes from `axis` on, the default) or a count >= 0."
    version_notes = "The Reshape layer exists since Caffe rc3."

    def check(self, ctx):
        for _, layer in layers_of(ctx, ("Reshape",)):
            node = layer.field("reshape_param.num_axes")
            n = number(node.scalar) if node is not None else None
            if n is not None and n < -1:
                ctx.report_node(node, f'Reshape "{layer.name}" num_axes {fmt(n)}: Caffe aborts with "num_axes must be >= 0, or '
                                '-1 for all" — use -1 (all remaining axes) or a count ≥ 0')


class TileTilesMissing(Rule):
    code = "L358"
    name = "tile-tiles-missing"
    severity = "error"
    applies_to = ("net",)
    summary = "A Tile layer without a positive tiles count"
    what_it_does = "Reports Tile layers whose `tile_param.tiles` is unset or <= 0."
    why_it_matters = 'TileLayer::Reshape aborts with "Number of tiles must be specified" or "Number of tiles must be positive." (tile_layer.cpp).'
    example = 'layer { name: "tile" type: "Tile" bottom: "a" top: "b" tile_param { axis: 1 } }'
    how_to_fix = "Set tile_param { tiles: n } with n >= 1."
    version_notes = "The Tile layer exists since Caffe rc3."

    def check(self, ctx):
        for _, layer in layers_of(ctx, ("Tile",)):
            node = layer.field("tile_param.tiles")
            tiles = number(node.scalar) if node is not None else None
            if node is None and not has_unknown_fields(layer, "tile_param"):
                report_at(ctx, layer, layer.field("tile_param"), f'Tile "{layer.name}" has no positive tiles: Caffe aborts with '
                          '"Number of tiles must be specified" — set tile_param { tiles: n }')
            elif tiles is not None and tiles <= 0:
                ctx.report_node(node, f'Tile "{layer.name}" has no positive tiles ({fmt(tiles)}): Caffe aborts with "Number of '
                                'tiles must be positive." — use tiles ≥ 1')


class ArgMaxTopKZero(Rule):
    code = "L359"
    name = "argmax-top-k-zero"
    severity = "error"
    applies_to = ("net",)
    summary = "An ArgMax with top_k: 0"
    what_it_does = "Reports `argmax_param { top_k: 0 }`."
    why_it_matters = 'ArgMaxLayer::LayerSetUp aborts with "top k must not be less than 1." (argmax_layer.cpp).'
    example = 'layer { name: "argmax" type: "ArgMax" bottom: "prob" top: "pred" argmax_param { top_k: 0 } }'
    how_to_fix = "Use top_k >= 1 (the default is 1)."
    version_notes = "Same in every Caffe release."

    def check(self, ctx):
        for _, layer in layers_of(ctx, ("ArgMax",)):
            node = layer.field("argmax_param.top_k")
            if node is not None and number(node.scalar) == 0:
                ctx.report_node(node, f'ArgMax "{layer.name}" top_k 0: Caffe aborts with "top k must not be less than 1." — use top_k ≥ 1')


BLOB_RULES = [
    EltwiseCoeffCount,
    EltwiseCoeffWithProd,
    EltwiseCoeffWithMax,
    EltwiseUnstableProdGrad,
    ConcatAxisAndConcatDim,
    SliceAxisAndSliceDim,
    SlicePointCount,
    SlicePointOrder,
    ReshapeMultipleMinusOne,
    ReshapeNumAxesInvalid,
    TileTilesMissing,
    ArgMaxTopKZero,
]
