"""protolint's built-in rules: one module per rule (or per tight family), listed explicitly."""

from .batchnorm import (
    BatchNormEpsNonpositive,
    BatchNormGlobalStatsInTrain,
    BatchNormMovingAverageFraction,
    BatchNormParamLrNonzero,
    BatchNormWithoutScale,
)
from .deprecated_field import DeprecatedField
from .extra_pack import EXTRA_RULES
from .fillers import GaussianFillerStd, MissingBiasFiller, MissingWeightFiller
from .infogain_input import InfogainInput
from .layer_pack import LAYER_RULES
from .mixed_layer_formats import MixedLayerFormats
from .net_file_not_found import NetFileNotFound
from .net_pack import DATA_RULES, NET_RULES
from .net_graph import DuplicateLayerName, DuplicateTop, InplaceOnSharedBlob, LayerPhaseField, UnknownBottom
from .pooling import PoolingGlobalWithKernel, PoolingPadGeKernel, PoolingStrideExceedsKernel
from .shape_rules import SHAPE_RULES
from .solver_rules import SOLVER_RULES
from .suppression_checks import InvalidSuppression, UnusedSuppression
from .schema_checks import DuplicateField, InvalidValue, SyntaxError_, UnknownField, UnknownRootMessage
from .unknown_layer_type import UnknownLayerType

BUILTIN_RULES = [
    # P: what protobuf's parser and Caffe's layer registry reject
    SyntaxError_,
    UnknownField,
    InvalidValue,
    DuplicateField,
    UnknownLayerType,
    MixedLayerFormats,
    DeprecatedField,
    UnknownRootMessage,
    # S: solver
    *SOLVER_RULES,
    NetFileNotFound,
    # N: net wiring
    UnknownBottom,
    DuplicateTop,
    InplaceOnSharedBlob,
    DuplicateLayerName,
    LayerPhaseField,
    *NET_RULES,
    # L: layer parameters
    PoolingStrideExceedsKernel,
    PoolingPadGeKernel,
    PoolingGlobalWithKernel,
    InfogainInput,
    *LAYER_RULES,
    # F: fillers
    MissingWeightFiller,
    MissingBiasFiller,
    GaussianFillerStd,
    # B: BatchNorm
    BatchNormGlobalStatsInTrain,
    BatchNormParamLrNonzero,
    BatchNormEpsNonpositive,
    BatchNormMovingAverageFraction,
    BatchNormWithoutScale,
    # shapes as Caffe sets them up (N228, L323, L325, L343, L360, D609)
    *SHAPE_RULES,
    # D: data and input layers
    *DATA_RULES,
    # more solver, filler and normalization checks (S13x, F4xx, B5xx)
    *EXTRA_RULES,
    # X: suppression comments
    UnusedSuppression,
    InvalidSuppression,
]
