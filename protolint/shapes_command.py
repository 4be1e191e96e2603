"""`protolint shapes NET`: every layer of a net with its tops' inferred shapes, its parameter count and
multiply-accumulates, per state the net is built in — offline, from the text alone.

A net file is shown in the states Caffe builds it in (model.usage: a deploy net in TEST, a train_val
net in TRAIN and TEST) unless --phase/--stage/--level say which; a solver file brings its nets, each
in the states the solver builds it in. Unknown shapes carry the reason (model.shapes). Output: a
table per state, or JSON (contract version 1, see the README).
"""

from __future__ import annotations

import json
import os
import textwrap
from dataclasses import dataclass, field

from .files import read_regular
from .model.net import NetState
from .model.shapes import fmt_shape, shape_result
from .model.shapes.cost import layer_cost
from .model.shapes.inputs import input_targets
from .model.shapes.reasons import unmodelled_reason

JSON_VERSION = 1


class ShapesError(Exception):
    """Something the command cannot show (unreadable file, syntax error, not a net): exit 2."""


@dataclass
class TopRow:
    name: str
    shape: tuple | None
    why: str | None


@dataclass
class LayerRow:
    name: str
    type: str
    line: int
    tops: list[TopRow]
    params: int | None
    macs: int | None


@dataclass
class StateTable:
    path: str
    state: NetState
    layers: list[LayerRow] = field(default_factory=list)
    embedded_field: str | None = None  # net_param / train_net_param / test_net_param of a solver

    def total(self, key: str) -> tuple[int, int]:
        """(sum of the known values, how many layers are unknown)."""
        values = [getattr(row, key) for row in self.layers]
        return sum(v for v in values if v is not None), sum(v is None for v in values)


# --- building the tables ----------------------------------------------------------------------------


@dataclass
class NetItem:
    """A net to show: its model, where it is, the source to turn offsets into lines."""

    path: str
    net: object
    source: object
    embedded_field: str | None = None


def state_table(item: NetItem, state: NetState, inputs) -> StateTable:
    from .context import layer_span

    graph = item.net.graph(state)
    result = shape_result(graph, inputs)
    table = StateTable(item.path, state, embedded_field=item.embedded_field)
    for layer in graph.layers:
        tops = []
        for use in graph.top_uses.get(layer, []):
            key = (use.node.scalar, use.version)
            tops.append(TopRow(use.node.scalar, result.shapes.get(key), result.why.get(key)))
        bottoms = []
        for i in range(len(layer.bottoms)):
            use = graph.bottom_use(layer, i)
            bottoms.append(None if use is None else result.shapes.get((use.node.scalar, use.version)))
        modelled = unmodelled_reason(layer, True) is None  # no V0 format, no fields the model does not know
        params, macs = layer_cost(layer, bottoms, [t.shape for t in tops], modelled)
        start = layer.keyword.start if layer.keyword is not None else layer_span(layer)[0]
        line = item.source.position(start)[0]
        table.layers.append(LayerRow(layer.name, layer.type, line, tops, params, macs))
    return table


def chosen_states(net, phase: str | None, stages: tuple[str, ...], level: int | None) -> list[NetState]:
    """--phase/--stage/--level when given; else the states the net is built in (model.usage). Stages
    or a level without a phase apply to each phase the net is built in."""
    if phase is None and not stages and level is None:
        return net.states()
    phases = [phase] if phase else list(dict.fromkeys(s.phase for s in net.states()))
    states = []
    for name in phases:
        extra = (f"stage {', '.join(stages)}" if stages else "") + (f"{', ' if stages else ''}level {level}" if level else "")
        states.append(NetState(name, level or 0, tuple(stages), label=name + (f" ({extra})" if extra else "")))
    return states


