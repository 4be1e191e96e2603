"""The built-in rules, in code order, and the codes kept out of use (`RESERVED`, with why, so that a
code is never given a second meaning). Importing this module imports every rule: only the
composition root (protolint.api) and tools that document or test every rule do; a lint imports a
rule only when it can report on the file (see protolint.registry.RuleSummary).
"""

from __future__ import annotations

from .parse.syntax_error import SyntaxError_
from .parse.unknown_field import UnknownField
from .parse.invalid_value import InvalidValue
from .parse.duplicate_field import DuplicateField
from .parse.unknown_layer_type import UnknownLayerType
from .parse.mixed_layer_formats import MixedLayerFormats
from .parse.deprecated_field import DeprecatedField
from .parse.unknown_root_message import UnknownRootMessage
from .parse.fork_schema_needed import ForkSchemaNeeded
from .solver.poly_without_max_iter import PolyWithoutMaxIter
from .solver.lr_policy_missing import LrPolicyMissing
from .solver.lr_policy_unknown import LrPolicyUnknown
from .solver.step_without_stepsize import StepWithoutStepsize
from .solver.decay_gamma_missing import DecayGammaMissing
from .solver.lr_growth import LrGrowth
from .solver.base_lr_missing import BaseLrMissing
from .solver.iter_size_nonpositive import IterSizeNonpositive
from .solver.clip_gradients_zero import ClipGradientsZero
from .solver.solver_type_unknown import SolverTypeUnknown
from .solver.momentum_out_of_range import MomentumOutOfRange
from .solver.adaptive_delta_zero import AdaptiveDeltaZero
from .solver.test_iter_without_interval import TestIterWithoutInterval
from .solver.gamma_negative import GammaNegative
from .solver.poly_power_zero import PolyPowerZero
from .solver.sigmoid_is_rampup import SigmoidIsRampup
from .solver.multistep_unsorted import MultistepUnsorted
from .solver.max_iter_missing import MaxIterMissing
from .solver.average_loss_lt_1 import AverageLossLt1
from .solver.regularization_type_invalid import RegularizationTypeInvalid
from .solver.weight_decay_negative import WeightDecayNegative
from .solver.momentum_with_adagrad_or_rmsprop import MomentumWithAdagradOrRmsprop
from .solver.rms_decay_out_of_range import RmsDecayOutOfRange
from .solver.adaptive_momentum_unset import AdaptiveMomentumUnset
from .solver.train_net_spec_count import TrainNetSpecCount
from .solver.test_iter_count_mismatch import TestIterCountMismatch
from .solver.test_state_count_mismatch import TestStateCountMismatch
from .solver.solver_type_and_type import SolverTypeAndType
from .solver.solver_mode_implicit import SolverModeImplicit
from .solver.base_lr_high import BaseLrHigh
from .solver.generic_net_no_test_iter import GenericNetNoTestIter
from .solver.snapshot_prefix_dir_missing import SnapshotPrefixDirMissing
from .solver.net_file_not_found import NetFileNotFound
from .net.unknown_bottom import UnknownBottom
from .net.duplicate_top import DuplicateTop
from .net.inplace_on_shared_blob import InplaceOnSharedBlob
from .net.duplicate_layer_name import DuplicateLayerName
from .net.layer_phase_field import LayerPhaseField
from .net.inline_net_legacy_syntax import InlineNetLegacySyntax
from .net.legacy_v1_syntax import LegacyV1Syntax
from .net.legacy_v0_syntax import LegacyV0Syntax
from .net.layer_blob_count import LayerBlobCount
from .net.include_and_exclude import IncludeAndExclude
from .net.net_state_in_file import NetStateInFile
from .net.empty_phase_net import EmptyPhaseNet
from .net.inplace_not_allowed import InplaceNotAllowed
from .net.propagate_down_count import PropagateDownCount
from .net.loss_weight_count import LossWeightCount
from .net.no_loss_in_train_net import NoLossInTrainNet
from .net.force_backward_nondifferentiable import ForceBackwardNondifferentiable
from .net.nondifferentiable_in_loss_path import NondifferentiableInLossPath
from .net.too_many_param_specs import TooManyParamSpecs
from .net.shared_param_mismatch import SharedParamMismatch
from .net.lr_mult_negative import LrMultNegative
from .net.layer_frozen import LayerFrozen
from .net.train_test_param_mismatch import TrainTestParamMismatch
from .net.test_layer_not_in_train import TestLayerNotInTrain
from .net.field_requires_newer_caffe import FieldRequiresNewerCaffe
from .net.blob_dim_nonpositive import BlobDimNonpositive
from .layer.pooling_stride_exceeds_kernel import PoolingStrideExceedsKernel
from .layer.pooling_pad_ge_kernel import PoolingPadGeKernel
from .layer.pooling_global_with_kernel import PoolingGlobalWithKernel
from .layer.infogain_input import InfogainInput
from .layer.dropout_ratio_range import DropoutRatioRange
from .layer.lrn_local_size_even import LrnLocalSizeEven
from .layer.softmax_loss_on_probabilities import SoftmaxLossOnProbabilities
from .layer.multinomial_logistic_without_softmax import MultinomialLogisticWithoutSoftmax
from .layer.conv_num_output_missing import ConvNumOutputMissing
from .layer.conv_kernel_missing import ConvKernelMissing
from .layer.conv_kernel_and_kernel_hw import ConvKernelAndKernelHW
from .layer.conv_zero_kernel_or_stride import ConvZeroKernelOrStride
from .layer.conv_dilation_zero import ConvDilationZero
from .layer.conv_group_divisibility import ConvGroupDivisibility
from .layer.conv_pad_ge_kernel_extent import ConvPadGeKernelExtent
from .layer.conv_cudnn_dilation import ConvCudnnDilation
from .layer.ip_num_output_missing import IpNumOutputMissing
from .layer.pooling_kernel_missing import PoolingKernelMissing
from .layer.pooling_spec_partial import PoolingSpecPartial
from .layer.pooling_stride_zero import PoolingStrideZero
from .layer.pooling_pad_stochastic import PoolingPadStochastic
from .layer.pooling_empty_window import PoolingEmptyWindow
from .layer.pooling_stochastic_cpu import PoolingStochasticCpu
from .layer.pooling_non_4d import PoolingNon4d
from .layer.lrn_k_nonpositive import LrnKNonpositive
from .layer.lrn_alpha_negative import LrnAlphaNegative
from .layer.lrn_cudnn_limits import LrnCudnnLimits
from .layer.softmax_loss_two_tops import SoftmaxLossTwoTops
from .layer.softmax_loss_single_class import SoftmaxLossSingleClass
from .layer.multinomial_logistic_prefer_softmax_loss import MultinomialLogisticPreferSoftmaxLoss
from .layer.infogain_normalize_field import InfogainNormalizeField
from .layer.infogain_missing_source import InfogainMissingSource
from .layer.sigmoid_ce_on_sigmoid import SigmoidCeOnSigmoid
from .layer.sigmoid_ce_normalization_default import SigmoidCeNormalizationDefault
from .layer.euclidean_large_output import EuclideanLargeOutput
from .layer.euclidean_on_integer_labels import EuclideanOnIntegerLabels
from .layer.contrastive_large_margin import ContrastiveLargeMargin
from .layer.ignore_label_missing_for_segmentation import IgnoreLabelMissingForSegmentation
from .layer.valid_normalization_old_caffe import ValidNormalizationOldCaffe
from .layer.loss_weight_zero_on_loss import LossWeightZeroOnLoss
from .layer.loss_input_shape_mismatch import LossInputShapeMismatch
from .layer.accuracy_loss_weight import AccuracyLossWeight
from .layer.accuracy_top_k_gt_classes import AccuracyTopKGtClasses
from .layer.accuracy_ignore_label_mismatch import AccuracyIgnoreLabelMismatch
from .layer.accuracy_in_train import AccuracyInTrain
from .layer.eltwise_coeff_count import EltwiseCoeffCount
from .layer.eltwise_coeff_with_prod import EltwiseCoeffWithProd
from .layer.eltwise_coeff_with_max import EltwiseCoeffWithMax
from .layer.eltwise_unstable_prod_grad import EltwiseUnstableProdGrad
from .layer.concat_axis_and_concat_dim import ConcatAxisAndConcatDim
from .layer.slice_axis_and_slice_dim import SliceAxisAndSliceDim
from .layer.slice_point_count import SlicePointCount
from .layer.slice_point_order import SlicePointOrder
from .layer.reshape_multiple_minus_one import ReshapeMultipleMinusOne
from .layer.reshape_num_axes_invalid import ReshapeNumAxesInvalid
from .layer.tile_tiles_missing import TileTilesMissing
from .layer.argmax_top_k_zero import ArgMaxTopKZero
from .layer.layer_shape_mismatch import LayerShapeMismatch
from .layer.log_base_invalid import LogBaseInvalid
from .layer.log_unbounded_input import LogUnboundedInput
from .layer.exp_base_invalid import ExpBaseInvalid
from .layer.exp_base_one import ExpBaseOne
from .layer.exp_unbounded_input import ExpUnboundedInput
from .layer.power_fractional_on_signed_input import PowerFractionalOnSignedInput
from .layer.power_gradient_at_zero import PowerGradientAtZero
from .layer.clip_min_gt_max import ClipMinGtMax
from .layer.prelu_slope_decay import PReLUSlopeDecay
from .layer.embed_dims_missing import EmbedDimsMissing
from .layer.embed_input_not_index import EmbedInputNotIndex
from .layer.recurrent_num_output_missing import RecurrentNumOutputMissing
from .layer.recurrent_no_clip import RecurrentNoClip
from .layer.python_layer_missing_module import PythonLayerMissingModule
from .layer.python_loss_without_loss_weight import PythonLossWithoutLossWeight
from .layer.python_layer_multigpu import PythonLayerMultigpu
from .layer.scale_bias_num_axes_invalid import ScaleBiasNumAxesInvalid
from .layer.ignored_param_block import IgnoredParamBlock
from .layer.unnormalized_loss_high_lr import UnnormalizedLossHighLr
from .filler.missing_weight_filler import MissingWeightFiller
from .filler.missing_bias_filler import MissingBiasFiller
from .filler.gaussian_filler_std import GaussianFillerStd
from .filler.uniform_filler_default_range import UniformFillerDefaultRange
from .filler.uniform_filler_min_gt_max import UniformFillerMinGtMax
from .filler.constant_weight_filler import ConstantWeightFiller
from .filler.filler_unknown_type import FillerUnknownType
from .filler.filler_sparse_invalid import FillerSparseInvalid
from .filler.filler_ignored_fields import FillerIgnoredFields
from .filler.fan_filler_on_bias import FanFillerOnBias
from .filler.bias_filler_large import BiasFillerLarge
from .filler.bilinear_nonsquare import BilinearNonsquare
from .filler.bilinear_not_depthwise import BilinearNotDepthwise
from .filler.bilinear_learnable import BilinearLearnable
from .filler.bilinear_on_conv import BilinearOnConv
from .filler.scale_filler_override import ScaleFillerOverride
from .filler.scale_zero_filler import ScaleZeroFiller
from .normalization.batchnorm_global_stats_in_train import BatchNormGlobalStatsInTrain
from .normalization.batchnorm_param_lr_nonzero import BatchNormParamLrNonzero
from .normalization.batchnorm_eps_nonpositive import BatchNormEpsNonpositive
from .normalization.batchnorm_moving_average_fraction import BatchNormMovingAverageFraction
from .normalization.batchnorm_without_scale import BatchNormWithoutScale
from .normalization.batchnorm_legacy_params import BatchNormLegacyParams
from .normalization.batchnorm_batch_stats_in_test import BatchNormBatchStatsInTest
from .normalization.batchnorm_tiny_batch import BatchNormTinyBatch
from .normalization.batchnorm_test_initialization import BatchNormTestInitialization
from .normalization.batchnorm_gpu_powx_nan import BatchNormPre10Gpu
from .normalization.mvn_eps_nonpositive import MvnEpsNonpositive
from .data.data_not_normalized import DataNotNormalized
from .data.deprecated_data_param_transform import DeprecatedDataParamTransform
from .data.data_batch_size_missing import DataBatchSizeMissing
from .data.memory_data_dims_missing import MemoryDataDimsMissing
from .data.hdf5_transform_param import Hdf5TransformParam
from .data.mean_file_and_mean_value import MeanFileAndMeanValue
from .data.mean_value_count import MeanValueCount
from .data.force_color_and_gray import ForceColorAndGray
from .data.crop_larger_than_input import CropLargerThanInput
from .data.imagedata_new_size_partial import ImageDataNewSizePartial
from .data.windowdata_crop_size_missing import WindowDataCropSizeMissing
from .data.data_backend_default_leveldb import DataBackendDefaultLeveldb
from .data.imagedata_no_shuffle import ImageDataNoShuffle
from .data.input_layer_in_cli_train_net import InputLayerInCliTrainNet
from .data.input_shape_count import InputShapeCount
from .data.dummydata_param_count import DummyDataParamCount
from .data.legacy_input_fields import LegacyInputFields
from .data.legacy_input_shape_count import LegacyInputShapeCount
from .data.legacy_input_without_shape import LegacyInputWithoutShape
from .suppression.unused_suppression import UnusedSuppression
from .suppression.invalid_suppression import InvalidSuppression

