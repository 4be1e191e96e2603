"""Solver rules: SolverParameter settings that make Caffe abort, produce NaN or silently stop learning.

Facts are those of BVLC Caffe 9b89154 (KB section A); `file:line` citations refer to that commit.
Every rule reads the solver through `ctx.solver` (protolint.model.solver.Solver), whose `get()`
returns the written value or Caffe's proto default, and returns None for a value the schema
checker already rejected (such rules then stay silent).
"""

import difflib
import math

from protolint.diagnostics import Fix, TextEdit
from protolint.model.solver import LR_POLICIES, SOLVER_TYPE_NAMES, SOLVER_TYPES
from protolint.rule import Rule
from protolint.syntax.nodes import Field, Scalar

POLICY_LIST = "fixed, step, exp, inv, multistep, poly, sigmoid"
TYPE_LIST = "AdaDelta, AdaGrad, Adam, Nesterov, RMSProp, SGD"  # the order Caffe prints them in
FORK_POLICIES = frozenset("cosine multifixed triangular triangular2 plateau warmup".split())
ADAPTIVE_TYPES = ("AdaGrad", "RMSProp", "AdaDelta", "Adam")
GAMMA_CHECK_LINE = {"step": 35, "exp": 39, "inv": 42, "multistep": 53, "sigmoid": 61}  # CHECK_GE(gamma, 0)
FLT_MAX = 3.4028235e38


# ---------------------------------------------------------------------------------------------
# Helpers


class SolverRule(Rule):
    """A rule that looks at a solver file once: implement `check_solver(solver, ctx)`."""

    applies_to = ("solver",)

    def check(self, ctx):
        if ctx.kind == "solver" and ctx.solver is not None:
            self.check_solver(ctx.solver, ctx)

    def check_solver(self, solver, ctx):  # pragma: no cover - overridden
        pass


def number(solver, name):
    """The number Caffe uses for `name` (written or default); None if the written value is invalid."""
    value = solver.get(name)
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def policy(solver):
    """The lr_policy string ("" when unset); None when the written value is not a string."""
    value = solver.get("lr_policy")
    return value if isinstance(value, str) else None


def written(solver, name):
    """`name` as written (its source text), or `unset`."""
    node = solver.field(name)
    return node.value.source_text if node is not None and isinstance(node.value, Scalar) else "unset"


def fmt(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def int_values(solver, name) -> list[tuple[Scalar, int]]:
    """Every valid value of a repeated int field, in file order, with its node."""
    found = []
    for node in solver.root.all(name):
        for value in node.values():
            if isinstance(value, Scalar) and isinstance(value.value, int) and not isinstance(value.value, bool):
                found.append((value, value.value))
    return found


def count_values(solver, name) -> int:
    return sum(len(node.values()) for node in solver.root.all(name))


def report(ctx, node, message, **kwargs):
    """Report at a scalar field's value, a message field's name, or (node None) the file start."""
    if node is None:
        ctx.report(0, 0, message, **kwargs)
    elif isinstance(node, Field) and isinstance(node.value, Scalar):
        ctx.report(node.value.start, node.value.end, message, **kwargs)
    else:
        ctx.report_node(node, message, **kwargs)


def related(node, text):
    return [(node.name_start, node.name_end, text)] if node is not None else None


def suggest(value: str, known) -> str | None:
    """A case-insensitive match, else the closest spelling."""
    lowered = {k.lower(): k for k in known}
    exact = lowered.get(value.strip().lower())
    if exact:
        return exact
    close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.6)
    return close[0] if close else None


def case_fix(node, value: str, known) -> list[Fix] | None:
    """A safe fix when the value differs from a known name only in case or surrounding spaces."""
    match = {k.lower(): k for k in known}.get(value.strip().lower())
    if match is None or not isinstance(node.value, Scalar):
        return None
    return [Fix(f'Replace with "{match}"', [TextEdit(node.value.start, node.value.end, f'"{match}"')])]


def test_net_instances(solver) -> int | None:
    """How many test nets Caffe builds (solver.cpp:122-176), or None when the test_iter count
    makes it abort first (test-iter-count-mismatch)."""
    generic = solver.has("net") or solver.has("net_param")
    explicit = count_values(solver, "test_net") + count_values(solver, "test_net_param")
    iters = count_values(solver, "test_iter")
    if generic:
        return iters if iters >= explicit else None
    return explicit if iters == explicit else None


def first_decay_iteration(solver, lr_policy):
    """The iteration of the first decay within max_iter for step/exp/multistep; None if there is none."""
    max_iter = number(solver, "max_iter")
    bounded = max_iter is not None and max_iter > 0
    if lr_policy == "exp":
        return 1
    if lr_policy == "step":
        stepsize = number(solver, "stepsize")
        if stepsize is None or stepsize <= 0 or (bounded and stepsize >= max_iter):
            return None
        return stepsize
    if lr_policy == "multistep":
        values = int_values(solver, "stepvalue")
        if not values or (bounded and values[0][1] >= max_iter):
            return None
        return max(values[0][1], 0)
    return None


# ---------------------------------------------------------------------------------------------
# Learning-rate policy


