"""Text edits that fixes are made of: delete a field, insert after one, replace a value.

Edits work on the decoded source text and touch only what they must: a deleted field takes its
`,`/`;` separator and the blanks that would be left dangling with it, or its whole line when it
stood alone there (the line's own line ending goes with it, whatever it is).
"""

from __future__ import annotations

from .diagnostics import Fix, TextEdit
from .syntax.nodes import Scalar


def delete_field(text: str, node) -> TextEdit:
    """Remove a field (and its separator); its whole line when nothing else is on it."""
    start, end = node.start, node.end
    separator = getattr(node, "separator", -1)
    if separator is not None and separator >= end:
        end = separator + 1
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    if not text[line_start:start].strip() and not text[end:line_end].strip():
        return TextEdit(line_start, min(line_end + 1, len(text)), "")
    if text[line_start:start].strip():
        while start > line_start and text[start - 1] in " \t":
            start -= 1  # `a: 1 b: 2` -> `a: 1`: the blanks before go
    else:
        while end < line_end and text[end] in " \t":
            end += 1  # first on its line: keep the indentation, drop the blanks after
    return TextEdit(start, end, "")


def line_ending(text: str, offset: int) -> str:
    """The line ending of the line `offset` is on ("\r\n" or "\n"; the last line without one: the
    previous line's), for text inserted there: every line keeps the ending its file gives it."""
    end = text.find("\n", offset)
    if end < 0:
        end = text.rfind("\n", 0, offset)
        if end < 0:
            return "\n"
    return "\r\n" if end > 0 and text[end - 1] == "\r" else "\n"


def field_end(node) -> int:
    """Where a field ends, its `,`/`;` separator included."""
    separator = getattr(node, "separator", -1)
    return separator + 1 if separator is not None and separator >= node.end else node.end


def delete_fields(text: str, title: str, nodes, safe: bool) -> list[Fix]:
    return [Fix(title, [delete_field(text, n) for n in nodes], safe=safe)]


def insert_after(text: str, target, snippet: str, title: str, safe: bool = False) -> list[Fix]:
    """Insert `snippet` after the field `target`: on a line of its own, indented like the target,
    when the target stands at the start of its line; else after it on the same line."""
    line_start = text.rfind("\n", 0, target.start) + 1
    indent = text[line_start:target.start]
    end = field_end(target)
    if indent.strip():
        return [Fix(title, [TextEdit(end, end, " " + snippet)], safe=safe)]
    return [Fix(title, [TextEdit(end, end, line_ending(text, end) + indent + snippet)], safe=safe)]


def replace_value(field, new_text: str, title: str, safe: bool = True) -> list[Fix] | None:
    """Replace a scalar field's value."""
    if not isinstance(field.value, Scalar):
        return None
    return [Fix(title, [TextEdit(field.value.start, field.value.end, new_text)], safe=safe)]


def insert_after_last(text: str, message, names, snippet: str, title: str, safe: bool = False) -> list[Fix]:
    """insert_after() the last field of `message` whose name is in `names`; no fix without one."""
    target = None
    for f in message.fields:
        if f.name in names:
            target = f
    return insert_after(text, target, snippet, title, safe) if target is not None else []
