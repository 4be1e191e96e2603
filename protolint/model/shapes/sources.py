"""Where shapes start: Input layers and the legacy input fields, DummyData, MemoryData, WindowData,
and Data/ImageData when the batch size and a crop or resize fix their size."""

from __future__ import annotations

from ..geometry import int_values as ints
from .common import blob_shape, int_value


def input_tops(inf, layer, bottoms):
    n = len(layer.tops)
    if layer.synthetic:
        root = layer.message
        shapes_fields = root.all("input_shape")
        if shapes_fields:
            shapes = [blob_shape(f.value) for f in shapes_fields]
            return [shapes[i] if i < len(shapes) else None for i in range(n)]
        dims = ints(root, "input_dim")
        out = []
        for i in range(n):
            chunk = dims[4 * i: 4 * i + 4]
            out.append(tuple(chunk) if len(chunk) == 4 and all(d is not None for d in chunk) else None)
        inf.because("the legacy input fields do not give this input's shape (four input_dim values per input)")
        return out
    block = layer.sub("input_param")
    shapes = [blob_shape(f.value) for f in block.all("shape")] if block is not None else []
    if len(shapes) == 1:
        return [shapes[0]] * n
    if len(shapes) == n:
        return shapes
    inf.because(f"Input layer with {len(shapes)} shapes for {n} tops: Caffe needs one shape, or one per top "
                "(input_param { shape { dim: ... } })")
    return None


def dummy_data_tops(inf, layer, bottoms):
    block = layer.sub("dummy_data_param")
    inf.because("DummyData: its shapes are not given, or not one per top (dummy_data_param { shape { dim: ... } })")
    if block is None:
        return None
    n = len(layer.tops)
    legacy = [ints(block, name) for name in ("num", "channels", "height", "width")]
    if any(legacy):
        if block.has("shape") or any(len(v) not in (1, n) for v in legacy):
            return None
        out = []
        for i in range(n):
            dims = tuple(v[0 if len(v) == 1 else i] for v in legacy)
            out.append(dims if all(d is not None for d in dims) else None)
        return out
    shapes = [blob_shape(f.value) for f in block.all("shape")]
    if len(shapes) == 1:
        return [shapes[0]] * n
    if len(shapes) == n:
        return shapes
    return None


def _batch(layer, block_name):
    value = int_value(layer.get(f"{block_name}.batch_size"))
    return value if value is not None and value > 0 else None


def _crop(layer, legacy_block):
    """transform_param.crop_size, or the V1 field the transform-param upgrade moves there."""
    for path in ("transform_param.crop_size", f"{legacy_block}.crop_size"):
        if layer.has(path):
            value = int_value(layer.get(path))
            return value if value is not None and value > 0 else None
    return None


def data_tops(inf, layer, bottoms):
    batch = _batch(layer, "data_param")
    crop = _crop(layer, "data_param")
    if batch is None:
        inf.because("Data layer without a positive batch_size (Caffe aborts on it); give data_param { batch_size }")
        return None
    data = (batch, None, crop, crop)  # channels and (uncropped) size come from the database
    if crop is None:
        inf.because(f"Data layer: the batch size ({batch}) is known, the channels and image size come from the "
                    f"database; give --input-shape {{top}}={batch},C,H,W (or the input-shapes setting) or a crop_size")
    else:
        inf.because(f"Data layer: the batch size ({batch}) and crop ({crop}) are known, the channels come from the "
                    f"database; give --input-shape {{top}}={batch},C,{crop},{crop} (or the input-shapes setting)")
    return [data, (batch,)]


def image_data_tops(inf, layer, bottoms):
    batch = _batch(layer, "image_data_param")
    if batch is None:
        inf.because("ImageData without a positive batch_size; give image_data_param { batch_size }")
        return None
    channels = 1 if layer.get("image_data_param.is_color") is False else 3
    crop = _crop(layer, "image_data_param")
    h, w = int_value(layer.get("image_data_param.new_height")), int_value(layer.get("image_data_param.new_width"))
    resized = h is not None and w is not None and h > 0 and w > 0
    if crop is not None:
        if resized and (crop > h or crop > w):
            node = layer.field("transform_param.crop_size") or layer.field("image_data_param.crop_size")
            axis = "img_height" if crop > h else "img_width"
            inf.issue("crop-too-large", layer, node,
                      f'"{layer.name}" crops {crop}×{crop} from {h}×{w} images (new_height × new_width): Caffe aborts '
                      f'("Check failed: {axis} >= crop_size") — use a crop ≤ the image size or resize to at least '
                      f"{crop}×{crop}")
            return None
        size = (crop, crop)
    elif resized:
        size = (h, w)
    else:
        size = (None, None)
        inf.because(f"ImageData: the image size comes from the first image; give new_height and new_width, a "
                    f"crop_size, or --input-shape {{top}}={batch},{channels},H,W (or the input-shapes setting)")
    return [(batch, channels) + size, (batch,)]


def window_data_tops(inf, layer, bottoms):
    batch = _batch(layer, "window_data_param")
    crop = _crop(layer, "window_data_param")
    if batch is None or crop is None:
        inf.because("WindowData needs a positive batch_size and crop_size (Caffe aborts without them)")
        return None
    return [(batch, 3, crop, crop), (batch,)]


def memory_data_tops(inf, layer, bottoms):
    batch = _batch(layer, "memory_data_param")
    dims = [int_value(layer.get(f"memory_data_param.{k}")) for k in ("channels", "height", "width")]
    if batch is None or any(d is None or d <= 0 for d in dims):
        inf.because("MemoryData needs positive batch_size, channels, height and width")
        return None
    return [(batch, *dims), (batch,)]
