"""Did-you-mean: a suggestion names what the user most likely meant, and nothing when it was
another name on purpose."""

import pytest

from protolint.model.facts import BVLC_LAYER_TYPES
from protolint.suggest import closest


@pytest.mark.parametrize("written, meant", [
    ("Convolusion", "Convolution"),
    ("relu", "ReLU"),
    ("Dropoutt", "Dropout"),
    ("SoftmaxLoss", "SoftmaxWithLoss"),  # a word left out is still the same layer
    ("InnerProdcut", "InnerProduct"),
])
def test_misspelt_layer_types_get_the_right_suggestion(written, meant):
    assert closest(written, BVLC_LAYER_TYPES) == meant


@pytest.mark.parametrize("written", ["ImageFloatData", "WeightedEuclideanLoss", "WeightEuclideanLoss", "DiceCoefLoss"])
def test_a_bvlc_name_with_words_added_is_another_layer_not_a_typo(written):
    assert closest(written, BVLC_LAYER_TYPES) is None


@pytest.mark.parametrize("written, candidates, meant", [
    ("kernal_size", ["kernel_size", "pad"], "kernel_size"),
    ("param_str_", ["param_str", "module"], "param_str"),
    ("bn_param", ["mvn_param"], None),  # shares a word, but "bn" is not "mvn"
    ("min_lr", ["base_lr"], None),
])
def test_field_names_compare_by_the_words_that_differ(written, candidates, meant):
    assert closest(written, candidates) == meant
