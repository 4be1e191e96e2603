"""Data and input rules (D6xx), what their fixtures cannot show: fixes (down to the text they
write), a phrase that must appear once, codes and names, and the reference models."""

from __future__ import annotations

from tests.rules.kit import REGISTRY, apply, codes, hits, lint, one, reference_findings

MODEL = ('layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 2 } }\n'
         'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }\n')


def data(body: str, kind: str = "Data") -> str:
    """A data layer over lines 1-N: name on line 2, `body` from line 6."""
    return f'layer {{\n  name: "d"\n  type: "{kind}"\n  top: "data"\n  top: "label"\n{body}}}\n'


def test_batch_size_message_quotes_caffe_once():
    hit = one(data('  image_data_param { source: "t.txt" batch_size: 0 shuffle: true }\n', "ImageData"), "data-batch-size-missing")
    assert hit.message.count('"Positive batch size required"') == 1


def test_backend_fix():
    bad = data('  transform_param { scale: 0.00390625 }\n  data_param {\n    source: "train_lmdb"\n    batch_size: 8\n  }\n')
    (fix,) = one(bad, "data-backend-default-leveldb").fixes
    assert not fix.safe
    fixed = apply(bad, fix)
    assert hits(fixed, "data-backend-default-leveldb") == []
    assert 'source: "train_lmdb" backend: LMDB' in fixed


def test_shuffle_fix():
    bad = data('  transform_param { scale: 0.00390625 }\n  image_data_param { source: "t.txt" batch_size: 8 }\n', "ImageData") + MODEL
    fixed = apply(bad, one(bad, "imagedata-no-shuffle").fixes[0])
    assert "batch_size: 8 shuffle: true }" in fixed and hits(fixed, "imagedata-no-shuffle") == []


def test_legacy_input_fix():
    bad = ('name: "n"\ninput: "data"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 8\ninput_dim: 8\n'
           'layer { name: "r" type: "ReLU" bottom: "data" top: "r" }\n')
    (fix,) = one(bad, "legacy-input-fields").fixes
    assert fix.safe
    fixed = apply(bad, fix)
    assert fixed == ('name: "n"\nlayer {\n  name: "input"\n  type: "Input"\n  top: "data"\n'
                     '  input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } }\n}\n'
                     'layer { name: "r" type: "ReLU" bottom: "data" top: "r" }\n')
    assert lint(fixed) == []
    shapes = 'input: "a"\ninput_shape {\n  dim: 1\n  dim: 3\n}\ninput: "b"\ninput_shape { dim: 1 }\n'
    fixed = apply(shapes, one(shapes, "legacy-input-fields").fixes[0])
    assert 'top: "a"\n  top: "b"\n  input_param { shape { dim: 1 dim: 3 } shape { dim: 1 } }' in fixed
    assert [d.rule for d in lint(fixed)] == []
    # No fix when the counts do not fit (legacy-input-shape-count explains why).
    mismatch = 'input: "a"\ninput: "b"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 32\ninput_dim: 32\n'
    assert not one(mismatch, "legacy-input-fields").fixes


def test_codes_and_names():
    expected = [
        ("D601", "data-not-normalized"), ("D602", "deprecated-data-param-transform"), ("D603", "data-batch-size-missing"),
        ("D604", "memory-data-dims-missing"), ("D605", "hdf5-transform-param"), ("D606", "mean-file-and-mean-value"),
        ("D607", "mean-value-count"), ("D608", "force-color-and-gray"), ("D609", "crop-larger-than-input"),
        ("D610", "imagedata-new-size-partial"), ("D611", "windowdata-crop-size-missing"),
        ("D612", "data-backend-default-leveldb"), ("D613", "imagedata-no-shuffle"), ("D614", "input-layer-in-cli-train-net"),
        ("D615", "input-shape-count"), ("D616", "dummydata-param-count"), ("D617", "legacy-input-fields"),
        ("D618", "legacy-input-shape-count"), ("D619", "legacy-input-without-shape"),
    ]
    for code, name in expected:
        assert REGISTRY.lookup(code).name == name and REGISTRY.lookup(name).code == code
    assert codes("D601", "D619") == {name for _, name in expected}


def test_reference_models_have_no_errors_or_warnings():
    assert reference_findings(codes("D601", "D619") - {"crop-larger-than-input"}) == []