BUILTIN_RULES = [
    SyntaxError_,
    UnknownField,
    InvalidValue,
    DuplicateField,
    UnknownLayerType,
    MixedLayerFormats,
    DeprecatedField,
    UnknownRootMessage,
    ForkSchemaNeeded,
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
    BaseLrHigh,
    GenericNetNoTestIter,
    SnapshotPrefixDirMissing,
    NetFileNotFound,
    UnknownBottom,
    DuplicateTop,
    InplaceOnSharedBlob,
    DuplicateLayerName,
    LayerPhaseField,
    InlineNetLegacySyntax,
    LegacyV1Syntax,
    LegacyV0Syntax,
    LayerBlobCount,
    IncludeAndExclude,
    NetStateInFile,
    EmptyPhaseNet,
    InplaceNotAllowed,
    PropagateDownCount,
    LossWeightCount,
    NoLossInTrainNet,
    ForceBackwardNondifferentiable,
    NondifferentiableInLossPath,
    TooManyParamSpecs,
    SharedParamMismatch,
    LrMultNegative,
    LayerFrozen,
    TrainTestParamMismatch,
    TestLayerNotInTrain,
    FieldRequiresNewerCaffe,
    BlobDimNonpositive,
    PoolingStrideExceedsKernel,
    PoolingPadGeKernel,
    PoolingGlobalWithKernel,
    InfogainInput,
    DropoutRatioRange,
    LrnLocalSizeEven,
    SoftmaxLossOnProbabilities,
    MultinomialLogisticWithoutSoftmax,
    ConvNumOutputMissing,
    ConvKernelMissing,
    ConvKernelAndKernelHW,
    ConvZeroKernelOrStride,
    ConvDilationZero,
    ConvGroupDivisibility,
    ConvPadGeKernelExtent,
    ConvCudnnDilation,
    IpNumOutputMissing,
    PoolingKernelMissing,
    PoolingSpecPartial,
    PoolingStrideZero,
    PoolingPadStochastic,
    PoolingEmptyWindow,
    PoolingStochasticCpu,
    PoolingNon4d,
    LrnKNonpositive,
    LrnAlphaNegative,
    LrnCudnnLimits,
    SoftmaxLossTwoTops,
    SoftmaxLossSingleClass,
    MultinomialLogisticPreferSoftmaxLoss,
    InfogainNormalizeField,
    InfogainMissingSource,
    SigmoidCeOnSigmoid,
    SigmoidCeNormalizationDefault,
    EuclideanLargeOutput,
    EuclideanOnIntegerLabels,
    ContrastiveLargeMargin,
    IgnoreLabelMissingForSegmentation,
    ValidNormalizationOldCaffe,
    LossWeightZeroOnLoss,
    LossInputShapeMismatch,
    AccuracyLossWeight,
    AccuracyTopKGtClasses,
    AccuracyIgnoreLabelMismatch,
    AccuracyInTrain,
    EltwiseCoeffCount,
    EltwiseCoeffWithProd,
    EltwiseCoeffWithMax,
    EltwiseUnstableProdGrad,
    ConcatAxisAndConcatDim,
    SliceAxisAndSliceDim,
    SlicePointCount,
    SlicePointOrder,
    ReshapeMultipleMinusOne,
    ReshapeNumAxesInvalid,
    TileTilesMissing,
    ArgMaxTopKZero,
    LayerShapeMismatch,
    LogBaseInvalid,
    LogUnboundedInput,
    ExpBaseInvalid,
    ExpBaseOne,
    ExpUnboundedInput,
    PowerFractionalOnSignedInput,
    PowerGradientAtZero,
    ClipMinGtMax,
    PReLUSlopeDecay,
    EmbedDimsMissing,
    EmbedInputNotIndex,
    RecurrentNumOutputMissing,
    RecurrentNoClip,
    PythonLayerMissingModule,
    PythonLossWithoutLossWeight,
    PythonLayerMultigpu,
    ScaleBiasNumAxesInvalid,
    IgnoredParamBlock,
    UnnormalizedLossHighLr,
    MissingWeightFiller,
    MissingBiasFiller,
    GaussianFillerStd,
    UniformFillerDefaultRange,
    UniformFillerMinGtMax,
    ConstantWeightFiller,
    FillerUnknownType,
    FillerSparseInvalid,
    FillerIgnoredFields,
    FanFillerOnBias,
    BiasFillerLarge,
    BilinearNonsquare,
    BilinearNotDepthwise,
    BilinearLearnable,
    BilinearOnConv,
    ScaleFillerOverride,
    ScaleZeroFiller,
    BatchNormGlobalStatsInTrain,
    BatchNormParamLrNonzero,
    BatchNormEpsNonpositive,
    BatchNormMovingAverageFraction,
    BatchNormWithoutScale,
    BatchNormLegacyParams,
    BatchNormBatchStatsInTest,
    BatchNormTinyBatch,
    BatchNormTestInitialization,
    BatchNormPre10Gpu,
    MvnEpsNonpositive,
    DataNotNormalized,
    DeprecatedDataParamTransform,
    DataBatchSizeMissing,
    MemoryDataDimsMissing,
    Hdf5TransformParam,
    MeanFileAndMeanValue,
    MeanValueCount,
    ForceColorAndGray,
    CropLargerThanInput,
    ImageDataNewSizePartial,
    WindowDataCropSizeMissing,
    DataBackendDefaultLeveldb,
    ImageDataNoShuffle,
    InputLayerInCliTrainNet,
    InputShapeCount,
    DummyDataParamCount,
    LegacyInputFields,
    LegacyInputShapeCount,
    LegacyInputWithoutShape,
    UnusedSuppression,
    InvalidSuppression,
]

# Codes that no rule uses, and why (a retired or reserved code is never reused).
RESERVED = {
    "N206": "reserved: the unknown-layer-type check is P005 unknown-layer-type",
    "N210": "reserved: mixing V1 `layers` and V2 `layer` is P006 mixed-layer-formats",
    "L319": "covered by L303 pooling-global-with-kernel, which also reports pad and stride with global pooling",
    "L340": "covered by P007 deprecated-field, which reports loss_param.normalize",
    "F404": "covered by F403 gaussian-filler-std, whose error branch reports std <= 0",
    "S130": "covered by S107 base-lr-missing, whose negative branch reports base_lr < 0",
    "S132": "covered by S105 decay-gamma-missing, whose inv branch reports a missing gamma or power",
    "S133": "covered by S104 step-without-stepsize, whose multistep branch reports a missing stepvalue",
    "S134": "covered by P007 deprecated-field on `solver_type`",
    "S135": "covered by S111 momentum-out-of-range, whose momentum2 branch covers Adam",
    "S136": "covered by S113 test-iter-without-interval, whose info branch reports a test_interval without test nets",
}
