"""Human output: `path:line:col: severity: message [CODE rule]`, an excerpt of the source line and a
caret underline.

Every finding prints a bounded amount of text, whatever the input: the excerpt is a window of at
most EXCERPT_WIDTH characters around the start of the span (`…` marks what is cut off), the
underline stops at the window's edge, and a message longer than MESSAGE_WIDTH characters (a huge
token quoted in it) is shortened. A 100 KB line with a thousand findings prints a thousand short
excerpts, not a thousand copies of the line.
"""

from __future__ import annotations

import click

_STYLE = {"error": "red", "warning": "yellow", "info": "cyan"}
_NOTES_SHOWN = 5  # related places printed under a finding

EXCERPT_WIDTH = 160  # characters of a source line shown per finding
_BEFORE = 60  # of which at most this many before the span, when the line has to be cut
MESSAGE_WIDTH = 500
ELLIPSIS = "…"

# Undecodable bytes (kept as surrogates) and control characters (a file could carry terminal escape
# sequences) are shown as U+FFFD, one character each, so carets still line up; tabs become spaces.
_UNPRINTABLE = {i: "\ufffd" for i in [*range(0x00, 0x09), *range(0x0A, 0x20), *range(0x7F, 0xA0), *range(0xDC80, 0xDD00)]}


def _printable(text: str) -> str:
    if text.isprintable():  # (the usual line: nothing to replace, and str.translate is slow)
        return text
    return text.translate(_UNPRINTABLE).replace("\t", "    ")


def _shortened(message: str) -> str:
    if len(message) <= MESSAGE_WIDTH:
        return message
    return message[: MESSAGE_WIDTH - 1] + ELLIPSIS


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
                f"{_printable(_shortened(d.message))} {style(f'[{d.code} {d.rule}]', dim=True)}"
            )
            if source is not None:
                out += _snippet(source, d.line, d.column, d.end_line, d.end_column, style, _STYLE[d.severity])
            for related in d.related[:_NOTES_SHOWN]:
                out.append(f"  {related.line}:{related.column}: note: {_printable(_shortened(related.message))}")
            if len(d.related) > _NOTES_SHOWN:  # the rest are in --format json/sarif and in the editor
                out.append(f"  ... and {len(d.related) - _NOTES_SHOWN} more places (--format json lists them)")
    return "\n".join(out)


def _line_in(source, line: int) -> tuple[str, int, int]:
    """(text, start, end): a 1-based line as offsets into a text, without copying a whole source's
    line (a file may be one line of megabytes); a batch.Snapshot keeps only the lines findings need."""
    if not hasattr(source, "line_starts"):
        text = source.line_text(line)
        return text, 0, len(text)
    return (source.text, *_line_bounds(source, line))


def _line_bounds(source, line: int) -> tuple[int, int]:
    """Offsets of a 1-based line's first character and of its end (before its line ending)."""
    starts = source.line_starts
    start = starts[line - 1]
    end = starts[line] - 1 if line < len(starts) else len(source.text)
    if end > start and source.text[end - 1] == "\r" and line < len(starts):
        end -= 1
    return start, end


def _snippet(source, line, column, end_line, end_column, style, colour) -> list[str]:
    if not 1 <= line <= source.line_count:
        return []
    text, line_start, line_end = _line_in(source, line)
    span_start = min(line_start + column - 1, line_end)
    span_end = line_start + end_column - 1 if end_line == line else line_end
    span_end = max(min(span_end, line_end), span_start)
    if line > 1 and line >= source.line_count - 1 and column == 1 and not text[line_start:line_end].strip():
        return []  # an error on a blank line at the very end of the file: nothing useful to show
    # The window: the whole line when it fits, else EXCERPT_WIDTH characters from a little before the span.
    if line_end - line_start <= EXCERPT_WIDTH:
        window_start, window_end = line_start, line_end
    else:
        window_start = max(line_start, span_start - _BEFORE)
        window_end = min(line_end, window_start + EXCERPT_WIDTH)
        window_start = max(line_start, min(window_start, window_end - EXCERPT_WIDTH))
    lead = ELLIPSIS if window_start > line_start else ""
    tail = ELLIPSIS if window_end < line_end else ""
    prefix = _printable(text[window_start:span_start])
    marked = _printable(text[span_start : min(max(span_end, span_start + 1), window_end)])
    underline = "^" * max(len(marked), 1)
    gutter = str(line)
    pad = " " * len(gutter)
    return [
        f" {style(gutter, dim=True)} | {lead}{_printable(text[window_start:window_end])}{tail}",
        f" {pad} | {' ' * (len(lead) + len(prefix))}{style(underline, fg=colour, bold=True)}",
    ]
