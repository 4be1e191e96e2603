"""The command line: `protolint [check] PATH...`, `protolint rules`, `protolint explain RULE`,
`protolint shapes NET`.

Exit codes: 0 nothing at or above --fail-on, 1 findings, 2 usage error, unreadable file or bad schema.
Heavy modules are imported inside the commands, so `--version` and `--help` stay instant.
"""

from __future__ import annotations

import os
import sys

import click

from . import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def entry() -> None:
    """The `protolint` script and `python -m protolint`: one command, then the process ends.

    The cyclic garbage collector is off for such a run: the lint makes no reference cycles (see
    Net.release), so the collector would only rescan the live trees again and again (a quarter of
    the run time); gc.freeze() spares the scan of everything still alive at exit. Never do this in a
    process that lints repeatedly, such as the language server: that is what `main` is for.
    """
    import gc

    from . import codepack

    gc.disable()
    packed = codepack.install()
    saved = False

    def save_for_the_next_run() -> None:  # (once per version of the code, or of Python)
        nonlocal saved
        if not saved:
            saved = True
            if not packed:
                codepack.save()
            patterns = sys.modules.get("protolint.patterns")
            if patterns is not None:
                patterns.save()

    try:
        main(prog_name="protolint")
    except SystemExit as done:
        save_for_the_next_run()
        if done.code is None or isinstance(done.code, int):
            _exit_now(done.code or 0)
        raise
    except OSError as error:  # (what could not be written: the output on a full disk, say)
        _stopped_by(error)
    finally:
        gc.freeze()
        save_for_the_next_run()