def load_items(paths, options_for) -> list[NetItem]:
    """The nets to show: each net file, and the nets of each solver file (its net files, read
    relative to the solver, then the working directory, and the nets written inside it)."""
    from .linter import prepare
    from .model.net import Net
    from .model.solver import Solver
    from .model.usage import SolverUse, decide, embedded_nets
    from .project import _display, resolve_net_file

    errors: list[str] = []
    items: list[NetItem] = []
    for path in paths:
        prepared = _prepared(path, options_for, prepare, errors)
        if prepared is None:
            continue
        if prepared.kind == "net":
            net = Net.from_message(prepared.document.root)
            net.usage = decide(net)
            items.append(NetItem(path, net, prepared.document.source))
        elif prepared.kind == "solver":
            solver = Solver(prepared.document.root)
            uses: dict[str, tuple[SolverUse, object]] = {}
            for net_field, role, state in solver.net_files():
                found = resolve_net_file(net_field.scalar, path)
                if found is None:
                    line, column = prepared.document.source.position(net_field.value.start)
                    errors.append(f"{path}:{line}:{column}: the net file \"{net_field.scalar}\" is not found (looked for it "
                                  "next to the solver, then in the working directory)")
                    continue
                key = os.path.realpath(found)
                if key not in uses:
                    uses[key] = (SolverUse(), found)
                uses[key][0].add(state, path, role == "train", bool(prepared.document.root.all("weights")))
            for use, found in uses.values():
                net_prepared = _prepared(found, options_for, prepare, errors, display=_display(found))
                if net_prepared is None:
                    continue
                if net_prepared.kind != "net":
                    errors.append(f"{_display(found)}: not a net (the solver {path} names it as one)")
                    continue
                net = Net.from_message(net_prepared.document.root)
                net.usage = decide(net, use)
                items.append(NetItem(_display(found), net, net_prepared.document.source))
            for net in embedded_nets(solver):
                items.append(NetItem(path, net, prepared.document.source, net.usage.embedded_field.name))
        else:
            errors.append(f"{path}: not a net (read as {prepared.kind}); give a net or a solver file, or --as net "
                          "with `protolint check`")
    if errors:
        raise ShapesError("\n".join(dict.fromkeys(errors)))
    return items


def _prepared(path, options_for, prepare, errors, display=None):
    display = display or path
    try:
        data = read_regular(path)
    except OSError as error:
        errors.append(f"{display}: cannot read: {error.strerror or error}")
        return None
    prepared = prepare(display, data, options_for(path))
    syntax = [d for d in prepared.diagnostics if d.rule == "syntax-error"]
    if syntax:
        errors += [f"{d.path}:{d.line}:{d.column}: syntax error: {d.message}" for d in syntax[:5]]
        if len(syntax) > 5:
            errors.append(f"{display}: {len(syntax) - 5} more syntax errors")
        return None
    return prepared


def unmatched_inputs(items: list[NetItem], names) -> list[str]:
    """The given input-shape blob names no data layer of the nets produces."""
    targets: set[str] = set()
    for item in items:
        targets |= input_targets(item.net)
    return [name for name in names if name not in targets]


def targets_text(items: list[NetItem]) -> str:
    targets = sorted(set().union(*(input_targets(item.net) for item in items))) if items else []
    return ", ".join(targets[:12]) + (", ..." if len(targets) > 12 else "") if targets else "none"


# --- output ------------------------------------------------------------------------------------------


def render_json(tables: list[StateTable]) -> str:
    nets = []
    for table in tables:
        params, unknown_params = table.total("params")
        macs, unknown_macs = table.total("macs")
        entry = {
            "path": table.path,
            "phase": table.state.phase,
            "stages": list(table.state.stages),
            "level": table.state.level,
            "layers": [
                {"name": row.name, "type": row.type, "line": row.line,
                 "tops": [{"name": t.name, "shape": None if t.shape is None else list(t.shape), "why": t.why} for t in row.tops],
                 "params": row.params, "macs": row.macs}
                for row in table.layers
            ],
            "totals": {"params": None if unknown_params else params, "macs": None if unknown_macs else macs},
        }
        if table.embedded_field:
            entry["field"] = table.embedded_field
        nets.append(entry)
    # One layer per line: readable, and still one JSON document.
    parts = []
    for entry in nets:
        layers = entry.pop("layers")
        head = json.dumps(entry, ensure_ascii=True)[:-1]
        body = ",\n    ".join(json.dumps(layer, ensure_ascii=True) for layer in layers)
        parts.append(f'{head}, "layers": [\n    {body}]}}' if layers else f'{head}, "layers": []}}')
    return f'{{"version": {JSON_VERSION}, "nets": [\n  ' + ",\n  ".join(parts) + "]}"


_CAPS = {"layer": 24, "type": 16, "top": 24, "shape": 30}


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _number(value) -> str:
    return "?" if value is None else f"{value:,}"


