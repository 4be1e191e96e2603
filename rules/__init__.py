"""protolint's built-in rules: one module per rule (or per tight family), listed explicitly."""

from .deprecated_field import DeprecatedField
from .mixed_layer_formats import MixedLayerFormats
from .schema_checks import DuplicateField, InvalidValue, SyntaxError_, UnknownField
from .unknown_layer_type import UnknownLayerType

BUILTIN_RULES = [
    SyntaxError_,
    UnknownField,
    InvalidValue,
    DuplicateField,
    UnknownLayerType,
    MixedLayerFormats,
    DeprecatedField,
]
