"""Fuzzing: token soup from the prototxt grammar's alphabet and mutated corpus files.

For every input: linting never raises; the text and JSON outputs are bounded by the input's size
(OUTPUT_PER_BYTE per input byte plus OUTPUT_BASE); syntax errors stay under the cap; and applying
the fixes (safe ones, then safe and unsafe ones), exactly as --fix does, never increases the number
of syntax errors. Bounded in time: a fixed number of examples (derandomized, so CI runs the same
inputs every time), each a few KB to a few tens of KB.
"""

from __future__ import annotations

import time
from functools import lru_cache

from hypothesis import HealthCheck, given, settings, strategies as st

from protolint.api import default_options, lint_bytes
from protolint.fixes import fix_text
from protolint.reporters import render
from protolint.schema.loader import builtin_schema
from protolint.syntax.state import MAX_SYNTAX_ERRORS
from tests.corpus_location import corpus_files

OUTPUT_PER_BYTE = 120  # characters of text output per input byte, at most
OUTPUT_BASE = 20_000  # ... plus this (an empty solver file has a few findings)
SECONDS_PER_INPUT = 10  # a generous bound on one lint of one input (they take milliseconds)

FUZZ_SETTINGS = settings(deadline=None, derandomize=True, database=None,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@lru_cache(maxsize=1)
def options():
    return default_options(schema=builtin_schema())


def check_input(data: bytes, path: str = "fuzz.prototxt") -> None:
    started = time.perf_counter()
    result = lint_bytes(path, data, options())  # never raises
    assert time.perf_counter() - started < SECONDS_PER_INPUT
    syntax = sum(d.rule == "syntax-error" for d in result.diagnostics)
    assert syntax <= MAX_SYNTAX_ERRORS + 1
    for fmt in ("text", "json"):
        output = render(fmt, [result], False, options().registry)
        assert len(output) <= OUTPUT_PER_BYTE * len(data) + OUTPUT_BASE, (fmt, len(output), len(data))
    source = result.document.source

    def relint(text: str):
        return lint_bytes(path, source.encode(text), options()).diagnostics

    for unsafe in (False, True):
        outcome = fix_text(source.text, result.diagnostics, relint, unsafe=unsafe)
        if outcome.applied:
            after = sum(d.rule == "syntax-error" for d in outcome.diagnostics)
            assert after <= syntax, (unsafe, syntax, after, [f.fixes for f in outcome.passes])


# --- token soup ------------------------------------------------------------------------------------

NAMES = ["layer", "layers", "name", "type", "bottom", "top", "param", "lr_mult", "convolution_param", "num_output",
         "kernel_size", "weight_filler", "input", "input_dim", "input_shape", "dim", "include", "phase", "batch_norm_param",
         "use_global_stats", "base_lr", "lr_policy", "net", "solver_mode", "kernal_size", "bn_param", "eltwise_param",
         "operation", "coeff", "concat_param", "axis", "concat_dim", "loss_weight", "TRAIN", "MAX", "true", "inf", "nan"]
TOKENS = [
    *NAMES, *[f'"{n}"' for n in ("data", "conv1", "ReLU", "Relu", "Convolution", "xavier", "Input", "BatchNorm")],
    "{", "}", "<", ">", "[", "]", ":", ",", ";", "-", ".", "/", "=", "0", "1", "3", "0.5", "1e-3", "0x1F", "07", "10bar", "1.2.3",
    "# comment", "// c-style", "/* block */", "/* unclosed", '"unterminated', "'single'", '"esc\\n\\x41\\101"', '"bad\\q"',
    "[ext.name]", "[domain.com/pkg.Type]", "\t", "\u00a7", "\ufeff", "\x00", "\udcff",
]
SPACES = [" ", "\n", "\r\n", "\t", "", "  "]


@st.composite
def token_soup(draw) -> bytes:
    tokens = draw(st.lists(st.sampled_from(TOKENS), max_size=300))
    text = "".join(token + draw(st.sampled_from(SPACES)) for token in tokens)
    return text.encode("utf-8", "surrogateescape")


@settings(FUZZ_SETTINGS, max_examples=600)
@given(data=token_soup(), solver=st.booleans())
def test_token_soup(data, solver):
    check_input(data, "solver.prototxt" if solver else "net.prototxt")


# --- corpus mutations ------------------------------------------------------------------------------

MAX_CORPUS_BYTES = 40_000


@lru_cache(maxsize=1)
def mutable_corpus() -> tuple[bytes, ...]:
    found = [p.read_bytes() for p in corpus_files()]
    small = tuple(data for data in found if len(data) <= MAX_CORPUS_BYTES)
    # Without the corpus: the bundled examples, so the mutations still run.
    if not small:
        from pathlib import Path

        small = tuple(p.read_bytes() for p in sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.prototxt")))
    return small


@st.composite
def mutated(draw) -> bytes:
    files = mutable_corpus()
    data = bytearray(files[draw(st.integers(0, len(files) - 1))])
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        kind = draw(st.sampled_from(["delete", "duplicate", "insert", "swap", "flip", "truncate"]))
        a = draw(st.integers(0, len(data) - 1))
        b = min(len(data), a + draw(st.integers(0, 400)))
        if kind == "delete":
            del data[a:b]
        elif kind == "duplicate":
            data[a:a] = data[a:b]
        elif kind == "insert":
            data[a:a] = draw(st.sampled_from(TOKENS)).encode("utf-8", "surrogateescape")
        elif kind == "swap":
            c = draw(st.integers(0, len(data) - 1))
            piece = data[a:b]
            del data[a:b]
            c = min(c, len(data))
            data[c:c] = piece
        elif kind == "flip":
            data[a] = draw(st.integers(0, 255))
        else:
            del data[b:]
    return bytes(data)


@settings(FUZZ_SETTINGS, max_examples=300)
@given(data=mutated())
def test_mutated_corpus_files(data):
    check_input(data)
