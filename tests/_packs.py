"""Temporary: the old rule lists by code range, until the rule tests move to fixtures."""
from protolint.rules import BUILTIN_RULES

_BY_CODE = {r.code: r for r in BUILTIN_RULES}


def by_prefix(*prefixes, exclude=()):
    return [r for r in BUILTIN_RULES if r.code.startswith(prefixes) and r.code not in exclude]


SHAPE = ("N228", "L323", "L325", "L343", "L360", "D609")
DATA_RULES = by_prefix("D", exclude=SHAPE)
NET_RULES = [r for r in by_prefix("N") if "N207" <= r.code <= "N227"]
LAYER_RULES = [r for r in by_prefix("L") if r.code >= "L305" and r.code not in SHAPE]
EXTRA_RULES = ([_BY_CODE[c] for c in ("S131", "S137", "S138")] + [r for r in by_prefix("F") if r.code >= "F405"]
               + [r for r in by_prefix("B") if r.code >= "B506"])
SOLVER_RULES = [r for r in by_prefix("S") if r.code <= "S129"]
SHAPE_RULES = [_BY_CODE[c] for c in SHAPE]
TestIterWithoutInterval = _BY_CODE["S113"]
