"""The shapes and parameter counts `protolint shapes` prints equal what Caffe itself computes.

tests/fixtures/caffe_shapes.json holds, for 16 deploy nets of the corpus (BVLC's reference models,
ResNet-18/50/101/152, SqueezeNet 1.0/1.1, MobileNet v1/v2, Inception v3, SE-BN-Inception, a
dilated segmentation net), every layer Caffe built in the TEST phase with the shape of each of its
tops and the number of values in its parameter blobs. It was produced by running BVLC Caffe (commit
9b89154, CPU_ONLY build, float) on each file: a small C++ program constructed `caffe::Net<float>(file,
caffe::TEST)`; the shapes are the "Top shape: ..." lines of its log, the counts the sum of
`blob->count()` over each layer's `blobs()`. Caffe's own Split layers (inserted after blobs read
twice, `<blob>_<layer>_<i>_split`) are not in the files and are left out. The numbers are Caffe's
output, stored as plain data; the test skips a net whose file is not in the corpus.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from protolint.api import default_options
from protolint.linter import prepare
from protolint.model.net import TEST
from protolint.model.usage import net_alone
from protolint.shapes_command import NetItem, state_table
from tests.corpus_location import need_corpus

EXPECTED = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "caffe_shapes.json").read_text())


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_shapes_and_parameters_equal_caffes(relative):
    path = os.path.join(need_corpus(relative), relative)
    with open(path, "rb") as handle:
        prepared = prepare(path, handle.read(), default_options())
    net = net_alone(prepared.document.root)
    assert net.states() == [TEST]  # a deploy net is built in TEST only
    table = state_table(NetItem(path, net, prepared.document.source), TEST, ())
    ours = [[row.name, [list(top.shape) if top.shape is not None else None for top in row.tops], row.params]
            for row in table.layers]
    assert ours == EXPECTED[relative]


def test_the_recorded_figures_cover_many_tops():
    assert len(EXPECTED) == 16
    assert sum(len(shapes) for layers in EXPECTED.values() for _, shapes, _ in layers) == 2967
