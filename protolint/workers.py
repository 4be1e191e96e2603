"""Worker processes for -j: functions run on items in other processes, the results taken back.

On Linux the workers are forked straight from this process and talk to it through two pipes each
(work in, results out, pickled; this process never blocks on a full pipe, so neither side can wait
on the other). concurrent.futures' process pool does the same job portably, but it is not free at
the start of a run, where every millisecond before the first lint is one both workers wait for:
importing it costs 25-30 ms (multiprocessing, sockets, logging...), and it keeps two threads in
this process that share the interpreter with the one printing the results. Elsewhere (no fork, or
fork not safe) that pool is used, with the platform's way of starting processes.

Either way: work goes out by priority (the forked pool) and results come back as they are done,
by ticket; a worker that dies in the middle (killed, out of memory) ends the wait with WorkerLost;
an exception in a task is raised here; Ctrl-C (in this process, or in the whole process group)
ends the workers with the run.
"""

from __future__ import annotations

import os
import sys
from typing import Callable, Iterator


class WorkerLost(RuntimeError):
    """A worker process ended in the middle of a task (killed, or out of memory)."""


class Pool:
    """`size` worker processes. Use as a context manager, or call close().

    Work is handed over an item at a time (`submit`, which gives a ticket) and taken back by
    ticket (`collect`, as done); a result that comes back while other tickets are waited for is kept
    until its own are."""

    size: int

    def submit(self, function: Callable, item, priority: tuple = (), most: int = 4) -> int:
        """function(item), in a worker: its ticket. Queued items go out lowest `priority` first (the
        forked pool; concurrent.futures' keeps their order), up to `most` of them in one message."""
        raise NotImplementedError

    def collect(self, tickets: list[int]) -> Iterator[tuple[int, object]]:
        """(ticket, result) for each ticket, as they are done."""
        raise NotImplementedError

    def discard(self, tickets: list[int]) -> None:
        """Results not wanted after all: not run if they can still be kept from a worker, not kept."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def start(size: int, initializer: Callable, initargs: tuple = ()) -> Pool:
    """`size` workers, each running initializer(*initargs) first (at once: they get ready while this
    process goes on)."""
    if sys.platform.startswith("linux"):
        return _ForkedPool(size, initializer, initargs)
    return _ExecutorPool(size, initializer, initargs)


# ---------------------------------------------------------------------------------------------
# Forked workers (Linux)
# ---------------------------------------------------------------------------------------------

_AHEAD = 2  # messages a worker holds at once: one at work, one to take up next


class _Worker:
    __slots__ = ("pid", "tasks", "results", "sent", "outbox")

    def __init__(self, pid: int, tasks: int, results: int):
        self.pid = pid
        self.tasks = tasks  # the write end of its task pipe (non-blocking: this process never waits on it)
        self.results = results  # the read end of its result pipe
        self.sent: list[list[int]] = []  # the tickets of each message it holds, in the order it answers them
        self.outbox = bytearray()  # what is still to be written to it

    def send(self, tickets: list[int], message: bytes) -> None:
        self.sent.append(tickets)
        self.outbox += _framed(message)
        self.write()

    def write(self) -> None:
        try:
            written = os.write(self.tasks, self.outbox)
        except BlockingIOError:  # (its pipe is full: select() says when it is not)
            return
        except OSError:  # (it is gone: its results pipe says so, and that is reported)
            self.outbox.clear()
            return
        del self.outbox[:written]

    def receive(self):
        import pickle

        size = int.from_bytes(self._read(8), "little")
        return pickle.loads(self._read(size))

    def _read(self, size: int) -> bytes:
        parts = []
        while size:
            part = os.read(self.results, min(size, 1 << 20))
            if not part:
                raise WorkerLost(f"worker process {self.pid} ended in the middle of its work")
            parts.append(part)
            size -= len(part)
        return b"".join(parts)


def _framed(message: bytes) -> bytes:
    return len(message).to_bytes(8, "little") + message


class _ForkedPool(Pool):
    def __init__(self, size: int, initializer: Callable, initargs: tuple):
        import pickle  # noqa: F401  (here, once, rather than in each worker: 3-4 ms each)
        import select  # noqa: F401
        import signal  # noqa: F401

        self.size = size
        self.workers: list[_Worker] = []
        self.queue: list[tuple] = []  # heap of (priority, ticket, function, item, most): not sent yet
        self.tickets = 0  # the last one given
        self.kept: dict[int, object] = {}  # results back before their tickets were asked for
        self.dropped: set[int] = set()  # tickets discarded while queued or at work
        for stream in (sys.stdout, sys.stderr):  # (a child must not print what this process had buffered)
            try:
                stream.flush()
            except (AttributeError, OSError, ValueError):
                pass
        try:
            for _ in range(size):
                self.workers.append(self._fork(initializer, initargs))
        except OSError:
            self.close()
            raise

    def _fork(self, initializer: Callable, initargs: tuple) -> _Worker:
        task_read, task_write = os.pipe()
        result_read, result_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker: never returns
            inherited = [task_write, result_read] + [fd for w in self.workers for fd in (w.tasks, w.results)]
            _serve(task_read, result_write, inherited, initializer, initargs)
        os.close(task_read)
        os.close(result_write)
        os.set_blocking(task_write, False)
        return _Worker(pid, task_write, result_read)

    def submit(self, function: Callable, item, priority: tuple = (), most: int = 4) -> int:
        import heapq

        self.tickets += 1
        heapq.heappush(self.queue, (priority, self.tickets, function, item, most))
        self._poll()
        return self.tickets

    def discard(self, tickets: list[int]) -> None:
        for ticket in tickets:
            if self.kept.pop(ticket, _NOTHING) is _NOTHING:
                self.dropped.add(ticket)

    def _feed(self) -> None:
        """Send queued items to the workers that have room: the first in the queue, with those after it
        for the same function, fewer towards the end, so that no worker is left with several while
        the other has none (the last eight or so go one at a time)."""
        import heapq
        import pickle

        queue = self.queue
        for worker in self.workers:
            while queue and len(worker.sent) < _AHEAD:
                tickets, items = [], []
                function = most = None
                while queue and (not items or (queue[0][2] is function and len(items) < most)):
                    _priority, ticket, function, item, most = heapq.heappop(queue)
                    if ticket in self.dropped:
                        self.dropped.discard(ticket)
                        continue
                    tickets.append(ticket)
                    items.append(item)
                    most = min(most, max(1, len(queue) // (2 * _AHEAD * self.size)))
                if items:
                    worker.send(tickets, pickle.dumps((function, items), pickle.HIGHEST_PROTOCOL))

    def collect(self, tickets: list[int]) -> Iterator[tuple[int, object]]:
        # (Every result read is kept until it is handed out: one that came in the same message as
        # the last one taken is not lost if the caller stops there.)
        wanted = set(tickets)
        for ticket in tickets:
            if ticket in self.kept:
                wanted.discard(ticket)
                yield ticket, self.kept.pop(ticket)
        while wanted:
            if not any(worker.sent for worker in self.workers) and not self.queue:
                raise RuntimeError("waited for tickets no worker has: discarded, or collected before")
            for ticket in self._exchange(None):
                if ticket in wanted:
                    wanted.discard(ticket)
                    yield ticket, self.kept.pop(ticket)

    def _poll(self) -> None:
        """Take what the workers have answered and give them more, without waiting (while this process
        does something else)."""
        self._exchange(0)

    def _exchange(self, timeout: float | None) -> list[int]:
        """One round: feed the workers, write what waits to be written, read the answers that are
        there (waiting up to `timeout` for one; None: as long as it takes) into `kept`. The tickets
        answered."""
        import select

        self._feed()
        waiting = [worker.results for worker in self.workers if worker.sent]
        writing = [worker.tasks for worker in self.workers if worker.outbox]
        if not waiting and not writing:
            return []
        readable, writable, _ = select.select(waiting, writing, [], timeout)
        for worker in self.workers:
            if worker.tasks in writable:
                worker.write()
        answered = []
        for worker in self.workers:
            if worker.results not in readable:
                continue
            done, value = worker.receive()
            tickets = worker.sent.pop(0)
            if not done:
                if all(ticket in self.dropped for ticket in tickets):
                    self.dropped.difference_update(tickets)
                    continue
                raise value
            for ticket, result in zip(tickets, value):
                if ticket in self.dropped:
                    self.dropped.discard(ticket)
                else:
                    self.kept[ticket] = result
                    answered.append(ticket)
        return answered

    def close(self) -> None:
        import signal

        workers, self.workers = self.workers, []
        for worker in workers:
            if worker.sent:  # (stopped in the middle, or work discarded: not wanted any more)
                try:
                    os.kill(worker.pid, signal.SIGKILL)
                except OSError:
                    pass
            os.close(worker.tasks)  # (an idle worker reads the end of its tasks, and ends)
            os.close(worker.results)
        for worker in workers:
            try:
                os.waitpid(worker.pid, 0)
            except ChildProcessError:
                pass


_NOTHING = object()


def _serve(tasks: int, results: int, inherited: list[int], initializer: Callable, initargs: tuple) -> None:
    """A worker's life: get ready, then answer messages until its task pipe ends. Ends the process."""
    code = 0
    try:
        import pickle
        import signal

        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it ends us
        for fd in inherited:  # (the other ends, and the other workers': their ends must be seen to end)
            os.close(fd)
        initializer(*initargs)
        reader = os.fdopen(tasks, "rb")
        while True:
            header = reader.read(8)
            if len(header) < 8:
                break
            function, part = pickle.loads(reader.read(int.from_bytes(header, "little")))
            try:
                answer = (True, [function(item) for item in part])
            except Exception as error:  # (raised in the parent, as if the task had run there)
                answer = (False, _portable(error))
            message = _framed(pickle.dumps(answer, pickle.HIGHEST_PROTOCOL))
            view = memoryview(message)
            while view:
                view = view[os.write(results, view):]
    except BaseException:
        code = 1
    finally:
        os._exit(code)  # (no clean-up of what was inherited: stdio buffers, atexit, the parent's objects)


