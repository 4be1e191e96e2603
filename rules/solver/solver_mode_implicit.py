"""S129 solver-mode-implicit: solver_mode not written: caffe train runs on the CPU."""

from __future__ import annotations

from protolint.rule import SolverRule


class SolverModeImplicit(SolverRule):
    code = "S129"
    name = "solver-mode-implicit"
    severity = "info"
    summary = "solver_mode not written: caffe train runs on the CPU"
    what_it_does = "Reports a solver without `solver_mode`."
    why_it_matters = (
        "The proto default is GPU, but `caffe train` uses the solver's mode only when the field is written: "
        "`solver_param.has_solver_mode() && solver_mode() == GPU`; otherwise, without --gpu, it logs \"Use CPU.\" "
        "and trains on the CPU (reproduced by running Caffe). pycaffe ignores solver_mode (call "
        "caffe.set_mode_gpu())."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 10000'
    how_to_fix = "Write `solver_mode: GPU` (or CPU) explicitly, or always pass --gpu to caffe train."
    version_notes = "rc3 and older used the proto default (GPU) when the field was absent; rc4 and later need it written."
    references = (
        "tools/caffe.cpp:181-192 (train(): the solver's GPU mode is used only when solver_mode is written)",
        "tools/caffe.cpp:194-198 (train(): without GPUs, \"Use CPU.\")",
    )

    def check_solver(self, solver, ctx):
        if not solver.has("solver_mode"):
            ctx.report_value(None, 'solver_mode is not set: the proto default is GPU, but "caffe train" without --gpu only uses '
                   "the GPU when solver_mode: GPU is written — it will train on the CPU")
