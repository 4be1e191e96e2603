"""The weight layers of well-known released models, by name and output size.

Caffe copies a .caffemodel's weights into the layers of the same name (when the shapes fit), so a
net whose layers without fillers are all named and sized like a released model's is set up to be
fine-tuned from it. These are the convolution and inner-product layers of the models people
fine-tune most: layer name -> num_output. (A new architecture that borrows some names, such as
DetNet's extra stages, does not match: its other layers have no released weights.)
"""

from __future__ import annotations


def _layers(text: str) -> dict[str, int]:
    return {name: int(size) for name, _, size in (item.rpartition(":") for item in text.split())}


def _resnet(blocks: tuple[int, int, int, int], numbered: tuple[bool, bool, bool, bool]) -> dict[str, int]:
    """The released ResNets' naming: stage s = 2..5 has `blocks[s - 2]` bottlenecks (1x1, 3x3, 1x1
    of 64 << (s - 2), 4, 4x outputs, the first with a projection `branch1`); the blocks after
    the first are lettered b, c, ... or, in the deep stages of ResNet-101/152, numbered b1, b2, ..."""
    layers = {"conv1": 64, "fc1000": 1000}
    for stage, (count, by_number) in enumerate(zip(blocks, numbered), start=2):
        width = 64 << (stage - 2)
        for i in range(count):
            block = f"res{stage}" + ("a" if i == 0 else f"b{i}" if by_number else "abcdefghijklmnopqrstuvwxyz"[i])
            if i == 0:
                layers[f"{block}_branch1"] = 4 * width
            layers.update({f"{block}_branch2a": width, f"{block}_branch2b": width, f"{block}_branch2c": 4 * width})
    return layers


