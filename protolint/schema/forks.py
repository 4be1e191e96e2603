"""Well-known Caffe forks: what marks each in a prototxt, where its caffe.proto is, and the names it
registers in C++ that no caffe.proto shows.

Facts compiled from each fork's public source (its caffe.proto, the REGISTER_LAYER_CLASS /
REGISTER_LAYER_CREATOR lines, the filler types of filler.hpp, the lr policies of the solver, the
REGISTER_SOLVER_CLASS lines), at the commit date given:

- `fields`: fields the fork adds to BVLC messages (`LayerParameter.prior_box_param`) and values it
  adds to BVLC enums (`LossParameter.NormalizationMode:PRE_FIXED`); a V1-era fork's layer fields and
  enum values are named as BVLC names the V1 format (`V1LayerParameter`).
- `layer_types`, `filler_types`, `lr_policies`, `solver_types`: registered names BVLC lacks.
- `roots`: fields of the fork's own top-level messages a file may be (`LabelMap.item`: a label map).

Used twice: a file linted with the built-in schema that uses these names was written for that fork
(rule fork-schema-needed); a schema given with --proto that has a fork's fields is that fork, and its
C++ names are then known outright.
"""

from __future__ import annotations


# A plain class, not a dataclass: creating a dataclass costs ~0.3 ms of start-up.
class Fork:
    """Facts about one fork; not to be changed once made."""

    def __init__(self, key: str, name: str, repo: str, ref: str, proto: str | None, date: str, fields: str = "",
                 layer_types: str = "", filler_types: str = "", lr_policies: str = "", solver_types: str = "",
                 roots: str = "", how: str = "", names: dict | None = None):
        self.key = key
        self.name = name
        self.repo = repo  # owner/name on GitHub
        self.ref = ref  # the branch (or tag) the facts were read from
        self.proto = proto  # caffe.proto's path in the repository; None: the fork ships layers, not a schema
        self.date = date  # the commit date of what the facts were read from
        self.fields = fields
        self.layer_types = layer_types
        self.filler_types = filler_types
        self.lr_policies = lr_policies
        self.solver_types = solver_types
        self.roots = roots
        self.how = how  # for a fork without a caffe.proto: what to add to yours
        self.names = {} if names is None else names
        for kind in ("fields", "layer_types", "filler_types", "lr_policies", "solver_types"):
            self.names[kind] = frozenset(getattr(self, kind).split())
        # A file's top-level field is matched by its name alone (the file is that message).
        self.names["roots"] = frozenset(name.rsplit(".", 1)[-1] for name in self.roots.split())

    def has(self, kind: str, name: str) -> bool:
        return name in self.names[kind]

    def size(self) -> int:
        return sum(len(v) for v in self.names.values())

    @property
    def where(self) -> str:
        return f"{self.repo}" + (f", branch {self.ref}" if self.ref not in ("master", "HEAD") else "")


