"""Worker processes for -j: a function applied to chunks of items, in other processes.

On Linux the workers are forked straight from this process and talk to it through two pipes each
(tasks in, results out, pickled). concurrent.futures' process pool does the same job portably, but
it is not free at the start of a run, where every millisecond before the first lint is one both
workers wait for: importing it costs 25-30 ms (multiprocessing, sockets, logging...), and it keeps
two threads in this process that share the interpreter with the one printing the results.
Elsewhere (no fork, or fork not safe) that pool is used, with the platform's way of starting
processes.

Either way: results come back as they are done (`unordered`) or in the items' order (`ordered`);
a worker that dies in the middle (killed, out of memory) ends the wait with WorkerLost; an exception
in a task is raised here; Ctrl-C (in this process, or in the whole process group) ends the workers
with the run.
"""

from __future__ import annotations

import os
import sys
from typing import Callable, Iterator


class WorkerLost(RuntimeError):
    """A worker process ended in the middle of a task (killed, or out of memory)."""


class Pool:
    """`size` worker processes. Use as a context manager, or call close()."""

    size: int

    def unordered(self, function: Callable, items: list, chunk: int) -> Iterator:
        """function(item) for each item, as they are done; `chunk` items to a worker at a time."""
        for _number, results in self._chunks(function, items, chunk):
            yield from results

    def ordered(self, function: Callable, items: list, chunk: int) -> Iterator:
        """function(item) for each item, in their order."""
        waiting: dict[int, list] = {}
        next_number = 0
        for number, results in self._chunks(function, items, chunk):
            waiting[number] = results
            while next_number in waiting:
                yield from waiting.pop(next_number)
                next_number += 1

    def _chunks(self, function: Callable, items: list, chunk: int) -> Iterator[tuple[int, list]]:
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

_AHEAD = 2  # chunks sent to a worker before its first result is back: one at work, one to take next


class _Worker:
    __slots__ = ("pid", "tasks", "results", "sent", "outbox")

    def __init__(self, pid: int, tasks: int, results: int):
        self.pid = pid
        self.tasks = tasks  # the write end of its task pipe (non-blocking: this process never waits on it)
        self.results = results  # the read end of its result pipe
        self.sent: list[int] = []  # numbers of the chunks it holds, in the order it answers them
        self.outbox = bytearray()  # what is still to be written to it

    def send(self, number: int, message: bytes) -> None:
        self.sent.append(number)
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

    def _chunks(self, function: Callable, items: list, chunk: int) -> Iterator[tuple[int, list]]:
        import pickle
        import select

        if any(worker.sent for worker in self.workers):  # (a map left in the middle: its answers are on the way)
            raise RuntimeError("the pool's workers are still busy with work that was given up")
        todo = [(number, items[start:start + chunk]) for number, start in enumerate(range(0, len(items), chunk))]
        todo.reverse()  # (taken from the end)
        by_results = {worker.results: worker for worker in self.workers}
        by_tasks = {worker.tasks: worker for worker in self.workers}
        while True:
            for worker in self.workers:
                while todo and len(worker.sent) < _AHEAD:
                    number, part = todo.pop()
                    worker.send(number, pickle.dumps((function, part), pickle.HIGHEST_PROTOCOL))
            waiting = [worker.results for worker in self.workers if worker.sent]
            if not waiting:
                return
            writing = [worker.tasks for worker in self.workers if worker.outbox]
            readable, writable, _ = select.select(waiting, writing, [])
            for fd in writable:
                by_tasks[fd].write()
            for fd in readable:
                worker = by_results[fd]
                done, value = worker.receive()
                number = worker.sent.pop(0)
                if not done:
                    raise value
                yield number, value

    def close(self) -> None:
        import signal

        workers, self.workers = self.workers, []
        for worker in workers:
            if worker.sent:  # (stopped in the middle: an exception, Ctrl-C; its work is not wanted)
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


def _serve(tasks: int, results: int, inherited: list[int], initializer: Callable, initargs: tuple) -> None:
    """A worker's life: get ready, then answer chunks until the task pipe ends. Ends the process."""
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

    def _chunks(self, function: Callable, items: list, chunk: int) -> Iterator[tuple[int, list]]:
        from concurrent.futures import as_completed
        from concurrent.futures.process import BrokenProcessPool

        numbers = {self.executor.submit(_each, function, items[start:start + chunk]): number
                   for number, start in enumerate(range(0, len(items), chunk))}
        try:
            for future in as_completed(numbers):
                yield numbers.pop(future), future.result()  # (let go once taken)
        except BrokenProcessPool as error:
            raise WorkerLost(str(error)) from None

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def _each(function: Callable, items: list) -> list:
    return [function(item) for item in items]
