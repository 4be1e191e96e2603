"""Net rules (N2xx), what their fixtures cannot show: related locations, fixes, codes and names, and
the reference models."""

from __future__ import annotations


from protolint.api import lint_bytes
from tests.corpus_location import need_corpus
from tests.rules.kit import REGISTRY, apply, codes, hits, one, options, reference_findings

IN = ('layer { name: "in" type: "Input" top: "data" top: "label" '
      'input_param { shape { dim: 8 dim: 4 } shape { dim: 8 } } }\n')
FC = 'layer { name: "fc" type: "InnerProduct" bottom: "data" top: "fc" inner_product_param { num_output: 2 } }\n'


def test_duplicate_top_points_at_the_first_producer():
    text = ('layer { name: "in" type: "Input" top: "x" input_param { shape { dim: 1 dim: 4 } } }\n'
            'layer { name: "a" type: "ReLU" bottom: "x" top: "y" }\n'
            'layer { name: "b" type: "Sigmoid" bottom: "x" top: "y" }\n')
    hit = one(text, "duplicate-top")
    assert hit.related and hit.related[0].line == 2


def test_loss_weight_count_fix_weights_the_first_top():
    bad = IN + FC + ('layer {\n  name: "loss"\n  type: "InfogainLoss"\n  bottom: "fc"\n  bottom: "label"\n  top: "loss"\n'
                     '  top: "prob"\n  infogain_loss_param { source: "H.binaryproto" }\n}\n')
    (fix,) = one(bad, "loss-weight-count").fixes
    assert fix.safe and len(fix.edits) == 1
    fixed = apply(bad, fix)
    assert '  top: "prob"\n  loss_weight: 1\n  loss_weight: 0\n' in fixed
    assert hits(fixed, "loss-weight-count") == []


def test_codes_and_names():
    expected = [
        ("N207", "inline-net-legacy-syntax"), ("N208", "legacy-v1-syntax"), ("N209", "legacy-v0-syntax"),
        ("N211", "layer-blob-count"), ("N212", "include-and-exclude"), ("N213", "net-state-in-file"),
        ("N214", "empty-phase-net"), ("N215", "inplace-not-allowed"), ("N216", "propagate-down-count"),
        ("N217", "loss-weight-count"), ("N218", "no-loss-in-train-net"), ("N219", "force-backward-nondifferentiable"),
        ("N220", "nondifferentiable-in-loss-path"), ("N221", "too-many-param-specs"), ("N222", "shared-param-mismatch"),
        ("N223", "lr-mult-negative"), ("N224", "layer-frozen"), ("N225", "train-test-param-mismatch"),
        ("N226", "test-layer-not-in-train"), ("N227", "field-requires-newer-caffe"), ("N228", "blob-dim-nonpositive"),
    ]
    for code, name in expected:
        assert REGISTRY.lookup(code).name == name and REGISTRY.lookup(name).code == code
    # N210 is not a rule.
    assert codes("N207", "N227") == {name for code, name in expected if code != "N228"}


def test_reference_models_have_no_errors_or_warnings():
    assert reference_findings(codes("N207", "N227")) == []


def test_bvlc_consolidated_solver_cannot_train():
    # BVLC's own lenet_consolidated_solver embeds a V1 net, which Caffe does not upgrade.
    root = need_corpus("BVLC__caffe")
    path = root / "BVLC__caffe/examples/mnist/lenet_consolidated_solver.prototxt"
    found = [d for d in lint_bytes(str(path), path.read_bytes(), options()).diagnostics if d.rule in codes("N207", "N227")]
    assert [d.rule for d in found] == ["inline-net-legacy-syntax"]
