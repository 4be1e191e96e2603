"""S103 lr-policy-unknown: an lr_policy Caffe does not know."""

from __future__ import annotations

from protolint.model.solver import LR_POLICIES
from protolint.rule import SolverRule
from protolint.suggest import closest

from ._helpers import case_fix


POLICY_LIST = "fixed, step, exp, inv, multistep, poly, sigmoid"


FORK_POLICIES = frozenset("cosine multifixed triangular triangular2 plateau warmup".split())


class LrPolicyUnknown(SolverRule):
    code = "S103"
    name = "lr-policy-unknown"
    severity = "error"
    fixable = True
    summary = "An lr_policy Caffe does not know"
    what_it_does = (
        f"Reports an `lr_policy` that is not exactly one of {POLICY_LIST} (case-sensitive) and suggests the "
        "closest one. Fork-only policies (cosine, multifixed, triangular, plateau, warmup...) are named as such."
    )
    why_it_matters = (
        "SGDSolver::GetLearningRate compares the string exactly and otherwise calls LOG(FATAL) "
        "\"Unknown learning rate policy: <name>\" at the first update — after the nets were "
        'built and one forward/backward ran. "Step" or "POLY" are not accepted.'
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "Step"\ngamma: 0.1\nstepsize: 10000'
    how_to_fix = f"Use one of {POLICY_LIST}, spelled in lower case. A policy from a fork needs that fork's build."
    version_notes = (
        "multistep, poly and sigmoid exist since rc2 (2015); rc and older only know fixed, step, exp and inv. "
        "Forks add their own policies, which BVLC Caffe rejects. With a fork's schema (--proto), a policy that is "
        "not a near-miss of a known one is a warning (declare it with `extra-lr-policies`); the policies of a "
        "recognised fork (e.g. SSD's plateau, Intel's multifixed) are known."
    )
    references = (
        "src/caffe/solvers/sgd_solver.cpp:27-70 (SGDSolver::GetLearningRate: exact comparison of lr_policy, "
        "LOG(FATAL) for any other)",
    )

    def check_solver(self, solver, ctx):
        value = solver.policy
        known = ctx.known_names("lr_policies")
        if not value or value in known:
            return
        node = solver.field("lr_policy")
        guess = closest(value, known)
        undeclared = None if guess else ctx.undeclared("lr_policies", value, known)
        if undeclared:  # a fork's schema: its solver may know the policy
            ctx.report_value(node, f'unknown lr_policy "{value}": {undeclared} at the first update with "Unknown learning '
                             f'rate policy: {value}"', severity="warning")
            return
        if value.lower() in FORK_POLICIES:
            hint = f'; "{value}" exists only in Caffe forks — use one of {POLICY_LIST}'
        elif guess:
            hint = f'; did you mean "{guess}"?'
        else:
            hint = f"; use one of {POLICY_LIST}"
        ctx.report_value(node, f'unknown lr_policy "{value}": Caffe aborts with "Unknown learning rate policy: {value}" at the '
               f"first update{hint}", fixes=case_fix(node, value, LR_POLICIES))