class PolyWithoutMaxIter(SolverRule):
    code = "S101"
    name = "poly-without-max-iter"
    severity = "error"
    summary = 'lr_policy "poly" with max_iter unset or <= 0'
    what_it_does = (
        'Reports `lr_policy: "poly"` when `max_iter` is unset (0) or negative while `power` is non-zero.'
    )
    why_it_matters = (
        "The poly rate is base_lr * (1 - iter/max_iter)^power (sgd_solver.cpp:56-59) and nothing checks "
        "max_iter. With max_iter 0, iteration 0 computes 0/0 = NaN and later iterations 1 - inf, so the rate is "
        'NaN then inf (Caffe logs "lr = -nan", "lr = inf") and every weight is NaN after the first update '
        "(reproduced by running Caffe). `caffe train` runs zero iterations with max_iter 0, but pycaffe's "
        "`solver.step(n)` and C++ `Solver::Step(n)` ignore max_iter. A negative max_iter makes the rate grow "
        "instead of decaying."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "poly"\npower: 0.9'
    how_to_fix = (
        "Set `max_iter` to the total number of training iterations (the rate reaches 0 there). Do not step a "
        "poly solver past max_iter either: 1 - iter/max_iter turns negative and pow() of it is NaN."
    )
    version_notes = "The poly policy exists since rc2 (2015); older builds abort with \"Unknown learning rate policy\"."

    def check_solver(self, solver, ctx):
        max_iter, power = number(solver, "max_iter"), number(solver, "power")
        if policy(solver) != "poly" or max_iter is None or power is None or max_iter > 0 or power == 0:
            return
        if max_iter == 0:
            message = (f'lr_policy "poly" without max_iter (max_iter {written(solver, "max_iter")}): the rate is '
                       "base_lr*(1-iter/0)^power = NaN from iteration 0 (Caffe logs \"lr = -nan\", then \"lr = inf\") "
                       "and every weight is NaN after the first update — set max_iter")
        else:
            message = (f'lr_policy "poly" with max_iter {max_iter}: the rate base_lr*(1-iter/max_iter)^power grows '
                       "every iteration instead of decaying to 0 — set max_iter to the (positive) training length")
        report(ctx, solver.field("lr_policy"), message, related=related(solver.field("max_iter"), "max_iter here"))


class LrPolicyMissing(SolverRule):
    code = "S102"
    name = "lr-policy-missing"
    severity = "error"
    summary = "No lr_policy (or an empty one)"
    what_it_does = "Reports a solver without `lr_policy`, or with `lr_policy: \"\"`."
    why_it_matters = (
        "lr_policy has no default in caffe.proto, so an unset policy is the empty string, which matches no "
        'branch of SGDSolver::GetLearningRate and ends in LOG(FATAL) "Unknown learning rate policy: " '
        "(sgd_solver.cpp:66-67) — after the nets were built and the first forward/backward ran (reproduced by "
        "running Caffe). Every solver type derives from SGDSolver, so Adam, AdaDelta etc. need it too."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nmax_iter: 10000'
    how_to_fix = 'Set a policy: `lr_policy: "fixed"` for a constant rate, or "step", "multistep", "poly", "inv", "exp".'
    version_notes = "All Caffe versions."

    def check_solver(self, solver, ctx):
        if policy(solver) != "":
            return
        node = solver.field("lr_policy")
        state = 'is ""' if node is not None else "is not set"
        report(ctx, node, f'lr_policy {state}: Caffe aborts with "Unknown learning rate policy: " at the first update — '
               'set lr_policy (e.g. "fixed", "step", "poly")',
               related=None if node is not None else related(solver.field("base_lr"), "base_lr here"))


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
        '"Unknown learning rate policy: <name>" (sgd_solver.cpp:30-67), at the first update — after the nets were '
        'built and one forward/backward ran. "Step" or "POLY" are not accepted.'
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "Step"\ngamma: 0.1\nstepsize: 10000'
    how_to_fix = f"Use one of {POLICY_LIST}, spelled in lower case. A policy from a fork needs that fork's build."
    version_notes = (
        "multistep, poly and sigmoid exist since rc2 (2015); rc and older only know fixed, step, exp and inv. "
        "Forks add their own policies, which BVLC Caffe rejects."
    )

    def check_solver(self, solver, ctx):
        value = policy(solver)
        if not value or value in LR_POLICIES:
            return
        node = solver.field("lr_policy")
        guess = suggest(value, LR_POLICIES)
        if value.lower() in FORK_POLICIES:
            hint = f'; "{value}" exists only in Caffe forks — use one of {POLICY_LIST}'
        elif guess:
            hint = f'; did you mean "{guess}"?'
        else:
            hint = f"; use one of {POLICY_LIST}"
        report(ctx, node, f'unknown lr_policy "{value}": Caffe aborts with "Unknown learning rate policy: {value}" at the '
               f"first update{hint}", fixes=case_fix(node, value, LR_POLICIES))


class StepWithoutStepsize(SolverRule):
    code = "S104"
    name = "step-without-stepsize"
    severity = "error"
    summary = 'lr_policy "step"/"sigmoid" without stepsize > 0, or "multistep" without stepvalue'
    what_it_does = (
        'Reports `lr_policy: "step"` or `"sigmoid"` with `stepsize` unset (0) or negative (error), and '
        '`lr_policy: "multistep"` without any `stepvalue` (info).'
    )
    why_it_matters = (
        "step and sigmoid CHECK the step size at the first update: `CHECK_GT(this->param_.stepsize(), 0)` "
        '(sgd_solver.cpp:33 for step, :62 for sigmoid), so Caffe aborts with "Check failed: '
        'this->param_.stepsize() > 0 (0 vs. 0)" (reproduced by running Caffe). multistep only advances through '
        "its `stepvalue` list (sgd_solver.cpp:47-52); without one the rate never changes."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "step"\ngamma: 0.1\nmax_iter: 10000'
    how_to_fix = (
        "For step, set `stepsize` to the number of iterations between decays; for sigmoid it is the iteration "
        "where the rate reaches base_lr/2. For multistep, add one `stepvalue` per decay (increasing), or use "
        '`lr_policy: "fixed"` if a constant rate is meant.'
    )
    version_notes = "multistep and sigmoid exist since rc2 (2015)."

    def check_solver(self, solver, ctx):
        lr_policy, stepsize = policy(solver), number(solver, "stepsize")
        if lr_policy in ("step", "sigmoid") and stepsize is not None and stepsize <= 0:
            line = 33 if lr_policy == "step" else 62
            node = solver.field("stepsize") or solver.field("lr_policy")
            report(ctx, node, f'lr_policy "{lr_policy}" needs stepsize > 0 (stepsize {written(solver, "stepsize")}): Caffe '
                   f'aborts at the first update with "Check failed: this->param_.stepsize() > 0 ({stepsize} vs. 0)" '
                   f"(sgd_solver.cpp:{line}) — set stepsize")
        elif lr_policy == "multistep" and not solver.has("stepvalue"):
            report(ctx, solver.field("lr_policy"), 'lr_policy "multistep" without stepvalue: the rate never changes '
                   '(behaves like "fixed") — add stepvalue entries, one per decay', severity="info")


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
        "gamma and power have no default in caffe.proto, so they read 0. step, exp and multistep compute "
        "base_lr * gamma^k (sgd_solver.cpp:36-55): 0^0 = 1 before the first decay, then the rate is 0 and the "
        "net silently stops learning (reproduced by running Caffe for exp and multistep). inv computes "
        "base_lr * (1 + gamma*iter)^(-power) (sgd_solver.cpp:41-45), which is constant when either is 0; sigmoid "
        "with gamma 0 is a constant base_lr/2 (sgd_solver.cpp:63-65)."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "step"\nstepsize: 1000\nmax_iter: 5000'
    how_to_fix = (
        "Set gamma (0.1 is usual for step/multistep, 0.9999 or so for exp). For inv set both gamma and power "
        "(LeNet uses gamma 0.0001, power 0.75). If a constant rate is meant, write `lr_policy: \"fixed\"`."
    )
    version_notes = "All Caffe versions (multistep and sigmoid since rc2)."

    def check_solver(self, solver, ctx):
        lr_policy, gamma, power = policy(solver), number(solver, "gamma"), number(solver, "power")
        if gamma is None or power is None:
            return
        gamma_node = solver.field("gamma") or solver.field("lr_policy")
        if lr_policy in ("step", "exp", "multistep") and gamma == 0:
            first = first_decay_iteration(solver, lr_policy)
            if first is not None:
                report(ctx, gamma_node, f'lr_policy "{lr_policy}" without gamma (gamma {written(solver, "gamma")}): the rate '
                       f"is base_lr*0^k, so it becomes 0 at iteration {first} and training silently stops — set gamma "
                       "(e.g. 0.1)")
        elif lr_policy == "inv" and (gamma == 0 or power == 0):
            missing = " and ".join(n for n, v in (("gamma", gamma), ("power", power)) if v == 0)
            node = solver.field("gamma" if gamma == 0 else "power") or solver.field("lr_policy")
            report(ctx, node, f'lr_policy "inv" without {missing}: base_lr*(1+gamma*iter)^(-power) stays base_lr (behaves '
                   'like "fixed") — set both gamma and power (LeNet uses 0.0001 and 0.75)', severity="info")
        elif lr_policy == "sigmoid" and gamma == 0 and (number(solver, "stepsize") or 0) > 0:
            report(ctx, gamma_node, 'lr_policy "sigmoid" without gamma: the rate is a constant base_lr/2 — set gamma, or '
                   'use lr_policy "fixed"', severity="info")


class LrGrowth(SolverRule):
    code = "S106"
    name = "lr-growth"
    severity = "warning"
    summary = "A policy whose rate grows: gamma > 1, or a negative power"
    what_it_does = (
        "Reports gamma > 1 with step, exp or multistep (when a step happens within max_iter), and power < 0 "
        "with inv (gamma > 0) or poly. gamma == 1 (a constant rate) is not reported."
    )
    why_it_matters = (
        "The rate is base_lr * gamma^k for step/exp/multistep, base_lr * (1 + gamma*iter)^(-power) for inv and "
        "base_lr * (1 - iter/max_iter)^power for poly (sgd_solver.cpp:36-59). With these values it grows "
        "instead of decaying: exp with gamma > 1 overflows float after about ln(FLT_MAX/base_lr)/ln(gamma) "
        "iterations, and long before that the weights diverge to inf/NaN."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "exp"\ngamma: 1.001\nmax_iter: 100000'
    how_to_fix = "Use 0 < gamma < 1 for step/exp/multistep and power > 0 for inv/poly."
    version_notes = "All Caffe versions (poly and multistep since rc2)."

    def check_solver(self, solver, ctx):
        lr_policy, gamma, power = policy(solver), number(solver, "gamma"), number(solver, "power")
        if gamma is None or power is None:
            return
        if lr_policy in ("step", "exp", "multistep") and gamma > 1 and first_decay_iteration(solver, lr_policy) is not None:
            if lr_policy == "exp":
                base_lr = number(solver, "base_lr") or 0
                when = ""
                if base_lr > 0:
                    when = f" and overflows to inf after about {math.log(FLT_MAX / base_lr) / math.log(gamma):.0f} iterations"
                growth = f"is multiplied by {fmt(gamma)} every iteration{when}"
            elif lr_policy == "step":
                growth = f"is multiplied by {fmt(gamma)} every {number(solver, 'stepsize')} iterations"
            else:
                growth = f"is multiplied by {fmt(gamma)} at each stepvalue"
            report(ctx, solver.field("gamma"), f'gamma {written(solver, "gamma")} > 1 with lr_policy "{lr_policy}": the learning rate '
                   f"{growth} instead of decaying, which diverges to inf/NaN — use 0 < gamma < 1")
        elif power < 0 and ((lr_policy == "inv" and gamma > 0) or (lr_policy == "poly" and (number(solver, "max_iter") or 0) > 0)):
            formula = "(1+gamma*iter)^(-power)" if lr_policy == "inv" else "(1-iter/max_iter)^power"
            end = "without bound" if lr_policy == "inv" else "without bound as iter approaches max_iter (inf at the end)"
            report(ctx, solver.field("power"), f'power {written(solver, "power")} < 0 with lr_policy "{lr_policy}": base_lr*{formula} grows '
                   f"{end} instead of decaying, which diverges to inf/NaN — use power > 0")


class BaseLrMissing(SolverRule):
    code = "S107"
    name = "base-lr-missing"
    severity = "warning"
    summary = "base_lr unset, 0 or negative"
    what_it_does = "Reports `base_lr` unset or 0 (nothing learns) and a negative `base_lr` (gradient ascent)."
    why_it_matters = (
        "base_lr has no default in caffe.proto, so it reads 0. Every policy multiplies base_lr "
        "(sgd_solver.cpp:30-65) and each parameter's rate is that times its lr_mult (sgd_solver.cpp:228), so "
        "with 0 no weight ever changes — for every solver type, AdaDelta included. Nothing checks the sign: a "
        "negative rate climbs the loss (gradient ascent) until the weights diverge."
    )
    example = 'net: "train_val.prototxt"\nlr_policy: "fixed"\nmax_iter: 10000'
    how_to_fix = (
        "Set a positive base_lr (0.01 is a common start for SGD, 0.001 for Adam, 1.0 for AdaDelta). base_lr 0 "
        "is only useful for the \"lr 0\" sanity check of the forward pass."
    )
    version_notes = "All Caffe versions."

    def check_solver(self, solver, ctx):
        base_lr = number(solver, "base_lr")
        if base_lr is None or base_lr > 0:
            return
        node = solver.field("base_lr")
        if base_lr == 0:
            state = "is not set (it defaults to 0)" if node is None else "is 0"
            report(ctx, node, f"base_lr {state}: every update is multiplied by 0, so no weight ever changes — set base_lr "
                   '(0 is only useful for the "lr 0" forward-pass sanity check)')
        else:
            report(ctx, node, f"base_lr {written(solver, 'base_lr')} is negative: every update climbs the loss (gradient ascent) and the "
                   "weights diverge — use a positive base_lr")


# ---------------------------------------------------------------------------------------------
# Iterations, clipping, solver types


class IterSizeNonpositive(SolverRule):
    code = "S108"
    name = "iter-size-nonpositive"
    severity = "error"
    summary = "iter_size <= 0"
    what_it_does = "Reports `iter_size` of 0 or less (the default is 1)."
    why_it_matters = (
        "Nothing checks iter_size. Solver::Step runs forward/backward iter_size times and divides the loss by "
        "it (solver.cpp:230-233); SGDSolver::Normalize multiplies the gradients by 1/iter_size "
        "(sgd_solver.cpp:130-134). With 0 the loss is 0/0 = NaN and the gradients 0*inf = NaN, so every weight "
        "is NaN after the first update (reproduced by running Caffe). A negative value runs no forward/backward "
        "at all and nothing is learned."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"\niter_size: 0'
    how_to_fix = "Use iter_size 1 (no accumulation) or more (gradients accumulated over iter_size batches)."
    version_notes = "iter_size exists since rc3 (2015); older builds reject the field."

    def check_solver(self, solver, ctx):
        iter_size = number(solver, "iter_size")
        if iter_size is None or iter_size > 0:
            return
        if iter_size == 0:
            effect = "the loss and the gradients are divided by 0, so every weight is NaN after the first update"
        else:
            effect = "no forward/backward runs and nothing is learned"
        report(ctx, solver.field("iter_size"), f"iter_size {iter_size}: {effect} — use iter_size >= 1")


class ClipGradientsZero(SolverRule):
    code = "S109"
    name = "clip-gradients-zero"
    severity = "error"
    summary = "clip_gradients: 0 (every gradient is scaled to 0)"
    what_it_does = "Reports `clip_gradients: 0`. Negative values (the default -1) switch clipping off and are fine."
    why_it_matters = (
        "Clipping is on for any clip_gradients >= 0: when the global L2 norm of all gradients exceeds the "
        "threshold they are all scaled by threshold/norm (sgd_solver.cpp:87-106). With 0 that factor is 0 "
        "whenever any gradient is non-zero, so the parameters never change (reproduced by running Caffe: "
        "unchanged after 3 steps). Note that clipping never protects against NaN: NaN > c is false."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"\nclip_gradients: 0'
    how_to_fix = "Use a positive threshold (e.g. 10 or 35, typical for LSTMs), or remove the field to disable clipping."
    version_notes = "clip_gradients exists since rc2 (2015)."

    def check_solver(self, solver, ctx):
        if solver.has("clip_gradients") and number(solver, "clip_gradients") == 0:
            report(ctx, solver.field("clip_gradients"), "clip_gradients: 0 scales every gradient to 0, so the parameters "
                   "never change — use a positive threshold (e.g. 10) or remove it to disable clipping")


class SolverTypeUnknown(SolverRule):
    code = "S110"
    name = "solver-type-unknown"
    severity = "error"
    fixable = True
    summary = "A solver type Caffe has not registered"
    what_it_does = f"Checks `type` against Caffe's solver registry ({TYPE_LIST}; case-sensitive) and suggests the closest."
    why_it_matters = (
        "The solver factory looks the string up in its registry: `CHECK_EQ(registry.count(type), 1) << "
        '"Unknown solver type: "` (include/caffe/solver_factory.hpp:76), so `type: "adam"` aborts with '
        f'"Unknown solver type: adam (known types: {TYPE_LIST})" (reproduced by running Caffe). '
        "pycaffe's caffe.SGDSolver(...)/caffe.AdamSolver(...) choose the class in Python and ignore `type`; "
        "`caffe train` and caffe.get_solver(...) use it."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.001\nlr_policy: "fixed"\ntype: "adam"\nmomentum: 0.9'
    how_to_fix = f"Use the registered spelling: {TYPE_LIST}. A custom solver needs a build that registers it."
    version_notes = (
        "The string `type` and the registry exist since 2015-09 (rc3); older builds only have the "
        "`solver_type` enum (SGD, NESTEROV, ADAGRAD; RMSPROP, ADADELTA and ADAM arrived in rc3)."
    )

    def check_solver(self, solver, ctx):
        node = solver.field("type")
        value = solver.get("type")
        if node is None or not isinstance(value, str) or value in SOLVER_TYPES:
            return
        guess = suggest(value, SOLVER_TYPES) if value else None
        hint = f'; did you mean "{guess}"?' if guess else f"; use one of {TYPE_LIST}"
        report(ctx, node, f'unknown solver type "{value}": Caffe aborts when it creates the solver with "Unknown solver '
               f'type: {value} (known types: {TYPE_LIST})"{hint}', fixes=case_fix(node, value, SOLVER_TYPES))


class MomentumOutOfRange(SolverRule):
    code = "S111"
    name = "momentum-out-of-range"
    severity = "error"
    summary = "momentum (SGD/Nesterov/Adam beta1/AdaDelta rho) or Adam's momentum2 outside [0, 1)"
    what_it_does = (
        "Checks `momentum` for SGD, Nesterov, Adam (beta1) and AdaDelta (rho), and `momentum2` (beta2) for Adam. "
        "error: momentum > 1, Adam momentum == 1, Adam momentum2 > 1. warning: SGD/Nesterov/AdaDelta momentum "
        "== 1, any momentum < 0, Adam momentum2 == 1 or < 0. info: SGD/Nesterov momentum in (0.99, 1)."
    )
    why_it_matters = (
        "SGD keeps a velocity h = momentum*h + lr*g (sgd_solver.cpp:224-254): with momentum 1 it sums every past "
        "gradient, above 1 it grows geometrically to inf/NaN, below 0 it oscillates. Adam's bias correction is "
        "sqrt(1 - beta2^t)/(1 - beta1^t) with t = iter+1 (adam_solver.cpp:39-41): beta1 = 1 divides by 0 "
        "(NaN, reproduced by running Caffe), beta2 > 1 takes the square root of a negative number (NaN) and "
        "beta2 = 1 makes the correction 0 (no learning). AdaDelta averages with weights (1-momentum, momentum) "
        "(adadelta_solver.cpp:41-43): above 1 or below 0 the average of g^2 can turn negative and its square root is NaN."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.001\nlr_policy: "fixed"\ntype: "Adam"\nmomentum: 1.0'
    how_to_fix = (
        "Use 0 <= momentum < 1: 0.9 for SGD/Nesterov and Adam (beta1), 0.95 for AdaDelta; leave Adam's momentum2 "
        "at its default 0.999. A momentum above 0.99 needs a correspondingly smaller base_lr (the effective step "
        "is base_lr/(1-momentum))."
    )
    version_notes = "Adam and AdaDelta (and momentum2) exist since rc3 (2015)."

    def check_solver(self, solver, ctx):
        solver_type, momentum = solver.type, number(solver, "momentum")
        node = solver.field("momentum")
        if momentum is not None and node is not None and solver_type in ("SGD", "Nesterov", "Adam", "AdaDelta"):
            finding = self.momentum_finding(solver_type, momentum)
            if finding:
                severity, effect = finding
                name = {"Adam": "Adam momentum (beta1)", "AdaDelta": "AdaDelta momentum (rho)"}.get(solver_type, "momentum")
                typical = "0.95" if solver_type == "AdaDelta" else "0.9"
                report(ctx, node, f"{name} {written(solver, 'momentum')}: {effect} — use 0 <= momentum < 1 (typically {typical})",
                       severity=severity)
        momentum2 = number(solver, "momentum2")
        if solver_type == "Adam" and momentum2 is not None and not 0 <= momentum2 < 1:
            if momentum2 > 1:
                severity, effect = "error", "the bias correction takes sqrt(1 - momentum2^t) of a negative number = NaN at the first update"
            elif momentum2 == 1:
                severity, effect = "warning", "the bias correction sqrt(1 - 1^t) is 0, so every update is 0 and nothing is learned"
            else:
                severity, effect = "warning", "the second-moment average can turn negative and its square root is NaN"
            report(ctx, solver.field("momentum2"), f"Adam momentum2 (beta2) {written(solver, 'momentum2')}: {effect} — use "
                   "0 < momentum2 < 1 (default 0.999)", severity=severity)

    @staticmethod
    def momentum_finding(solver_type, momentum):
        if momentum < 0:
            effect = "a negative momentum makes the updates oscillate"
            if solver_type == "AdaDelta":
                effect = "the running average of g^2 can turn negative and its square root is NaN"
            return "warning", effect
        if momentum > 1:
            if solver_type == "AdaDelta":
                return "error", "the averaging weight 1-momentum is negative, the average of g^2 turns negative and its square root is NaN"
            if solver_type == "Adam":
                overflow = math.log(FLT_MAX) / math.log(momentum)
                return "error", (f"beta1^t in the bias correction overflows to inf after about {overflow:.0f} iterations "
                                 "(inf/inf = NaN), and until then the update follows the oldest gradients, not the newest")
            return "error", "the velocity momentum*h + lr*g grows geometrically, so the updates overflow to inf and the weights become NaN"
        if momentum == 1:
            if solver_type == "Adam":
                return "error", "the bias correction divides by 1 - 1^t = 0, so every weight is NaN after the first update"
            if solver_type == "AdaDelta":
                return "warning", ("the running averages never update, so AdaDelta degenerates to plain SGD at rate base_lr "
                                   "(usually 1.0, far too high for plain SGD)")
            return "warning", "the velocity never decays: it sums every past gradient and the updates grow until training diverges"
        if momentum > 0.99 and solver_type in ("SGD", "Nesterov"):
            return "info", f"the effective step is base_lr/(1-momentum) = {1 / (1 - momentum):.0f} x base_lr; this needs a much smaller base_lr"
        return None


class AdaptiveDeltaZero(SolverRule):
    code = "S112"
    name = "adaptive-delta-zero"
    severity = "error"
    summary = "delta <= 0 with AdaGrad, RMSProp, AdaDelta or Adam"
    what_it_does = "Reports `delta` of 0 or less for the adaptive solvers (SGD and Nesterov do not read it)."
    why_it_matters = (
        "delta (default 1e-8) keeps the adaptive update's denominator away from 0: AdaGrad and RMSProp divide by "
        "sqrt(history) + delta, AdaDelta by E[g^2] + delta (adadelta_solver.cpp:46-63), Adam by sqrt(v) + delta "
        "(adam_solver.cpp:62-69). With 0, any parameter whose gradient is 0 — dead ReLUs, unused branches, the "
        "first iteration of AdaDelta — computes 0/0 = NaN (reproduced by running Caffe for all four)."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"\ntype: "RMSProp"\nrms_decay: 0.98\ndelta: 0'
    how_to_fix = "Remove `delta` (default 1e-8) or use a small positive value such as 1e-8 (AdaDelta examples use 1e-6)."
    version_notes = "AdaGrad reads delta in all versions; RMSProp, AdaDelta and Adam exist since rc3 (2015)."

    def check_solver(self, solver, ctx):
        delta = number(solver, "delta")
        if solver.type in ADAPTIVE_TYPES and delta is not None and delta <= 0:
            report(ctx, solver.field("delta"), f"delta {written(solver, 'delta')} with {solver.type}: the update divides by "
                   "sqrt(history)+delta, so any parameter with a zero gradient gets 0/0 = NaN — use a small positive "
                   "delta (default 1e-8)")


class TestIterWithoutInterval(SolverRule):
    code = "S113"
    name = "test-iter-without-interval"
    severity = "error"
    summary = "Test nets without test_interval > 0 (or test_interval without a test net)"
    what_it_does = (
        "Reports a solver that creates test nets (test_iter with `net`/`net_param`, or test_net/test_net_param) "
        "while test_interval is unset or <= 0 (error); and test_interval > 0 when no test net exists (info)."
    )
    why_it_matters = (
        "InitTestNets requires `CHECK_GT(param_.test_interval(), 0)` as soon as one test net exists "
        '(solver.cpp:149-151): Caffe aborts at construction with "Check failed: param_.test_interval() > 0 '
        '(0 vs. 0)" (reproduced by running Caffe). Conversely, test nets come only from test_iter and '
        "test_net/test_net_param (solver.cpp:128-176): with `net:` but no test_iter, test_interval is ignored "
        "and nothing is ever tested."
    )
    example = 'net: "train_val.prototxt"\ntest_iter: 100\nbase_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 10000'
    how_to_fix = (
        "Set test_interval to the number of training iterations between test passes, or remove test_iter if no "
        "testing is wanted. With `net:`, each test_iter entry creates one test net."
    )
    version_notes = "All Caffe versions."

    def check_solver(self, solver, ctx):
        interval = number(solver, "test_interval")
        instances = test_net_instances(solver)
        if interval is None or instances is None:
            return
        if instances > 0 and interval <= 0:
            node = solver.field("test_interval") or (solver.root.first("test_iter") or solver.root.first("test_net")
                                                     or solver.root.first("test_net_param"))
            state = "unset" if not solver.has("test_interval") else str(interval)
            report(ctx, node, f"{instances} test net(s) but test_interval is {state}: Caffe aborts at construction with "
                   f'"Check failed: param_.test_interval() > 0 ({interval} vs. 0)" — set test_interval (iterations '
                   "between tests) or remove test_iter")
        elif instances == 0 and interval > 0 and not solver.has("test_iter"):
            report(ctx, solver.field("test_interval"), f"test_interval {interval} but the solver has no test net (no "
                   "test_iter / test_net): nothing is ever tested — add test_iter (with `net:`, one per test pass) or "
                   "remove test_interval", severity="info")


# ---------------------------------------------------------------------------------------------
# Further learning-rate checks


class GammaNegative(SolverRule):
    code = "S114"
    name = "gamma-negative"
    severity = "error"
    summary = "gamma < 0 with step, exp, inv, multistep or sigmoid"
    what_it_does = "Reports a negative `gamma` with a policy that reads it."
    why_it_matters = (
        "Each of these policies checks `CHECK_GE(this->param_.gamma(), 0)` at the first update "
        '(sgd_solver.cpp:35, 39, 42, 53, 61), so Caffe aborts with "Check failed: this->param_.gamma() >= 0" '
        "after the nets were built and one forward/backward ran."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "exp"\ngamma: -0.99'
    how_to_fix = "Use 0 < gamma < 1 for a decay (e.g. 0.1 for step, 0.9999 for exp)."
    version_notes = "All Caffe versions."

    def check_solver(self, solver, ctx):
        lr_policy, gamma = policy(solver), number(solver, "gamma")
        if lr_policy in GAMMA_CHECK_LINE and gamma is not None and gamma < 0:
            report(ctx, solver.field("gamma"), f'gamma {written(solver, "gamma")} is negative: lr_policy "{lr_policy}" aborts at the first '
                   f'update with "Check failed: this->param_.gamma() >= 0" (sgd_solver.cpp:{GAMMA_CHECK_LINE[lr_policy]}) '
                   "— use 0 < gamma < 1 for a decay")


class PolyPowerZero(SolverRule):
    code = "S115"
    name = "poly-power-zero"
    severity = "info"
    summary = 'lr_policy "poly" without power (a constant rate)'
    what_it_does = 'Reports `lr_policy: "poly"` with `power` unset or 0.'
    why_it_matters = (
        "power has no default in caffe.proto, so it reads 0, and base_lr * (1 - iter/max_iter)^0 = base_lr "
        '(sgd_solver.cpp:56-59): the policy silently behaves like "fixed" instead of decaying to 0 at max_iter.'
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "poly"\nmax_iter: 1000'
    how_to_fix = 'Set power (0.9 is common for segmentation, 0.5 for GoogLeNet, 1 for a linear decay), or use "fixed".'
    version_notes = "The poly policy exists since rc2 (2015)."

    def check_solver(self, solver, ctx):
        if policy(solver) == "poly" and number(solver, "power") == 0:
            report(ctx, solver.field("power") or solver.field("lr_policy"), f'lr_policy "poly" without power (power '
                   f'{written(solver, "power")}): the rate stays base_lr (behaves like "fixed") — set power (e.g. 0.9)')


class SigmoidIsRampup(SolverRule):
    code = "S116"
    name = "sigmoid-is-rampup"
    severity = "info"
    summary = 'lr_policy "sigmoid" increases the rate (it is a warm-up, not a decay)'
    what_it_does = 'Reports `lr_policy: "sigmoid"` with gamma > 0 and stepsize > 0.'
    why_it_matters = (
        "The rate is base_lr / (1 + exp(-gamma*(iter - stepsize))) and gamma must be >= 0 (CHECK, "
        "sgd_solver.cpp:60-65), so it rises from about 0 to base_lr around iteration `stepsize` — the "
        "comments in caffe.proto calling it a decay are wrong (reproduced by running Caffe: lr 0.0012, 0.0027, "
        "0.005, 0.0073...). Fine as a warm-up, surprising as a decay."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "sigmoid"\ngamma: 0.01\nstepsize: 5000'
    how_to_fix = 'If a decay was meant, use "step", "multistep", "poly" or "inv"; if a warm-up was meant, nothing.'
    version_notes = "The sigmoid policy exists since rc2 (2015)."

    def check_solver(self, solver, ctx):
        gamma, stepsize = number(solver, "gamma"), number(solver, "stepsize")
        if policy(solver) == "sigmoid" and gamma is not None and gamma > 0 and stepsize is not None and stepsize > 0:
            report(ctx, solver.field("lr_policy"), f'lr_policy "sigmoid" increases the rate from ~0 to base_lr around '
                   f"iteration {stepsize} (gamma must be >= 0, so it can never decay) — use step/multistep/poly for a decay")


class MultistepUnsorted(SolverRule):
    code = "S117"
    name = "multistep-unsorted"
    severity = "warning"
    summary = "multistep stepvalues not increasing (warning) or at/after max_iter (info)"
    what_it_does = (
        'For `lr_policy: "multistep"`, reports a `stepvalue` not greater than the one before it (warning) and '
        "the first stepvalue >= max_iter (info)."
    )
    why_it_matters = (
        "Caffe never validates the list: at each update it advances at most one step, when iter >= "
        "stepvalue[current_step] (sgd_solver.cpp:46-52). A value not greater than the previous one therefore "
        "fires one iteration after it, so two decays happen back to back. Training stops before iteration "
        "max_iter (solver.cpp:303), so steps at or after it never happen."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "multistep"\ngamma: 0.1\nstepvalue: 8000\nstepvalue: 5000\nmax_iter: 10000'
    how_to_fix = "List the stepvalues in increasing order and keep them below max_iter."
    version_notes = "The multistep policy exists since rc2 (2015)."

    def check_solver(self, solver, ctx):
        if policy(solver) != "multistep":
            return
        values = int_values(solver, "stepvalue")
        for (_, previous), (node, value) in zip(values, values[1:]):
            if value <= previous:
                ctx.report(node.start, node.end, f"stepvalue {value} is not greater than the previous {previous}: Caffe walks "
                           f"the list in order, one step per iteration at most, so this decay fires at iteration "
                           f"{previous + 1}, right after the previous one — sort the stepvalues in increasing order")
                break
        max_iter = number(solver, "max_iter")
        if max_iter is not None and max_iter > 0:
            for node, value in values:
                if value >= max_iter:
                    ctx.report(node.start, node.end, f"stepvalue {value} >= max_iter {max_iter}: training stops before "
                               "iteration max_iter, so this decay never happens — remove it or raise max_iter",
                               severity="info")
                    break


class MaxIterMissing(SolverRule):
    code = "S118"
    name = "max-iter-missing"
    severity = "warning"
    summary = "max_iter unset or <= 0 (caffe train runs no iteration)"
    what_it_does = 'Reports `max_iter` unset (0) or negative. Not reported when poly-without-max-iter already is.'
    why_it_matters = (
        "Solver::Solve steps max_iter - iter times (solver.cpp:303) and then, with snapshot_after_train "
        "(default true), writes a snapshot (solver.cpp:306-309): `caffe train` builds the nets, trains for zero "
        "iterations and saves the untrained weights as iteration 0."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"'
    how_to_fix = "Set max_iter to the number of training iterations. Ignore this if you drive the solver with pycaffe's solver.step(n)."
    version_notes = "All Caffe versions."

    def check_solver(self, solver, ctx):
        max_iter, power = number(solver, "max_iter"), number(solver, "power")
        if max_iter is None or max_iter > 0 or (policy(solver) == "poly" and power != 0):
            return
        state = "is not set (0)" if not solver.has("max_iter") else f"is {max_iter}"
        report(ctx, solver.field("max_iter"), f'max_iter {state}: "caffe train" runs zero iterations and only writes an '
               "iteration-0 snapshot — set max_iter (ignore this if you drive the solver with solver.step() from Python)")


# ---------------------------------------------------------------------------------------------
# Loss display, regularization


class AverageLossLt1(SolverRule):
    code = "S119"
    name = "average-loss-lt-1"
    severity = "error"
    summary = "average_loss < 1"
    what_it_does = "Reports `average_loss` below 1 (the default is 1)."
    why_it_matters = (
        'Solver::Init checks `CHECK_GE(param_.average_loss(), 1) << "average_loss should be non-negative."` '
        "(solver.cpp:48), so Caffe aborts at construction — with a misleading message, since 0 is rejected too "
        "(reproduced by running Caffe)."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"\naverage_loss: 0'
    how_to_fix = "Use 1 (no smoothing) or more (the displayed loss is averaged over that many iterations)."
    version_notes = "average_loss exists since rc2 (2015)."

    def check_solver(self, solver, ctx):
        average_loss = number(solver, "average_loss")
        if average_loss is not None and average_loss < 1:
            report(ctx, solver.field("average_loss"), f"average_loss {average_loss} must be >= 1: Caffe aborts at "
                   'construction with "average_loss should be non-negative" — use 1 or more')


class RegularizationTypeInvalid(SolverRule):
    code = "S120"
    name = "regularization-type-invalid"
    severity = "error"
    fixable = True
    summary = 'regularization_type other than exactly "L2" or "L1"'
    what_it_does = (
        'Reports a `regularization_type` that is not exactly "L2" or "L1": an error when weight_decay is '
        "non-zero, info while weight_decay is 0 (Caffe then never reads it)."
    )
    why_it_matters = (
        'SGDSolver::Regularize compares the string case-sensitively and otherwise calls LOG(FATAL) "Unknown '
        'regularization type: l2" (sgd_solver.cpp:160-185) — but only for parameters whose local decay '
        "(weight_decay x decay_mult) is non-zero, so a bad value is silent until weight decay is switched on "
        '(reproduced by running Caffe with "l2" and weight_decay 0.1).'
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"\nweight_decay: 0.0005\nregularization_type: "l2"'
    how_to_fix = 'Write "L2" (the default) or "L1", in upper case.'
    version_notes = "All Caffe versions."

    def check_solver(self, solver, ctx):
        value, weight_decay = solver.get("regularization_type"), number(solver, "weight_decay")
        if not isinstance(value, str) or value in ("L1", "L2") or weight_decay is None:
            return
        node = solver.field("regularization_type")
        fixes = case_fix(node, value, ("L1", "L2"))
        if weight_decay != 0:
            report(ctx, node, f'regularization_type "{value}" is not "L2" or "L1" (case-sensitive): Caffe aborts with '
                   f'"Unknown regularization type: {value}" at the first update — use "L2" or "L1"', fixes=fixes)
        else:
            report(ctx, node, f'regularization_type "{value}" is not "L2" or "L1" (case-sensitive): ignored while '
                   'weight_decay is 0, but Caffe aborts as soon as weight decay is set — use "L2" or "L1"',
                   fixes=fixes, severity="info")


class WeightDecayNegative(SolverRule):
    code = "S121"
    name = "weight-decay-negative"
    severity = "warning"
    summary = "weight_decay < 0"
    what_it_does = "Reports a negative `weight_decay`."
    why_it_matters = (
        "The local decay weight_decay x decay_mult is added to the gradient with its sign "
        "(sgd_solver.cpp:160-180); negative, it pushes every weight away from 0 each step, so weights grow until "
        "they overflow."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"\nweight_decay: -0.0005'
    how_to_fix = "Use weight_decay >= 0 (0.0005 is common; 0 switches regularization off)."
    version_notes = "All Caffe versions."

    def check_solver(self, solver, ctx):
        weight_decay = number(solver, "weight_decay")
        if weight_decay is not None and weight_decay < 0:
            report(ctx, solver.field("weight_decay"), f"weight_decay {written(solver, 'weight_decay')} is negative: weights are pushed "
                   "away from 0 every step and grow until they overflow — use weight_decay >= 0")


# ---------------------------------------------------------------------------------------------
# Per-solver-type constraints


class MomentumWithAdagradOrRmsprop(SolverRule):
    code = "S122"
    name = "momentum-with-adagrad-or-rmsprop"
    severity = "error"
    summary = "momentum set with AdaGrad or RMSProp"
    what_it_does = 'Reports a non-zero `momentum` with `type: "AdaGrad"` or `type: "RMSProp"`.'
    why_it_matters = (
        "Both constructors check `CHECK_EQ(0, this->param_.momentum())` (include/caffe/sgd_solvers.hpp:76 "
        'for AdaGrad, :96 for RMSProp), so Caffe aborts with "Momentum cannot be used with RMSProp." before '
        "training starts (reproduced by running Caffe with momentum 0.9)."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"\ntype: "RMSProp"\nmomentum: 0.9'
    how_to_fix = "Remove momentum (or write momentum: 0). For momentum plus adaptive rates use Adam."
    version_notes = "AdaGrad has had the check in all versions; RMSProp exists since rc3 (2015)."

    def check_solver(self, solver, ctx):
        momentum = number(solver, "momentum")
        if solver.type in ("AdaGrad", "RMSProp") and momentum is not None and momentum != 0:
            report(ctx, solver.field("momentum"), f"{solver.type} does not take momentum: Caffe aborts with \"Momentum "
                   f'cannot be used with {solver.type}." — remove momentum (use Adam for momentum with adaptive rates)')


class RmsDecayOutOfRange(SolverRule):
    code = "S123"
    name = "rms-decay-out-of-range"
    severity = "error"
    summary = "RMSProp rms_decay outside [0, 1)"
    what_it_does = 'Reports `rms_decay` below 0 or at least 1 with `type: "RMSProp"`.'
    why_it_matters = (
        "The RMSProp constructor checks 0 <= rms_decay < 1 (include/caffe/sgd_solvers.hpp:98-101) and "
        'aborts with "rms_decay should lie between 0 and 1." before training starts.'
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"\ntype: "RMSProp"\nrms_decay: 1.0'
    how_to_fix = "Use a value in [0, 1), e.g. 0.98 (the default is 0.99)."
    version_notes = "RMSProp exists since rc3 (2015)."

    def check_solver(self, solver, ctx):
        rms_decay = number(solver, "rms_decay")
        if solver.type == "RMSProp" and rms_decay is not None and not 0 <= rms_decay < 1:
            report(ctx, solver.field("rms_decay"), f"rms_decay {written(solver, 'rms_decay')} is outside [0, 1): Caffe aborts with "
                   '"rms_decay should lie between 0 and 1." — use e.g. 0.98')


class AdaptiveMomentumUnset(SolverRule):
    code = "S124"
    name = "adaptive-momentum-unset"
    severity = "warning"
    summary = "Adam or AdaDelta without momentum (their beta1 / rho)"
    what_it_does = 'Reports `type: "Adam"` or `type: "AdaDelta"` with `momentum` unset or 0.'
    why_it_matters = (
        "Adam reads beta1 from `momentum` (adam_solver.cpp:30) and AdaDelta its decay rate rho "
        "(adadelta_solver.cpp:30). momentum has no default, so it is 0: Adam then keeps no first-moment average "
        "(not the usual beta1 = 0.9 of other frameworks) and AdaDelta keeps no running averages — both run, but "
        "not as the algorithm intends."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.001\nlr_policy: "fixed"\ntype: "Adam"'
    how_to_fix = "Set momentum: 0.9 for Adam (examples/mnist/lenet_solver_adam.prototxt) or 0.95 for AdaDelta."
    version_notes = "Adam and AdaDelta exist since rc3 (2015)."

    def check_solver(self, solver, ctx):
        if solver.type in ("Adam", "AdaDelta") and number(solver, "momentum") == 0:
            what = "beta1" if solver.type == "Adam" else "decay rate rho"
            effect = "Adam runs without a first-moment average" if solver.type == "Adam" else "AdaDelta keeps no running averages"
            typical = "0.9" if solver.type == "Adam" else "0.95"
            report(ctx, solver.field("momentum") or solver.type_field, f'{solver.type} reads its {what} from "momentum", '
                   f"which is {'0' if solver.has('momentum') else 'unset (0)'}: {effect} — set momentum: {typical}")


# ---------------------------------------------------------------------------------------------
# Nets and test scheduling


class TrainNetSpecCount(SolverRule):
    code = "S125"
    name = "train-net-spec-count"
    severity = "error"
    summary = "Not exactly one of net, net_param, train_net, train_net_param"
    what_it_does = "Reports a solver that names no training net, or more than one (net, net_param, train_net, train_net_param)."
    why_it_matters = (
        "Solver::InitTrainNet counts the four fields and checks CHECK_GE(num_train_nets, 1) \"SolverParameter "
        'must specify a train net..." and CHECK_LE(num_train_nets, 1) (solver.cpp:79-85); `net` together with '
        "`net_param` is rejected again at solver.cpp:126-127. Caffe aborts at construction."
    )
    example = 'net: "train_val.prototxt"\ntrain_net: "train.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"'
    how_to_fix = (
        "Keep one: `net` (one file with TRAIN and TEST layers, also reused for testing) or `train_net` plus "
        "`test_net` files (or their inline *_param forms)."
    )
    version_notes = "All Caffe versions with the generic `net` field (since 2014)."

    NAMES = ("net", "net_param", "train_net", "train_net_param")

    def check_solver(self, solver, ctx):
        present = sorted((solver.root.first(n) for n in self.NAMES if solver.has(n)), key=lambda f: f.start)
        if len(present) == 1:
            return
        if not present:
            report(ctx, None, "the solver names no training net: Caffe aborts at construction with \"SolverParameter must "
                   'specify a train net using one of these fields: net, net_param, train_net, train_net_param" — add net: "..."')
        else:
            names = ", ".join(f.name for f in present)
            report(ctx, present[1], f"the solver names {len(present)} training nets ({names}): Caffe aborts at construction "
                   '("must not contain more than one of these fields specifying a train_net") — keep exactly one',
                   related=related(present[0], f"first training net: {present[0].name}"))


class TestIterCountMismatch(SolverRule):
    code = "S126"
    name = "test-iter-count-mismatch"
    severity = "error"
    summary = "The number of test_iter values does not fit the test nets"
    what_it_does = (
        "Without `net`/`net_param`, the number of test_iter values must equal the number of test_net + "
        "test_net_param entries; with one, it must be at least that number (each extra value tests another "
        "copy of the generic net). Reports a solver where it is not."
    )
    why_it_matters = (
        "Solver::InitTestNets checks CHECK_GE (generic net) or CHECK_EQ (otherwise) of test_iter_size against "
        'the number of test nets, "test_iter must be specified for each test network." (solver.cpp:131-137), '
        "and aborts at construction. A train_net is never reused for testing."
    )
    example = 'train_net: "train.prototxt"\ntest_net: "test.prototxt"\ntest_interval: 1000\nbase_lr: 0.01\nlr_policy: "fixed"'
    how_to_fix = "Give one test_iter per test net (test_iter x test batch size should cover the test set)."
    version_notes = "All Caffe versions."

    def check_solver(self, solver, ctx):
        if test_net_instances(solver) is not None:
            return
        explicit = count_values(solver, "test_net") + count_values(solver, "test_net_param")
        iters = count_values(solver, "test_iter")
        node = solver.root.first("test_iter") or solver.root.first("test_net") or solver.root.first("test_net_param")
        if explicit == 0:
            detail = "but no test_net: only `net`/`net_param` are reused for testing, a train_net never is"
        else:
            detail = f"for {explicit} test net(s)"
        report(ctx, node, f"{iters} test_iter value(s) {detail}: Caffe aborts at construction with \"test_iter must be "
               'specified for each test network." — give one test_iter per test net')


class TestStateCountMismatch(SolverRule):
    code = "S127"
    name = "test-state-count-mismatch"
    severity = "error"
    summary = "test_state given, but not once per test net"
    what_it_does = "Reports `test_state` entries whose number differs from the number of test nets Caffe builds."
    why_it_matters = (
        'Solver::InitTestNets checks CHECK_EQ(test_state_size, number of test nets) "test_state must be '
        'unspecified or specified once per test net." (solver.cpp:145-148) and aborts at construction.'
    )
    example = ('net: "train_val.prototxt"\ntest_iter: 100\ntest_iter: 600\ntest_interval: 500\n'
               'test_state { stage: "test-on-test-set" }\nbase_lr: 0.01\nlr_policy: "fixed"')
    how_to_fix = "Give one test_state per test net (with `net:`, per test_iter value), or none."
    version_notes = "All Caffe versions."

    def check_solver(self, solver, ctx):
        states = solver.root.all("test_state")
        instances = test_net_instances(solver)
        if states and instances is not None and len(states) != instances:
            ctx.report_node(states[0], f"{len(states)} test_state entries for {instances} test net(s): Caffe aborts with "
                            '"test_state must be unspecified or specified once per test net." — give one per test net')


class SolverTypeAndType(SolverRule):
    code = "S128"
    name = "solver-type-and-type"
    severity = "error"
    summary = "Both the deprecated solver_type and type are set"
    what_it_does = "Reports a solver that sets both the `solver_type` enum and the `type` string."
    why_it_matters = (
        "When Caffe reads a solver file it upgrades solver_type to type and refuses both: `CHECK(!has_solver_type() "
        '|| !has_type())` "old solver_type field (enum) and new type field (string) cannot be both specified" '
        "(src/caffe/util/upgrade_proto.cpp:1043; reproduced by running Caffe)."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.001\nlr_policy: "fixed"\nsolver_type: ADAM\ntype: "Adam"'
    how_to_fix = "Keep only `type` (the string form)."
    version_notes = "The string `type` exists since rc3 (2015); before it, only solver_type existed."

    def check_solver(self, solver, ctx):
        if solver.has("solver_type") and solver.has("type"):
            old = solver.get("solver_type")
            keep = f' (type: "{SOLVER_TYPE_NAMES[old]}")' if old in SOLVER_TYPE_NAMES else ""
            report(ctx, solver.field("solver_type"), f"both solver_type ({old}) and type are set: Caffe refuses to read the "
                   'solver ("old solver_type field (enum) and new type field (string) cannot be both specified") — '
                   f"keep only type{keep}",
                   related=related(solver.field("type"), "type here"))


class SolverModeImplicit(SolverRule):
    code = "S129"
    name = "solver-mode-implicit"
    severity = "info"
    summary = "solver_mode not written: caffe train runs on the CPU"
    what_it_does = "Reports a solver without `solver_mode`."
    why_it_matters = (
        "The proto default is GPU, but `caffe train` uses the solver's mode only when the field is written: "
        "`solver_param.has_solver_mode() && solver_mode() == GPU` (tools/caffe.cpp:183-192); otherwise, "
        'without --gpu, it logs "Use CPU." and trains on the CPU (reproduced by running Caffe). pycaffe '
        "ignores solver_mode (call caffe.set_mode_gpu())."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "fixed"\nmax_iter: 10000'
    how_to_fix = "Write `solver_mode: GPU` (or CPU) explicitly, or always pass --gpu to caffe train."
    version_notes = "rc3 and older used the proto default (GPU) when the field was absent; rc4 and later need it written."

    def check_solver(self, solver, ctx):
        if not solver.has("solver_mode"):
            report(ctx, None, 'solver_mode is not set: the proto default is GPU, but "caffe train" without --gpu only uses '
                   "the GPU when solver_mode: GPU is written — it will train on the CPU")


SOLVER_RULES = [
    PolyWithoutMaxIter,
    LrPolicyMissing,
    LrPolicyUnknown,
    StepWithoutStepsize,
    DecayGammaMissing,
    LrGrowth,
    BaseLrMissing,
    IterSizeNonpositive,
    ClipGradientsZero,
    SolverTypeUnknown,
    MomentumOutOfRange,
    AdaptiveDeltaZero,
    TestIterWithoutInterval,
    GammaNegative,
    PolyPowerZero,
    SigmoidIsRampup,
    MultistepUnsorted,
    MaxIterMissing,
    AverageLossLt1,
    RegularizationTypeInvalid,
    WeightDecayNegative,
    MomentumWithAdagradOrRmsprop,
    RmsDecayOutOfRange,
    AdaptiveMomentumUnset,
    TrainNetSpecCount,
    TestIterCountMismatch,
    TestStateCountMismatch,
    SolverTypeAndType,
    SolverModeImplicit,
]
