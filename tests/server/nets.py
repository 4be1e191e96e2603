"""Nets the editing and navigation tests share."""

PHASED = """name: "phased"
layer {
  name: "data"
  type: "Input"
  top: "data"
  input_param { shape { dim: 1 dim: 3 dim: 224 dim: 224 } }
  include { phase: TEST }
}
layer {
  name: "data"
  type: "DummyData"
  top: "data"
  top: "label"
  dummy_data_param { shape { dim: 8 dim: 3 dim: 224 dim: 224 } shape { dim: 8 } }
  include { phase: TRAIN }
}
layer {
  name: "conv1"
  type: "Convolution"
  bottom: "data"
  top: "conv1"
  convolution_param {
    num_output: 64
    kernel_size: 7
    stride: 2
    pad: 3
    weight_filler { type: "msra" }
    bias_filler { type: "constant" }
  }
}
layer {
  name: "relu1"
  type: "ReLU"
  bottom: "conv1"
  top: "conv1"
}
layer {
  name: "pool1"
  type: "Pooling"
  bottom: "conv1"
  top: "pool1"
  pooling_param { pool: MAX kernel_size: 3 stride: 2 }
}
layer {
  name: "fc"
  type: "InnerProduct"
  bottom: "pool1"
  top: "fc"
  inner_product_param { num_output: 10 weight_filler { type: "xavier" } bias_filler { type: "constant" } }
}
layer {
  name: "loss"
  type: "SoftmaxWithLoss"
  bottom: "fc"
  bottom: "label"
  top: "loss"
  include { phase: TRAIN }
}
layer {
  name: "prob"
  type: "Softmax"
  bottom: "fc"
  top: "prob"
  include { phase: TEST }
}
"""

DEPLOY = """name: "deploy"
layer {
  name: "data"
  type: "Input"
  top: "data"
  input_param { shape { dim: 1 dim: 3 dim: 224 dim: 224 } }
}
layer {
  name: "conv1"
  type: "Convolution"
  bottom: "data"
  top: "conv1"
  convolution_param { num_output: 64 kernel_size: 7 stride: 2 pad: 3 }
}
layer {
  name: "relu1"
  type: "ReLU"
  bottom: "conv1"
  top: "conv1"
}
layer {
  name: "conv2"
  type: "Convolution"
  bottom: "conv1"
  top: "conv2"
  convolution_param { num_output: 32 kernel_size: 1 }
}
layer {
  name: "again"
  type: "ReLU"
  bottom: "conv2"
  top: "conv1"
}
layer {
  name: "prob"
  type: "Softmax"
  bottom: "conv1"
  top: "prob"
}
"""

SOLVER = """net: "phased.prototxt"
test_iter: 10
test_interval: 100
base_lr: 0.01
lr_policy: "step"
stepsize: 1000
gamma: 0.1
max_iter: 5000
snapshot_prefix: "snap"
solver_mode: GPU
"""
