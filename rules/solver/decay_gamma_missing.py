"""S105 decay-gamma-missing: A decaying lr_policy without gamma (or inv without power)."""

from __future__ import annotations

from protolint.rule import SolverRule


class DecayGammaMissing(SolverRule):
    code = "S105"
    name = "decay-gamma-missing"
    severity = "warning"
    summary = "A decaying lr_policy without gamma (or inv without power)"
    what_it_does = (
        "Reports gamma unset or 0 for step, exp and multistep when a decay happens within max_iter (warning: "
        "the rate drops to 0), and for inv and sigmoid (info: the rate stays constant); also inv without power (info)."
    )
    why_it_matters = (
        "gamma and power have no default, so they read 0. step, exp and multistep compute base_lr * gamma^k: 0^0 = 1 "
        "before the first decay, then the rate is 0 and the net silently stops learning (reproduced by running Caffe "
        "for exp and multistep). inv computes base_lr * (1 + gamma*iter)^(-power), which is constant when either is "
        "0; sigmoid with gamma 0 is a constant base_lr/2."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "step"\nstepsize: 1000\nmax_iter: 5000'
    how_to_fix = (
        "Set gamma (0.1 is usual for step/multistep, 0.9999 or so for exp). For inv set both gamma and power "
        "(LeNet uses gamma 0.0001, power 0.75). If a constant rate is meant, write `lr_policy: \"fixed\"`."
    )
    version_notes = "All Caffe versions (multistep and sigmoid since rc2)."
    references = (
        "src/caffe/proto/caffe.proto:172-173 (SolverParameter.gamma and power: no default)",
        "src/caffe/solvers/sgd_solver.cpp:32-55 (SGDSolver::GetLearningRate: \"step\", \"exp\", \"inv\", "
        "\"multistep\")",
        "src/caffe/solvers/sgd_solver.cpp:60-65 (GetLearningRate, \"sigmoid\")",
    )

    def check_solver(self, solver, ctx):
        lr_policy, gamma, power = solver.policy, solver.number("gamma"), solver.number("power")
        if gamma is None or power is None:
            return
        gamma_node = solver.field("gamma") or solver.field("lr_policy")
        if lr_policy in ("step", "exp", "multistep") and gamma == 0:
            first = solver.first_decay_iteration(lr_policy)
            if first is not None:
                ctx.report_value(gamma_node, f'lr_policy "{lr_policy}" without gamma (gamma {solver.written("gamma")}): the rate '
                       f"is base_lr*0^k, so it becomes 0 at iteration {first} and training silently stops — set gamma "
                       "(e.g. 0.1)")
        elif lr_policy == "inv" and (gamma == 0 or power == 0):
            missing = " and ".join(n for n, v in (("gamma", gamma), ("power", power)) if v == 0)
            node = solver.field("gamma" if gamma == 0 else "power") or solver.field("lr_policy")
            ctx.report_value(node, f'lr_policy "inv" without {missing}: base_lr*(1+gamma*iter)^(-power) stays base_lr (behaves '
                   'like "fixed") — set both gamma and power (LeNet uses 0.0001 and 0.75)', severity="info")
        elif lr_policy == "sigmoid" and gamma == 0 and (solver.number("stepsize") or 0) > 0:
            ctx.report_value(gamma_node, 'lr_policy "sigmoid" without gamma: the rate is a constant base_lr/2 — set gamma, or '
                   'use lr_policy "fixed"', severity="info")
