"""What BVLC Caffe's caffe.proto gained when: every message, field and enum value of the schema at
commit 9b89154 (master, 2020-02), with the release whose caffe.proto first has it and the date it
reached master; and the layer types, filler types and lr policies each release added in C++.

Compiled from the caffe.proto of each release tag (rc = rc1, rc2, rc3, rc4, rc5, 1.0) and of every
master commit that changed it. Names are relative to the `caffe` package: a message
(`PoolingParameter`), a field (`PoolingParameter.round_mode`) or an enum value
(`PoolingParameter.RoundMode:FLOOR`). rc5 added nothing to caffe.proto, so a schema cannot tell rc4
from rc5.

protolint.versions reads this to date a schema (which release, how sure) and to say which release
a field needs; nothing here is looked at per file.
"""

from __future__ import annotations

RELEASES = ("rc1", "rc2", "rc3", "rc4", "rc5", "1.0", "master")
# The tag dates; "master" is the commit protolint's built-in schema is.
RELEASE_DATES = {
    "rc1": "2014-09-18", "rc2": "2015-02-20", "rc3": "2016-01-29", "rc4": "2017-01-19", "rc5": "2017-02-20",
    "1.0": "2017-04-15", "master": "2020-02-13",
}

# One entry per release and master date: `release date element element ...`; indented lines continue it.
_TABLE = """
rc1 2013-09-24 BlobProto BlobProto.channels BlobProto.data BlobProto.diff BlobProto.height BlobProto.num
    BlobProto.width Datum Datum.channels Datum.data Datum.height Datum.label Datum.width FillerParameter
    FillerParameter.max FillerParameter.mean FillerParameter.min FillerParameter.std FillerParameter.type
    FillerParameter.value LayerParameter LayerParameter.blobs LayerParameter.name LayerParameter.type
    NetParameter NetParameter.layers NetParameter.name
rc1 2013-09-27 SolverParameter SolverParameter.base_lr SolverParameter.display SolverParameter.gamma
    SolverParameter.lr_policy SolverParameter.max_iter SolverParameter.momentum SolverParameter.power
    SolverParameter.snapshot SolverParameter.snapshot_prefix
rc1 2013-09-29 NetParameter.input
rc1 2013-09-30 Datum.float_data
rc1 2013-10-07 SolverParameter.weight_decay
rc1 2013-10-10 SolverParameter.stepsize
rc1 2013-10-15 SolverParameter.snapshot_diff SolverState SolverState.history SolverState.iter SolverState.learned_net
rc1 2013-10-31 SolverParameter.test_interval SolverParameter.test_iter SolverParameter.test_net
    SolverParameter.train_net
rc1 2013-11-08 BlobProtoVector BlobProtoVector.blobs
rc1 2013-11-15 NetParameter.input_dim
rc1 2013-11-22 NetParameter.force_backward
rc1 2013-12-02 SolverParameter.solver_mode
rc1 2014-02-04 SolverParameter.device_id
rc1 2014-05-20 ConcatParameter ConcatParameter.concat_dim ConvolutionParameter ConvolutionParameter.bias_filler
    ConvolutionParameter.bias_term ConvolutionParameter.group ConvolutionParameter.kernel_size
    ConvolutionParameter.num_output ConvolutionParameter.pad ConvolutionParameter.stride
    ConvolutionParameter.weight_filler DataParameter DataParameter.batch_size DataParameter.crop_size
    DataParameter.mean_file DataParameter.mirror DataParameter.rand_skip DataParameter.scale
    DataParameter.source DropoutParameter DropoutParameter.dropout_ratio FillerParameter.sparse
    HDF5DataParameter HDF5DataParameter.batch_size HDF5DataParameter.source HDF5OutputParameter
    HDF5OutputParameter.file_name ImageDataParameter ImageDataParameter.batch_size
    ImageDataParameter.crop_size ImageDataParameter.mean_file ImageDataParameter.mirror
    ImageDataParameter.new_height ImageDataParameter.new_width ImageDataParameter.rand_skip
    ImageDataParameter.scale ImageDataParameter.shuffle ImageDataParameter.source InfogainLossParameter
    InfogainLossParameter.source InnerProductParameter InnerProductParameter.bias_filler
    InnerProductParameter.bias_term InnerProductParameter.num_output InnerProductParameter.weight_filler
    LRNParameter LRNParameter.NormRegion:ACROSS_CHANNELS LRNParameter.NormRegion:WITHIN_CHANNEL
    LRNParameter.alpha LRNParameter.beta LRNParameter.local_size LRNParameter.norm_region
    LayerParameter.bottom LayerParameter.concat_param LayerParameter.convolution_param
    LayerParameter.data_param LayerParameter.dropout_param LayerParameter.hdf5_data_param
    LayerParameter.hdf5_output_param LayerParameter.image_data_param LayerParameter.infogain_loss_param
    LayerParameter.inner_product_param LayerParameter.lrn_param LayerParameter.memory_data_param
    LayerParameter.pooling_param LayerParameter.power_param LayerParameter.top
    LayerParameter.window_data_param MemoryDataParameter MemoryDataParameter.batch_size
    MemoryDataParameter.channels MemoryDataParameter.height MemoryDataParameter.width PoolingParameter
    PoolingParameter.PoolMethod:AVE PoolingParameter.PoolMethod:MAX PoolingParameter.PoolMethod:STOCHASTIC
    PoolingParameter.kernel_size PoolingParameter.pad PoolingParameter.pool PoolingParameter.stride
    PowerParameter PowerParameter.power PowerParameter.scale PowerParameter.shift
    SolverParameter.SolverMode:CPU SolverParameter.SolverMode:GPU SolverParameter.random_seed
    SolverParameter.test_compute_loss V0LayerParameter V0LayerParameter.PoolMethod:AVE
    V0LayerParameter.PoolMethod:MAX V0LayerParameter.PoolMethod:STOCHASTIC V0LayerParameter.alpha
    V0LayerParameter.batchsize V0LayerParameter.beta V0LayerParameter.bias_filler V0LayerParameter.biasterm
    V0LayerParameter.blobs V0LayerParameter.blobs_lr V0LayerParameter.concat_dim V0LayerParameter.cropsize
    V0LayerParameter.det_bg_threshold V0LayerParameter.det_context_pad V0LayerParameter.det_crop_mode
    V0LayerParameter.det_fg_fraction V0LayerParameter.det_fg_threshold V0LayerParameter.dropout_ratio
    V0LayerParameter.group V0LayerParameter.hdf5_output_param V0LayerParameter.kernelsize
    V0LayerParameter.local_size V0LayerParameter.meanfile V0LayerParameter.mirror V0LayerParameter.name
    V0LayerParameter.new_channels V0LayerParameter.new_height V0LayerParameter.new_num
    V0LayerParameter.new_width V0LayerParameter.num_output V0LayerParameter.pad V0LayerParameter.pool
    V0LayerParameter.rand_skip V0LayerParameter.scale V0LayerParameter.shuffle_images
    V0LayerParameter.source V0LayerParameter.stride V0LayerParameter.type V0LayerParameter.weight_decay
    V0LayerParameter.weight_filler WindowDataParameter WindowDataParameter.batch_size
    WindowDataParameter.bg_threshold WindowDataParameter.context_pad WindowDataParameter.crop_mode
    WindowDataParameter.crop_size WindowDataParameter.fg_fraction WindowDataParameter.fg_threshold
    WindowDataParameter.mean_file WindowDataParameter.mirror WindowDataParameter.scale
    WindowDataParameter.source
rc1 2014-08-08 AccuracyParameter AccuracyParameter.top_k ArgMaxParameter ArgMaxParameter.out_max_val
    ArgMaxParameter.top_k ConvolutionParameter.kernel_h ConvolutionParameter.kernel_w
    ConvolutionParameter.pad_h ConvolutionParameter.pad_w ConvolutionParameter.stride_h
    ConvolutionParameter.stride_w DataParameter.DB:LEVELDB DataParameter.DB:LMDB DataParameter.backend
    DummyDataParameter DummyDataParameter.channels DummyDataParameter.data_filler DummyDataParameter.height
    DummyDataParameter.num DummyDataParameter.width EltwiseParameter EltwiseParameter.EltwiseOp:PROD
    EltwiseParameter.EltwiseOp:SUM EltwiseParameter.coeff EltwiseParameter.operation HingeLossParameter
    HingeLossParameter.Norm:L1 HingeLossParameter.Norm:L2 HingeLossParameter.norm
    LayerParameter.accuracy_param LayerParameter.argmax_param LayerParameter.dummy_data_param
    LayerParameter.eltwise_param LayerParameter.exclude LayerParameter.hinge_loss_param
    LayerParameter.include LayerParameter.param LayerParameter.relu_param LayerParameter.slice_param
    LayerParameter.threshold_param NetParameter.state NetState NetState.level NetState.phase NetState.stage
    NetStateRule NetStateRule.max_level NetStateRule.min_level NetStateRule.phase NetStateRule.stage
    Phase:TEST Phase:TRAIN PoolingParameter.kernel_h PoolingParameter.kernel_w PoolingParameter.pad_h
    PoolingParameter.pad_w PoolingParameter.stride_h PoolingParameter.stride_w ReLUParameter
    ReLUParameter.negative_slope SliceParameter SliceParameter.slice_dim SliceParameter.slice_point
    SolverParameter.debug_info SolverParameter.net SolverParameter.net_param
    SolverParameter.snapshot_after_train SolverParameter.test_net_param SolverParameter.test_state
    SolverParameter.train_net_param SolverParameter.train_state ThresholdParameter
    ThresholdParameter.threshold
rc1 2014-09-18 ContrastiveLossParameter ContrastiveLossParameter.margin ConvolutionParameter.Engine:CAFFE
    ConvolutionParameter.Engine:CUDNN ConvolutionParameter.Engine:DEFAULT ConvolutionParameter.engine
    EltwiseParameter.EltwiseOp:MAX EltwiseParameter.stable_prod_grad LayerParameter.contrastive_loss_param
    LayerParameter.loss_weight LayerParameter.mvn_param LayerParameter.sigmoid_param
    LayerParameter.softmax_param LayerParameter.tanh_param LayerParameter.transform_param MVNParameter
    MVNParameter.across_channels MVNParameter.normalize_variance NetStateRule.not_stage
    PoolingParameter.Engine:CAFFE PoolingParameter.Engine:CUDNN PoolingParameter.Engine:DEFAULT
    PoolingParameter.engine ReLUParameter.Engine:CAFFE ReLUParameter.Engine:CUDNN
    ReLUParameter.Engine:DEFAULT ReLUParameter.engine SigmoidParameter SigmoidParameter.Engine:CAFFE
    SigmoidParameter.Engine:CUDNN SigmoidParameter.Engine:DEFAULT SigmoidParameter.engine SoftmaxParameter
    SoftmaxParameter.Engine:CAFFE SoftmaxParameter.Engine:CUDNN SoftmaxParameter.Engine:DEFAULT
    SoftmaxParameter.engine SolverParameter.SolverType:ADAGRAD SolverParameter.SolverType:NESTEROV
    SolverParameter.SolverType:SGD SolverParameter.delta SolverParameter.regularization_type
    SolverParameter.solver_type SolverParameter.test_initialization TanHParameter TanHParameter.Engine:CAFFE
    TanHParameter.Engine:CUDNN TanHParameter.Engine:DEFAULT TanHParameter.engine TransformationParameter
    TransformationParameter.crop_size TransformationParameter.mean_file TransformationParameter.mirror
    TransformationParameter.scale
rc2 2014-12-28 SolverParameter.average_loss SolverParameter.stepvalue SolverState.current_step
rc2 2015-02-19 DataParameter.force_encoded_color Datum.encoded ExpParameter ExpParameter.base ExpParameter.scale
    ExpParameter.shift ImageDataParameter.is_color ImageDataParameter.root_folder LRNParameter.k
    LayerParameter.exp_param LayerParameter.loss_param LayerParameter.phase LayerParameter.python_param
    LossParameter LossParameter.ignore_label LossParameter.normalize NetParameter.debug_info
    NetParameter.layer ParamSpec ParamSpec.DimCheckMode:PERMISSIVE ParamSpec.DimCheckMode:STRICT
    ParamSpec.decay_mult ParamSpec.lr_mult ParamSpec.name ParamSpec.share_mode
    PoolingParameter.global_pooling PythonParameter PythonParameter.layer PythonParameter.module
    SolverParameter.clip_gradients TransformationParameter.mean_value V0LayerParameter.k V1LayerParameter
    V1LayerParameter.DimCheckMode:PERMISSIVE V1LayerParameter.DimCheckMode:STRICT
    V1LayerParameter.LayerType:ABSVAL V1LayerParameter.LayerType:ACCURACY V1LayerParameter.LayerType:ARGMAX
    V1LayerParameter.LayerType:BNLL V1LayerParameter.LayerType:CONCAT
    V1LayerParameter.LayerType:CONTRASTIVE_LOSS V1LayerParameter.LayerType:CONVOLUTION
    V1LayerParameter.LayerType:DATA V1LayerParameter.LayerType:DECONVOLUTION
    V1LayerParameter.LayerType:DROPOUT V1LayerParameter.LayerType:DUMMY_DATA
    V1LayerParameter.LayerType:ELTWISE V1LayerParameter.LayerType:EUCLIDEAN_LOSS
    V1LayerParameter.LayerType:EXP V1LayerParameter.LayerType:FLATTEN V1LayerParameter.LayerType:HDF5_DATA
    V1LayerParameter.LayerType:HDF5_OUTPUT V1LayerParameter.LayerType:HINGE_LOSS
    V1LayerParameter.LayerType:IM2COL V1LayerParameter.LayerType:IMAGE_DATA
    V1LayerParameter.LayerType:INFOGAIN_LOSS V1LayerParameter.LayerType:INNER_PRODUCT
    V1LayerParameter.LayerType:LRN V1LayerParameter.LayerType:MEMORY_DATA
    V1LayerParameter.LayerType:MULTINOMIAL_LOGISTIC_LOSS V1LayerParameter.LayerType:MVN
    V1LayerParameter.LayerType:NONE V1LayerParameter.LayerType:POOLING V1LayerParameter.LayerType:POWER
    V1LayerParameter.LayerType:RELU V1LayerParameter.LayerType:SIGMOID
    V1LayerParameter.LayerType:SIGMOID_CROSS_ENTROPY_LOSS V1LayerParameter.LayerType:SILENCE
    V1LayerParameter.LayerType:SLICE V1LayerParameter.LayerType:SOFTMAX
    V1LayerParameter.LayerType:SOFTMAX_LOSS V1LayerParameter.LayerType:SPLIT V1LayerParameter.LayerType:TANH
    V1LayerParameter.LayerType:THRESHOLD V1LayerParameter.LayerType:WINDOW_DATA
    V1LayerParameter.accuracy_param V1LayerParameter.argmax_param V1LayerParameter.blob_share_mode
    V1LayerParameter.blobs V1LayerParameter.blobs_lr V1LayerParameter.bottom V1LayerParameter.concat_param
    V1LayerParameter.contrastive_loss_param V1LayerParameter.convolution_param V1LayerParameter.data_param
    V1LayerParameter.dropout_param V1LayerParameter.dummy_data_param V1LayerParameter.eltwise_param
    V1LayerParameter.exclude V1LayerParameter.exp_param V1LayerParameter.hdf5_data_param
    V1LayerParameter.hdf5_output_param V1LayerParameter.hinge_loss_param V1LayerParameter.image_data_param
    V1LayerParameter.include V1LayerParameter.infogain_loss_param V1LayerParameter.inner_product_param
    V1LayerParameter.layer V1LayerParameter.loss_param V1LayerParameter.loss_weight
    V1LayerParameter.lrn_param V1LayerParameter.memory_data_param V1LayerParameter.mvn_param
    V1LayerParameter.name V1LayerParameter.param V1LayerParameter.pooling_param V1LayerParameter.power_param
    V1LayerParameter.relu_param V1LayerParameter.sigmoid_param V1LayerParameter.slice_param
    V1LayerParameter.softmax_param V1LayerParameter.tanh_param V1LayerParameter.threshold_param
    V1LayerParameter.top V1LayerParameter.transform_param V1LayerParameter.type
    V1LayerParameter.weight_decay V1LayerParameter.window_data_param WindowDataParameter.cache_images
    WindowDataParameter.root_folder
rc3 2015-03-03 BlobProto.shape BlobShape BlobShape.dim ConcatParameter.axis DummyDataParameter.shape
    InnerProductParameter.axis NetParameter.input_shape SliceParameter.axis SoftmaxParameter.axis
rc3 2015-03-09 AccuracyParameter.axis AccuracyParameter.ignore_label
rc3 2015-03-12 LayerParameter.prelu_param PReLUParameter PReLUParameter.channel_shared PReLUParameter.filler
rc3 2015-03-13 HDF5DataParameter.shuffle
rc3 2015-05-12 ContrastiveLossParameter.legacy_version
rc3 2015-05-14 LayerParameter.reshape_param LayerParameter.spp_param ReshapeParameter ReshapeParameter.axis
    ReshapeParameter.num_axes ReshapeParameter.shape SPPParameter SPPParameter.Engine:CAFFE
    SPPParameter.Engine:CUDNN SPPParameter.Engine:DEFAULT SPPParameter.PoolMethod:AVE
    SPPParameter.PoolMethod:MAX SPPParameter.PoolMethod:STOCHASTIC SPPParameter.engine SPPParameter.pool
    SPPParameter.pyramid_height
rc3 2015-05-15 LayerParameter.propagate_down
rc3 2015-05-16 MVNParameter.eps
rc3 2015-05-26 FillerParameter.VarianceNorm:AVERAGE FillerParameter.VarianceNorm:FAN_IN
    FillerParameter.VarianceNorm:FAN_OUT FillerParameter.variance_norm
rc3 2015-05-29 SolverParameter.iter_size TransformationParameter.force_color TransformationParameter.force_gray
rc3 2015-06-02 FlattenParameter FlattenParameter.axis FlattenParameter.end_axis LayerParameter.flatten_param
    LayerParameter.log_param LayerParameter.reduction_param LogParameter LogParameter.base
    LogParameter.scale LogParameter.shift ReductionParameter ReductionParameter.ReductionOp:ASUM
    ReductionParameter.ReductionOp:MEAN ReductionParameter.ReductionOp:SUM
    ReductionParameter.ReductionOp:SUMSQ ReductionParameter.axis ReductionParameter.coeff
    ReductionParameter.operation
rc3 2015-08-06 PythonParameter.param_str
rc3 2015-08-07 BlobProto.double_data BlobProto.double_diff SolverParameter.SnapshotFormat:BINARYPROTO
    SolverParameter.SnapshotFormat:HDF5 SolverParameter.snapshot_format
rc3 2015-08-09 SolverParameter.SolverType:RMSPROP SolverParameter.rms_decay
rc3 2015-08-11 SolverParameter.SolverType:ADADELTA
rc3 2015-08-13 DataParameter.prefetch PythonParameter.share_in_parallel
rc3 2015-08-14 SolverParameter.SolverType:ADAM SolverParameter.momentum2
rc3 2015-08-25 EmbedParameter EmbedParameter.bias_filler EmbedParameter.bias_term EmbedParameter.input_dim
    EmbedParameter.num_output EmbedParameter.weight_filler LayerParameter.embed_param
    LayerParameter.tile_param TileParameter TileParameter.axis TileParameter.tiles
rc3 2015-09-18 ConvolutionParameter.axis ConvolutionParameter.force_nd_im2col
rc3 2015-09-30 ArgMaxParameter.axis
rc3 2015-10-15 LRNParameter.Engine:CAFFE LRNParameter.Engine:CUDNN LRNParameter.Engine:DEFAULT LRNParameter.engine
rc3 2015-10-17 SolverParameter.type
rc3 2015-10-22 BatchNormParameter BatchNormParameter.eps BatchNormParameter.moving_average_fraction
    BatchNormParameter.use_global_stats LayerParameter.batch_norm_param
rc3 2015-11-22 LossParameter.NormalizationMode:BATCH_SIZE LossParameter.NormalizationMode:FULL
    LossParameter.NormalizationMode:NONE LossParameter.NormalizationMode:VALID LossParameter.normalization
rc3 2015-12-28 ConvolutionParameter.dilation
rc3 2016-01-22 ELUParameter ELUParameter.alpha LayerParameter.elu_param
rc3 2016-01-26 BiasParameter BiasParameter.axis BiasParameter.filler BiasParameter.num_axes LayerParameter.bias_param
    LayerParameter.scale_param ScaleParameter ScaleParameter.axis ScaleParameter.bias_filler
    ScaleParameter.bias_term ScaleParameter.filler ScaleParameter.num_axes
rc4 2016-02-25 InnerProductParameter.transpose
rc4 2016-02-26 InputParameter InputParameter.shape LayerParameter.input_param
rc4 2016-03-05 CropParameter CropParameter.axis CropParameter.offset LayerParameter.crop_param
rc4 2016-05-08 LayerParameter.parameter_param ParameterParameter ParameterParameter.shape
rc4 2016-06-01 LayerParameter.recurrent_param RecurrentParameter RecurrentParameter.bias_filler
    RecurrentParameter.debug_info RecurrentParameter.expose_hidden RecurrentParameter.num_output
    RecurrentParameter.weight_filler
rc4 2017-01-17 SolverParameter.layer_wise_reduce
1.0 2017-04-14 InfogainLossParameter.axis
master 2018-02-12 SolverParameter.weights
master 2018-03-17 LayerParameter.swish_param SwishParameter SwishParameter.beta
master 2018-08-17 PoolingParameter.RoundMode:CEIL PoolingParameter.RoundMode:FLOOR PoolingParameter.round_mode
master 2018-08-20 ClipParameter ClipParameter.max ClipParameter.min LayerParameter.clip_param
"""

