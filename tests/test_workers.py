"""protolint.workers: the processes behind -j. Both kinds (forked on Linux, concurrent.futures
elsewhere) are held to the same promises: every item's result, in order when asked, an exception
raised where the work was asked for, a dead worker said and never waited for, nothing left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from protolint import workers

KINDS = {"forked": workers._ForkedPool, "executor": workers._ExecutorPool}
if not hasattr(os, "fork"):
    del KINDS["forked"]


def ready() -> None:
    pass


@pytest.fixture(params=sorted(KINDS))
def pool(request):
    with KINDS[request.param](2, ready, ()) as started:
        yield started
    assert_no_children()


def unordered(pool, function, items: list, most: int) -> list:
    """function(item) for each item, as they are done."""
    tickets = [pool.submit(function, item, (n,), most) for n, item in enumerate(items)]
    return [result for _ticket, result in pool.collect(tickets)]


def ordered(pool, function, items: list, most: int) -> list:
    """function(item) for each item, in their order."""
    tickets = [pool.submit(function, item, (n,), most) for n, item in enumerate(items)]
    results = dict(pool.collect(tickets))
    return [results[ticket] for ticket in tickets]


def assert_no_children() -> None:
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # (every worker was waited for: none left, not even a zombie)


def square(n: int) -> int:
    return n * n


def pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def echo_twice(data: bytes) -> bytes:
    return data + data


def fail_on_three(n: int) -> int:
    if n == 3:
        raise ValueError("three")
    return n


class Unpicklable(Exception):
    def __reduce__(self):
        raise TypeError("not this one")


def raise_unpicklable(_n: int) -> None:
    raise Unpicklable("a lock in it")


def test_every_item_once(pool):
    assert sorted(unordered(pool, square, list(range(50)), 3)) == [n * n for n in range(50)]
    assert ordered(pool, square, list(range(50)), 4) == [n * n for n in range(50)]
    assert unordered(pool, square, [], 3) == []


def test_the_work_is_shared(pool):
    # (each task sleeps: one worker alone would need every one of them, one after the other)
    assert len(set(unordered(pool, pid_after, [0.2] * 6, 1))) == 2


def nap(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def test_results_come_as_they_are_done(pool):
    assert unordered(pool, nap, [0.6, 0.0, 0.0, 0.0], 1)[0] == 0.0
    assert ordered(pool, nap, [0.6, 0.0, 0.0, 0.0], 1) == [0.6, 0.0, 0.0, 0.0]


def test_large_messages_both_ways_do_not_block(pool):
    # Tasks and answers far larger than a pipe holds, two tasks at a worker at once: neither side may
    # wait on a full pipe while the other waits on it.
    blobs = [bytes([n]) * (3 << 20) for n in range(6)]
    assert ordered(pool, echo_twice, blobs, 1) == [blob + blob for blob in blobs]


def test_an_exception_is_raised_here(pool):
    with pytest.raises(ValueError, match="three"):
        unordered(pool, fail_on_three, list(range(8)), 1)


def test_an_exception_that_cannot_travel_is_said():
    with KINDS["forked"](2, ready, ()) as started:
        with pytest.raises(RuntimeError, match="Unpicklable: a lock in it"):
            unordered(started, raise_unpicklable, [1], 1)


def end_this_process(_item):
    os._exit(3)


def test_a_dead_worker_is_said(pool):
    with pytest.raises(workers.WorkerLost):
        unordered(pool, end_this_process, list(range(4)), 1)


def time_is_up(*_args):
    raise TimeoutError


def test_a_pool_left_in_the_middle_ends_its_workers():
    started = KINDS["forked"](2, ready, ())
    results = started.collect([started.submit(pid_after, 30) for _ in range(4)])
    with pytest.raises(TimeoutError):
        with started:
            signal.signal(signal.SIGALRM, time_is_up)
            signal.setitimer(signal.ITIMER_REAL, 0.5)
            try:
                next(results)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, signal.SIG_DFL)
    assert_no_children()  # (killed and waited for: not left to sleep out their 30 s)


SCRIPT = textwrap.dedent("""
    import sys, time
    from protolint import workers

    def nap(seconds):
        time.sleep(seconds)
        return seconds

    if __name__ == "__main__":
        sys.stdout.write("once")  # (still in this process's buffer when the workers start)
        with workers.start(2, int) as pool:
            print(sum(result for _, result in pool.collect([pool.submit(nap, float(sys.argv[1])) for _ in range(4)])))
""")


def test_workers_print_nothing_of_their_own(tmp_path):
    (tmp_path / "script.py").write_text(SCRIPT)
    done = subprocess.run([sys.executable, "script.py", "0"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, "once0.0\n", "")


def test_ctrl_c_ends_the_run_and_its_workers(tmp_path):
    (tmp_path / "script.py").write_text(SCRIPT)
    child = subprocess.Popen([sys.executable, "script.py", "30"], cwd=tmp_path, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, start_new_session=True)
    time.sleep(1.5)
    os.killpg(child.pid, signal.SIGINT)  # (what a terminal's Ctrl-C does: the whole foreground group)
    started = time.monotonic()
    _out, err = child.communicate(timeout=20)
    assert time.monotonic() - started < 5
    assert child.returncode != 0 and b"KeyboardInterrupt" in err
    time.sleep(0.2)
    with pytest.raises(ProcessLookupError):
        os.killpg(child.pid, 0)  # nothing is left of its process group


def note(path_and_item):
    path, item = path_and_item
    with open(path, "a") as handle:
        handle.write(f"{item}\n")
    return item


def test_a_result_back_early_is_kept_for_its_ticket(pool):
    slow = pool.submit(nap, 0.5)
    fast = pool.submit(nap, 0.0)
    assert list(pool.collect([slow])) == [(slow, 0.5)]  # (the fast one came back meanwhile)
    assert list(pool.collect([fast])) == [(fast, 0.0)]


def test_the_queue_goes_by_priority_and_discarded_work_is_not_done(tmp_path):
    log = tmp_path / "log"
    with KINDS["forked"](1, ready, ()) as started:  # (one worker: one order of work)
        busy = [started.submit(nap, 0.3) for _ in range(2)]  # (the worker is full: what follows waits)
        later = {item: started.submit(note, (str(log), item), (item,)) for item in (5, 3, 9, 1)}
        started.discard([later.pop(9)])
        assert sorted(started.collect(busy + list(later.values()))) == sorted(
            [(ticket, 0.3) for ticket in busy] + [(ticket, item) for item, ticket in later.items()])
    assert log.read_text().split() == ["1", "3", "5"]


def test_waiting_for_a_ticket_nobody_has_is_an_error(pool):
    ticket = pool.submit(square, 3)
    assert list(pool.collect([ticket])) == [(ticket, 9)]
    if isinstance(pool, workers._ForkedPool):
        with pytest.raises(RuntimeError, match="no worker has"):
            list(pool.collect([ticket]))


def test_a_caller_that_stops_taking_loses_nothing(pool):
    tickets = [pool.submit(square, n, (), 4) for n in range(12)]  # (several to a message)
    taken = pool.collect(tickets)
    first = next(taken)
    taken.close()  # (stopped after the first: the others of its message must still be there)
    rest = list(pool.collect([ticket for ticket in tickets if ticket != first[0]]))
    assert sorted([first] + rest) == [(ticket, n * n) for n, ticket in enumerate(tickets)]
