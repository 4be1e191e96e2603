"""Data and input rules D601-D619 (rules/net_pack.py DATA_RULES): each fires on a small bad file at the
right line, with the right severity and message, and stays silent once the file is corrected; fixes
produce what they promise; docs are complete and every example triggers its rule; the reference
models raise no error or warning."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from protolint.project import Input, lint_inputs
from protolint.registry import Registry
from rulekit import hits, lint, one, options
from protolint.rule import DOC_SECTIONS
from protolint.rules import BUILTIN_RULES
from _packs import DATA_RULES, NET_RULES

NAMES = {rule.name for rule in DATA_RULES}


@pytest.fixture(scope="module")
def registry():
    return Registry(BUILTIN_RULES + [rule for rule in NET_RULES + DATA_RULES if rule not in BUILTIN_RULES])


def mine(text, registry, **kwargs):
    return [d for d in lint(text, registry, **kwargs) if d.rule in NAMES]


def apply(text, fix):
    for edit in sorted(fix.edits, key=lambda e: e.start, reverse=True):
        text = text[: edit.start] + edit.new_text + text[edit.end:]
    return text


# A model after the data layer: "data" feeds an InnerProduct, "label" a loss (the net is trained).
MODEL = ('layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 2 } }\n'
         'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }\n')
LMDB = 'source: "train_lmdb" backend: LMDB batch_size: 64'


def data(body: str, kind: str = "Data") -> str:
    """A data layer over lines 1-N: name on line 2, `body` from line 6."""
    return f'layer {{\n  name: "d"\n  type: "{kind}"\n  top: "data"\n  top: "label"\n{body}}}\n'


# (rule, severity, bad file, line, key phrase, corrected file)
CASES = [
    ("data-not-normalized", "warning", data(f"  data_param {{ {LMDB} }}\n") + MODEL, 2, "feeds raw pixel values",
     data(f"  transform_param {{ scale: 0.00390625 }}\n  data_param {{ {LMDB} }}\n") + MODEL),
    ("deprecated-data-param-transform", "warning", data(f"  data_param {{\n    {LMDB}\n    scale: 0.00390625\n  }}\n") + MODEL,
     8, "which Caffe ignores", data(f"  transform_param {{ scale: 0.00390625 }}\n  data_param {{ {LMDB} }}\n") + MODEL),
    ("data-batch-size-missing", "error", data('  transform_param { scale: 0.00390625 }\n  data_param { source: "t_lmdb" backend: LMDB }\n'),
     7, 'the opaque "Check failed: data_"',
     data('  transform_param { scale: 0.00390625 }\n  data_param { source: "t_lmdb" backend: LMDB batch_size: 8 }\n')),
    ("memory-data-dims-missing", "error",
     data("  memory_data_param { batch_size: 1 channels: 3 height: 224 }\n", "MemoryData"), 6, "(width is missing)",
     data("  memory_data_param { batch_size: 1 channels: 3 height: 224 width: 224 }\n", "MemoryData")),
    ("hdf5-transform-param", "error",
     data('  transform_param { scale: 0.0039 }\n  hdf5_data_param { source: "t.txt" batch_size: 8 }\n', "HDF5Data"), 6,
     '"HDF5Data does not transform data."', data('  hdf5_data_param { source: "t.txt" batch_size: 8 }\n', "HDF5Data")),
    ("mean-file-and-mean-value", "error",
     data(f'  transform_param {{\n    mean_file: "m.binaryproto"\n    mean_value: 104\n  }}\n  data_param {{ {LMDB} }}\n'), 8,
     '"Cannot specify mean_file and mean_value at the same time"',
     data(f'  transform_param {{\n    mean_file: "m.binaryproto"\n  }}\n  data_param {{ {LMDB} }}\n')),
    ("mean-value-count", "error",
     data('  transform_param {\n    mean_value: 104\n    mean_value: 117\n    mean_value: 123\n  }\n'
          '  image_data_param { source: "t.txt" batch_size: 8 is_color: false shuffle: true }\n', "ImageData"), 8,
     '"Specify either 1 mean_value or as many as channels: 1"',
     data('  transform_param {\n    mean_value: 104\n    mean_value: 117\n    mean_value: 123\n  }\n'
          '  image_data_param { source: "t.txt" batch_size: 8 shuffle: true }\n', "ImageData")),
    ("force-color-and-gray", "error",
     data(f"  transform_param {{\n    force_color: true\n    force_gray: true\n  }}\n  data_param {{ {LMDB} }}\n"), 8,
     '"cannot set both force_color and force_gray"',
     data(f"  transform_param {{\n    force_gray: true\n  }}\n  data_param {{ {LMDB} }}\n")),
    ("imagedata-new-size-partial", "error",
     data('  image_data_param {\n    source: "t.txt"\n    batch_size: 8\n    new_height: 256\n  }\n', "ImageData"), 9,
     '"Current implementation requires new_height and new_width to be set at the same time."',
     data('  image_data_param {\n    source: "t.txt"\n    batch_size: 8\n    new_height: 256\n    new_width: 256\n  }\n',
          "ImageData")),
    ("windowdata-crop-size-missing", "error",
     data('  window_data_param { source: "w.txt" batch_size: 8 crop_size: 227 }\n', "WindowData"), 2,
     '"Check failed: crop_size > 0"',
     data('  transform_param { crop_size: 227 }\n  window_data_param { source: "w.txt" batch_size: 8 }\n', "WindowData")),
    ("data-backend-default-leveldb", "warning",
     data('  transform_param { scale: 0.00390625 }\n  data_param {\n    source: "train_lmdb"\n    batch_size: 8\n  }\n'), 8,
     "backend defaults to LEVELDB",
     data('  transform_param { scale: 0.00390625 }\n  data_param {\n    source: "train_lmdb"\n    backend: LMDB\n'
          '    batch_size: 8\n  }\n')),
    ("imagedata-no-shuffle", "info",
     data('  transform_param { scale: 0.00390625 }\n  image_data_param { source: "t.txt" batch_size: 8 }\n', "ImageData")
     + MODEL, 7, "does not shuffle",
     data('  transform_param { scale: 0.00390625 }\n  image_data_param { source: "t.txt" batch_size: 8 shuffle: true }\n',
          "ImageData") + MODEL),
    ("input-shape-count", "error",
     'layer {\n  name: "input"\n  type: "Input"\n  top: "a"\n  top: "b"\n  top: "c"\n  input_param {\n'
     '    shape { dim: 1 }\n    shape { dim: 2 }\n  }\n}\n', 8, "\"Must specify 'shape' once, once per top blob, or not at all\"",
     'layer {\n  name: "input"\n  type: "Input"\n  top: "a"\n  top: "b"\n  top: "c"\n  input_param {\n'
     '    shape { dim: 1 }\n  }\n}\n'),
    ("dummydata-param-count", "error",
     'layer {\n  name: "dummy"\n  type: "DummyData"\n  top: "a"\n  top: "b"\n  dummy_data_param {\n'
     '    data_filler { type: "constant" }\n    data_filler { type: "constant" }\n    data_filler { type: "constant" }\n'
     '    shape { dim: 1 }\n  }\n}\n', 7, '"Number of data fillers must be 0, 1 or equal to the number of tops"',
     'layer {\n  name: "dummy"\n  type: "DummyData"\n  top: "a"\n  top: "b"\n  dummy_data_param {\n'
     '    data_filler { type: "constant" }\n    shape { dim: 1 }\n  }\n}\n'),
    ("legacy-input-fields", "info",
     'name: "n"\ninput: "data"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 8\ninput_dim: 8\n', 2, 'an Input layer named "input"',
     'name: "n"\nlayer { name: "input" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } } }\n'),
    ("legacy-input-shape-count", "error",
     'input: "a"\ninput: "b"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 32\ninput_dim: 32\n', 3,
     "2 net input(s) but 4 input_dim value(s): the upgrade indexes past the end",
     'layer { name: "input" type: "Input" top: "a" top: "b" input_param { shape { dim: 1 dim: 3 dim: 32 dim: 32 } } }\n'),
    ("legacy-input-without-shape", "error",
     'input: "data"\nlayer { name: "r" type: "ReLU" bottom: "data" top: "r" }\n', 1, 'layers reading "data" fail',
     'layer { name: "input" type: "Input" top: "data" input_param { shape { dim: 1 dim: 4 } } }\n'
     'layer { name: "r" type: "ReLU" bottom: "data" top: "r" }\n'),
]


def test_cases_cover_the_single_file_rules():
    assert sorted(c[0] for c in CASES) == sorted(NAMES - {"input-layer-in-cli-train-net"})


@pytest.mark.parametrize("rule, severity, bad, line, phrase, good", CASES, ids=[c[0] for c in CASES])
def test_rule_fires(registry, rule, severity, bad, line, phrase, good):
    hit = one(bad, registry, rule)
    assert (hit.line, hit.severity, hit.code) == (line, severity, registry.lookup(rule).code), hit.message
    assert phrase in hit.message


@pytest.mark.parametrize("rule, severity, bad, line, phrase, good", CASES, ids=[c[0] for c in CASES])
def test_corrected_file_is_clean(registry, rule, severity, bad, line, phrase, good):
    assert [(d.rule, d.message) for d in mine(good, registry)] == []


# --- D601 / D602


def test_data_not_normalized_variants(registry):
    raw = data(f"  data_param {{ {LMDB} }}\n")
    assert hits(raw, registry, "data-not-normalized") == []  # no loss: a deploy/feature net
    assert hits(data(f"  transform_param {{ mean_value: 128 }}\n  data_param {{ {LMDB} }}\n") + MODEL, registry,
                "data-not-normalized") == []
    # A BatchNorm or a Power/Scale layer right after the data normalises it; a label map is not pixels.
    bn = raw + ('layer { name: "bn" type: "BatchNorm" bottom: "data" top: "data" }\n') + MODEL
    assert hits(bn, registry, "data-not-normalized") == []
    labels = (data('  transform_param { scale: 0.0039 }\n' f"  data_param {{ {LMDB} }}\n")
              + 'layer {\n  name: "seg"\n  type: "Data"\n  top: "seg"\n  data_param { source: "seg_lmdb" backend: LMDB batch_size: 64 }\n}\n'
              + MODEL.replace('bottom: "label"', 'bottom: "seg"'))
    assert hits(labels, registry, "data-not-normalized") == []
    # Through a Slice / in-place Dropout it still feeds the model raw.
    sliced = raw + ('layer { name: "sl" type: "Slice" bottom: "data" top: "d1" top: "d2" }\n'
                    'layer { name: "fc" type: "InnerProduct" bottom: "d2" top: "fc" inner_product_param { num_output: 2 } }\n'
                    'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }\n'
                    'layer { name: "sil" type: "Silence" bottom: "d1" }\n')
    assert one(sliced, registry, "data-not-normalized").line == 2
    # WindowData scales by window_data_param.scale.
    window = data('  transform_param { crop_size: 227 }\n  window_data_param { source: "w.txt" batch_size: 8 scale: 0.0039 }\n',
                  "WindowData") + MODEL
    assert mine(window, registry) == []
    # A V1 file: the upgrade moves data_param.scale into transform_param.
    v1 = ('layers { name: "d" type: DATA top: "data" top: "label" data_param { source: "x_lmdb" backend: LMDB batch_size: 8 '
          'scale: 0.0039 } }\n'
          'layers { name: "fc" type: INNER_PRODUCT bottom: "data" top: "fc" inner_product_param { num_output: 2 } }\n'
          'layers { name: "loss" type: SOFTMAX_LOSS bottom: "fc" bottom: "label" top: "loss" }\n')
    assert mine(v1, registry) == []
    assert one(v1.replace(" scale: 0.0039", ""), registry, "data-not-normalized").line == 1


def test_deprecated_transform_suppresses_not_normalized(registry):
    text = data(f"  data_param {{ {LMDB} scale: 0.00390625 }}\n") + MODEL
    assert [d.rule for d in mine(text, registry)] == ["deprecated-data-param-transform"]
    # ImageData mean_file and crop; harmless values (mirror: false) are not reported.
    text = data('  image_data_param {\n    source: "t.txt"\n    batch_size: 8\n    shuffle: true\n    mean_file: "m.binaryproto"\n'
                '    crop_size: 227\n    mirror: false\n  }\n', "ImageData")
    found = hits(text, registry, "deprecated-data-param-transform")
    assert [(d.line, "no mean is subtracted" in d.message or "no cropping" in d.message) for d in found] == [(10, True), (11, True)]
    # WindowData: transform_param.scale is the trap, window_data_param.scale is right.
    text = data('  transform_param { crop_size: 227 scale: 0.0039 }\n  window_data_param { source: "w.txt" batch_size: 8 }\n',
                "WindowData")
    hit = one(text, registry, "deprecated-data-param-transform")
    assert hit.line == 6 and "window_data_param { scale" in hit.message
    # A WindowData crop in window_data_param is windowdata-crop-size-missing's (Caffe aborts).
    text = data('  window_data_param { source: "w.txt" batch_size: 8 crop_size: 227 mirror: true }\n', "WindowData")
    assert sorted(d.rule for d in mine(text, registry)) == ["deprecated-data-param-transform", "windowdata-crop-size-missing"]
    assert "no mirroring" in one(text, registry, "deprecated-data-param-transform").message
    # The same field already in transform_param: what runs is what was meant.
    text = data(f"  transform_param {{ scale: 0.0039 }}\n  data_param {{ {LMDB} scale: 0.0039 }}\n")
    assert hits(text, registry, "deprecated-data-param-transform") == []


# --- D603 - D613 variants


def test_batch_size_variants(registry):
    assert one(data('  image_data_param { source: "t.txt" batch_size: 0 shuffle: true }\n', "ImageData"), registry,
               "data-batch-size-missing").message.count('"Positive batch size required"') == 1
    assert hits(data('  image_data_param { source: "t.txt" shuffle: true }\n', "ImageData"), registry,
                "data-batch-size-missing") == []  # default 1
    hit = one(data("  transform_param { scale: 0.5 }\n", "HDF5Data"), registry, "data-batch-size-missing")
    assert hit.line == 2  # no hdf5_data_param at all: the layer


def test_mean_value_count_unknown_channels(registry):
    text = data(f"  transform_param {{ mean_value: 1 mean_value: 2 }}\n  data_param {{ {LMDB} }}\n")
    hit = one(text, registry, "mean-value-count")
    assert hit.severity == "info"
    three = data(f"  transform_param {{ mean_value: 1 mean_value: 2 mean_value: 3 }}\n  data_param {{ {LMDB} }}\n")
    assert hits(three, registry, "mean-value-count") == []
    gray = data(f"  transform_param {{ force_gray: true mean_value: 1 mean_value: 2 mean_value: 3 }}\n  data_param {{ {LMDB} }}\n")
    assert one(gray, registry, "mean-value-count").severity == "error"
    memory = data("  transform_param { mean_value: 1 mean_value: 2 mean_value: 3 }\n"
                  "  memory_data_param { batch_size: 1 channels: 3 height: 4 width: 4 }\n", "MemoryData")
    assert hits(memory, registry, "mean-value-count") == []


def test_windowdata_v1_crop_is_moved(registry):
    v1 = ('layers { name: "d" type: WINDOW_DATA top: "data" top: "label" '
          'window_data_param { source: "w.txt" batch_size: 8 crop_size: 227 mean_file: "m.binaryproto" } }\n')
    assert mine(v1, registry) == []


def test_backend_fix(registry):
    bad = CASES[10][2]
    hit = one(bad, registry, "data-backend-default-leveldb")
    (fix,) = hit.fixes
    assert not fix.safe
    assert hits(apply(bad, fix), registry, "data-backend-default-leveldb") == []
    assert 'source: "train_lmdb" backend: LMDB' in apply(bad, fix)
    assert hits(data('  data_param { source: "train_leveldb" batch_size: 8 }\n'), registry, "data-backend-default-leveldb") == []


def test_shuffle_only_in_training(registry):
    text = data('  transform_param { scale: 0.00390625 }\n  image_data_param { source: "t.txt" batch_size: 8 }\n', "ImageData")
    assert hits(text, registry, "imagedata-no-shuffle") == []  # not trained
    test_only = text.replace("}\n}\n", "}\n  include { phase: TEST }\n}\n", 1)
    train = data('  transform_param { scale: 0.00390625 }\n  image_data_param { source: "t.txt" batch_size: 8 shuffle: true }\n'
                 '  include { phase: TRAIN }\n', "ImageData")
    assert hits(train + test_only + MODEL, registry, "imagedata-no-shuffle") == []
    # Images and label maps read in step by two ImageData layers: shuffling one would break the pairs.
    pair = (data('  transform_param { scale: 0.00390625 }\n  image_data_param { source: "img.txt" batch_size: 8 }\n', "ImageData")
            + 'layer { name: "l" type: "ImageData" top: "seg" top: "unused" image_data_param { source: "seg.txt" batch_size: 8 } }\n'
            + MODEL)
    assert hits(pair, registry, "imagedata-no-shuffle") == []
    hit = one(CASES[11][2], registry, "imagedata-no-shuffle")
    fixed = apply(CASES[11][2], hit.fixes[0])
    assert "batch_size: 8 shuffle: true }" in fixed and hits(fixed, registry, "imagedata-no-shuffle") == []


# --- D614 - D619 variants


def test_input_layer_in_cli_train_net(tmp_path, registry):
    net = ('layer { name: "in" type: "Input" top: "data" top: "label" input_param { shape { dim: 8 dim: 4 } shape { dim: 8 } } }\n'
           + MODEL)
    solver = 'net: "net.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 10\nsolver_mode: CPU\n'
    inputs = []
    for name, text in (("solver.prototxt", solver), ("net.prototxt", net)):
        (tmp_path / name).write_text(text)
        inputs.append(Input(str(tmp_path / name), text.encode(), str(tmp_path / name)))
    results = {Path(r.path).name: [d for d in r.diagnostics if d.rule in NAMES] for r in
               lint_inputs(inputs, lambda _: options(registry))}
    (hit,) = results["net.prototxt"]
    assert (hit.rule, hit.line, hit.severity, hit.code) == ("input-layer-in-cli-train-net", 1, "warning", "D614")
    assert 'net.blobs["data"]' in hit.message
    assert hits(net, registry, "input-layer-in-cli-train-net") == []  # alone: may be fed from Python
    # Legacy input fields become the same Input layer.
    legacy = 'input: "data"\ninput_shape { dim: 8 dim: 4 }\ninput: "label"\ninput_shape { dim: 8 }\n' + MODEL
    (tmp_path / "net.prototxt").write_text(legacy)
    inputs[1] = Input(str(tmp_path / "net.prototxt"), legacy.encode(), str(tmp_path / "net.prototxt"))
    results = {Path(r.path).name: [d.rule for d in r.diagnostics if d.rule in NAMES] for r in
               lint_inputs(inputs, lambda _: options(registry))}
    assert sorted(results["net.prototxt"]) == ["input-layer-in-cli-train-net", "legacy-input-fields"]


def test_embedded_train_net_with_input(registry):
    rule = registry.lookup("D614")
    hit = one(rule.example, registry, "input-layer-in-cli-train-net", path="solver.prototxt")
    assert hit.line == 2


def test_dummy_data_variants(registry):
    base = 'layer {\n  name: "dummy"\n  type: "DummyData"\n  top: "a"\n  top: "b"\n  dummy_data_param {\n%s  }\n}\n'
    hit = one(base % "    num: 1\n    channels: 1\n    height: 1\n    width: 1\n    shape { dim: 1 }\n", registry, "dummydata-param-count")
    assert hit.line == 11 and "Both shape and legacy fields" in hit.message
    hit = one(base % "    num: [1, 2, 3]\n    channels: 1\n    height: 1\n    width: 1\n", registry, "dummydata-param-count")
    assert hit.line == 7 and "'num' once" in hit.message
    assert hits(base % "    num: [1, 2]\n    channels: 1\n    height: 1\n    width: 1\n", registry, "dummydata-param-count") == []
    hit = one('layer { name: "dummy" type: "DummyData" top: "a" }\n', registry, "dummydata-param-count")
    assert "given 0 time(s)" in hit.message


def test_legacy_input_fix(registry):
    bad = CASES[14][2] + 'layer { name: "r" type: "ReLU" bottom: "data" top: "r" }\n'
    hit = one(bad, registry, "legacy-input-fields")
    (fix,) = hit.fixes
    assert fix.safe
    fixed = apply(bad, fix)
    assert fixed == ('name: "n"\nlayer {\n  name: "input"\n  type: "Input"\n  top: "data"\n'
                     '  input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } }\n}\n'
                     'layer { name: "r" type: "ReLU" bottom: "data" top: "r" }\n')
    assert lint(fixed, registry) == []
    shapes = 'input: "a"\ninput_shape {\n  dim: 1\n  dim: 3\n}\ninput: "b"\ninput_shape { dim: 1 }\n'
    fixed = apply(shapes, one(shapes, registry, "legacy-input-fields").fixes[0])
    assert 'top: "a"\n  top: "b"\n  input_param { shape { dim: 1 dim: 3 } shape { dim: 1 } }' in fixed
    assert [d.rule for d in lint(fixed, registry)] == []
    # No fix when the counts do not fit (legacy-input-shape-count explains why).
    assert not one(CASES[15][2], registry, "legacy-input-fields").fixes


def test_legacy_input_shape_count_variants(registry):
    hit = one('input: "a"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 8\ninput_dim: 8\ninput_dim: 8\n', registry,
              "legacy-input-shape-count")
    assert hit.severity == "warning" and "silently ignored" in hit.message
    hit = one('input: "a"\ninput: "b"\ninput_shape { dim: 1 }\n', registry, "legacy-input-shape-count")
    assert hit.severity == "error" and hit.line == 3
    hit = one('input: "a"\ninput_shape { dim: 1 }\ninput_dim: 1\ninput_dim: 1\ninput_dim: 1\ninput_dim: 1\n', registry,
              "legacy-input-shape-count")
    assert hit.severity == "info" and hit.line == 3 and "rc3 aborts" in hit.message


def test_embedded_nets_leave_legacy_inputs_to_n207(registry):
    solver = 'net_param {\n  input: "data"\n}\nbase_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 10\n'
    assert mine(solver, registry, path="solver.prototxt") == []


# --- registration and documentation


def test_codes_and_names(registry):
    expected = [
        ("D601", "data-not-normalized"), ("D602", "deprecated-data-param-transform"), ("D603", "data-batch-size-missing"),
        ("D604", "memory-data-dims-missing"), ("D605", "hdf5-transform-param"), ("D606", "mean-file-and-mean-value"),
        ("D607", "mean-value-count"), ("D608", "force-color-and-gray"), ("D610", "imagedata-new-size-partial"),
        ("D611", "windowdata-crop-size-missing"), ("D612", "data-backend-default-leveldb"), ("D613", "imagedata-no-shuffle"),
        ("D614", "input-layer-in-cli-train-net"), ("D615", "input-shape-count"), ("D616", "dummydata-param-count"),
        ("D617", "legacy-input-fields"), ("D618", "legacy-input-shape-count"), ("D619", "legacy-input-without-shape"),
    ]
    assert [(rule.code, rule.name) for rule in DATA_RULES] == expected
    for rule in DATA_RULES:
        assert registry.lookup(rule.code) is rule and registry.lookup(rule.name) is rule


@pytest.mark.parametrize("rule", DATA_RULES, ids=lambda r: r.name)
def test_docs_complete_and_example_triggers(registry, rule):
    for section in DOC_SECTIONS + ("summary",):
        assert getattr(rule, section).strip(), f"{rule.name}: empty {section}"
    assert rule.name in rule.documentation()
    found = [d for d in lint(rule.example, registry, path="example.prototxt", caffe_version=rule.example_caffe_version)
             if d.rule == rule.name]
    assert found, f"{rule.name}: its example does not trigger it"


CORPUS = Path(os.environ.get("PROTOLINT_CORPUS", "/work/shared/corpus"))
REFERENCE = ["BVLC__caffe/models", "KaimingHe__deep-residual-networks", "forresti__SqueezeNet", "shicai__MobileNet-Caffe"]


@pytest.mark.skipif(not (CORPUS / REFERENCE[0]).is_dir(), reason="the reference corpus is not available")
def test_reference_models_have_no_errors(registry):
    paths = sorted(p for folder in REFERENCE for p in (CORPUS / folder).rglob("*.prototxt"))
    assert len(paths) >= 20
    results = lint_inputs([Input(str(p), p.read_bytes(), str(p)) for p in paths], lambda _: options(registry))
    errors = [f"{r.path}:{d.line} {d.rule}: {d.message}" for r in results for d in r.diagnostics
              if d.rule in NAMES and d.severity in ("error", "warning")]
    assert errors == []
