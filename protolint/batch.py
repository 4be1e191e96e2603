"""Linting many files: in groups, in parallel, from a result cache, with results streamed.

A run is planned before anything is linted. Every input is read once, to take its digest and to see
whether it may be a solver that names net files (only a file with the word `net`, `train_net` or
`test_net` can: those are the only fields that link files). Such a file is parsed, and if it is a
solver, the net files it names join its group, read and looked into the same way (they are linted
with it, as project.lint_inputs always did: how a solver uses a net changes the net's findings, and
the solver's rules look into its nets). Files with the same real path share a group too. Every other
file is a group of its own.

Each group is then linted by project.lint_inputs, exactly as if the whole run were one call: in this
process, or in a pool of worker processes (`jobs`), or not at all when the result cache holds the
group's results. Only what the reporters need is kept of a result (its findings and the source lines
they point at), never its tree, and results are handed on in the order of the inputs as soon as all
before them are done: memory stays flat however many files there are.
"""

from __future__ import annotations

import marshal
import os
import sys
from typing import Callable, Iterable, Iterator

from . import cache, patterns, workers
from .diagnostics import Diagnostic
from .workers import Pool, WorkerLost  # noqa: F401  (what the command line catches)

# (protolint.project, and with it the parser, the model and the rules, is imported only to lint:
# a run whose results are all cached needs none of it.)

# The fields a solver names its net files with (model.solver.Solver.net_files): `net`, `train_net`,
# `test_net` as a whole token anywhere. Searched from the literal (a pattern that starts with a
# look-behind tries every position: 30 ms on a 2.5 MB net); what stands before it is checked here.
_NET_WORD = patterns.compile(rb"net(?![A-Za-z0-9_])")
_NAME_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")


def _names_nets(data: bytes) -> bool:
    for match in _NET_WORD.finditer(data):
        start = match.start()
        for prefix in (b"", b"train_", b"test_"):
            at = start - len(prefix)
            if at >= 0 and data[at:start] == prefix and (at == 0 or data[at - 1] not in _NAME_BYTES):
                return True
    return False


# (Plain classes, not dataclasses: generating a dataclass costs about half a millisecond at import.)
class Member:
    """One file of a group."""

    __slots__ = ("index", "display", "path", "real", "origin", "digest", "size", "data", "given")

    def __init__(self, index: int, display: str, path: str | None, origin: str, data: bytes, keep: bool = False,
                 given: bool = True, hashed: bool = True):
        self.index = index  # its place in the output, which follows the inputs (then the net files solvers named)
        self.display = display
        self.path = path  # on disk (None: stdin)
        self.real = _real_path(path) if path else None  # (what links files: once, it is not cheap)
        self.origin = origin  # where a solver's relative net paths start from (as in project.lint_inputs)
        self.digest = _digest(data) if hashed else None  # (for the cache: a run without it needs none)
        self.size = len(data)
        self.data = data if keep else None  # stdin's bytes; files are read again where they are linted
        self.given = given  # False: a net file a solver names that was not given


def _real_path(path: str) -> str:
    """os.path.realpath(path), with each folder resolved once (a folder of files is one realpath and
    a link test per file, not a walk of every component of every path)."""
    folder, name = os.path.split(path)
    if name in ("", ".", "..") or os.path.islink(path):
        return os.path.realpath(path)
    return os.path.join(_real_folder(folder or os.curdir), name)


_REAL_FOLDERS: dict[str, str] = {}


def _real_folder(folder: str) -> str:
    found = _REAL_FOLDERS.get(folder)
    if found is None:
        if len(_REAL_FOLDERS) > 4096:  # (bounded, and a long session sees links change: start over)
            _REAL_FOLDERS.clear()
        found = _REAL_FOLDERS[folder] = os.path.realpath(folder)
    return found


class Group:
    __slots__ = ("members", "key")

    def __init__(self, members: list[Member]):
        self.members = members  # the given files in order, then the net files their solvers named
        self.key: str | None = None  # of its results in the cache (None: not cached)