def _portable(error: Exception) -> Exception:
    """The exception itself if it survives pickling, else one that says what it was."""
    import pickle
    import traceback

    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:
        return RuntimeError("".join(traceback.format_exception(error)))


# ---------------------------------------------------------------------------------------------
# concurrent.futures (elsewhere)
# ---------------------------------------------------------------------------------------------


class _ExecutorPool(Pool):
    def __init__(self, size: int, initializer: Callable, initargs: tuple):
        from concurrent.futures import ProcessPoolExecutor

        self.size = size
        self.executor = ProcessPoolExecutor(size, initializer=initializer, initargs=initargs)
        self.executor.submit(int)  # (its workers start with the first task: now, so that they get ready)
        self.futures: dict[int, object] = {}
        self.tickets = 0

    def submit(self, function: Callable, item, priority: tuple = (), most: int = 4) -> int:
        self.tickets += 1
        self.futures[self.tickets] = self.executor.submit(_each, function, [item])
        return self.tickets

    def discard(self, tickets: list[int]) -> None:
        for ticket in tickets:
            self.futures.pop(ticket).cancel()

    def collect(self, tickets: list[int]) -> Iterator[tuple[int, object]]:
        from concurrent.futures import as_completed
        from concurrent.futures.process import BrokenProcessPool

        waiting = {self.futures[ticket]: ticket for ticket in tickets}
        try:
            for future in as_completed(waiting):
                result = future.result()[0]
                ticket = waiting.pop(future)
                del self.futures[ticket]  # (let go once taken)
                yield ticket, result
        except BrokenProcessPool as error:
            raise WorkerLost(str(error)) from None

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def _each(function: Callable, items: list) -> list:
    return [function(item) for item in items]
