"""Which Caffe release the files are meant for: explicit (--caffe-version, config) or read off the schema.

Behaviour that changed between releases (InfogainLoss applying softmax itself from 1.0, BatchNorm
freezing its statistics from rc4, ...) is decided from this. The markers are facts of caffe.proto's
history: each release added fields that the schema shows.
"""

from __future__ import annotations

from .schema.model import Schema

RELEASES = ("rc1", "rc2", "rc3", "rc4", "rc5", "1.0", "master")

# What appeared when in BVLC Caffe's history: layer types (by the release that first registers
# them) and schema fields (by the release whose caffe.proto first has them). N227 reports uses of
# them with an older target; infer_from_schema reads the field table to date a schema.
TYPE_SINCE = {
    **{t: "rc3" for t in "BatchNorm BatchReindex Bias ELU Embed Filter Log PReLU Reduction Reshape SPP Scale Tile".split()},
    **{t: "rc4" for t in "Crop Input LSTM LSTMUnit Parameter RNN".split()},
    "Clip": "master",
    "Swish": "master",
}
FIELD_SINCE = {
    ("PoolingParameter", "round_mode"): "master",
    ("SolverParameter", "weights"): "master",
    ("InfogainLossParameter", "axis"): "1.0",
    ("SolverParameter", "layer_wise_reduce"): "rc4",
    ("LossParameter", "normalization"): "rc3",
    ("SolverParameter", "type"): "rc3",
}
# The markers infer_from_schema checks, newest first.
_MARKERS = tuple(sorted(((m, f, r) for (m, f), r in FIELD_SINCE.items()), key=lambda item: -RELEASES.index(item[2])))


class VersionError(ValueError):
    pass


def parse_version(text: str) -> str:
    value = text.strip().lower().removeprefix("v")
    aliases = {"1": "1.0", "1.0.0": "1.0", "head": "master", "latest": "master", "1.0-rc5": "rc5", "1.0-rc4": "rc4",
               "1.0-rc3": "rc3", "1.0-rc2": "rc2", "1.0-rc1": "rc1"}
    value = aliases.get(value, value)
    if value not in RELEASES:
        raise VersionError(f"unknown Caffe version {text!r}; expected one of {', '.join(RELEASES)}")
    return value


def infer_from_schema(schema: Schema) -> str:
    for message, field, release in _MARKERS:
        if schema.has_message(message) and field in schema.message(message).fields:
            return release
    return "rc2"


def at_least(version: str, release: str) -> bool:
    return RELEASES.index(version) >= RELEASES.index(release)
