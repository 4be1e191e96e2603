"""Filler (F405-F418), BatchNorm/MVN (B506-B511) and further solver rules (S131, S137, S138), in code order.

Register with `from .extra_pack import EXTRA_RULES` and `*EXTRA_RULES` in BUILTIN_RULES (or splice the
three lists into their series). Not here because existing rules already report the same thing:
S130 (base-lr-missing), S132 (decay-gamma-missing), S133 (step-without-stepsize), S134 (deprecated-field),
S135 (momentum-out-of-range), S136 (test-iter-without-interval) and F404 (gaussian-filler-std's error branch).
"""

from .fillers_extra import FILLER_EXTRA_RULES
from .normalization import NORMALIZATION_RULES
from .solver_extra import SOLVER_EXTRA_RULES

EXTRA_RULES = [*SOLVER_EXTRA_RULES, *FILLER_EXTRA_RULES, *NORMALIZATION_RULES]

__all__ = ["EXTRA_RULES", "FILLER_EXTRA_RULES", "NORMALIZATION_RULES", "SOLVER_EXTRA_RULES"]