class Plan:
    __slots__ = ("groups", "count")

    def __init__(self, groups: list[Group], count: int):
        self.groups = groups
        self.count = count  # files in all


class Snapshot:
    """What a result keeps of its document: the lines its findings point at (for the text reporter,
    which asks for `document.source.line_text(n)` and `.line_count`) and, when input shapes are
    given, the blobs they may name."""

    __slots__ = ("lines", "line_count", "input_targets", "positions")

    def __init__(self, lines: dict[int, str], line_count: int, input_targets: frozenset[str] | None,
                 positions: dict[int, tuple[int, int]] | None = None):
        self.lines, self.line_count, self.input_targets = lines, line_count, input_targets
        self.positions = positions or {}  # offset -> (line, column) of the fixes' edits (for JSON)

    def position(self, offset: int) -> tuple[int, int]:
        return self.positions[offset]

    @property
    def source(self) -> Snapshot:
        return self

    def line_text(self, line: int) -> str:
        return self.lines.get(line, "")


class Result:
    """A file's findings as the reporters and the command line read them (like linter.FileResult,
    with a Snapshot for its document)."""

    __slots__ = ("path", "document", "kind", "diagnostics")

    def __init__(self, path: str, document: Snapshot, kind: str, diagnostics: list[Diagnostic]):
        self.path, self.document, self.kind, self.diagnostics = path, document, kind, diagnostics


def plan(sources, options_for: Callable, on_error: Callable[[str, OSError], None], use_cache: bool = True,
         pool: Pool | None = None) -> Plan:
    """Read every input, find the solvers' net files, and group the files that must be linted
    together. `sources`: (display, reader, path on disk or None); `on_error(display, error)` is
    told of an input that cannot be read (it is left out); `use_cache`: what solvers name may come
    from the cache; `pool`: workers (start_pool) that parse the solvers (without the cache: as
    soon as each is read, while the others are)."""
    _REAL_FOLDERS.clear()  # (folders resolved once per plan: links may change between runs of a server)
    members: list[Member] = []
    by_path: dict[str, int] = {}  # real path -> the last member there (as project.lint_inputs links)
    candidates: list[int] = []
    tickets: dict[int, int] = {}  # member index -> the pool's ticket for its net file names
    early_names = pool is not None and not use_cache  # (with the cache, what solvers name is often there)
    for display, reader, path in sources:
        try:
            data = reader()
        except OSError as error:
            on_error(display, error)
            continue
        member = Member(len(members), display, path, path or display, data, keep=path is None, hashed=use_cache)
        members.append(member)
        if path:
            by_path[member.real] = member.index
        if _names_nets(data):
            candidates.append(member.index)
            if early_names:  # (the workers parse it while the other files are read)
                tickets[member.index] = _submit_names(pool, member, options_for)
    given = len(members)

    parent = list(range(given))  # union-find over members

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(given):
        if members[i].path:
            parent[find(i)] = find(by_path[members[i].real])

    # Solvers in the order project.lint_inputs takes them: the inputs, then the files they bring in
    # (a round at a time: what a round brings in is taken after it, as one at a time would take it).
    position = 0
    while position < len(candidates):
        round_ = [members[index] for index in candidates[position:]]
        position = len(candidates)
        for member, names in zip(round_, _net_file_names_of(round_, options_for, use_cache, pool, tickets)):
            for found in _resolved(names, member):
                key = os.path.realpath(found)
                if key not in by_path:
                    linked = _read(found)
                    if linked is None:
                        continue  # (lint_inputs cannot read it either: the solver says so)
                    extra = Member(len(members), _display(found), found, found, linked, given=False, hashed=use_cache)
                    members.append(extra)
                    parent.append(extra.index)
                    by_path[key] = extra.index
                    if _names_nets(linked):
                        candidates.append(extra.index)
                parent[find(member.index)] = find(by_path[key])

    groups: dict[int, Group] = {}
    for member in members:
        groups.setdefault(find(member.index), Group([])).members.append(member)
    return Plan(sorted(groups.values(), key=lambda group: group.members[0].index), len(members))