def _human(value: int) -> str:
    for unit, size in (("G", 10**9), ("M", 10**6), ("k", 10**3)):
        if value >= size:
            return f"{value / size:.2f} {unit}"
    return str(value)


def render_text(tables: list[StateTable]) -> str:
    blocks = []
    for table in tables:
        where = table.path + (f" ({table.embedded_field})" if table.embedded_field else "")
        lines = [f"{where} — {table.state.describe()}"]
        notes: dict[str, int] = {}
        rows = []
        for row in table.layers:
            tops = row.tops or [TopRow("", (), None)]
            for i, top in enumerate(tops):
                shape = fmt_shape(top.shape) if row.tops else "(no tops)"
                if top.why:
                    if top.why.startswith("its input"):
                        shape += " (input unknown)"
                    else:
                        number = notes.setdefault(top.why, len(notes) + 1)
                        shape += f" [{number}]"
                first = i == 0
                rows.append((row.name if first else "", row.type if first else "", top.name, shape,
                             _number(row.params) if first else "", _number(row.macs) if first else ""))
        header = ("layer", "type", "top", "shape", "params", "MACs")
        widths = []
        for column, title in enumerate(header):
            cap = _CAPS.get(title)
            width = max([len(title)] + [len(r[column]) for r in rows])
            widths.append(min(width, cap) if cap else width)
        for cells in [header] + rows:
            parts = []
            for column, cell in enumerate(cells):
                cell = _cut(cell, widths[column])
                parts.append(cell.rjust(widths[column]) if column >= 4 else cell.ljust(widths[column]))
            lines.append("  " + "  ".join(parts).rstrip())
        params, unknown_params = table.total("params")
        macs, unknown_macs = table.total("macs")
        lines.append("  total: " + _total("parameters", params, unknown_params) + ", " + _total("MACs", macs, unknown_macs))
        for why, number in notes.items():
            lines += textwrap.wrap(why, 100, initial_indent=f"  [{number}] ", subsequent_indent="      ")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _total(what: str, value: int, unknown: int) -> str:
    if unknown:
        return f"at least {value:,} {what} ({unknown} layer{'s' if unknown != 1 else ''} unknown)"
    return f"{value:,} {what}" + (f" ({_human(value)})" if value >= 1000 else "")


# --- the command ------------------------------------------------------------------------------------


def run(paths, phase, stages, level, input_shapes: dict, proto, fmt, config_path) -> int:
    """The `protolint shapes` command: print the tables (or JSON); returns the exit code. Problems go
    to stderr with exit 2: unreadable files, syntax errors (file:line:col), files that are not nets,
    a bad schema or configuration, input shapes for blobs no data layer produces."""
    import click

    from .api import default_registry
    from .settings import OptionsResolver, Overrides, SettingsError

    def fail(message: str) -> int:
        click.echo(f"protolint: {message}", err=True)
        return 2

    resolver = OptionsResolver(default_registry(), Overrides(config=config_path, proto=proto,
                                                             input_shapes=tuple(input_shapes.items())))
    try:
        items = load_items(paths, resolver.options_for)
    except ShapesError as error:
        return fail(str(error).replace("\n", "\nprotolint: "))
    except SettingsError as error:
        return fail(str(error))

    problems = [f"--input-shape {name}: no data layer of {', '.join(paths)} produces a blob named {name!r} (those "
                f"that take an input shape: {targets_text(items)})" for name in unmatched_inputs(items, input_shapes)]
    for config_file, options in resolver.options_by_config().items():
        configured = [name for name, _dims in options.input_shapes if name not in input_shapes]
        for name in unmatched_inputs(items, configured) if config_file else ():
            problems.append(f"bad configuration: {config_file}: `input-shapes.{name}`: no data layer of the nets shown "
                            f"produces a blob named {name!r}")
    if problems:
        return fail("\nprotolint: ".join(problems))

    tables = []
    for item in items:
        options = resolver.options_for(_origin(item, paths))
        for state in chosen_states(item.net, phase, stages, level):
            tables.append(state_table(item, state, options.input_shapes))
    click.echo(render_json(tables) if fmt == "json" else render_text(tables))
    return 0


def _origin(item: NetItem, paths) -> str:
    """The file whose configuration applies to a net: itself (a solver's net files: their own)."""
    return item.path
