"""Human output: `path:line:col: severity: message [CODE rule]`, the source line and a caret underline."""

from __future__ import annotations

import click

_STYLE = {"error": "red", "warning": "yellow", "info": "cyan"}
_NOTES_SHOWN = 5  # related places printed under a finding


# Undecodable bytes (kept as surrogates) and control characters (a file could carry terminal escape
# sequences) are shown as U+FFFD, one character each, so carets still line up; tabs become spaces.
_UNPRINTABLE = {i: "\ufffd" for i in [*range(0x00, 0x09), *range(0x0A, 0x20), *range(0x7F, 0xA0), *range(0xDC80, 0xDD00)]}


def _printable(text: str) -> str:
    return text.translate(_UNPRINTABLE).replace("\t", "    ")


def render(results, color: bool) -> str:
    def style(text, **kw):
        return click.style(text, **kw) if color else text

    out: list[str] = []
    for result in results:
        source = result.document.source if result.document is not None else None
        for d in result.diagnostics:
            head = f"{d.path}:{d.line}:{d.column}:"
            out.append(
                f"{style(head, bold=True)} {style(d.severity, fg=_STYLE[d.severity], bold=True)}: "
                f"{_printable(d.message)} {style(f'[{d.code} {d.rule}]', dim=True)}"
            )
            if source is not None:
                out += _snippet(source, d.line, d.column, d.end_line, d.end_column, style, _STYLE[d.severity])
            for related in d.related[:_NOTES_SHOWN]:
                out.append(f"  {related.line}:{related.column}: note: {_printable(related.message)}")
            if len(d.related) > _NOTES_SHOWN:  # the rest are in --format json/sarif and in the editor
                out.append(f"  ... and {len(d.related) - _NOTES_SHOWN} more places (--format json lists them)")
    return "\n".join(out)


def _snippet(source, line, column, end_line, end_column, style, colour) -> list[str]:
    text = source.line_text(line)
    if not text.strip() and line > source.line_count - 1 and line > 1 and column == 1:
        return []  # an error at the very end of the file: nothing useful to show
    gutter = str(line)
    prefix = _printable(text[: column - 1])
    width = (end_column - column) if end_line == line else len(text) - column + 1
    marked = _printable(text[column - 1 : column - 1 + max(width, 1)])
    underline = "^" * max(len(marked), 1)
    pad = " " * len(gutter)
    return [
        f" {style(gutter, dim=True)} | {_printable(text)}",
        f" {pad} | {' ' * len(prefix)}{style(underline, fg=colour, bold=True)}",
    ]
