"""`protolint shapes` and the input shapes (`--input-shape`, the `input-shapes` setting) as a user runs
them: `python -m protolint ...` in a subprocess; and the parameter/MAC counts of each layer type."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from protolint.api import default_options
from protolint.linter import prepare
from protolint.model.net import TEST
from protolint.model.usage import net_alone
from protolint.shapes_command import NetItem, state_table

REPO = Path(__file__).resolve().parent.parent

DEPLOY = """name: "tiny"
layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } } }
layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
        convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv" }
layer { name: "fc" type: "InnerProduct" bottom: "conv" top: "fc" inner_product_param { num_output: 2 } }
layer { name: "prob" type: "Softmax" bottom: "fc" top: "prob" }
"""

HDF5 = """layer { name: "data" type: "HDF5Data" top: "data" top: "label" include { phase: TRAIN }
        hdf5_data_param { source: "train.txt" batch_size: 2 } }
layer { name: "data" type: "HDF5Data" top: "data" top: "label" include { phase: TEST }
        hdf5_data_param { source: "test.txt" batch_size: 2 } }
layer { name: "conv" type: "Convolution" bottom: "data" top: "conv" convolution_param { num_output: 4 kernel_size: 5 } }
layer { name: "fc" type: "InnerProduct" bottom: "conv" top: "fc" inner_product_param { num_output: 2 } }
layer { name: "loss" type: "SoftmaxWithLoss" bottom: "fc" bottom: "label" top: "loss" }
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    return dict(os.environ, PROTOLINT_CACHE_DIR=str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def run(env, tmp_path):
    def run(*args, check_rc=None):
        done = subprocess.run([sys.executable, "-m", "protolint", *map(str, args)], capture_output=True, text=True,
                              cwd=tmp_path, env=env, timeout=120)
        if check_rc is not None:
            assert done.returncode == check_rc, f"rc {done.returncode}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr, done.stderr
        return done.returncode, done.stdout, done.stderr

    return run


def test_text_output_is_a_table_per_state_with_totals(run, tmp_path):
    (tmp_path / "deploy.prototxt").write_text(DEPLOY)
    _, out, _ = run("shapes", "deploy.prototxt", check_rc=0)
    lines = out.splitlines()
    assert lines[0] == "deploy.prototxt — TEST"  # a deploy net: TEST only
    assert lines[1].split() == ["layer", "type", "top", "shape", "params", "MACs"]
    assert lines[3].split() == ["conv", "Convolution", "conv", "1×4×8×8", "112", "6,912"]  # 4·3·9 + 4; 256·27
    assert lines[4].split() == ["relu", "ReLU", "conv", "1×4×8×8", "0", "0"]
    assert lines[5].split() == ["fc", "InnerProduct", "fc", "1×2", "514", "512"]
    assert lines[-1] == "  total: 626 parameters, 7,424 MACs (7.42 k)"
    assert max(len(line) for line in lines) <= 120


def test_json_output_follows_the_contract(run, tmp_path):
    (tmp_path / "deploy.prototxt").write_text(DEPLOY)
    _, out, _ = run("shapes", "deploy.prototxt", "--format", "json", check_rc=0)
    data = json.loads(out)
    assert data["version"] == 1 and len(data["nets"]) == 1
    net = data["nets"][0]
    assert (net["path"], net["phase"], net["stages"]) == ("deploy.prototxt", "TEST", [])
    assert [layer["name"] for layer in net["layers"]] == ["data", "conv", "relu", "fc", "prob"]
    relu = net["layers"][2]
    assert relu == {"name": "relu", "type": "ReLU", "line": 5, "params": 0, "macs": 0,
                    "tops": [{"name": "conv", "shape": [1, 4, 8, 8], "why": None}]}  # in-place tops listed too
    assert net["totals"] == {"params": 626, "macs": 7424}


def test_unknown_shapes_say_why_and_input_shapes_fill_them_in(run, tmp_path):
    (tmp_path / "train_val.prototxt").write_text(HDF5)
    _, out, _ = run("shapes", "train_val.prototxt", check_rc=0)
    assert "train_val.prototxt — TRAIN" in out and "train_val.prototxt — TEST" in out
    assert "? [1]" in out and "? (input unknown)" in out
    assert "[1] HDF5Data reads its shapes from the HDF5 files: give --input-shape data=2,C,H,W" in out
    assert "at least" in out
    _, out, _ = run("shapes", "train_val.prototxt", "--format", "json", "--phase", "TEST", check_rc=0)
    layers = json.loads(out)["nets"][0]["layers"]
    assert [n["phase"] for n in json.loads(out)["nets"]] == ["TEST"]
    assert layers[0]["name"] == "data" and layers[0]["tops"][0]["shape"] is None
    assert layers[1]["tops"][0]["why"] == 'its input "data" is unknown (from layer "data")'
    assert layers[1]["params"] is None and layers[1]["macs"] is None
    _, out, _ = run("shapes", "train_val.prototxt", "--format", "json", "--input-shape", "data=2,3,9,9",
                    "--input-shape", "label=2", check_rc=0)
    for net in json.loads(out)["nets"]:
        conv = net["layers"][1]
        assert conv["tops"][0]["shape"] == [2, 4, 5, 5] and conv["params"] == 304 and conv["macs"] == 2 * 4 * 25 * 75


def test_a_solver_brings_its_nets_in_its_states(run, tmp_path):
    (tmp_path / "train_val.prototxt").write_text(HDF5)
    (tmp_path / "solver.prototxt").write_text('net: "train_val.prototxt"\ntest_iter: 1\ntest_interval: 10\nbase_lr: 0.01\n')
    _, out, _ = run("shapes", "solver.prototxt", "--input-shape", "data=2,3,9,9", check_rc=0)
    assert "train_val.prototxt — TRAIN" in out and "train_val.prototxt — TEST #1" in out
    (tmp_path / "lost.prototxt").write_text('net: "missing.prototxt"\n')
    rc, out, err = run("shapes", "lost.prototxt")
    assert rc == 2 and not out and 'lost.prototxt:1:6: the net file "missing.prototxt" is not found' in err


@pytest.mark.parametrize("args, message", [
    (["--input-shape", "data=1,x"], "'x' is not an integer"),
    (["--input-shape", "data=1,-3"], "dimension -3 is not positive"),
    (["--input-shape", "data"], "expected BLOB=N,C,H,W"),
    (["--input-shape", "data=1", "--input-shape", "data=2"], "given twice"),
])
def test_bad_input_shapes_are_usage_errors(run, tmp_path, args, message):
    (tmp_path / "train_val.prototxt").write_text(HDF5)
    for command in ("shapes", "check"):
        rc, _, err = run(command, "train_val.prototxt", *args)
        assert rc == 2 and "--input-shape" in err and message in err


def test_an_input_shape_for_a_blob_no_data_layer_produces_is_reported(run, tmp_path):
    (tmp_path / "train_val.prototxt").write_text(HDF5)
    rc, out, err = run("shapes", "train_val.prototxt", "--input-shape", "conv=1,2")
    assert rc == 2 and not out
    assert "--input-shape conv: no data layer of train_val.prototxt produces a blob named 'conv'" in err
    assert "(those that take an input shape: data, label)" in err
    rc, _, err = run("check", "train_val.prototxt", "--input-shape", "nope=1,2")
    assert rc == 2 and "--input-shape nope: no data layer of the linted nets produces a blob named 'nope'" in err


def test_input_shapes_feed_the_shape_rules(run, tmp_path):
    (tmp_path / "train_val.prototxt").write_text(HDF5)
    rc, out, _ = run("check", "train_val.prototxt", "--select", "blob-dim-nonpositive")
    assert rc == 0
    rc, out, _ = run("check", "train_val.prototxt", "--select", "blob-dim-nonpositive", "--input-shape", "data=2,3,4,4")
    assert rc == 1 and "blob-dim-nonpositive" in out


def test_the_input_shapes_setting(run, tmp_path):
    (tmp_path / "train_val.prototxt").write_text(HDF5)
    (tmp_path / ".protolint.toml").write_text("input-shapes = { data = [2, 3, 4, 4] }\n")
    rc, out, _ = run("check", "train_val.prototxt", "--select", "blob-dim-nonpositive")
    assert rc == 1 and "blob-dim-nonpositive" in out
    _, out, _ = run("shapes", "train_val.prototxt", "--format", "json", "--input-shape", "data=2,3,9,9", check_rc=0)
    assert json.loads(out)["nets"][0]["layers"][0]["tops"][0]["shape"] == [2, 3, 9, 9]  # the flag wins
    (tmp_path / ".protolint.toml").write_text("input-shapes = { data = [2, 0] }\n")
    rc, _, err = run("shapes", "train_val.prototxt")
    assert rc == 2 and "`input-shapes.data`: dimension 0 is not positive" in err
    (tmp_path / ".protolint.toml").write_text("input-shapes = { img = [2, 3] }\n")
    for command in ("shapes", "check"):
        rc, _, err = run(command, "train_val.prototxt")
        assert rc == 2 and "`input-shapes.img`: no data layer" in err


def test_files_it_cannot_show_are_errors_with_their_position(run, tmp_path):
    (tmp_path / "broken.prototxt").write_text('layer { name: "a" type: "Input" top: "x"\n')
    rc, out, err = run("shapes", "broken.prototxt")
    assert rc == 2 and not out and err.startswith("protolint: broken.prototxt:1:41: syntax error:")  # just after the last token
    rc, _, err = run("shapes", "missing.prototxt")
    assert rc == 2 and "protolint: missing.prototxt: cannot read:" in err
    rc, _, err = run("shapes", "broken.prototxt", "--proto", "nope.proto")
    assert rc == 2 and "cannot use the schema: nope.proto" in err


def test_the_shapes_command_stays_lean_at_start_up():
    source = (REPO / "protolint" / "cli.py").read_text()
    body = source[source.index("def shapes("):]
    assert "from .shapes_command import run" in body  # imported inside the command


# --- parameters and MACs per layer type ---------------------------------------------------------------


def costs(text):
    prepared = prepare("net.prototxt", text.encode(), default_options())
    net = net_alone(prepared.document.root)
    table = state_table(NetItem("net.prototxt", net, prepared.document.source), TEST, ())
    return {row.name: (row.params, row.macs) for row in table.layers}


def layer(name, kind, bottoms, params="", tops=None):
    tops = tops or [name]
    return (f'layer {{ name: "{name}" type: "{kind}" ' + " ".join(f'bottom: "{b}"' for b in bottoms) + " "
            + " ".join(f'top: "{t}"' for t in tops) + f" {params} }}\n")


def test_parameters_and_macs_of_each_layer_type():
    net = ('layer { name: "in" type: "Input" top: "x" top: "seq" top: "cont" top: "idx" '
           'input_param { shape { dim: 2 dim: 6 dim: 5 dim: 5 } shape { dim: 3 dim: 2 dim: 4 } shape { dim: 3 dim: 2 } '
           'shape { dim: 2 dim: 7 } } }\n'
           + layer("grp", "Convolution", ["x"], "convolution_param { num_output: 4 kernel_size: 3 group: 2 bias_term: false }")
           + layer("up", "Deconvolution", ["x"], "convolution_param { num_output: 4 kernel_size: 2 stride: 2 group: 2 }")
           + layer("ip", "InnerProduct", ["x"], "inner_product_param { num_output: 3 axis: 2 transpose: true }")
           + layer("emb", "Embed", ["idx"], "embed_param { num_output: 8 input_dim: 10 }")
           + layer("bn", "BatchNorm", ["x"])
           + layer("sc", "Scale", ["x"], "scale_param { bias_term: true }")
           + layer("sc2", "Scale", ["x", "grp"], "scale_param { axis: 0 }")
           + layer("bias", "Bias", ["x"], "bias_param { axis: 1 num_axes: 2 }")
           + layer("pr", "PReLU", ["x"])
           + layer("prs", "PReLU", ["x"], "prelu_param { channel_shared: true }")
           + layer("lstm", "LSTM", ["seq", "cont"], "recurrent_param { num_output: 5 }")
           + layer("rnn", "RNN", ["seq", "cont"], "recurrent_param { num_output: 5 }")
           + layer("pool", "Pooling", ["x"], "pooling_param { pool: MAX kernel_size: 2 }")
           + layer("py", "Python", ["x"], 'python_param { module: "m" layer: "L" }')
           + layer("fork", "Convolution", ["x"], "convolution_param { num_output: 4 kernel_size: 3 hole: 2 }"))
    found = costs(net)
    assert found["grp"] == (4 * 3 * 9, 2 * 4 * 3 * 3 * 3 * 9)  # out 2×4×3×3, C_in/group 3
    assert found["up"] == (6 * 2 * 4 + 4, 2 * 6 * 5 * 5 * 2 * 4)  # weights C_in × out/group × k; MACs from the input
    assert found["ip"] == (3 * 25 + 3, 2 * 6 * 3 * 25)  # axis 2: K = 25, M = 12
    assert found["emb"] == (10 * 8 + 8, 0)
    assert found["bn"] == (2 * 6 + 1, 0)
    assert found["sc"] == (12, 0) and found["sc2"] == (0, 0)
    assert found["bias"] == (6 * 5, 0)
    assert found["pr"] == (6, 0) and found["prs"] == (1, 0)
    assert found["lstm"] == (4 * 5 * 4 + 4 * 5 + 4 * 5 * 5, 3 * 2 * (4 * 5 * 4 + 4 * 5 * 5))
    assert found["rnn"] == (5 * 4 + 5 + 2 * 5 * 5 + 5, 3 * 2 * (5 * 4 + 2 * 5 * 5))
    assert found["pool"] == (0, 0)
    assert found["py"] == (None, None) and found["fork"] == (None, None)
