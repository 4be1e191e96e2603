"""The layer-parameter rules L305-L377 (rules/layers_*.py), in code order, as one list to register.

Not here: the [shape] rules (L323, L325, L343, L360 — they need blob-shape inference), L319
pooling-global-pad-stride (pooling-global-with-kernel, L303, already reports pad/stride with
global pooling) and L340 normalize-deprecated (deprecated-field, P007, already reports
loss_param.normalize).
"""

from .layers_accuracy import ACCURACY_RULES
from .layers_blob import BLOB_RULES
from .layers_conv import CONV_RULES
from .layers_loss import LOSS_RULES
from .layers_loss_params import LOSS_PARAM_RULES
from .layers_lrn import LRN_RULES
from .layers_misc import MISC_RULES
from .layers_neuron import NEURON_RULES
from .layers_pooling import POOLING_RULES

LAYER_RULES = sorted(
    ACCURACY_RULES + BLOB_RULES + CONV_RULES + LOSS_RULES + LOSS_PARAM_RULES + LRN_RULES + MISC_RULES
    + NEURON_RULES + POOLING_RULES,
    key=lambda rule: rule.code,
)