def _submit_names(pool: Pool, member: Member, options_for: Callable) -> int:
    check = getattr(options_for, "check", None) or getattr(options_for, "for_parsing", options_for)
    check(member.origin)  # (a bad configuration or schema is reported here, as when parsed here)
    return pool.submit(_names_work, member, (0, member.index), 8)


def _net_file_names_of(members: list[Member], options_for: Callable, use_cache: bool, pool: Pool | None,
                       tickets: dict[int, int]) -> list[list[str]]:
    """The net file names each solver writes ([] for a file that is no solver), in Caffe's order.
    What a solver writes is cached by its content and options (a run whose results are cached then
    parses nothing); what is not is parsed here, or by the pool's workers. `tickets`: the pool's, for
    members already handed to it."""
    key_of = getattr(options_for, "key", None) if use_cache else None
    keys = [cache.digest("net-files", cache.code_fingerprint(), member.digest, os.path.basename(member.display),
                         key_of(member.origin)) if key_of else None for member in members]
    names: list = []
    for key in keys:
        stored = cache.read("net-files", key) if key else None
        try:
            found = marshal.loads(stored) if stored is not None else None
        except (EOFError, ValueError, TypeError):
            found = None
        names.append(found if isinstance(found, list) else None)
    parsed: dict[int, object] = {}
    if pool is not None:
        wanted: dict[int, int] = {}
        for n, member in enumerate(members):
            ticket = tickets.pop(member.index, None)
            if names[n] is not None:
                if ticket is not None:
                    pool.discard([ticket])
                continue
            wanted[_submit_names(pool, member, options_for) if ticket is None else ticket] = n
        for ticket, found in pool.collect(list(wanted)):
            parsed[wanted[ticket]] = found
    for n, found in enumerate(names):
        if found is not None:
            continue
        found = parsed.get(n, False)
        if found is False:  # (not parsed by a worker, or it failed: whatever stopped it is reported here)
            found = _net_file_names(members[n], options_for)
        if found is not None and keys[n]:
            cache.write("net-files", keys[n], marshal.dumps(found))
        names[n] = found
    return [found or [] for found in names]


def _resolved(names: list[str], member: Member) -> list[str]:
    """The files a solver's net file names stand for, as project.lint_inputs resolves them."""
    if not names:
        return []
    from .netpaths import resolve_net_file

    return [found for found in (resolve_net_file(name, member.origin) for name in names) if found is not None]


def _net_file_names(member: Member, options_for: Callable) -> list[str] | None:
    """The net file names a solver writes (`net`, `train_net`, `test_net`, in Caffe's order); [] for a
    file that is no solver; None when it cannot be read."""
    from .linter import prepare
    from .model.solver import Solver

    data = member.data if member.data is not None else _read(member.path)
    if data is None:
        return None
    # (What parsing and typing need of the options: the schema and --as, not the rules.)
    options = getattr(options_for, "for_parsing", options_for)(member.origin)
    prepared = prepare(member.display, data, options)  # (a candidate is nearly always a solver, and small)
    if prepared.kind != "solver":
        return []
    return [field.scalar for field, _role, _state in Solver(prepared.document.root).net_files()]


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def _digest(data: bytes) -> str:
    return cache.content_hash(data).hexdigest()


def _display(path: str) -> str:
    from .netpaths import display_path

    return display_path(path)


# ---------------------------------------------------------------------------------------------
# Running a plan
# ---------------------------------------------------------------------------------------------


class Outcome:
    """A linted group: (member index, result) for each file (index None: a net file a solver named
    that the plan did not see), and the files that could not be read after all (display, error)."""

    __slots__ = ("results", "errors", "cacheable")

    def __init__(self, results: list[tuple[int | None, Result]] | None = None):
        self.results = results or []
        self.errors: list[tuple[str, OSError]] = []
        self.cacheable = True  # every file still had the content the plan saw


