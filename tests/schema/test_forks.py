"""Forks: a --proto schema recognised as a well-known fork, names its C++ registers, and the warning
for a name a fork may register. The schemas are written here (BVLC's built-in one plus a few
fields a fork adds)."""

from __future__ import annotations

from protolint.api import default_options, lint_bytes
from protolint.model.forks import schema_fork
from protolint.schema.loader import load_schema
from tests.schema.test_versions import proto_for

SSD_FIELDS = {"LayerParameter.prior_box_param", "LayerParameter.permute_param", "LayerParameter.norm_param"}


def _fork_schema(tmp_path, extra_lines: str):
    text = proto_for("rc4").replace("message LayerParameter {", "message LayerParameter {\n" + extra_lines, 1)
    text += "message PriorBoxParameter { optional float min_size = 1; }\nmessage PermuteParameter { repeated uint32 order = 1; }\n"
    text += "message NormalizeParameter { optional bool across_spatial = 1; }\n"
    path = tmp_path / "caffe.proto"
    path.write_text(text)
    return load_schema(path)


SSD_LINES = ("  optional PriorBoxParameter prior_box_param = 2203;\n  optional PermuteParameter permute_param = 2202;\n"
             "  optional NormalizeParameter norm_param = 2206;\n  optional DetectionOutputParameter detection_output_param = 2204;\n"
             "  optional MultiBoxLossParameter multibox_loss_param = 2205;\n")


def test_a_schema_with_a_forks_fields_is_that_fork_and_its_cxx_names_are_known(tmp_path):
    schema = _fork_schema(tmp_path, SSD_LINES.replace("DetectionOutputParameter", "PermuteParameter")
                          .replace("MultiBoxLossParameter", "PermuteParameter"))
    assert schema_fork(schema) is None  # 5 of SSD's 21 fields: not enough to call it SSD


def test_unknown_names_with_a_fork_schema_are_warnings_unless_typos(tmp_path):
    schema = _fork_schema(tmp_path, "  optional PriorBoxParameter prior_box_param = 2203;\n")
    options = default_options(schema=schema)
    net = (b'name: "n"\ninput: "x" input_dim: 1 input_dim: 3 input_dim: 8 input_dim: 8\n'
           b'layer { name: "a" type: "FancyUpsample" bottom: "x" top: "a" }\n'
           b'layer { name: "b" type: "Relu" bottom: "a" top: "b" }\n'
           b'layer { name: "c" type: "PriorBox" bottom: "b" top: "c" prior_box_param { min_size: 3 } }\n'
           b'layer { name: "d" type: "Convolution" bottom: "c" top: "d" convolution_param { num_output: 2 kernel_size: 1 '
           b'weight_filler { type: "gabor" } } }\n')
    found = lint_bytes("net.prototxt", net, options).diagnostics
    by_rule = [(d.rule, d.severity, d.line) for d in found if d.rule in ("unknown-layer-type", "filler-unknown-type")]
    assert ("unknown-layer-type", "warning", 3) in by_rule  # a fork may register it: say how to declare it
    assert ("unknown-layer-type", "error", 4) in by_rule  # a typo of ReLU stays an error
    assert not [r for r in by_rule if r[2] == 5]  # implied by prior_box_param
    assert ("filler-unknown-type", "warning", 6) in by_rule
    warning = next(d for d in found if d.rule == "unknown-layer-type" and d.line == 3)
    assert "extra-layer-types" in warning.message
    declared = default_options(schema=schema, extra_layer_types={"FancyUpsample"}, extra_filler_types={"gabor"})
    again = lint_bytes("net.prototxt", net, declared).diagnostics
    assert [d.line for d in again if d.rule in ("unknown-layer-type", "filler-unknown-type")] == [4]
    solver = b'net: "n"\nbase_lr: 0.1\nlr_policy: "cosine_warm"\nmax_iter: 10\nsolver_mode: CPU\ntype: "LARS"\n'
    found = lint_bytes("solver.prototxt", solver, options).diagnostics
    assert {(d.rule, d.severity) for d in found if d.rule in ("lr-policy-unknown", "solver-type-unknown")} == {
        ("lr-policy-unknown", "warning"), ("solver-type-unknown", "warning")}
    declared = default_options(schema=schema, extra_lr_policies={"cosine_warm"}, extra_solver_types={"LARS"})
    assert not [d for d in lint_bytes("solver.prototxt", solver, declared).diagnostics
                if d.rule in ("lr-policy-unknown", "solver-type-unknown")]
