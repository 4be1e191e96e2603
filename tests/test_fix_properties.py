"""Safe fixes keep their promises (tests/fix_properties.py says which), on every file of the corpus
and on generated nets, applied exactly as `protolint --fix` applies them."""

from __future__ import annotations

import pytest

from tests.corpus_location import corpus_file, corpus_params
from tests.fix_properties import check_fix, check_pass
from tests.test_corpus import builtin


@pytest.mark.parametrize("path", corpus_params())
def test_fixing_a_corpus_file_keeps_every_property(path):
    path = corpus_file(path)
    options, classes = builtin()
    assert check_fix(str(path), path.read_bytes(), options, classes) == []


def test_unsafe_fixes_on_the_corpus_are_near_misses_of_the_same_kind():
    """--unsafe-fixes on every corpus file with unsafe fixes: every rename and other unsafe fix is
    applied without a refusal (none would have added an error), and no file ends with more errors
    (renaming fork blocks into unrelated messages once took the corpus from 2,005 errors to 3,283)."""
    from protolint.api import lint_bytes
    from protolint.fixes import fix_inputs
    from protolint.project import Input
    from tests.corpus_location import corpus_files, need_corpus

    need_corpus()
    options, _classes = builtin()
    worse, refused, applied = [], [], 0
    for path in corpus_files():
        data = path.read_bytes()
        result = lint_bytes(str(path), data, options)
        if not any(not f.safe for d in result.diagnostics for f in d.fixes):
            continue
        for _item, _result, outcome in fix_inputs([Input(str(path), data, None)], [result], lambda _p: options, True):
            applied += outcome.applied
            refused += [(path.name, r.fix.title, r.reason) for r in outcome.refused]
            errors = lambda ds: sum(d.severity == "error" for d in ds)  # noqa: E731
            if outcome.diagnostics is not None and errors(outcome.diagnostics) > errors(result.diagnostics):
                worse.append(path.name)
    assert applied > 0 and refused == [] and worse == []


# ---------------------------------------------------------------------------------------------
# The checks can fail: each catches the mistake it is for (several of them fixes once made)
# ---------------------------------------------------------------------------------------------


def problems_of(text: str, edits, rule: str = "some-rule") -> list[str]:
    from protolint.diagnostics import Fix, TextEdit
    from protolint.fixes import FixPass, apply
    from protolint.source import SourceText

    options, classes = builtin()
    fix = Fix("a fix", [TextEdit(*e) for e in edits])
    after, applied = apply(text, [fix])
    assert applied == 1
    return check_pass("net.prototxt", SourceText("net.prototxt", text), FixPass(text, [fix], [rule]), after, options, classes)


V1_NET = ('input: "data"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 8\ninput_dim: 8\n'
          'layers { name: "r" type: RELU bottom: "data" top: "r" }\n')
INPUT_LAYER = 'layer {\n  name: "input"\n  type: "Input"\n  top: "data"\n  input_param { shape { dim: 1 dim: 3 dim: 8 dim: 8 } }\n}'


def test_an_input_layer_among_v1_layers_is_caught():
    end = V1_NET.index("layers")
    edits = [(0, end, INPUT_LAYER + "\n")]
    found = problems_of(V1_NET, edits, "legacy-input-fields")
    assert any("more than its purpose" in p and "refused" in p for p in found), found
    assert any("a file without errors got one: mixed-layer-formats" in p for p in found), found


def test_the_input_layer_done_right_passes():
    net = V1_NET.replace("layers { name: \"r\" type: RELU", "layer { name: \"r\" type: \"ReLU\"")
    end = net.index("layer {")
    assert problems_of(net, [(0, end, INPUT_LAYER + "\n")], "legacy-input-fields") == []


def test_a_comment_that_swallows_code_is_caught():
    net = ('input: "rois"\ninput_shape {\n  dim: 1 # num ROIs\n  dim: 5\n}\n'
           'layer { name: "r" type: "ReLU" bottom: "rois" top: "r" }\n')
    end = net.index("layer {")
    collapsed = ('layer {\n  name: "input"\n  type: "Input"\n  top: "rois"\n'
                 '  input_param { shape { dim: 1 # num ROIs dim: 5 } }\n}\n')
    found = problems_of(net, [(0, end, collapsed)], "legacy-input-fields")
    assert any("comments that were not there" in p for p in found), found


def test_lf_lines_in_a_crlf_file_are_caught():
    net = 'layer {\r\n  name: "a"\r\n  type: "ReLU"\r\n  bottom: "x"\r\n  top: "x"\r\n}\r\n'
    at = net.index('  top')
    found = problems_of(net, [(at, at, '  top: "y"\n')])
    assert any("line breaks other than" in p for p in found) and any("LF line endings appeared" in p for p in found), found


def test_a_separator_left_behind_is_caught():
    net = 'layer { name: "bn" type: "BatchNorm" bottom: "x" top: "x" batch_norm_param { use_global_stats: false; } }\n'
    start = net.index("use_global_stats")
    found = problems_of(net, [(start, net.index(";"), "")])
    assert any("left behind" in p for p in found), found


def test_a_fix_that_changes_more_than_it_touches_is_caught():
    net = 'layer { name: "a" type: "ReLU" bottom: "x" top: "y" }\nlayer { name: "b" type: "ReLU" bottom: "y" top: "z" }\n'
    closer = net.index("}")
    found = problems_of(net, [(closer, closer + 1, "")])
    assert any("syntax errors rose" in p for p in found) and any("more than its purpose" in p for p in found), found


def test_a_file_protobuf_accepts_stays_accepted():
    net = 'layer { name: "a" type: "ReLU" bottom: "x" top: "y" }\n'
    at = net.index("bottom")
    found = problems_of(net, [(at, at, "bottom: 1.5 ")])  # an inserted field is masked, but protobuf rejects it
    assert any("protobuf accepted the file before the fix and rejects it after" in p for p in found), found


