"""S116 sigmoid-is-rampup: lr_policy "sigmoid" increases the rate (it is a warm-up, not a decay)."""

from __future__ import annotations

from protolint.rule import SolverRule


class SigmoidIsRampup(SolverRule):
    code = "S116"
    name = "sigmoid-is-rampup"
    severity = "info"
    summary = 'lr_policy "sigmoid" increases the rate (it is a warm-up, not a decay)'
    what_it_does = 'Reports `lr_policy: "sigmoid"` with gamma > 0 and stepsize > 0.'
    why_it_matters = (
        "The rate is base_lr / (1 + exp(-gamma*(iter - stepsize))) and gamma must be >= 0 (Caffe CHECKs it), so it "
        "rises from about 0 to base_lr around iteration `stepsize` — Caffe's own comments calling it a decay are "
        "wrong (reproduced by running Caffe: lr 0.0012, 0.0027, 0.005, 0.0073...). Fine as a warm-up, surprising as "
        "a decay."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "sigmoid"\ngamma: 0.01\nstepsize: 5000'
    how_to_fix = 'If a decay was meant, use "step", "multistep", "poly" or "inv"; if a warm-up was meant, nothing.'
    version_notes = "The sigmoid policy exists since rc2 (2015)."
    references = (
        "src/caffe/solvers/sgd_solver.cpp:60-65 (SGDSolver::GetLearningRate, \"sigmoid\": CHECK_GE(gamma, 0))",
        "src/caffe/proto/caffe.proto:166 (the comment that calls sigmoid a decay)",
        "src/caffe/solvers/sgd_solver.cpp:21-22 (the same comment above SGDSolver::GetLearningRate)",
    )

    def check_solver(self, solver, ctx):
        gamma, stepsize = solver.number("gamma"), solver.number("stepsize")
        if solver.policy == "sigmoid" and gamma is not None and gamma > 0 and stepsize is not None and stepsize > 0:
            ctx.report_value(solver.field("lr_policy"), f'lr_policy "sigmoid" increases the rate from ~0 to base_lr around '
                   f"iteration {stepsize} (gamma must be >= 0, so it can never decay) — use step/multistep/poly for a decay")