def run(plan: Plan, options_for: Callable, jobs=1, use_cache: bool = True, input_targets: bool = False,
        auto: bool = False) -> Iterator[tuple[str, object]]:
    """Lint a plan; yields ("result", Result) in the inputs' order, and ("error", (display,
    OSError)) for a file that could not be read after all. `jobs`: the number of processes, or a
    Pool from start_pool (closed when the run is done); `auto`: `jobs` was not asked for, so
    processes are started only for enough files to gain from them (worth_workers)."""
    group_of = {member.index: group.members[0].index for group in plan.groups for member in group.members}
    done: set[int] = set()  # groups linted, by their first member
    ready: dict[int, Result] = {}
    late: list[Result] = []
    next_index = 0

    def finished(group: Group, outcome: Outcome):
        done.add(group.members[0].index)
        for index, result in outcome.results:
            if index is None:
                late.append(result)
            else:
                ready[index] = result
        for error in outcome.errors:
            yield "error", error

    def flush():
        nonlocal next_index
        while next_index < plan.count and group_of[next_index] in done:
            result = ready.pop(next_index, None)
            if result is not None:
                yield "result", result
            next_index += 1

    todo: list[Group] = []
    hits: list[tuple[Group, list]] = []
    if use_cache:
        # Every key first: computing one loads the file's configuration and schema, whose errors
        # end the run before anything is printed.
        code = _code_key()
        for group in plan.groups:
            group.key = _group_key(group, options_for, code, input_targets)
    for group in plan.groups:
        cached = cache.read_results(group.key) if group.key is not None else None
        if cached is None:
            todo.append(group)
        else:
            hits.append((group, cached))
    for group, cached in hits:  # (stored by the members' places in the group: their indices are this run's)
        yield from finished(group, Outcome([(group.members[place].index, result) for place, result in cached]))
    yield from flush()
    if auto and not isinstance(jobs, Pool) and not worth_workers(
            len(todo), (member.size for group in todo for member in group.members)):
        jobs = 1
    for group, outcome in _lint_groups(todo, options_for, jobs, input_targets):
        if group.key is not None and outcome.cacheable and not outcome.errors:
            place = {member.index: n for n, member in enumerate(group.members)}
            cache.write_results(group.key, [(place[index], result) for index, result in outcome.results])
        yield from finished(group, outcome)
        yield from flush()
    for result in late:
        yield "result", result
    if use_cache and todo:  # (results were written: once a day, those long unused go)
        cache.prune_unused()


def _lint_groups(groups: list[Group], options_for: Callable, jobs, input_targets: bool):
    """(group, Outcome) for each group: in this process, or in a pool of worker processes (`jobs`:
    their number, or a Pool that start_pool started)."""
    pool = jobs if isinstance(jobs, Pool) else None
    if pool is None and len(groups) > 1 and jobs > 1:
        pool = start_pool(min(jobs, len(groups)), options_for, groups[0].members[0].origin)  # (None: cannot)
    if pool is None or len(groups) <= 1:
        if pool is not None:
            pool.close()
        for group in groups:
            yield group, lint_group(group, options_for, input_targets)
        return
    # The largest groups first, so that no worker is left with a big one at the end, then the others
    # in the inputs' order: results are printed in that order, and one done early waits in memory
    # (its findings and the lines they point at) until those before it are printed, so only a few may.
    # A few to a message (fewer round trips for a folder of small files).
    sizes = [sum(member.size for member in group.members) for group in groups]
    largest = set(sorted(range(len(groups)), key=lambda n: -sizes[n])[:_EARLY_PER_WORKER * pool.size])
    of_ticket: dict[int, Group] = {}
    for n, group in enumerate(groups):
        priority = (0, -sizes[n]) if n in largest else (1, n)
        of_ticket[pool.submit(_work, (group, input_targets), priority, 4)] = group
    with pool:
        for ticket, outcome in pool.collect(list(of_ticket)):
            yield of_ticket.pop(ticket), outcome


