"""The version answer: which Caffe release a schema belongs to, read off the whole schema.

The schemas of each release are written here from the history table: the built-in schema's
messages, fields and enum values, keeping only what the release had. Forks are mimicked by mixing
releases.
"""

from __future__ import annotations

import pytest

from protolint.schema import history
from protolint.schema.loader import builtin_schema, parse_schema
from protolint.versions import RELEASES, VersionAnswer, infer_from_schema, version_for

ADDED = history.added()


def _keep(name: str, release: str, extra=(), drop=()) -> bool:
    if name in drop:
        return False
    if name in extra:
        return True
    since = ADDED.get(name)
    return since is not None and RELEASES.index(since[0]) <= RELEASES.index(release)


def proto_for(release: str, extra=(), drop=()) -> str:
    """A caffe.proto with what BVLC's had at `release`, plus the elements in `extra`, less `drop`."""
    schema = builtin_schema()
    out = ['syntax = "proto2";', "package caffe;"]

    def enum_text(prefix, enum, indent):
        values = [v for v in enum.values.values() if _keep(f"{prefix}{enum.name}:{v.name}", release, extra, drop)]
        if not values:
            return []
        lines = [f"{indent}enum {enum.name} {{"]
        lines += [f"{indent}  {v.name} = {v.number};" for v in values]
        return lines + [f"{indent}}}"]

    for full in schema.top_messages:
        message = schema.messages[full]
        if not _keep(message.name, release, extra, drop):
            continue
        lines = [f"message {message.name} {{"]
        for enum in message.nested_enums.values():
            lines += enum_text(f"{message.name}.", enum, "  ")
        for f in message.fields.values():
            if not _keep(f"{message.name}.{f.name}", release, extra, drop):
                continue
            target = f.message.name if f.message else f.enum.full_name.removeprefix("caffe.") if f.enum else None
            type_name = f.type_name
            if f.message is not None and not _keep(target, release, extra, drop):
                type_name = "string"  # the name was there with another type (rc1's `layers`, `param`)
            if f.enum is not None and not any(
                    _keep(f"{target}:{v}", release, extra, drop) for v in f.enum.values):
                continue
            lines.append(f"  {f.label} {type_name} {f.name} = {f.number}{_default(f) if type_name == f.type_name else ''};")
        out += lines + ["}"]
    for full in schema.top_enums:
        out += enum_text("", schema.enums[full], "")
    return "\n".join(out) + "\n"


def _default(f) -> str:
    if not f.has_default:
        return ""
    value = f.default
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif f.scalar in ("string", "bytes"):
        text = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    elif isinstance(value, float):
        text = repr(value).replace("inf", "inf")
    else:
        text = str(value)
    return f" [default = {text}]"


def answer(text: str) -> VersionAnswer:
    return infer_from_schema(parse_schema(text))


@pytest.mark.parametrize("release", [r for r in RELEASES if r != "rc5"])
def test_each_release_is_recognised_exactly(release):
    found = answer(proto_for(release))
    assert found.low == release and found.confidence == "exact" and not found.given
    assert found.at_least(release) is True


def test_rc4_and_rc5_cannot_be_told_apart():
    # rc5 added nothing to caffe.proto.
    found = answer(proto_for("rc5"))
    assert (found.low, found.high) == ("rc4", "rc5")
    assert found.at_least("rc4") is True and found.at_least("rc5") is None and found.at_least("1.0") is False


def test_a_fork_with_backports_is_a_range_not_rc3():
    # An rc3 fork that took Input, Recurrent and Crop from rc4 but not the solver's layer_wise_reduce.
    extra = {n for n, (r, _d) in ADDED.items() if r == "rc4"} - {"SolverParameter.layer_wise_reduce"}
    extra -= {n for n in extra if n.startswith(("ParameterParameter", "LayerParameter.parameter_param"))}
    found = answer(proto_for("rc3", extra=extra))
    assert found.confidence in ("exact", "partial")
    assert found.at_least("rc3") is True and found.at_least("1.0") is False
    # It has most of rc4: rc4 is either settled or open, never "older than rc4".
    assert found.at_least("rc4") is not False
    assert any("rc4" in e for e in found.evidence)


def test_a_partial_backport_leaves_the_question_open():
    extra = {"InputParameter", "InputParameter.shape", "LayerParameter.input_param", "CropParameter",
             "CropParameter.axis", "CropParameter.offset", "LayerParameter.crop_param"}
    found = answer(proto_for("rc3", extra=extra))
    assert found.confidence == "partial" and found.at_least("rc4") is None
    assert "rc3" in found.describe() and "fork" in found.describe()


def test_schema_like_no_release_is_unknown():
    found = answer('syntax = "proto2"; package caffe; message NetParameter { optional string name = 1; }')
    assert found.confidence == "unknown" and found.at_least("rc2") is None
    assert "unknown" in found.describe()


def test_dates_place_a_schema_against_a_check():
    date = history.CHECKS_SINCE["shared-param-mults"]
    assert answer(proto_for("rc2")).predates(date) is True
    assert answer(proto_for("rc3")).predates(date) is False
    # Everything master had on the eve of the check, nothing after.
    eve = {n for n, (_r, d) in ADDED.items() if d < date}
    after = {n for n, (_r, d) in ADDED.items() if d >= date}
    assert answer(proto_for("master", drop=after, extra=eve)).predates(date) is True


def test_given_and_builtin_answers():
    given = version_for("rc3", builtin_schema())
    assert given.given and given.at_least("rc4") is False and given.predates("2015-08-07") is False
    default = version_for(None, builtin_schema())
    assert not default.given and default.confidence == "default" and default.release == "master"
    assert default.at_least("1.0") is True and default.predates("2015-08-07") is False


def test_history_covers_the_builtin_schema():
    from protolint.versions import schema_elements

    assert schema_elements(builtin_schema()) == set(ADDED)


def test_a_field_the_schema_lacks_reaches_no_rule_as_none(tmp_path):
    # An rc2-era schema: ConvolutionParameter, InnerProductParameter, ... have no `axis`.
    from protolint.api import default_options, lint_bytes

    proto = tmp_path / "caffe.proto"
    proto.write_text(proto_for("rc2"))
    from protolint.schema.loader import load_schema

    options = default_options(schema=load_schema(proto))
    net = (b'name: "n"\ninput: "x" input_dim: 1 input_dim: 3 input_dim: 8 input_dim: 8\n'
           b'layer { name: "c" type: "Convolution" bottom: "x" top: "c" convolution_param { num_output: 4 kernel_size: 3 '
           b'weight_filler { type: "xavier" } } }\n'
           b'layer { name: "ip" type: "InnerProduct" bottom: "c" top: "ip" inner_product_param { num_output: 2 '
           b'weight_filler { type: "xavier" } } }\n')
    found = lint_bytes("net.prototxt", net, options).diagnostics
    assert not [d for d in found if "None" in d.message], [d.message for d in found]
    assert not [d for d in found if d.severity == "error"], [d.message for d in found]
