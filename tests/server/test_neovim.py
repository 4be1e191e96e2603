"""A real editor: headless Neovim (Debian's package; .ci/run installs it) starts `protolint server`,
opens a prototxt, and the test reads the diagnostics and the hover Neovim received."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
TEXT = """name: "smoke"
layer {
  name: "data"
  type: "Input"
  top: "data"
  input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } }
}
layer {
  name: "conv"
  type: "Convolution"
  bottom: "data"
  top: "conv"
  convolution_param { num_output: 4 kernal_size: 3 }
}
"""


@pytest.mark.skipif(shutil.which("nvim") is None, reason="nvim is not installed (apt-get install neovim; .ci/run does it)")
def test_neovim_receives_the_diagnostics_and_a_hover(tmp_path):
    net = tmp_path / "net.prototxt"
    net.write_text(TEXT)
    out = tmp_path / "out.txt"
    env = dict(os.environ, PROTOLINT_FILE=str(net), PROTOLINT_OUT=str(out), PROTOLINT_PYTHON=sys.executable,
               PROTOLINT_HOVER_LINE="12", PROTOLINT_HOVER_CHARACTER="25", HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path))
    done = subprocess.run(["nvim", "--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", f"luafile {HERE / 'editors' / 'neovim_smoke.lua'}"],
                          env=env, capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL, cwd=tmp_path)
    assert out.exists(), f"Neovim wrote nothing: {done.returncode}\n{done.stdout}\n{done.stderr}"
    lines = out.read_text().splitlines()
    assert lines[0] == "waited true", lines
    diagnostics = [line for line in lines if line.startswith("diagnostic ")]
    assert diagnostics == ["diagnostic 12:36:P002:unknown field `kernal_size` in ConvolutionParameter; did you mean `kernel_size`?"]
    hover = [line for line in lines if line.startswith("hover ")]
    assert hover and "num_output" in hover[0] and "ConvolutionParameter" in hover[0]
