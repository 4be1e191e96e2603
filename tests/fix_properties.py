"""What a safe fix must never do, checked on one file fixed exactly as `protolint --fix` fixes it.

check_fix(path, data, options, classes) lints the bytes, applies the safe fixes through
protolint.fixes.fix_inputs (the function behind --fix: passes, re-lints, refusals) and checks every
pass (the text it started from, the fixes it applied, the text it produced):

1. syntax errors never increase;
2. protobuf's text_format (message classes built from the same schema) accepts the result whenever
   it accepted the text before; and for every text protobuf accepts, protolint's typed tree holds
   exactly protobuf's values (the oracle of tests/test_corpus.py), so a statement about the trees
   below is a statement about the messages protobuf parses;
3. the trees before and after are equal field by field, in protobuf's terms (each field's values
   in order, scalars as typed values), except for the fields the pass's edits touch: in the old
   tree a field an edit covers whole (deleted or replaced) or whose value an edit changes, in the new
   tree a field inside inserted text or whose value an edit changed. Fixes whose purpose is what
   Caffe's own upgrade does are compared after that upgrade instead of being masked:
   legacy-input-fields -> both trees through UpgradeNetInput (input / input_shape / input_dim
   become an Input layer named "input", first among the layers);
4. comments: every comment outside the edited text is still there, and no comment appears that
   was not there before (a comment that swallowed code would read differently), except a `//`
   comment the fix turned into `#`;
5. line endings: every line break a fix inserts is the line ending of the line it is inserted in
   (so an LF file stays LF and a CRLF file stays CRLF);
6. separators: no `,`/`;` is left without a field before it (`batch_norm_param { ; }`);
7. a file without errors (protolint's rules model what Caffe refuses: V1 `layers` mixed with
   `layer`, an unknown layer type, ...) gets none;

and that a second --fix on the result changes nothing.
"""

from __future__ import annotations

from collections import Counter

from google.protobuf import text_format

from protolint.api import lint_bytes
from protolint.edits import line_ending
from protolint.fixes import fix_inputs, fix_text
from protolint.project import Input
from protolint.syntax import lexer
from protolint.syntax.nodes import ListValue, Message
from tests.test_corpus import first_difference, protobuf_values, tree_values

UPGRADED_BY_CAFFE = frozenset({"legacy-input-fields"})
_DANGLING_AFTER = {None, "LBRACE", "LANGLE", "LSQB", "SEMICOLON", "COMMA"}


def check_fix(path: str, data: bytes, options, classes) -> list[str]:
    """The properties above, on one file: [] when they all hold, else what went wrong."""
    result = lint_bytes(path, data, options)
    done = fix_inputs([Input(path, data, None)], [result], lambda _path: options, unsafe=False)
    if not done or not done[0][2].applied:
        return []
    source = result.document.source
    outcome = done[0][2]
    problems: list[str] = []
    texts = [p.text for p in outcome.passes] + [outcome.text]
    for number, fix_pass in enumerate(outcome.passes, 1):
        after = texts[number]
        for problem in check_pass(path, source, fix_pass, after, options, classes):
            problems.append(f"pass {number}: {problem}")
    again = fix_text(outcome.text, outcome.diagnostics,
                     lambda text: lint_bytes(path, source.encode(text), options).diagnostics)
    if again.text != outcome.text:
        problems.append("a second --fix changes the file again")
    return problems