# ---------------------------------------------------------------------------------------------
# Generated nets: every fixable mistake, in every layout
# ---------------------------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                             suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def layouts(draw):
    """How fields are written: separators, comments, line endings, blocks on one line or several."""
    return {
        "newline": draw(st.sampled_from(["\n", "\r\n", "mixed"])),
        "separator": draw(st.sampled_from(["", "", ";", ","])),
        "compact": draw(st.booleans()),
        "comments": draw(st.booleans()),
        "indent": draw(st.sampled_from(["  ", "\t", "    "])),
    }


def render(fields, layout, draw, depth=0) -> list[str]:
    """Lines of text for (name, value) fields; a value is a scalar's text or a list of fields."""
    lines: list[str] = []
    pad = layout["indent"] * depth
    for name, value in fields:
        separator = layout["separator"] if draw(st.integers(0, 3)) == 0 else ""
        comment = f"  # {name} here" if layout["comments"] and draw(st.integers(0, 3)) == 0 else ""
        if isinstance(value, list):
            if layout["compact"] or depth >= 1 and draw(st.booleans()):
                inner = " ".join(line.strip() for line in render(value, dict(layout, comments=False), draw, 0))
                lines.append(f"{pad}{name} {{ {inner} }}{separator}{comment}")
            else:
                lines.append(f"{pad}{name} {{{comment}")
                lines += render(value, layout, draw, depth + 1)
                lines.append(f"{pad}}}{separator}")
        else:
            lines.append(f"{pad}{name}: {value}{separator}{comment}")
    return lines


def layer(name, kind, bottoms, tops, *extra):
    return ("layer", [("name", f'"{name}"'), ("type", f'"{kind}"'), *(("bottom", f'"{b}"') for b in bottoms),
                      *(("top", f'"{t}"') for t in tops), *extra])


@st.composite
def generated_nets(draw):
    """A net with a choice of the mistakes the safe fixes repair (and some they must leave alone)."""
    layout = draw(layouts())
    fields = [("name", '"generated"')]
    inputs = draw(st.sampled_from(["layer", "input_dim", "input_shape", "input_shape_commented"]))
    if inputs == "input_dim":
        fields += [("input", '"data"')] + [("input_dim", str(d)) for d in (2, 3, 8, 8)]
        fields += [("input", '"label"')] + [("input_dim", str(d)) for d in (2, 1, 1, 1)]
    elif inputs.startswith("input_shape"):
        fields += [("input", '"data"'), ("input_shape", [("dim", "2"), ("dim", "3"), ("dim", "8"), ("dim", "8")])]
        fields += [("input", '"label"'), ("input_shape", [("dim", "2")])]
    else:
        fields.append(layer("in", "Input", [], ["data", "label"],
                            ("input_param", [("shape", [("dim", "2"), ("dim", "3"), ("dim", "8"), ("dim", "8")]),
                                             ("shape", [("dim", "2")])])))
    filler = [("type", draw(st.sampled_from(['"xavier"', '"Xavier"', '"gaussian"'])))]
    if draw(st.booleans()):
        filler.append(("std", "0.01"))  # ignored by xavier: filler-ignored-fields
    fields.append(layer("conv", "Convolution", ["data"], ["conv"],
                        ("convolution_param", [("num_output", "4"), ("kernel_size", "3"), ("weight_filler", filler),
                                               ("bias_filler", [("type", '"constant"')])])))
    if draw(st.booleans()):
        params = [("param", [("lr_mult", "0")])] * 3 if draw(st.booleans()) else []
        fields.append(layer("bn", "BatchNorm", ["conv"], ["conv"], *params))
    fields.append(layer("relu", draw(st.sampled_from(["ReLU", "relu", "RELU", "Relu"])), ["conv"], ["conv"]))
    if draw(st.booleans()):
        fields.append(layer("max", "Eltwise", ["conv", "conv"], ["max"],
                            ("eltwise_param", [("operation", "MAX"), ("coeff", "0.5"), ("coeff", "0.5")])))
    if draw(st.booleans()):
        fields.append(layer("cat", "Concat", ["conv", "conv"], ["cat"], ("concat_param", [("axis", "1"), ("concat_dim", "1")])))
    fields.append(layer("fc", "InnerProduct", ["conv"], ["fc"],
                        ("inner_product_param", [("num_output", "10"), ("weight_filler", [("type", '"msra"')])])))
    fields.append(layer("loss", "SoftmaxWithLoss", ["fc", "label"], ["loss"]))
    lines = render(fields, layout, draw)
    if inputs == "input_shape_commented":  # a comment at the end of a line inside an input_shape block
        lines = [line + "  # batch" if line.strip().startswith("dim: 2") and "}" not in line else line for line in lines]
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), "// a C-style comment")
    if draw(st.booleans()):  # a missing ':' before a layer's bottom
        at = next((i for i, line in enumerate(lines) if line.strip().startswith('bottom: "conv"')), None)
        if at is not None:
            lines[at] = lines[at].replace('bottom: "conv"', 'bottom "conv"', 1)
    newline = layout["newline"]
    if newline == "mixed":
        return "".join(line + draw(st.sampled_from(["\n", "\r\n"])) for line in lines)
    return newline.join(lines) + newline


@PROPERTY_SETTINGS
@given(net=generated_nets(), version=st.sampled_from([None, None, "rc3", "1.0"]))
def test_fixing_generated_nets_keeps_every_property(net, version):
    from protolint.api import default_options

    options, classes = builtin()
    if version:
        options = default_options(schema=options.schema, caffe_version=version)
    assert check_fix("net.prototxt", net.encode(), options, classes) == []