FORKS: tuple[Fork, ...] = (
    Fork(
        "ssd", 'SSD', 'weiliu89/caffe', 'ssd', 'src/caffe/proto/caffe.proto', '2018-01-02',
        fields=(
            'LayerParameter.annotated_data_param LayerParameter.detection_evaluate_param '
            'LayerParameter.detection_output_param LayerParameter.multibox_loss_param '
            'LayerParameter.norm_param LayerParameter.permute_param LayerParameter.prior_box_param '
            'LayerParameter.video_data_param SolverParameter.ap_version SolverParameter.eval_type '
            'SolverParameter.plateau_winsize SolverParameter.show_per_class_result '
            'SolverState.iter_last_event SolverState.minimum_loss TransformationParameter.crop_h '
            'TransformationParameter.crop_w TransformationParameter.distort_param '
            'TransformationParameter.emit_constraint TransformationParameter.expand_param '
            'TransformationParameter.noise_param TransformationParameter.resize_param'
        ),
        layer_types=(
            'AnnotatedData DetectionEvaluate DetectionOutput MultiBoxLoss Normalize Permute PriorBox '
            'SmoothL1Loss VideoData'
        ),
        lr_policies='plateau',
        roots='LabelMap.item',
    ),
    Fork(
        "faster-rcnn", "Faster R-CNN (py-faster-rcnn's caffe-fast-rcnn)", 'rbgirshick/caffe-fast-rcnn', 'faster-rcnn', 'src/caffe/proto/caffe.proto', '2015-10-04',
        fields=(
            'DropoutParameter.scale_train LayerParameter.roi_pooling_param '
            'LayerParameter.smooth_l1_loss_param'
        ),
        layer_types='ROIPooling SmoothL1Loss',
    ),
    Fork(
        "rfcn", 'R-FCN', 'daijifeng001/caffe-rfcn', 'master', 'src/caffe/proto/caffe.proto', '2016-09-30',
        fields=(
            'DropoutParameter.scale_train LayerParameter.box_annotator_ohem_param '
            'LayerParameter.psroi_pooling_param LayerParameter.roi_pooling_param '
            'LayerParameter.smooth_l1_loss_param LossParameter.NormalizationMode:PRE_FIXED '
            'LossParameter.pre_fixed_normalizer'
        ),
        layer_types='BoxAnnotatorOHEM PSROIPooling ROIPooling SmoothL1Loss',
    ),
    Fork(
        "pspnet", 'PSPNet', 'hszhao/PSPNet', 'master', 'src/caffe/proto/caffe.proto', '2022-04-15',
        fields=(
            'BatchNormParameter.update_global_stats ImageDataParameter.LabelType:IMAGE '
            'ImageDataParameter.LabelType:NONE ImageDataParameter.LabelType:PIXEL '
            'ImageDataParameter.ignore_label ImageDataParameter.label_type '
            'LayerParameter.adaptive_bias_channel_param LayerParameter.bias_channel_param '
            'LayerParameter.bn_param LayerParameter.dense_crf_param '
            'LayerParameter.domain_transform_param LayerParameter.interp_param '
            'LayerParameter.mat_read_param LayerParameter.mat_write_param '
            'LayerParameter.seg_accuracy_param LayerParameter.unique_label_param '
            'TransformationParameter.crop_height TransformationParameter.crop_width '
            'TransformationParameter.scale_factors'
        ),
        layer_types=(
            'AdaptiveBiasChannel BN BiasChannel DenseCRF DomainTransform DomainTransformForwardOnly '
            'ImageSegData Interp MatRead MatWrite SegAccuracy SpatialProduct UniqueLabel'
        ),
    ),
    Fork(
        "deeplab-v2", 'DeepLab v2 (deeplab-public-ver2)', 'talent518/deeplab-public-ver2', 'master', 'src/caffe/proto/caffe.proto', '2017-10-25',
        fields=(
            'BatchNormParameter.update_global_stats ImageDataParameter.LabelType:IMAGE '
            'ImageDataParameter.LabelType:NONE ImageDataParameter.LabelType:PIXEL '
            'ImageDataParameter.ignore_label ImageDataParameter.label_type '
            'LayerParameter.adaptive_bias_channel_param LayerParameter.bias_channel_param '
            'LayerParameter.dense_crf_param LayerParameter.domain_transform_param '
            'LayerParameter.interp_param LayerParameter.mat_read_param LayerParameter.mat_write_param '
            'LayerParameter.seg_accuracy_param LayerParameter.unique_label_param '
            'TransformationParameter.crop_height TransformationParameter.crop_width '
            'TransformationParameter.scale_factors'
        ),
        layer_types=(
            'AdaptiveBiasChannel BiasChannel DenseCRF DomainTransform DomainTransformForwardOnly '
            'ImageSegData Interp MatRead MatWrite SegAccuracy SpatialProduct UniqueLabel'
        ),
    ),
    Fork(
        "deeplab-v1", 'DeepLab v1 (deeplab-public)', 'TheLegendAli/DeepLab-Context', 'master', 'src/caffe/proto/caffe.proto', '2016-01-14',
        fields=(
            'ConvolutionParameter.hole ConvolutionParameter.hole_h ConvolutionParameter.hole_w '
            'ImageDataParameter.LabelType:IMAGE ImageDataParameter.LabelType:NONE '
            'ImageDataParameter.LabelType:PIXEL ImageDataParameter.has_label '
            'ImageDataParameter.ignore_label ImageDataParameter.label_type '
            'ImageDataParameter.max_labels V1LayerParameter.LayerType:ADAPTIVE_BIAS_CHANNEL '
            'V1LayerParameter.LayerType:BIAS_CHANNEL V1LayerParameter.LayerType:CENSOR_LABEL '
            'V1LayerParameter.LayerType:CHANNEL_AGGREGATOR V1LayerParameter.LayerType:DENSE_CRF '
            'V1LayerParameter.LayerType:DOMINANT_CHANNEL V1LayerParameter.LayerType:GAIN_CHANNEL '
            'V1LayerParameter.LayerType:HISTOGRAM V1LayerParameter.LayerType:IGNORE_OVERLAY '
            'V1LayerParameter.LayerType:IMAGE_SEG_DATA V1LayerParameter.LayerType:INTERP '
            'V1LayerParameter.LayerType:MAT_READ V1LayerParameter.LayerType:MAT_WRITE '
            'V1LayerParameter.LayerType:ONEHOT V1LayerParameter.LayerType:PADDING '
            'V1LayerParameter.LayerType:RELATIVE_ERROR V1LayerParameter.LayerType:SEG_ACCURACY '
            'V1LayerParameter.LayerType:UNIQUE_LABEL V1LayerParameter.adaptive_bias_channel_param '
            'V1LayerParameter.bias_channel_param V1LayerParameter.censor_label_param '
            'V1LayerParameter.channel_aggregator_param V1LayerParameter.dense_crf_param '
            'V1LayerParameter.dominant_channel_param V1LayerParameter.euclidean_loss_param '
            'V1LayerParameter.gain_channel_param V1LayerParameter.histogram_param '
            'V1LayerParameter.ignore_overlay_param V1LayerParameter.interp_param '
            'V1LayerParameter.mat_read_param V1LayerParameter.mat_write_param '
            'V1LayerParameter.onehot_param V1LayerParameter.padding_param '
            'V1LayerParameter.seg_accuracy_param V1LayerParameter.softmaxloss_param '
            'V1LayerParameter.strict_dim V1LayerParameter.unique_label_param'
        ),
    ),
    Fork(
        "segnet", 'SegNet (caffe-segnet)', 'alexgkendall/caffe-segnet', 'segnet-cleaned', 'src/caffe/proto/caffe.proto', '2018-03-15',
        fields=(
            'DropoutParameter.sample_weights_test LayerParameter.bn_param '
            'LayerParameter.dense_image_data_param LayerParameter.upsample_param '
            'LossParameter.class_weighting LossParameter.weight_by_label_freqs'
        ),
        layer_types='BN DenseImageData Upsample',
    ),
    Fork(
        "enet", 'ENet', 'TimoSaemann/caffe-enet', 'master', 'src/caffe/proto/caffe.proto', '2018-03-11',
        fields=(
            'DropoutParameter.sample_weights_test ImageDataParameter.label_divide_factor '
            'LayerParameter.bn_param LayerParameter.dense_image_data_param '
            'LayerParameter.upsample_param LossParameter.class_weighting '
            'LossParameter.weight_by_label_freqs'
        ),
        layer_types='BN DenseImageData Upsample',
    ),
    Fork(
        "nvidia", 'NVIDIA Caffe', 'NVIDIA/caffe', 'master', 'src/caffe/proto/caffe.proto', '2021-03-04',
        fields=(
            'BatchNormParameter.Engine:CAFFE BatchNormParameter.Engine:CUDNN '
            'BatchNormParameter.Engine:DEFAULT BatchNormParameter.bias_filler '
            'BatchNormParameter.engine BatchNormParameter.scale_bias BatchNormParameter.scale_filler '
            'BlobProto.raw_data BlobProto.raw_data_type BlobProto.raw_diff BlobProto.raw_diff_type '
            'ConvolutionParameter.CuDNNConvolutionAlgorithmSeeker:FINDEX '
            'ConvolutionParameter.CuDNNConvolutionAlgorithmSeeker:GET '
            'ConvolutionParameter.conv_algos_override '
            'ConvolutionParameter.cudnn_convolution_algo_seeker DataParameter.cache '
            'DataParameter.parser_threads DataParameter.precache DataParameter.shuffle '
            'DataParameter.threads Datum.record_id DropoutParameter.Engine:CAFFE '
            'DropoutParameter.Engine:CUDNN DropoutParameter.Engine:DEFAULT DropoutParameter.engine '
            'DropoutParameter.random_seed ELUParameter.lambda ImageDataParameter.cache '
            'ImageDataParameter.dataset_share_per_node ImageDataParameter.precache '
            'ImageDataParameter.short_side ImageDataParameter.threads '
            'LayerParameter.annotated_data_param LayerParameter.backward_math '
            'LayerParameter.backward_type LayerParameter.cudnn_math_override LayerParameter.debug '
            'LayerParameter.detection_evaluate_param LayerParameter.detection_output_param '
            'LayerParameter.detectnet_augmentation_param LayerParameter.detectnet_groundtruth_param '
            'LayerParameter.forward_math LayerParameter.forward_type '
            'LayerParameter.multibox_loss_param LayerParameter.norm_param '
            'LayerParameter.permute_param LayerParameter.prior_box_param LayerParameter.trt_param '
            'LayerParameter.video_data_param LossParameter.label_smoothing '
            'NetParameter.default_backward_math NetParameter.default_backward_type '
            'NetParameter.default_conv_algos_override NetParameter.default_cudnn_math_override '
            'NetParameter.default_forward_math NetParameter.default_forward_type '
            'NetParameter.eltwise_mem_sharing NetParameter.global_grad_scale '
            'NetParameter.global_grad_scale_adaptive NetParameter.reduce_buckets '
            'PoolingParameter.torch_pooling SolverParameter.SolverType:SAG SolverParameter.ap_version '
            'SolverParameter.eval_type SolverParameter.larc SolverParameter.larc_eta '
            'SolverParameter.larc_policy SolverParameter.larc_turbo SolverParameter.max_momentum '
            'SolverParameter.max_weight_decay SolverParameter.min_lr SolverParameter.momentum_policy '
            'SolverParameter.momentum_power SolverParameter.plateau_winsize '
            'SolverParameter.rampup_interval SolverParameter.rampup_lr '
            'SolverParameter.show_per_class_result SolverParameter.solver_data_type '
            'SolverParameter.store_blobs_in_old_format SolverParameter.test_and_snapshot_last_epochs '
            'SolverParameter.weight_decay_policy SolverParameter.weight_decay_power '
            'SolverState.iter_last_event SolverState.minimum_loss '
            'TransformationParameter.InterpolationAlgo:INTER_AREA '
            'TransformationParameter.InterpolationAlgo:INTER_CUBIC '
            'TransformationParameter.InterpolationAlgo:INTER_LINEAR '
            'TransformationParameter.InterpolationAlgo:INTER_NEAREST '
            'TransformationParameter.allow_upscale TransformationParameter.crop_h '
            'TransformationParameter.crop_w TransformationParameter.display '
            'TransformationParameter.distort_param TransformationParameter.emit_constraint '
            'TransformationParameter.expand_param TransformationParameter.forward_packing '
            'TransformationParameter.horizontal_stretch_lower '
            'TransformationParameter.horizontal_stretch_upper '
            'TransformationParameter.img_rand_resize_lower '
            'TransformationParameter.img_rand_resize_upper '
            'TransformationParameter.interpolation_algo_down '
            'TransformationParameter.interpolation_algo_up TransformationParameter.noise_param '
            'TransformationParameter.num_labels TransformationParameter.rand_resize_ratio_lower '
            'TransformationParameter.rand_resize_ratio_upper TransformationParameter.random_seed '
            'TransformationParameter.resize_param TransformationParameter.use_gpu_transform '
            'TransformationParameter.vertical_stretch_lower '
            'TransformationParameter.vertical_stretch_upper'
        ),
        layer_types=(
            'AnnotatedData Axpy DetectNetTransformation DetectionEvaluate DetectionOutput L1Loss '
            'MultiBoxLoss Normalize Permute PriorBox SmoothL1Loss TRT VideoData'
        ),
        filler_types=(
            'bilinearstatic gaussianstatic msrastatic positive_unitballstatic uniformstatic '
            'xavierstatic'
        ),
        solver_types='SAG',
        roots='LabelMap.item',
    ),
    Fork(
        "nvidia-0.15", 'NVIDIA Caffe 0.15 (DIGITS DetectNet)', 'NVIDIA/caffe', 'caffe-0.15', 'src/caffe/proto/caffe.proto', '2017-08-14',
        fields=(
            'BatchNormParameter.Engine:CAFFE BatchNormParameter.Engine:CUDNN '
            'BatchNormParameter.Engine:DEFAULT BatchNormParameter.bias_filler '
            'BatchNormParameter.engine BatchNormParameter.scale_filler '
            'ConvolutionParameter.CuDNNConvolutionAlgorithmSeeker:FINDEX '
            'ConvolutionParameter.CuDNNConvolutionAlgorithmSeeker:GET '
            'ConvolutionParameter.cudnn_convolution_algo_seeker DataParameter.threads '
            'LayerParameter.detectnet_augmentation_param LayerParameter.detectnet_groundtruth_param '
            'SolverParameter.per_parameter_reduce TransformationParameter.use_gpu_transform'
        ),
        layer_types='DetectNetTransformation L1Loss',
        filler_types=(
            'bilinearstatic gaussianstatic msrastatic positive_unitballstatic uniformstatic '
            'xavierstatic'
        ),
    ),
    Fork(
        "intel", 'Intel Caffe', 'intel/caffe', 'master', 'src/caffe/proto/caffe.proto', '2022-08-04',
        fields=(
            'BatchNormParameter.Engine:CAFFE BatchNormParameter.Engine:DEFAULT '
            'BatchNormParameter.Engine:MKL2017 BatchNormParameter.Engine:MKLDNN '
            'BatchNormParameter.bias_filler BatchNormParameter.bias_term BatchNormParameter.engine '
            'BatchNormParameter.filler BatchNormParameter.relu BatchNormParameter.stats_batch_size '
            'BatchNormParameter.use_weight_bias ConcatParameter.Engine:CAFFE '
            'ConcatParameter.Engine:DEFAULT ConcatParameter.Engine:MKL2017 '
            'ConcatParameter.Engine:MKLDNN ConcatParameter.engine ConcatParameter.per_fla_fuse '
            'ConvolutionParameter.Engine:MKL2017 ConvolutionParameter.Engine:MKLDNN '
            'ConvolutionParameter.FusionType:NONE_FUSION ConvolutionParameter.FusionType:SUM_FUSION '
            'ConvolutionParameter.coeff ConvolutionParameter.conv_algorithm '
            'ConvolutionParameter.fusion_type ConvolutionParameter.negative_slope '
            'ConvolutionParameter.relu DataParameter.shuffle DataParameter.side '
            'EltwiseParameter.Engine:CAFFE EltwiseParameter.Engine:DEFAULT '
            'EltwiseParameter.Engine:MKL2017 EltwiseParameter.Engine:MKLDNN EltwiseParameter.engine '
            'FillerParameter.scale ImageDataParameter.min_height ImageDataParameter.min_width '
            'InnerProductParameter.Engine:CAFFE InnerProductParameter.Engine:CUDNN '
            'InnerProductParameter.Engine:DEFAULT InnerProductParameter.Engine:MKLDNN '
            'InnerProductParameter.engine InnerProductParameter.negative_slope '
            'InnerProductParameter.relu LRNParameter.Engine:MKL2017 LRNParameter.Engine:MKLDNN '
            'LayerParameter.annotated_data_param LayerParameter.box_annotator_ohem_param '
            'LayerParameter.detection_evaluate_param LayerParameter.detection_output_param '
            'LayerParameter.engine LayerParameter.eval_detection_param '
            'LayerParameter.mn_activation_param LayerParameter.mn_grad_compress_param '
            'LayerParameter.multibox_loss_param LayerParameter.multinode LayerParameter.norm_param '
            'LayerParameter.permute_param LayerParameter.prior_box_param '
            'LayerParameter.psroi_pooling_param LayerParameter.quantization_param '
            'LayerParameter.region_loss_param LayerParameter.reorg_param '
            'LayerParameter.roi_pooling_param LayerParameter.smooth_l1_loss_param '
            'LayerParameter.spatial_dropout_param LayerParameter.split_param '
            'LayerParameter.video_data_param LossParameter.NormalizationMode:PRE_FIXED '
            'LossParameter.label_smoothing LossParameter.pre_fixed_normalizer '
            'NetParameter.bn_stats_batch_size NetParameter.compile_net_state NetParameter.engine '
            'NetParameter.multinode PoolingParameter.Engine:MKL2017 PoolingParameter.Engine:MKLDNN '
            'PoolingParameter.avg_include_pad PoolingParameter.axis PoolingParameter.kernel_size_3d '
            'PoolingParameter.pad_3d PoolingParameter.stride_3d ReLUParameter.Engine:MKL2017 '
            'ReLUParameter.Engine:MKLDNN ReLUParameter.fuse ReshapeParameter.pixelshuffler '
            'SolverParameter.ap_version SolverParameter.disabled_update SolverParameter.engine '
            'SolverParameter.eval_type SolverParameter.local_gw_ratio SolverParameter.local_lr_auto '
            'SolverParameter.plateau_winsize SolverParameter.show_per_class_result '
            'SolverParameter.stageiter SolverParameter.stagelr SolverParameter.test_offset '
            'SolverParameter.warmup_iter SolverParameter.warmup_start_lr SolverState.iter_last_event '
            'SolverState.minimum_loss TransformationParameter.bgr2rgb TransformationParameter.crop_h '
            'TransformationParameter.crop_w TransformationParameter.distort_param '
            'TransformationParameter.emit_constraint TransformationParameter.expand_param '
            'TransformationParameter.flow TransformationParameter.noise_param '
            'TransformationParameter.pad TransformationParameter.random_aspect_ratio_param '
            'TransformationParameter.random_resize_param TransformationParameter.resize_param'
        ),
        layer_types=(
            'AnnotatedData Axpy BoxAnnotatorOHEM BoxData DetectionEvaluate DetectionOutput '
            'EvalDetection MKLBatchNorm MnActivation MultiBoxLoss Normalize PSROIPooling Permute '
            'PriorBox ROIPooling RegionLoss Reorg SmoothL1Loss SmoothL1LossOHEM SoftmaxWithLossOHEM '
            'SpatialDropout VideoData'
        ),
        filler_types='gabor',
        lr_policies='multifixed plateau',
        roots='LabelMap.item',
    ),
    Fork(
        "mobilenet-yolo", 'MobileNet-YOLO', 'eric612/MobileNet-YOLO', 'master', 'src/caffe/proto/caffe.proto', '2021-03-28',
        fields=(
            'Datum.seg_label LayerParameter.annotated_data_param '
            'LayerParameter.detection_evaluate_param LayerParameter.detection_output_param '
            'LayerParameter.multibox_loss_param LayerParameter.norm_param '
            'LayerParameter.permute_param LayerParameter.prior_box_param '
            'LayerParameter.region_loss_param LayerParameter.relu6_param LayerParameter.reorg_param '
            'LayerParameter.segmentation_evaluate_param LayerParameter.upsample_param '
            'LayerParameter.yolo_detection_output_param LayerParameter.yolo_seg_param '
            'LayerParameter.yolov3_detection_output_param LayerParameter.yolov3_param '
            'SolverParameter.ap_version SolverParameter.eval_type SolverParameter.plateau_winsize '
            'SolverParameter.show_per_class_result SolverParameter.stageiter SolverParameter.stagelr '
            'SolverState.iter_last_event SolverState.minimum_loss '
            'TransformationParameter.apply_probability '
            'TransformationParameter.contrast_brightness_adjustment TransformationParameter.crop_h '
            'TransformationParameter.crop_w TransformationParameter.cvt_bgr2rgb '
            'TransformationParameter.debug_params TransformationParameter.distort_param '
            'TransformationParameter.emit_constraint TransformationParameter.enable_classf_aug '
            'TransformationParameter.expand_param TransformationParameter.max_brightness_shift '
            'TransformationParameter.max_color_shift TransformationParameter.max_contrast '
            'TransformationParameter.max_rotation_angle TransformationParameter.max_scaling_factor '
            'TransformationParameter.max_smooth TransformationParameter.min_contrast '
            'TransformationParameter.min_scaling_factor TransformationParameter.min_side '
            'TransformationParameter.min_side_max TransformationParameter.min_side_min '
            'TransformationParameter.noise_param TransformationParameter.resize_param '
            'TransformationParameter.smooth_filtering V1LayerParameter.LayerType:RELU6 '
            'V1LayerParameter.relu6_param'
        ),
        layer_types=(
            'AnnotatedData AssistedExcitation Axpy DepthwiseConvolution DetectionEvaluate '
            'DetectionOutput GaussianYolov3 LaneData MultiBoxLoss Normalize Permute PriorBox ReLU6 '
            'RegionLoss Reorg SegmentationEvaluate SmoothL1Loss Upsample YoloDetectionOutput YoloSeg '
            'Yolov3 Yolov3DetectionOutput'
        ),
        lr_policies='multifixed',
        roots='LabelMap.item',
    ),
    Fork(
        "yjxiong", 'yjxiong/caffe (TSN, synchronised BN)', 'yjxiong/caffe', 'master', 'src/caffe/proto/caffe.proto', '2017-07-22',
        fields=(
            'ConvolutionParameter.dilation_h ConvolutionParameter.dilation_w DataParameter.shuffle '
            'EltwiseParameter.EltwiseOp:STOCHASTIC_SUM LayerParameter.batch_reduction_param '
            'LayerParameter.bn_param LayerParameter.roi_pooling_param LayerParameter.seg_data_param '
            'LayerParameter.video_data_param NetParameter.mem_param '
            'ReductionParameter.ReductionOp:TOPK ReductionParameter.k SolverParameter.group_id '
            'SolverParameter.richness TransformationParameter.fix_crop '
            'TransformationParameter.is_flow TransformationParameter.max_distort '
            'TransformationParameter.more_fix_crop TransformationParameter.multi_scale '
            'TransformationParameter.original_image TransformationParameter.scale_ratios '
            'TransformationParameter.stride TransformationParameter.upper_height '
            'TransformationParameter.upper_size TransformationParameter.upper_width'
        ),
        layer_types=(
            'BN BatchReduction Gather Normalize ROIPooling Scatter SegData SmoothL1Loss SyncBN '
            'VideoData'
        ),
        lr_policies='exp10',
    ),
    Fork(
        "crfasrnn", 'CRF-RNN (crfasrnn)', 'torrvision/crfasrnn', '0.1', 'caffe-crfrnn/src/caffe/proto/caffe.proto', '2015-09-30',
        fields=(
            'V1LayerParameter.LayerType:CROP V1LayerParameter.LayerType:MULTI_STAGE_MEANFIELD '
            'V1LayerParameter.LayerType:SIMPLE_FAST_MEANFIELD '
            'V1LayerParameter.multi_stage_meanfield_param'
        ),
    ),
    Fork(
        "caffe-lstm", 'caffe-lstm', 'junhyukoh/caffe-lstm', 'master', 'src/caffe/proto/caffe.proto', '2016-08-30',
        fields='LayerParameter.lstm_param',
        layer_types='Lstm',
    ),
    Fork(
        "sphereface", 'SphereFace', 'wy1iu/sphereface', 'master', 'tools/caffe-sphereface/src/caffe/proto/caffe.proto', '2022-04-10',
        fields='LayerParameter.margin_inner_product_param',
        layer_types='MarginInnerProduct',
    ),
    Fork(
        "caffe-mobilenet", "MobileNet depthwise convolution (caffe-mobilenet)", "farmingyard/caffe-mobilenet",
        "master", None, "2017-07-31", layer_types="ConvolutionDepthwise",
        how="add its ConvolutionDepthwise layer files to your Caffe (it reads convolution_param)",
    ),
    Fork(
        "depthwise-convolution", "DepthwiseConvolution", "yonghenglh6/DepthwiseConvolution", "master", None,
        "2021-05-21", layer_types="DepthwiseConvolution",
        how="add its DepthwiseConvolution layer files to your Caffe (it reads convolution_param)",
    ),
    Fork(
        "shufflenet", "ShuffleNet", "farmingyard/ShuffleNet", "master", None, "2018-08-30",
        fields="LayerParameter.shuffle_channel_param", layer_types="ShuffleChannel ConvolutionDepthwise",
        how="add its ShuffleChannel layer and `optional ShuffleChannelParameter shuffle_channel_param` to your "
            "caffe.proto (the depthwise layer comes from farmingyard/caffe-mobilenet)",
    ),
    Fork(
        "senet", "SENet", "hujie-frank/SENet", "master", None, "2019-02-25", layer_types="Axpy",
        how="add its Axpy layer files to your Caffe",
    ),
)

BY_KEY = {fork.key: fork for fork in FORKS}
