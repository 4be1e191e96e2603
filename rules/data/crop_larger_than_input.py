"""D609 crop-larger-than-input: transform_param.crop_size larger than the resized images."""

from __future__ import annotations

from protolint.rule import Rule


class CropLargerThanInput(Rule):
    code = "D609"
    name = "crop-larger-than-input"
    severity = "error"
    applies_to = ("net",)
    layer_types = ("ImageData",)
    summary = "transform_param.crop_size larger than the resized images"
    what_it_does = (
        "Reports an ImageData layer whose `transform_param.crop_size` is larger than the size it resizes its "
        "images to (`new_height` × `new_width`)."
    )
    why_it_matters = (
        "The data transformer checks that the image is at least as large as the crop and "
        "Caffe aborts at setup (\"Check failed: img_height >= crop_size\")."
    )
    example = (
        'layer {\n  name: "data"\n  type: "ImageData"\n  top: "data"\n  top: "label"\n'
        "  transform_param { crop_size: 227 }\n"
        '  image_data_param { source: "train.txt" batch_size: 32 new_height: 200 new_width: 200 }\n}'
    )
    how_to_fix = "Use a crop no larger than the resized image, or resize to at least the crop size (e.g. 256×256 for a 227 crop)."
    version_notes = "No version differences known; checked against BVLC/caffe master (9b89154)."
    references = (
        "src/caffe/data_transformer.cpp:56-58 (DataTransformer::Transform of a Datum: CHECK_GE(datum_height, "
        "crop_size))",
        "src/caffe/data_transformer.cpp:251-253 (DataTransformer::Transform of a cv::Mat: CHECK_GE(img_height, "
        "crop_size))",
    )

    def check(self, ctx):
        for issue, message in ctx.shape_issues("crop-too-large"):
            ctx.report_layer(issue.layer, message, node=issue.node)
