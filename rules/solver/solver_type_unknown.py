"""S110 solver-type-unknown: A solver type Caffe has not registered."""

from __future__ import annotations

from protolint.model.solver import SOLVER_TYPES
from protolint.rule import SolverRule
from protolint.suggest import closest

from ._helpers import case_fix


TYPE_LIST = "AdaDelta, AdaGrad, Adam, Nesterov, RMSProp, SGD"  # the order Caffe prints them in


class SolverTypeUnknown(SolverRule):
    code = "S110"
    name = "solver-type-unknown"
    severity = "error"
    fixable = True
    summary = "A solver type Caffe has not registered"
    what_it_does = f"Checks `type` against Caffe's solver registry ({TYPE_LIST}; case-sensitive) and suggests the closest."
    why_it_matters = (
        "The solver factory looks the string up in its registry: `CHECK_EQ(registry.count(type), 1) << "
        '"Unknown solver type: "`, so `type: "adam"` aborts with '
        f'"Unknown solver type: adam (known types: {TYPE_LIST})" (reproduced by running Caffe). '
        "pycaffe's caffe.SGDSolver(...)/caffe.AdamSolver(...) choose the class in Python and ignore `type`; "
        "`caffe train` and caffe.get_solver(...) use it."
    )
    example = 'net: "train_val.prototxt"\nbase_lr: 0.001\nlr_policy: "fixed"\ntype: "adam"\nmomentum: 0.9'
    how_to_fix = f"Use the registered spelling: {TYPE_LIST}. A custom solver needs a build that registers it."
    version_notes = (
        "The string `type` and the registry exist since 2015-09 (rc3); older builds only have the "
        "`solver_type` enum (SGD, NESTEROV, ADAGRAD; RMSPROP, ADADELTA and ADAM arrived in rc3). With a fork's schema (--proto), a type that is not a near-miss "
        "of a known one is a warning (declare it with `extra-solver-types`)."
    )
    references = (
        "include/caffe/solver_factory.hpp:73-79 (SolverRegistry::CreateSolver: CHECK_EQ(registry.count(type), 1))",
    )

    def check_solver(self, solver, ctx):
        node = solver.field("type")
        value = solver.get("type")
        known = ctx.known_names("solver_types")
        if node is None or not isinstance(value, str) or value in known:
            return
        guess = closest(value, known) if value else None
        undeclared = None if guess or not value else ctx.undeclared("solver_types", value, known)
        if undeclared:  # a fork's schema: its C++ may register the solver
            ctx.report_value(node, f'unknown solver type "{value}": {undeclared} when it creates the solver with '
                             f'"Unknown solver type: {value}"', severity="warning")
            return
        hint = f'; did you mean "{guess}"?' if guess else f"; use one of {TYPE_LIST}"
        ctx.report_value(node, f'unknown solver type "{value}": Caffe aborts when it creates the solver with "Unknown solver '
               f'type: {value} (known types: {TYPE_LIST})"{hint}', fixes=case_fix(node, value, SOLVER_TYPES))
