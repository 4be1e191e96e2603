"""L316 conv-cudnn-dilation: engine: CUDNN on a dilated convolution."""

from __future__ import annotations

from protolint.edits import delete_fields
from protolint.rule import Rule
from protolint.syntax.nodes import number, values

from .._format import fmt


class ConvCudnnDilation(Rule):
    code = "L316"
    name = "conv-cudnn-dilation"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("Convolution", "Deconvolution")
    fixable = True
    summary = "engine: CUDNN on a dilated convolution"
    what_it_does = "Reports Convolution/Deconvolution layers with an explicit `engine: CUDNN` and a dilation above 1."
    why_it_matters = (
        'cuDNN builds abort with "CuDNN doesn\'t support the dilated convolution at Layer X"; builds without '
        'cuDNN abort on any explicit CUDNN engine with "Layer X has unknown engine."'
    )
    example = 'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 8 kernel_size: 3 dilation: 2 engine: CUDNN } }'
    how_to_fix = "Remove `engine: CUDNN`: the DEFAULT engine picks Caffe's own implementation for dilated convolutions."
    version_notes = "Dilation exists since Caffe rc3."
    references = (
        "src/caffe/layer_factory.cpp:40-75 (GetConvolutionLayer; GetDeconvolutionLayer follows the same pattern)",
    )

    def check(self, ctx):
        for _, layer in ctx.layers(("Convolution", "Deconvolution")):
            engine = layer.field("convolution_param.engine")
            if engine is None or engine.scalar != "CUDNN":
                continue
            dilations = [number(v) for v, _ in values(layer.sub("convolution_param"), "dilation")]
            dilated = [d for d in dilations if d is not None and d > 1]
            fixes = delete_fields(ctx.source.text, "Remove engine: CUDNN", [engine], safe=False)
            what = "convolution" if layer.type == "Convolution" else "deconvolution"
            if dilated:
                ctx.report_node(engine, f'{layer.type} "{layer.name}" requests engine CUDNN with dilation {fmt(dilated[0])}: '
                                f'Caffe aborts with "CuDNN doesn\'t support the dilated {what} at Layer {layer.name}" — drop '
                                "engine: CUDNN (DEFAULT picks the Caffe engine for dilated convolutions)", fixes=fixes)