def check_pass(path, source, fix_pass, after_text: str, options, classes) -> list[str]:
    before_text = fix_pass.text
    before = lint_bytes(path, source.encode(before_text), options)
    after = lint_bytes(path, source.encode(after_text), options)
    problems = []

    # 1. Syntax errors.
    count = lambda result: sum(d.rule == "syntax-error" for d in result.diagnostics)  # noqa: E731
    if count(after) > count(before):
        problems.append(f"syntax errors rose from {count(before)} to {count(after)}")

    # 2. protobuf: accepted stays accepted; accepted texts are what protolint's tree says.
    accepted = {}
    for name, result, text in (("before", before, before_text), ("after", after, after_text)):
        message = classes[result.document.root_type.full_name]()
        try:
            text_format.Parse(text, message)
        except Exception:  # (ParseError, or an error from the C extension on odd text)
            accepted[name] = False
            continue
        accepted[name] = True
        difference = first_difference(tree_values(result.document.root), protobuf_values(message))
        if difference:
            problems.append(f"protolint's tree {name} the fix is not what protobuf parses: {difference}")
    if accepted["before"] and not accepted["after"]:
        problems.append("protobuf accepted the file before the fix and rejects it after")

    # 3. The trees, except what the fix changes on purpose.
    upgraded = [f for f, rule in zip(fix_pass.fixes, fix_pass.rules) if rule in UPGRADED_BY_CAFFE]
    masked_edits = [e for f in fix_pass.fixes if all(f is not u for u in upgraded) for e in f.edits]
    all_edits = sorted((e for f in fix_pass.fixes for e in f.edits), key=lambda e: e.start)
    old_ranges = [(e.start, e.end) for e in masked_edits]
    new_ranges = [new_range(e, all_edits) for e in masked_edits]
    old = semantic(before.document.root, old_ranges)
    new = semantic(after.document.root, new_ranges)
    if upgraded:
        old, new = upgrade_input(old), upgrade_input(new)
    difference = first_difference(new, old)
    if difference:
        problems.append(f"the fix changed more than its purpose: {difference}")

    # 4. Comments.
    converted = Counter()
    for e in all_edits:
        if before_text[e.start:e.end] == "//" and e.new_text == "#":
            start = new_range(e, all_edits)[0]
            converted["#" + lexer.PATTERN.match(after_text, start).group()[1:]] += 1
    old_comments = Counter(c.text for c in before.document.comments)
    kept = Counter(c.text for c in before.document.comments
                   if not any(e.start <= c.start < e.end or e.start < c.end <= e.end for e in all_edits))
    new_comments = Counter(c.text for c in after.document.comments)
    if new_comments - (old_comments + converted):
        problems.append(f"comments that were not there: {sorted((new_comments - old_comments - converted).elements())[:3]}")
    if kept - new_comments:
        problems.append(f"comments lost: {sorted((kept - new_comments).elements())[:3]}")

    # 5. Line endings.
    for e in all_edits:
        if "\n" in e.new_text:
            wanted = line_ending(before_text, e.start)
            breaks = e.new_text.count("\n")
            if e.new_text.count(wanted) != breaks or (wanted == "\n" and "\r\n" in e.new_text):
                problems.append(f"an edit inserts line breaks other than the line's own {wanted!r}: {e.new_text[:60]!r}")
    if "\r\n" not in before_text and "\r\n" in after_text:
        problems.append("CRLF line endings appeared in an LF file")
    if before_text.count("\n") == before_text.count("\r\n") and after_text.count("\n") != after_text.count("\r\n"):
        problems.append("LF line endings appeared in a CRLF file")

    # 6. Separators.
    if dangling_separators(after_text) > dangling_separators(before_text):
        problems.append("a `,` or `;` was left behind without its field")

    # 7. A file Caffe loads (protolint finds no error: its rules model what Caffe refuses) still loads.
    errors = lambda result: [d for d in result.diagnostics if d.severity == "error"]  # noqa: E731
    if not errors(before) and errors(after):
        problems.append(f"a file without errors got one: {errors(after)[0].rule}: {errors(after)[0].message}")
    return problems


def new_range(edit, edits) -> tuple[int, int]:
    """Where an edit's new text is in the text after all `edits` (non-overlapping) are applied."""
    shift = sum(len(e.new_text) - (e.end - e.start) for e in edits if e.end <= edit.start and e is not edit)
    return edit.start + shift, edit.start + shift + len(edit.new_text)


def _touched(field, ranges) -> bool:
    for a, b in ranges:
        if b > a and a <= field.start and field.end <= b:
            return True  # covered whole: deleted, replaced or inserted
        value = field.value
        if not isinstance(value, Message) and (a < value.end and value.start < b or value.start < a == b < value.end):
            return True  # its value changed
    return False


def semantic(message: Message, ranges) -> dict:
    """A message in protobuf's terms: field name -> its values in order (messages nested, scalars
    as their typed values, untyped ones as their text), without the fields `ranges` touch."""
    out: dict = {}
    for field in message.fields:
        if _touched(field, ranges):
            continue
        values = field.value.items if isinstance(field.value, ListValue) else [field.value]
        converted = []
        for value in values:
            if isinstance(value, Message):
                converted.append(semantic(value, ranges))
            elif value.typed:
                converted.append(value.value)
            else:
                converted.append(("untyped", value.kind, value.text))
        out.setdefault(field.name, []).extend(converted)
    return out


def upgrade_input(net: dict) -> dict:
    """Caffe's upgrade of a net file on the semantic form, as far as input fields go: a net with both
    V1 `layers` and `layer` is refused ("Refusing to upgrade inconsistent NetParameter"); V1
    `layers` become `layer` entries (marked, since their V1 form stays); then UpgradeNetInput:
    `input` with input_shape or input_dim becomes a layer named "input" of type Input with a top and
    a shape per input, first among the layers, and the legacy fields are cleared."""
    if net.get("layer") and net.get("layers"):
        return {"refused": "Refusing to upgrade inconsistent NetParameter"}
    net = dict(net)
    if net.get("layers"):
        net["layer"] = [("V1", layer) for layer in net.pop("layers")]
    inputs = net.pop("input", [])
    shapes = net.pop("input_shape", [])
    dims = net.pop("input_dim", [])
    if inputs and (shapes or dims):
        shape_list = list(shapes) if shapes else [{"dim": dims[4 * i: 4 * i + 4]} for i in range(len(inputs))]
        layer = {"name": ["input"], "type": ["Input"], "top": list(inputs), "input_param": [{"shape": shape_list}]}
        net["layer"] = [layer] + list(net.get("layer", []))
    return net


def dangling_separators(text: str) -> int:
    """`,`/`;` tokens with no field or value before them."""
    previous, count = None, 0
    for token in lexer.PATTERN.finditer(text):
        kind = token.lastgroup
        if kind in lexer.TRIVIA:
            continue
        if kind in ("COMMA", "SEMICOLON") and previous in _DANGLING_AFTER:
            count += 1
        previous = kind
    return count