# Worker processes pay for themselves once there is enough to share: starting them and handing
# them the work costs 15-20 ms, a small file's lint 1.5-2 ms (measured on examples/: 20 small
# files were linted as fast in one process as in two, 42 were 8% quicker in two, 7 were 20%
# slower). A pre-commit hook's handful of files is linted in the run's own process.
_WORTH_FILES = 24
_WORTH_BYTES = 128 * 1024


def worth_workers(files: int, sizes: Iterable[int]) -> bool:
    """Whether `files` (groups) of these sizes in bytes are worth linting in worker processes (the
    sizes are only asked for when the number does not decide)."""
    return files >= _WORTH_FILES or (files >= 2 and sum(sizes) >= _WORTH_BYTES)


def start_pool(jobs: int, options_for: Callable, sample: str) -> Pool | None:
    """`jobs` workers; `sample`: a file whose options each worker builds at once (loading the schema).
    None when no process can be started (a limit on processes, say): the caller lints in its own,
    and the user is told why the run is not in `jobs` processes."""
    try:
        return workers.start(jobs, _start_worker, (options_for, sample))
    except OSError as error:
        sys.stderr.write(f"protolint: cannot start worker processes ({error.strerror or error}): "
                         f"linting in this process\n")
        return None


_OPTIONS_FOR: list = []
_EARLY_PER_WORKER = 8  # the largest groups sent first, per worker (see _lint_groups)


