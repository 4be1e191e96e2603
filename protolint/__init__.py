"""protolint: a static linter for Caffe prototxt files."""

__version__ = "0.1.0"
