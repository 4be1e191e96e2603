"""The bundled examples: each hazard the design card names is found at the line that causes it, and the clean
net stays clean. This is what the README's first command shows a new user."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def line_of(name: str, needle: str, occurrence: int = 1) -> int:
    lines = (EXAMPLES / name).read_text().splitlines()
    hits = [i + 1 for i, text in enumerate(lines) if needle in text and not text.lstrip().startswith("#")]
    return hits[occurrence - 1]


@pytest.fixture(scope="module")
def findings(tmp_path_factory):
    env = dict(os.environ, PROTOLINT_CACHE_DIR=str(tmp_path_factory.mktemp("cache")))
    result = subprocess.run(
        [sys.executable, "-m", "protolint", "--format", "json", "--fail-on", "info", "examples"],
        cwd=EXAMPLES.parent, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1, result.stderr
    return {(os.path.basename(d["path"]), d["rule"], d["line"]) for d in json.loads(result.stdout)["diagnostics"]}


@pytest.mark.parametrize(
    "file, rule, needle",
    [
        ("poly_solver_without_max_iter.prototxt", "poly-without-max-iter", 'lr_policy: "poly"'),
        # The input size is known here, so shape inference reports the empty window exactly.
        ("pooling_stride_gt_kernel.prototxt", "pooling-empty-window", "stride: 3"),
        ("missing_bias_filler.prototxt", "missing-bias-filler", "convolution_param"),
        ("missing_bias_filler.prototxt", "missing-weight-filler", "inner_product_param"),  # ip1, the hidden one
        ("infogain_raw_scores.prototxt", "infogain-input", 'bottom: "fc8"'),
        ("batchnorm_train_settings.prototxt", "batchnorm-global-stats-in-train", "use_global_stats: true"),
        ("batchnorm_train_settings.prototxt", "batchnorm-param-lr-nonzero", "lr_mult: 1"),
        ("schema_mistakes.prototxt", "unknown-field", "kernal_size"),
        ("schema_mistakes.prototxt", "syntax-error", "num_output 10"),
    ],
)
def test_each_hazard_is_found_at_its_line(findings, file, rule, needle):
    assert (file, rule, line_of(file, needle)) in findings


def test_the_clean_example_has_no_findings(findings):
    assert not [f for f in findings if f[0] == "lenet_clean.prototxt"]


def test_infogain_example_depends_on_the_target_version(tmp_path):
    env = dict(os.environ, PROTOLINT_CACHE_DIR=str(tmp_path))
    run = lambda *extra: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "protolint", "--select", "infogain-input", "examples/infogain_raw_scores.prototxt", *extra],
        cwd=EXAMPLES.parent, env=env, capture_output=True, text=True, timeout=120,
    )
    assert run().returncode == 1  # examples/.protolint.toml targets rc5: raw scores are wrong there
    assert run("--caffe-version", "1.0").returncode == 0  # 1.0 applies softmax itself: raw scores are right