def _stopped_by(error: OSError) -> None:
    """An error no part of the run could deal with (reading a file, the cache and a closed pipe
    are dealt with where they happen): one line, exit 2, no traceback."""
    import errno

    output = error.filename is None and error.errno in (errno.ENOSPC, errno.EIO, errno.EFBIG, errno.EDQUOT, errno.EBADF)
    what = "cannot write the output" if output else "stopped"
    where = f" ({error.filename})" if error.filename else ""
    try:
        sys.stderr.write(f"protolint: {what}: {error.strerror or error}{where}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    sys.stdout = None  # (what is still buffered cannot be written either: not again at exit)
    _exit_now(EXIT_USAGE)
    sys.exit(EXIT_USAGE)


def _exit_now(code: int) -> None:
    """End the process without tearing down the interpreter (module by module: 2-3 ms of a
    60 ms run on a small file), when nothing else is waiting for the end: no function registered
    with atexit (a worker pool registers one), no other thread. Everything written is flushed."""
    import atexit

    count = getattr(atexit, "_ncallbacks", None)
    threading = sys.modules.get("threading")
    if count is None or count() or (threading is not None and threading.active_count() > 1):
        return  # (the usual exit)
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # (a closed pipe: click has dealt with it, and set the code)
            pass
    os._exit(code)


class _DefaultToCheck(click.Group):
    """`protolint a.prototxt` means `protolint check a.prototxt`."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["check", *args]
        return super().parse_args(ctx, args)


def _comma_list(values: tuple[str, ...]) -> list[str]:
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


def _input_shapes(ctx, param, values) -> dict:
    """--input-shape BLOB=N,C,H,W (repeatable) -> {blob: dims}; a bad value is a usage error."""
    if not values:
        return {}
    from .model.shapes.inputs import parse_input_shape

    shapes: dict = {}
    for value in values:
        try:
            name, dims = parse_input_shape(value)
        except ValueError as error:
            raise click.BadParameter(str(error), ctx=ctx, param=param) from None
        if name in shapes:
            raise click.BadParameter(f"the blob {name!r} is given twice", ctx=ctx, param=param)
        shapes[name] = dims
    return shapes


_INPUT_SHAPE_HELP = ("The shape of a blob a data layer produces (HDF5Data, Data, Python, ...), for shape inference; "
                     "repeatable, any rank (e.g. --input-shape data=64,3,224,224).")


@click.group(cls=_DefaultToCheck, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="protolint")
def main() -> None:
    """Lint Caffe .prototxt nets and solvers for what makes training fail, NaN or diverge.

    Run `protolint PATH...` (files, folders, or - for stdin); see `protolint check --help`.
    """


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True, help="Output format.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info", "never"]), default="warning", show_default=True,
              help="Exit 1 when a finding at or above this severity is reported.")
@click.option("-q", "--quiet", is_flag=True, help="Print only findings at or above --fail-on, without the summary.")
@click.option("--proto", "proto", type=click.Path(dir_okay=False), help="The caffe.proto of your Caffe fork (default: BVLC Caffe's).")
@click.option("--as", "root", type=click.Choice(["net", "solver"]), help="Read every file as a net or a solver (default: from a `# proto-message:` header or the content).")
@click.option("--select", multiple=True, help="Rules to run: names, codes or code prefixes, comma-separated (default: ALL).")
@click.option("--ignore", multiple=True, help="Rules to skip: names, codes or code prefixes, comma-separated.")
@click.option("--extra-layer-types", multiple=True, help="Layer types your build adds (custom C++ layers), comma-separated.")
@click.option("--pretrained/--from-scratch", "pretrained", default=None,
              help="The trained nets start from a .caffemodel (the weights given to caffe train, or set from Python) / from their fillers "
                   "(default: the solver's `weights`, the `pretrained` setting, or what the net shows).")
@click.option("--extra-filler-types", multiple=True, help="Filler types your build adds, comma-separated.")
@click.option("--extra-lr-policies", multiple=True, help="lr policies your build adds, comma-separated.")
@click.option("--extra-solver-types", multiple=True, help="Solver types your build adds, comma-separated.")
@click.option("--include", multiple=True, help="File name patterns to lint inside folders (default: *.prototxt).")
@click.option("--exclude", multiple=True, help="Path or name patterns to skip inside folders.")
@click.option("--stdin-filename", help="The path to report for input read from stdin (-).")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Use this configuration file for every file (default: the nearest .protolint.toml or pyproject.toml with [tool.protolint]).")
@click.option("--caffe-version", help="The Caffe release the files are for: rc1..rc5, 1.0, master (default: read off the schema).")
@click.option("--fix", is_flag=True, help="Apply safe fixes to the files, then report what is left.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix or --diff: also apply fixes that may change what the model computes.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff instead of writing them; exit 1 if there are any.")
@click.option("--input-shape", "input_shapes", multiple=True, metavar="BLOB=N,C,H,W", callback=_input_shapes, help=_INPUT_SHAPE_HELP)
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Lint in this many processes (default: the CPUs available, for 24 files or 128 KB and more).")
@click.option("--no-cache", is_flag=True, help="Lint every file again: do not read or write the result cache.")
def check(paths, fmt, fail_on, quiet, proto, root, select, ignore, extra_layer_types, extra_filler_types, extra_lr_policies,
          extra_solver_types, pretrained, include, exclude, stdin_filename, color, config_path, caffe_version, fix, unsafe_fixes,
          diff, input_shapes, jobs, no_cache):
    """Lint prototxt files and folders (folders: *.prototxt, recursively).

    A solver's net files are found and linted with it."""
    from .registry import RegistryError
    from .settings import OptionsResolver, Overrides

    _safe_streams()
    if not paths:
        raise click.UsageError("no files given; try `protolint path/to/net.prototxt` or `protolint .`")
    if unsafe_fixes and not (fix or diff):
        raise click.UsageError("--unsafe-fixes only applies with --fix or --diff")
    try:
        names = _rule_names()
    except RegistryError as error:
        _fail(str(error))
    cli_select, cli_ignore = _comma_list(select), _comma_list(ignore)
    for selector in cli_select + cli_ignore:
        if not names.matching(selector):
            raise click.BadParameter(f"no rule is named or coded {selector!r}{_rule_hint(names, selector)}",
                                     param_hint="--select/--ignore")
    if caffe_version:
        from .versions import VersionError, parse_version

        try:
            caffe_version = parse_version(caffe_version)
        except VersionError as error:
            raise click.BadParameter(str(error), param_hint="--caffe-version") from None

    options_for = _OptionsFor(OptionsResolver(names, Overrides(
        config=config_path, proto=proto, root=root, select=tuple(cli_select), ignore=tuple(cli_ignore),
        extra_layer_types=tuple(_comma_list(extra_layer_types)), extra_filler_types=tuple(_comma_list(extra_filler_types)),
        extra_lr_policies=tuple(_comma_list(extra_lr_policies)), extra_solver_types=tuple(_comma_list(extra_solver_types)),
        caffe_version=caffe_version, pretrained=pretrained, input_shapes=tuple(input_shapes.items())), names=names))
    sources = _inputs(paths, stdin_filename, _comma_list(include) or ["*.prototxt"], _comma_list(exclude))
    if fix or diff:
        _check_with_fixes(sources, options_for, input_shapes, fmt, fail_on, quiet, color, fix, unsafe_fixes, diff)
        return

    from . import batch

    had_io_error = False

    def cannot_read(display: str, error: OSError) -> None:
        nonlocal had_io_error
        click.echo(f"protolint: {display}: cannot read: {error.strerror or error}", err=True)
        had_io_error = True

    auto_jobs = jobs is None  # (then workers only for enough files to gain from them: batch.worth_workers)
    jobs = jobs or _cpus()
    pool = None
    folders = any(os.path.isdir(path) for path in paths)
    if len(paths) > 32 or folders:
        batch.steady_heap()  # (many files: before the plan reads them and the workers fork)
    if jobs > 1 and no_cache and (len(paths) > 1 or folders):
        if auto_jobs:
            sources = list(sources)  # (folders walked: how many files there are decides)
        if not auto_jobs or batch.worth_workers(len(sources), _sizes(sources)):
            # Many files to lint: the workers get ready while the plan is made. (With the cache,
            # the pool is only started once the plan shows files to lint: often there are none.)
            pool = batch.start_pool(jobs, options_for, next((p for p in paths if p != "-"), paths[0]))
            if pool is None:  # (said why)
                jobs = 1
        else:
            jobs = 1
    try:
        failing = _lint_and_report(batch, sources, options_for, pool or jobs, auto_jobs, no_cache, input_shapes, fmt,
                                   fail_on, quiet, color, cannot_read)
    except batch.WorkerLost:
        _fail(f"a worker process ended before its files were linted (killed, or out of memory?): run again, "
              f"or with -j1 (now -j{jobs})")
    finally:
        if pool is not None:
            pool.close()
    sys.exit(EXIT_USAGE if had_io_error else EXIT_FINDINGS if failing else EXIT_CLEAN)


def _lint_and_report(batch, sources, options_for, jobs, auto_jobs, no_cache, input_shapes, fmt, fail_on, quiet, color,
                     cannot_read) -> bool:
    """Plan, lint and print; whether a finding is at or above --fail-on."""
    from .diagnostics import at_or_above
    from .reporters import render

    plan_errors = 0

    def unreadable(display: str, error: OSError) -> None:
        nonlocal plan_errors
        plan_errors += 1
        cannot_read(display, error)

    plan = batch.plan(sources, options_for, unreadable, not no_cache, jobs if isinstance(jobs, batch.Pool) else None)
    for group in plan.groups:  # a bad configuration or schema stops the run before anything is linted
        for member in group.members:
            if no_cache:
                options_for.check(member.origin)
            else:
                options_for.key(member.origin)  # (loads both, and gives the cache key)
    shapes_given = bool(input_shapes) or any(config.input_shapes for config in options_for.configs.values())
    use_color = color == "always" or (color == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    threshold = "error" if fail_on == "never" else fail_on
    # Text goes out file by file; JSON and SARIF are one document (and input shapes are checked against
    # every net before anything is printed), so for those the results (findings, no trees) are kept.
    stream = fmt == "text" and not shapes_given
    kept, counts, files, failing, unread = [], {"error": 0, "warning": 0, "info": 0}, 0, False, plan_errors
    for kind, item in batch.run(plan, options_for, jobs, not no_cache, shapes_given, auto_jobs):
        if kind == "error":
            cannot_read(*item)
            unread += 1
            continue
        result = item
        files += 1
        if quiet:
            result.diagnostics = at_or_above(result.diagnostics, threshold)
        for d in result.diagnostics:
            counts[d.severity] += 1
        failing = failing or (fail_on != "never" and bool(at_or_above(result.diagnostics, threshold)))
        if stream:
            output = render(fmt, [result], use_color, None)
            if output:
                click.echo(output, color=use_color)  # click would strip the colours when stdout is not a tty
        else:
            kept.append(result)
    if shapes_given:
        _check_input_shapes(kept, input_shapes, options_for.configs)
    if not stream:
        output = render(fmt, kept, use_color, _documented_rules() if fmt == "sarif" else None)
        if output:
            click.echo(output, color=use_color)
    if fmt == "text" and not quiet and (files or not unread):  # (no "0 files checked" beside a read error)
        click.echo(_summary_line(files, counts))
    return failing


def _rule_names():
    """The registry to check rule names with: the rule list cached for this very code when there is
    one (no rule is imported: a run whose results are all cached needs none), else the rules."""
    from .registry import summary_registry

    return summary_registry() or _documented_rules()


def _documented_rules():
    """The registry of the rules themselves (to lint, and for SARIF's rule metadata)."""
    from .api import default_registry

    return default_registry()


class _OptionsFor:
    """The command line's OptionsResolver (protolint.settings: the same options the language server
    builds), with a bad configuration or schema ending the run with exit 2. Picklable: worker
    processes are handed it."""

    def __init__(self, resolver):
        self.resolver = resolver
        self._checked: set[str] = set()  # folders whose configuration and schema load

    def __getstate__(self):
        return {"resolver": self.resolver, "_checked": set()}

    @property
    def configs(self) -> dict:
        return self.resolver.configs

    def __call__(self, file_path: str):
        return self._settled(self.resolver.options_for, file_path)

    def for_parsing(self, file_path: str):
        return self._settled(self.resolver.for_parsing, file_path)

    def key(self, file_path: str) -> str:
        return self._settled(self.resolver.key, file_path)

    def check(self, file_path: str) -> None:
        """End the run if the configuration or the schema of a file cannot be used. Once per folder:
        what a file adds to its folder's settings (per-file ignores, `pretrained`) cannot fail."""
        folder = os.path.dirname(file_path)
        if folder not in self._checked:
            self.for_parsing(file_path)
            self._checked.add(folder)

    def prepare(self, file_path: str) -> None:
        """Load a file's configuration and schema, saying nothing of what is wrong with them: a
        worker process does this at its start, and the run itself reports a bad one (once)."""
        from .settings import SettingsError

        try:
            self.resolver.options_for(file_path)
        except SettingsError:
            pass

    @staticmethod
    def _settled(method, file_path: str):
        from .settings import SettingsError

        try:
            return method(file_path)
        except SettingsError as error:
            _fail(str(error))


def _sizes(sources):
    """The size of each file on disk among `sources` (a stat each, when asked)."""
    for _display, _reader, path in sources:
        try:
            yield os.stat(path).st_size if path else 0
        except OSError:
            yield 0


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may run on
    except AttributeError:  # (not on every platform)
        return os.cpu_count() or 1


def _check_with_fixes(sources, options_for, input_shapes, fmt, fail_on, quiet, color, fix, unsafe_fixes, diff):
    """--fix and --diff: every file linted here and now with its tree (no cache, one process), its
    fixes applied or shown, then what is left reported."""
    from .diagnostics import at_or_above
    from .project import Input, lint_inputs
    from .reporters import render

    registry = _documented_rules()

    had_io_error = False
    inputs = []
    for display, reader, path in sources:
        try:
            inputs.append(Input(display, reader(), path))
        except OSError as error:
            click.echo(f"protolint: {display}: cannot read: {error.strerror or error}", err=True)
            had_io_error = True
    results = lint_inputs(inputs, options_for)
    if input_shapes or any(config.input_shapes for config in options_for.configs.values()):
        _check_input_shapes(results, input_shapes, options_for.configs)
    if diff:
        changed = _print_diffs(inputs, results, options_for, unsafe_fixes)
        sys.exit(EXIT_USAGE if had_io_error else EXIT_FINDINGS if changed else EXIT_CLEAN)
    if any(item.path is None for item in inputs):
        raise click.UsageError("--fix rewrites files and cannot rewrite stdin; use --diff to see the fixes")
    fixed_count, inputs = _fix_files(inputs, results, options_for, unsafe_fixes)
    results = lint_inputs(inputs, options_for)

    use_color = color == "always" or (color == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    threshold = "error" if fail_on == "never" else fail_on
    if quiet:
        for result in results:
            result.diagnostics = at_or_above(result.diagnostics, threshold)
    output = render(fmt, results, use_color, registry)
    if output:
        click.echo(output, color=use_color)  # click would strip the colours when stdout is not a tty
    failing = [] if fail_on == "never" else [d for r in results for d in at_or_above(r.diagnostics, threshold)]
    if fmt == "text" and not quiet and (results or not had_io_error):  # (no "0 files checked" beside a read error)
        if fix:
            click.echo(f"Fixed {fixed_count} finding{'s' if fixed_count != 1 else ''}.")
        click.echo(_summary(results))
    if had_io_error:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_FINDINGS if failing else EXIT_CLEAN)


def _check_input_shapes(results, given: dict, configs: dict) -> None:
    """An input shape for a blob no data layer of the linted nets produces is a usage error."""
    from .model.shapes.inputs import input_targets
    from .model.usage import net_alone

    targets: set[str] = set()
    for result in results:
        if result.kind == "net":
            known = getattr(result.document, "input_targets", None)  # (a batch.Snapshot has them)
            targets |= known if known is not None else input_targets(net_alone(result.document.root))
    problems = [f"--input-shape {name}: no data layer of the linted nets produces a blob named {name!r}"
                for name in given if name not in targets]
    for config_file, config in configs.items():
        problems += [f"bad configuration: {config_file}: `input-shapes.{name}`: no data layer of the linted nets produces a "
                     f"blob named {name!r}" for name in sorted(config.input_shapes) if name not in targets and name not in given]
    if problems:
        _fail("\n".join(dict.fromkeys(problems)))


def _fix_outcomes(inputs, results, options_for, unsafe: bool):
    """The fixes of every file as protolint.fixes applies them; a fix refused because it would make
    the file worse is said on stderr."""
    from .fixes import fix_inputs

    def refused(display, refusal):
        click.echo(f"protolint: {display}: a fix would break the file; not applied (please report this): "
                   f"{refusal.fix.title} [{refusal.rule}]: {refusal.reason}", err=True)

    return fix_inputs(inputs, results, options_for, unsafe, on_refused=refused)


def _fix_files(inputs, results, options_for, unsafe: bool):
    """Apply fixes to files on disk; returns (findings fixed, the inputs with their new bytes)."""
    from .fixes import write_file
    from .project import Input

    fixed, changed = 0, {}
    for item, result, outcome in _fix_outcomes(inputs, results, options_for, unsafe):
        if outcome.applied:
            data = result.document.source.encode(outcome.text)
            write_file(item.path, data)
            changed[id(item)] = Input(item.display, data, item.path)
            fixed += outcome.applied
    return fixed, [changed.get(id(item), item) for item in inputs]


def _print_diffs(inputs, results, options_for, unsafe: bool) -> bool:
    import difflib

    changed = False
    for item, result, outcome in _fix_outcomes(inputs, results, options_for, unsafe):
        if outcome.applied:
            changed = True
            old = result.document.source.text.splitlines(keepends=True)
            new = outcome.text.splitlines(keepends=True)
            for line in difflib.unified_diff(old, new, f"a/{item.display}", f"b/{item.display}"):
                click.echo(line, nl=not line.endswith("\n"))
    return changed


def _summary(results) -> str:
    counts = {"error": 0, "warning": 0, "info": 0}
    for result in results:
        for d in result.diagnostics:
            counts[d.severity] += 1
    return _summary_line(len(results), counts)


def _summary_line(files: int, counts: dict) -> str:
    noun = "file" if files == 1 else "files"
    if not any(counts.values()):
        return f"{files} {noun} checked: no findings."
    parts = [f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in counts.items() if n]
    return f"{files} {noun} checked: {', '.join(parts)}."


def _inputs(paths, stdin_filename, include, exclude):
    """(display path, reader, path on disk or None) for every file to lint, folders in sorted order.
    Readers read regular files of bounded size only (protolint.files); stdin is bounded too."""
    for path in paths:
        if path == "-":
            yield (stdin_filename or "<stdin>"), _stdin_reader, None
        elif os.path.isdir(path):
            for found in _walk(path, include, exclude):
                yield found, _reader(found), found
        elif os.path.exists(path):
            yield path, _reader(path), path
        else:
            yield path, _missing(path), None


def _walk(top: str, include: list[str], exclude: list[str]):
    """The files under `top` that the patterns take, in a fixed order (a folder's files, then its
    folders'); hidden and linked folders are not entered, FIFOs, sockets and devices never opened.
    (os.scandir: a file's type comes with its name, not from a stat per file.)"""
    import fnmatch  # (only for folders and patterns: a run on files does not import it)

    try:
        entries = sorted(os.scandir(top), key=lambda entry: entry.name)
    except OSError:
        return  # (as os.walk: an unreadable folder is passed over)
    folders = []
    for entry in entries:
        name = entry.name
        try:
            is_folder = entry.is_dir()
        except OSError:
            is_folder = False
        if is_folder:
            if not name.startswith(".") and not entry.is_symlink() and not _excluded(entry.path, name, exclude):
                folders.append(entry.path)
        elif any(fnmatch.fnmatch(name, pattern) for pattern in include) and not _excluded(entry.path, name, exclude):
            if not entry.is_file() and _special(entry.path):
                continue  # a FIFO, socket or device that happens to match: never opened
            yield entry.path
    for folder in folders:
        yield from _walk(folder, include, exclude)


def _special(path: str) -> bool:
    """Exists, but is not a regular file (through symlinks)."""
    import stat

    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False  # (a broken link is reported when it is read)


def _excluded(path: str, name: str, patterns: list[str]) -> bool:
    if not patterns:
        return False
    import fnmatch

    normalized = path.replace(os.sep, "/")
    return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(normalized, p) or fnmatch.fnmatch(normalized, f"*/{p}") for p in patterns)


def _reader(path: str):
    def read() -> bytes:
        from .files import read_regular

        return read_regular(path)

    return read


def _stdin_reader() -> bytes:
    from .files import read_stream

    return read_stream(sys.stdin.buffer)


def _missing(path: str):
    def read() -> bytes:
        raise FileNotFoundError(2, "no such file or folder", path)

    return read


def _rule_hint(registry, word: str) -> str:
    """`; did you mean `unknown-field`?` for a misspelt rule name (`_` and `-` alike), else where to look."""
    from .suggest import closest

    guess = closest(word.strip().lower().replace("_", "-"), [r.name for r in registry.rules])
    return f"; did you mean `{guess}`?" if guess else "; `protolint rules` lists them"


def _safe_streams() -> None:
    """Never die on printing: odd bytes in a source line become escapes, not a UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError):
            pass


def _fail(message: str) -> None:
    click.echo(f"protolint: {message}", err=True)
    sys.exit(EXIT_USAGE)


@main.command()
@click.option("--stdio", is_flag=True, hidden=True, help="Talk over stdin/stdout (the only transport; accepted for clients that pass it).")
def server(stdio):
    """Run the language server (LSP over stdio) for editors."""
    try:
        import lsprotocol.types  # noqa: F401
        import pygls.lsp.server  # noqa: F401
    except ImportError:
        click.echo("protolint: the language server needs pygls; install it with: pip install 'caffe-protolint[server]'", err=True)
        sys.exit(EXIT_USAGE)
    from .server import main as serve

    serve()  # (it turns the cyclic GC back on: see server.app.main)


@main.command("rules")
def list_rules():
    """List every rule: code, name, default severity, summary."""
    from .api import default_registry

    for rule in default_registry().rules:
        click.echo(f"{rule.code:<6} {rule.name:<38} {rule.severity:<8} {rule.summary}")


@main.command()
@click.argument("rule")
def explain(rule):
    """Show a rule's documentation (by name or code)."""
    from .api import default_registry

    registry = default_registry()
    found = registry.lookup(rule.strip()) or registry.lookup(rule.strip().lower())  # names in any case
    if found is None:
        raise click.BadParameter(f"no rule is named or coded {rule!r}{_rule_hint(registry, rule)}", param_hint="RULE")
    click.echo(found.documentation())


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--phase", type=click.Choice(["TRAIN", "TEST"]), help="The phase to build the net in (default: every state it is built in).")
@click.option("--stage", "stages", multiple=True, help="A stage of the state to build the net in; repeatable.")
@click.option("--level", type=int, help="The level of the state to build the net in.")
@click.option("--input-shape", "input_shapes", multiple=True, metavar="BLOB=N,C,H,W", callback=_input_shapes, help=_INPUT_SHAPE_HELP)
@click.option("--proto", "proto", type=click.Path(dir_okay=False), help="The caffe.proto of your Caffe fork (default: BVLC Caffe's).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Use this configuration file (default: the nearest one).")
def shapes(paths, phase, stages, level, input_shapes, proto, fmt, config_path):
    """Show every layer's top shapes, parameters and multiply-accumulates, per state.

    NET is a net file, or a solver file (its nets in the solver's states)."""
    from .shapes_command import run

    _safe_streams()
    sys.exit(run(paths, phase, tuple(stages), level, input_shapes, proto, fmt, config_path))
