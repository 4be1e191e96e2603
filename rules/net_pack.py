"""The net-structure (N207-N227) and data/input (D601-D619) rules, in code order, for registration:

    from .net_pack import DATA_RULES, NET_RULES

Rules tagged [shape] in the spec (N228 blob-dim-nonpositive, D609 crop-larger-than-input) need
shape inference and are not here; N201-N206 and N210 exist elsewhere (rules/net_graph.py,
mixed_layer_formats.py = P006, unknown_layer_type.py = P005).
"""

from .data_input import DATA_RULES
from .net_backward import BACKWARD_RULES
from .net_params import PARAM_RULES
from .net_structure import STRUCTURE_RULES
from .net_versions import VERSION_RULES

NET_RULES = sorted(STRUCTURE_RULES + BACKWARD_RULES + PARAM_RULES + VERSION_RULES, key=lambda rule: rule.code)

__all__ = ["NET_RULES", "DATA_RULES"]