# Layer types registered in C++ (REGISTER_LAYER_CLASS/CREATOR), by the release that first registers
# them. rc1 chose layers with an enum (V1 `type: CONVOLUTION`); rc2 registered its types by name.
LAYER_TYPES_SINCE = {
    "rc2": "AbsVal Accuracy ArgMax BNLL Concat ContrastiveLoss Convolution Data Deconvolution Dropout DummyData "
           "Eltwise EuclideanLoss Exp Flatten HDF5Data HDF5Output HingeLoss Im2col ImageData InfogainLoss InnerProduct "
           "LRN MVN MemoryData MultinomialLogisticLoss Pooling Power Python ReLU Sigmoid SigmoidCrossEntropyLoss "
           "Silence Slice Softmax SoftmaxWithLoss Split TanH Threshold WindowData",
    "rc3": "BatchNorm BatchReindex Bias ELU Embed Filter Log PReLU Reduction Reshape SPP Scale Tile",
    "rc4": "Crop Input LSTM LSTMUnit Parameter RNN",
    "master": "Clip Swish",
}
# Filler types GetFiller accepts (filler.hpp) and lr policies GetLearningRate accepts, by release.
FILLER_TYPES_SINCE = {"rc1": "constant gaussian positive_unitball uniform xavier", "rc3": "msra bilinear"}
LR_POLICIES_SINCE = {"rc1": "fixed step exp inv", "rc2": "multistep poly sigmoid"}

# Checks Caffe added between releases, by the date they reached master: a schema older than that
# belongs to a Caffe without the check.
CHECKS_SINCE = {
    # Net::AppendParam: sharers of a named param must agree on lr_mult and decay_mult (with
    # learnable_params_, merged 2015-08-07; authored in July).
    "shared-param-mults": "2015-08-07",
}


def added() -> dict[str, tuple[str, str]]:
    """Element -> (release, date)."""
    found: dict[str, tuple[str, str]] = {}
    release = date = ""
    for line in _TABLE.strip("\n").splitlines():
        if line.startswith(" "):
            names = line.split()
        else:
            release, date, *names = line.split()
        for name in names:
            found[name] = (release, date)
    return found


def since(table: dict[str, str]) -> dict[str, str]:
    """A `release -> names` table as name -> release."""
    return {name: release for release, names in table.items() for name in names.split()}
