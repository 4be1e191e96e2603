"""Error recovery, strategy by strategy.

Every strategy of protolint.syntax.recovery has a case file tests/syntax/recovery/<name>.prototxt
(a comment at its top says what it shows). Each case is parsed and its diagnostics (place, message,
related places, fixes) and the tree the recovery leaves are compared with what is written below.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from protolint.source import SourceText
from protolint.syntax import recovery
from protolint.syntax.nodes import ListValue, Message
from protolint.syntax.parser import parse

CASES = Path(__file__).parent / "recovery"


def strategies() -> list:
    """Every named strategy: the ones for mistaken tokens, then the ones for parse errors."""
    found = list(dict.fromkeys(recovery.TOKEN_STRATEGIES.values()))
    return found + list(recovery.STRATEGIES)


def span(source: SourceText, start: int, end: int) -> str:
    (line, column), (end_line, end_column) = source.position(start), source.position(end)
    return f"{line}:{column}-{end_line}:{end_column}"


def render(source: SourceText, d) -> str:
    """A diagnostic in one line: `line:col-line:col message | related ... | fix ...`."""
    parts = [f"{d.line}:{d.column}-{d.end_line}:{d.end_column} {d.message}"]
    parts += [f"related {span(source, r.start, r.end)} {r.message}" for r in d.related]
    for fix in d.fixes:
        edits = ", ".join(f"{span(source, e.start, e.end)} {e.new_text!r}" for e in fix.edits)
        parts.append(f"fix {fix.title!r}{'' if fix.safe else ' (unsafe)'}: {edits}")
    return " | ".join(parts)


def outline(message: Message) -> str:
    """The fields of a tree in one line: `name=value` for scalars and lists, `name{...}` for
    messages (with `<...>` for angle brackets, and `!` for a closer the parser had to supply)."""
    return " ".join(_field(f) for f in message.fields)


def _field(field) -> str:
    return field.name + ("" if isinstance(field.value, Message) else "=") + _value(field.value)


def _value(value) -> str:
    if isinstance(value, Message):
        closer = {"{": "}", "<": ">"}[value.open] if value.closed else "!"
        return value.open + outline(value) + closer
    if isinstance(value, ListValue):
        return "[" + ",".join(_value(item) for item in value.items) + "]"
    return value.source_text


def parse_case(name: str):
    data = (CASES / f"{name}.prototxt").read_bytes()
    return parse(SourceText.from_bytes(f"{name}.prototxt", data))


# name: (its diagnostics, the tree it leaves)
EXPECTED = {
    'c_style_comment': (
        [
            '3:14-3:31 `//` comments are not allowed in prototxt; start the comment with `#` | fix "Write the comment with \'#\'": 3:14-3:16 \'#\'',
            '4:9-4:11 `/* */` comments are not allowed in prototxt; use `#` at the start of each line',
        ],
        'name="net" layer{name="a"}',
    ),
    'unterminated_string': (
        [
            '4:9-4:15 unterminated string: add the closing " on this line (strings cannot span lines)',
        ],
        'layer{name="conv1 type="Convolution"}',
    ),
    'malformed_number': (
        [
            '2:41-2:46 malformed number `10bar`: a number must be separated from a following name by a space',
        ],
        'layer{convolution_param{num_output=10bar kernel_size=3}}',
    ),
    'stray_character': (
        [
            "4:6-4:7 unexpected '=': fields are written `name: value`",
            '4:8-4:13 missing \':\' between field name `name` and its value `"net"`; write `name: "net"` | fix "Insert \':\'": 4:5-4:5 \':\'',
            "5:19-5:22 unexpected character '@' (U+0040); remove it",
        ],
        'name="net" layer{name="a" type="ReLU"}',
    ),
    'missing_open_brace': (
        [
            "6:3-6:20 expected ':' or '{' after field name `convolution_param`; `num_output` starts another field — did you forget '{' after `convolution_param`?",
            "9:1-9:2 unmatched '}': nothing is open here; remove it",
        ],
        'layer{name="c" num_output=4}',
    ),
    'missing_colon': (
        [
            '4:8-4:15 missing \':\' between field name `name` and its value `"conv1"`; write `name: "conv1"` | fix "Insert \':\'": 4:7-4:7 \':\'',
            '5:15-5:18 missing \':\' between field name `loss_weight` and its value `- 1`; write `loss_weight: - 1` | fix "Insert \':\'": 5:14-5:14 \':\'',
            '6:34-6:36 missing \':\' between field name `num_output` and its value `64`; write `num_output: 64` | fix "Insert \':\'": 6:33-6:33 \':\'',
            '6:47-6:52 missing \':\' between field name `bias_term` and its value `false`; write `bias_term: false` | fix "Insert \':\'": 6:46-6:46 \':\'',
            '8:13-8:14 missing \':\' between field name `ext.value` and its value `3`; write `ext.value: 3` | fix "Insert \':\'": 8:12-8:12 \':\'',
        ],
        'layer{name="conv1" loss_weight=-1 convolution_param{num_output=64 bias_term=false}} ext.value=3',
    ),
    'unclosed_at_end': (
        [
            "6:19-6:19 missing ']' to close the '[' opened at line 6 for `lr_mult`; the file ends first | related 6:14-6:15 '[' opened here",
            "6:19-6:19 missing '}' to close the '{' opened at line 5 for `param`; the file ends first | related 5:9-5:10 '{' opened here",
            "6:19-6:19 missing '>' to close the '<' opened at line 3 for `layer`; the file ends first | related 3:7-3:8 '<' opened here",
        ],
        'layer<name="a" param{lr_mult=[1,2]!!',
    ),
    'unmatched_closer': (
        [
            "3:1-3:2 unmatched '}': nothing is open here; remove it",
            "4:13-4:14 unmatched '>': nothing is open here; remove it",
        ],
        'layer{name="a"} name="net"',
    ),
    'mismatched_closer': (
        [
            "5:1-5:2 '>' does not match the '{' opened at line 3 for `layer`; close it with '}' | related 3:7-3:8 '{' opened here",
            "6:19-6:20 '}' does not match the '<' opened at line 6 for `layer`; close it with '>' | related 6:7-6:8 '<' opened here",
        ],
        'layer{name="a"} layer<name="b"> name="n"',
    ),
    'missing_value': (
        [
            "3:15-3:16 missing value after `name:`: found '}'",
            "4:6-4:7 missing value after `top:`: found ':'",
            '6:6-6:6 missing value after `name:`: found the end of the file',
        ],
        'layer{} bottom="y"',
    ),
    'broken_field': (
        [
            '4:11-4:12 unexpected `1` after the value of `name`: expected a field name, \',\', \';\' or the end of the file; a field takes one value: repeat the field or write `name: ["a", 1]`',
            "5:9-5:10 expected a field name, ',', ';' or '}' in the value of `layer`, found ':'",
            "6:9-6:10 expected a field name, ',', ';' or '}' in the value of `layer`, found '{'",
            "7:24-7:25 expected a value, '{' or '<' in the value of `bottom`, found ']'",
        ],
        'name="a" layer{name="b"} layer{name="c"} layer{top="d"}',
    ),
}


def test_every_strategy_has_a_case_and_every_case_a_strategy():
    names = [s.__name__ for s in strategies()]
    assert len(names) == len(set(names))
    cases = {p.stem for p in CASES.glob("*.prototxt")}
    assert set(names) == cases, "a strategy without a case file, or a case file without a strategy"
    assert cases == set(EXPECTED)
    assert {p.name for p in CASES.iterdir()} == {f"{name}.prototxt" for name in cases}


def test_strategies_are_module_functions_in_the_recovery_module():
    for strategy in strategies():
        assert strategy.__module__ == recovery.__name__ and getattr(recovery, strategy.__name__) is strategy
        assert strategy.__doc__, f"{strategy.__name__} has no docstring"
    assert recovery.STRATEGIES[-1] is recovery.broken_field  # the fallback comes last


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_case_starts_with_a_comment_saying_what_it_shows(name):
    first = (CASES / f"{name}.prototxt").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# ") and len(first) > 20


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_case_diagnostics_and_tree(name):
    document = parse_case(name)
    diagnostics, tree = EXPECTED[name]
    assert [render(document.source, d) for d in document.diagnostics] == diagnostics
    assert all((d.rule, d.severity, d.path) == ("syntax-error", "error", f"{name}.prototxt") for d in document.diagnostics)
    assert outline(document.root) == tree


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_case_is_handled_by_its_strategy(name, monkeypatch):
    """The strategy a case is named after handles at least one of its errors."""
    handled: list[str] = []

    def recording(strategy, is_token_strategy):
        def run(*args):
            outcome = strategy(*args)
            if is_token_strategy or outcome is not None:
                handled.append(strategy.__name__)
            return outcome

        return run

    monkeypatch.setattr(recovery, "STRATEGIES", tuple(recording(s, False) for s in recovery.STRATEGIES))
    monkeypatch.setattr(recovery, "TOKEN_STRATEGIES", {k: recording(s, True) for k, s in recovery.TOKEN_STRATEGIES.items()})
    parse_case(name)
    assert name in handled, handled
