"""The fast path for well-formed files (protolint.syntax.fast) builds exactly the tree the LALR driver
builds, and gives up on anything the driver would report: checked node by node on every prototxt of
the tests, the examples and the corpus, on hand-written edge cases and on random mutations."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from protolint.source import SourceText
from protolint.syntax import parser
from protolint.syntax.fast import parse_well_formed
from protolint.syntax.nodes import Node

REPO = Path(__file__).resolve().parents[2]


def driver_parse(source: SourceText, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(parser, "parse_well_formed", lambda text: None)
        return parser.parse(source)


def difference(a, b, path="root"):
    """Where two trees differ (every slot of every node), or None."""
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} vs {type(b).__name__}"
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} vs {len(b)} items"
        return next((d for i, (x, y) in enumerate(zip(a, b)) if (d := difference(x, y, f"{path}[{i}]"))), None)
    if isinstance(a, Node):
        slots = [s for cls in type(a).__mro__ for s in getattr(cls, "__slots__", ())]
        return next((d for s in slots if (d := difference(getattr(a, s), getattr(b, s), f"{path}.{s}"))), None)
    return None if a == b else f"{path}: {a!r} vs {b!r}"


def check_same(text: str, monkeypatch) -> bool:
    """Both parsers agree on `text`; returns whether the fast path took it."""
    source = SourceText.from_bytes("t.prototxt", text.encode("utf-8", "surrogateescape"))
    slow = driver_parse(source, monkeypatch)
    fast = parse_well_formed(source.text)
    if fast is None:
        return False
    assert not slow.diagnostics, f"the fast path took a file the driver reports: {slow.diagnostics[0].message}\n{text!r}"
    fields, comments = fast
    assert difference(fields, slow.root.fields) is None, (difference(fields, slow.root.fields), text)
    assert difference(comments, slow.comments) is None, (difference(comments, slow.comments), text)
    assert parser.parse(source).diagnostics == []
    return True


TAKEN = [
    'name: "x"',
    'a: 1 b: -2 c: - 3 d: 1.5 e: -.5 f: 1e5 g: 1.E-3f h: 2f i: 0x1F j: inf k: -inf l: nan m: true',
    "layer { name: 'single' type: \"esc\\\"aped\" }",
    "a { b { c: 1 } } d < e: 2 > f: { g: 3 } h: < i: 4 >",
    "a: 1, b: 2; c { d: 3, }; e: 4",
    "# head\na: 1 # tail\n# between\nb {  # open\n  c: 2\n}  # close\n#end",
    "a: 1\r\nb: 2\r\n# crlf comment\r\nc { d: 3 }\r\n",
    'a:1 b:"x"c{d:3}e:x',
    "\t\v\fa: 1   \n\n\n   ",
    "",
    "   \n\t",
    "# only a comment",
    "a: 'it''s'x: 1",  # (two literals: the driver's business, tested for agreement)
    "a: \"\\n\\t\\x41\\101\"",
]
LEFT = [
    'a: "x" "y"',  # adjacent literals concatenate
    'a: "x"  # c\n "y"',
    "a 1",  # missing ':'
    "a: [1, 2]",
    "a [{}]",
    "[ext.name]: 1",
    "a { b: 1 >",
    "a { b: 1",
    "}",
    "a: 1,,",
    ", a: 1",
    "a: 10bar",
    "a: 1.2.3",
    "a: -\"s\"",
    "a: - {",
    "a: /* c */ 1",
    "a: // c\n1",
    'a: "unterminated',
    "a: b.c",
    "a # c\n: 1",
    "a: # c\n 1",
    "a: 1 = 2",
    "a: \u00e9",
    "a: 1\x00",
]


@pytest.mark.parametrize("text", TAKEN)
def test_taken_by_the_fast_path(text, monkeypatch):
    assert check_same(text, monkeypatch) or "'it''s'" in text


@pytest.mark.parametrize("text", LEFT)
def test_left_to_the_driver(text, monkeypatch):
    assert not check_same(text, monkeypatch)


def test_a_byte_order_mark_is_left_to_the_driver():
    source = SourceText.from_bytes("t.prototxt", "\ufeffa: 1".encode())
    assert parser.parse(source).diagnostics  # reported by the driver


def _files():
    folders = [REPO / "tests", REPO / "examples"]
    if os.environ.get("PROTOLINT_CORPUS"):
        folders.append(Path(os.environ["PROTOLINT_CORPUS"]))
    return sorted(p for folder in folders if folder.is_dir() for p in folder.rglob("*.prototxt"))


def test_every_known_file(monkeypatch):
    files = _files()
    taken = sum(check_same(p.read_bytes().decode("utf-8", "surrogateescape"), monkeypatch) for p in files)
    assert taken > len(files) // 2  # the fast path is the common case


def test_random_mutations(monkeypatch):
    """Characters inserted, deleted or swapped at random in a net using every construct."""
    base = TAKEN[1] + "\n" + TAKEN[3] + "\n" + TAKEN[4] + "\n" + TAKEN[5] + "\nlayer { name: 'a' type: \"b\" }\n"
    alphabet = list(" \n\t{}<>[]:;,#-.\"'0123456789eExfab_/\\*") + ["\r", "\r\n", "inf", "1.5", "-"]
    generator = random.Random(10)
    for _ in range(3000):
        text = base
        for _ in range(generator.randint(1, 3)):
            at = generator.randrange(len(text) + 1)
            action = generator.random()
            if action < 0.5:
                text = text[:at] + generator.choice(alphabet) + text[at:]
            elif action < 0.8:
                text = text[:at] + text[at + 1:]
            else:
                text = text[:at] + generator.choice(alphabet) + text[at + 1:]
        check_same(text, monkeypatch)