def steady_heap() -> None:
    """For a process that reads or lints many files: fix glibc's mmap threshold. Left to itself, glibc raises
    the threshold whenever a large block (a file's text, its field lists) is freed; after that such
    blocks come from the heap, which keeps the high-water mark of all the files linted so far: four
    copies of the corpus peaked 1.3x as high as one, eight 1.5x (Python's own objects did not grow).
    With it fixed, memory stays where one file's lint puts it. No effect where there is no glibc."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # (not glibc)
        return
    m_mmap_threshold = -3  # malloc.h's M_MMAP_THRESHOLD
    mallopt(m_mmap_threshold, 128 * 1024)


def _start_worker(options_for, sample: str) -> None:
    import gc

    gc.disable()  # a worker lints a batch and ends: see cli.entry
    steady_heap()  # (workers are started for many files)
    _OPTIONS_FOR.append(options_for)
    from . import project  # noqa: F401  (the parser, the model and the rules)

    prepare = getattr(options_for, "prepare", None)
    try:
        prepare(sample) if prepare is not None else options_for(sample)
    except BaseException:  # (a bad configuration: the run itself reports it, and stops)
        pass


def _names_work(member: Member):
    try:
        return _net_file_names(member, _OPTIONS_FOR[0])
    except BaseException:  # (the parent parses it again, and reports what went wrong)
        return False


def _work(task):
    group, input_targets = task
    return lint_group(group, _OPTIONS_FOR[0], input_targets)


def lint_group(group: Group, options_for: Callable, input_targets: bool = False) -> Outcome:
    """Lint one group with project.lint_inputs and keep what the reporters need of each result."""
    from .project import Input, lint_inputs

    outcome = Outcome()
    read: list[Member] = []  # the given files, as they are read

    def inputs():  # one at a time: each file's bytes are let go once it is parsed (asked for the next)
        item = None
        for member in group.members:
            if not member.given:
                continue
            data = member.data
            if data is None:
                try:
                    with open(member.path, "rb") as handle:
                        data = handle.read()
                except OSError as error:
                    outcome.errors.append((member.display, error))
                    continue
                if member.digest is not None and _digest(data) != member.digest:
                    outcome.cacheable = False  # changed since it was planned: lint it, cache nothing
            read.append(member)
            if item is not None:
                item.data = b""
            item = Input(member.display, data, member.path)
            del data
            yield item
        if item is not None:
            item.data = b""

    results = lint_inputs(inputs(), options_for)
    extras = {m.display: m.index for m in group.members if not m.given}
    for position, result in enumerate(results):
        index = read[position].index if position < len(read) else extras.get(result.path)
        if index is None:  # a net file that appeared since the plan: reported after everything else
            outcome.cacheable = False
        outcome.results.append((index, snapshot(result, input_targets)))
    return outcome


def snapshot(result, input_targets: bool = False) -> Result:
    """The result without its tree: the findings, and the lines they point at."""
    source = result.document.source
    lines = {}
    for diagnostic in result.diagnostics:
        for line in (diagnostic.line, diagnostic.end_line):
            lines[line] = source.line_text(line)
    targets = None
    if input_targets and result.kind == "net":
        from .model.shapes.inputs import input_targets as targets_of
        from .model.usage import net_alone

        targets = frozenset(targets_of(net_alone(result.document.root)))
    positions = {offset: source.position(offset) for diagnostic in result.diagnostics for fix in diagnostic.fixes
                 for edit in fix.edits for offset in (edit.start, edit.end)}
    line_count = source.line_count if result.diagnostics else 0  # (counting lines scans the whole text)
    return Result(result.path, Snapshot(lines, line_count, targets, positions), result.kind, result.diagnostics)


# ---------------------------------------------------------------------------------------------
# Cache keys
# ---------------------------------------------------------------------------------------------


def _group_key(group: Group, options_for: Callable, code: str, input_targets: bool) -> str:
    # (The command line's options factory says what a file's options hold without building them.)
    key_of = getattr(options_for, "key", None) or (lambda origin: options_fingerprint(options_for(origin)))
    parts = [code, os.getcwd(), str(input_targets)]
    for member in group.members:
        parts += [member.display, member.path or "", member.real or "",
                  member.origin, member.digest, str(member.given), key_of(member.origin)]
    return cache.digest(*parts)


_FINGERPRINTS: dict[int, tuple[object, str]] = {}


def options_fingerprint(options) -> str:
    """Everything in LintOptions that can change a result, as text."""
    found = _FINGERPRINTS.get(id(options))
    if found is not None and found[0] is options:
        return found[1]
    registry = options.registry
    text = repr((
        schema_digest(options.schema),
        options.root,
        [rule.name for rule in options.enabled_rules()],
        [(rule.code, rule.name, rule.severity) for rule in registry.rules],
        sorted(options.extra_layer_types), sorted(options.extra_filler_types), sorted(options.extra_lr_policies),
        sorted(options.extra_solver_types), sorted(options.severity_overrides.items()), options.caffe_version,
        options.pretrained, options.input_shapes,
    ))
    _FINGERPRINTS[id(options)] = (options, text)
    return text


def schema_digest(schema) -> str:
    """The digest of the .proto files a schema was built from (its own and those it imports)."""
    found = schema.derived.get("protolint.batch.digest")
    if found is None and getattr(schema, "builtin", False):
        found = "builtin"  # (protolint's own caffe.proto is part of its code, which the key covers)
    if found is None:
        digest = cache.content_hash()
        paths = [schema.path] + [dep.path for dep in schema.all_dependencies() if not dep.from_runtime]
        for path in paths:
            digest.update(path.encode("utf-8", "surrogateescape") + b"\0")
            digest.update(_read(path) or b"(unreadable)")
        found = schema.derived["protolint.batch.digest"] = digest.hexdigest()
    return found


def _code_key() -> str:
    """The code a run executes: protolint's (cache.code_fingerprint) and any plugin's modules."""
    from .registry import _any_plugin_installed

    parts = [cache.code_fingerprint()]
    if _any_plugin_installed():
        from .api import default_registry

        for rule in default_registry().rules:
            location = getattr(sys.modules.get(rule.__module__), "__file__", None)
            if location and not rule.__module__.startswith("protolint."):
                parts.append(cache.file_stamp(location))
    return cache.digest(*parts)