RELEASED_MODELS: dict[str, dict[str, int]] = {
    "VGG-16": _layers("""
        conv1_1:64 conv1_2:64 conv2_1:128 conv2_2:128 conv3_1:256 conv3_2:256 conv3_3:256 conv4_1:512
        conv4_2:512 conv4_3:512 conv5_1:512 conv5_2:512 conv5_3:512 fc6:4096 fc7:4096 fc8:1000"""),
    "VGG-19": _layers("""
        conv1_1:64 conv1_2:64 conv2_1:128 conv2_2:128 conv3_1:256 conv3_2:256 conv3_3:256 conv3_4:256
        conv4_1:512 conv4_2:512 conv4_3:512 conv4_4:512 conv5_1:512 conv5_2:512 conv5_3:512 conv5_4:512
        fc6:4096 fc7:4096 fc8:1000"""),
    "AlexNet": _layers("""
        conv1:96 conv2:256 conv3:384 conv4:384 conv5:256 fc6:4096 fc7:4096 fc8:1000"""),
    "CaffeNet": _layers("""
        conv1:96 conv2:256 conv3:384 conv4:384 conv5:256 fc6:4096 fc7:4096 fc8:1000"""),
    "GoogLeNet": _layers("""
        conv1/7x7_s2:64 conv2/3x3_reduce:64 conv2/3x3:192 inception_3a/1x1:64 inception_3a/3x3_reduce:96
        inception_3a/3x3:128 inception_3a/5x5_reduce:16 inception_3a/5x5:32 inception_3a/pool_proj:32
        inception_3b/1x1:128 inception_3b/3x3_reduce:128 inception_3b/3x3:192 inception_3b/5x5_reduce:32
        inception_3b/5x5:96 inception_3b/pool_proj:64 inception_4a/1x1:192 inception_4a/3x3_reduce:96
        inception_4a/3x3:208 inception_4a/5x5_reduce:16 inception_4a/5x5:48 inception_4a/pool_proj:64
        inception_4b/1x1:160 inception_4b/3x3_reduce:112 inception_4b/3x3:224 inception_4b/5x5_reduce:24
        inception_4b/5x5:64 inception_4b/pool_proj:64 inception_4c/1x1:128 inception_4c/3x3_reduce:128
        inception_4c/3x3:256 inception_4c/5x5_reduce:24 inception_4c/5x5:64 inception_4c/pool_proj:64
        inception_4d/1x1:112 inception_4d/3x3_reduce:144 inception_4d/3x3:288 inception_4d/5x5_reduce:32
        inception_4d/5x5:64 inception_4d/pool_proj:64 inception_4e/1x1:256 inception_4e/3x3_reduce:160
        inception_4e/3x3:320 inception_4e/5x5_reduce:32 inception_4e/5x5:128 inception_4e/pool_proj:128
        inception_5a/1x1:256 inception_5a/3x3_reduce:160 inception_5a/3x3:320 inception_5a/5x5_reduce:32
        inception_5a/5x5:128 inception_5a/pool_proj:128 inception_5b/1x1:384 inception_5b/3x3_reduce:192
        inception_5b/3x3:384 inception_5b/5x5_reduce:48 inception_5b/5x5:128 inception_5b/pool_proj:128
        loss3/classifier:1000"""),
    "ResNet-50": _resnet((3, 4, 6, 3), numbered=(False, False, False, False)),
    "ResNet-101": _resnet((3, 4, 23, 3), numbered=(False, True, True, False)),
    "ResNet-152": _resnet((3, 8, 36, 3), numbered=(False, True, True, False)),
    "SqueezeNet v1.0": _layers("""
        conv1:96 fire2/squeeze1x1:16 fire2/expand1x1:64 fire2/expand3x3:64 fire3/squeeze1x1:16
        fire3/expand1x1:64 fire3/expand3x3:64 fire4/squeeze1x1:32 fire4/expand1x1:128
        fire4/expand3x3:128 fire5/squeeze1x1:32 fire5/expand1x1:128 fire5/expand3x3:128
        fire6/squeeze1x1:48 fire6/expand1x1:192 fire6/expand3x3:192 fire7/squeeze1x1:48
        fire7/expand1x1:192 fire7/expand3x3:192 fire8/squeeze1x1:64 fire8/expand1x1:256
        fire8/expand3x3:256 fire9/squeeze1x1:64 fire9/expand1x1:256 fire9/expand3x3:256 conv10:1000"""),
    "SqueezeNet v1.1": _layers("""
        conv1:64 fire2/squeeze1x1:16 fire2/expand1x1:64 fire2/expand3x3:64 fire3/squeeze1x1:16
        fire3/expand1x1:64 fire3/expand3x3:64 fire4/squeeze1x1:32 fire4/expand1x1:128
        fire4/expand3x3:128 fire5/squeeze1x1:32 fire5/expand1x1:128 fire5/expand3x3:128
        fire6/squeeze1x1:48 fire6/expand1x1:192 fire6/expand3x3:192 fire7/squeeze1x1:48
        fire7/expand1x1:192 fire7/expand3x3:192 fire8/squeeze1x1:64 fire8/expand1x1:256
        fire8/expand3x3:256 fire9/squeeze1x1:64 fire9/expand1x1:256 fire9/expand3x3:256 conv10:1000"""),
    "MobileNet v1": _layers("""
        conv1:32 conv2_1/dw:32 conv2_1/sep:64 conv2_2/dw:64 conv2_2/sep:128 conv3_1/dw:128
        conv3_1/sep:128 conv3_2/dw:128 conv3_2/sep:256 conv4_1/dw:256 conv4_1/sep:256 conv4_2/dw:256
        conv4_2/sep:512 conv5_1/dw:512 conv5_1/sep:512 conv5_2/dw:512 conv5_2/sep:512 conv5_3/dw:512
        conv5_3/sep:512 conv5_4/dw:512 conv5_4/sep:512 conv5_5/dw:512 conv5_5/sep:512 conv5_6/dw:512
        conv5_6/sep:1024 conv6/dw:1024 conv6/sep:1024 fc7:1000"""),
    "MobileNet v2": _layers("""
        conv1:32 conv2_1/expand:32 conv2_1/dwise:32 conv2_1/linear:16 conv2_2/expand:96 conv2_2/dwise:96
        conv2_2/linear:24 conv3_1/expand:144 conv3_1/dwise:144 conv3_1/linear:24 conv3_2/expand:144
        conv3_2/dwise:144 conv3_2/linear:32 conv4_1/expand:192 conv4_1/dwise:192 conv4_1/linear:32
        conv4_2/expand:192 conv4_2/dwise:192 conv4_2/linear:32 conv4_3/expand:192 conv4_3/dwise:192
        conv4_3/linear:64 conv4_4/expand:384 conv4_4/dwise:384 conv4_4/linear:64 conv4_5/expand:384
        conv4_5/dwise:384 conv4_5/linear:64 conv4_6/expand:384 conv4_6/dwise:384 conv4_6/linear:64
        conv4_7/expand:384 conv4_7/dwise:384 conv4_7/linear:96 conv5_1/expand:576 conv5_1/dwise:576
        conv5_1/linear:96 conv5_2/expand:576 conv5_2/dwise:576 conv5_2/linear:96 conv5_3/expand:576
        conv5_3/dwise:576 conv5_3/linear:160 conv6_1/expand:960 conv6_1/dwise:960 conv6_1/linear:160
        conv6_2/expand:960 conv6_2/dwise:960 conv6_2/linear:160 conv6_3/expand:960 conv6_3/dwise:960
        conv6_3/linear:320 conv6_4:1280 fc7:1000"""),
}


def loadable_from(layers) -> tuple[str, list] | None:
    """(model, matched layers) for the released model that has most of `layers` (objects with
    `.name` and `.type`) with the same name and num_output; None when none has any."""
    best = None
    for model, sizes in RELEASED_MODELS.items():
        matched = [layer for layer in layers if sizes.get(layer.name) == _num_output(layer)]
        if matched and (best is None or len(matched) > len(best[1])):
            best = (model, matched)
    return best


def _num_output(layer):
    block = "inner_product_param" if layer.type == "InnerProduct" else "convolution_param"
    return layer.get(f"{block}.num_output")
