"""Background work: ``prefetch``'s producer thread and ``map``'s worker pool.

Threads are daemons started when an iterator is first read and told to stop when it is
closed or garbage-collected (its generator's ``finally``), so they neither outlive the
iteration nor keep the process alive. They hold no reference to the consumer's generator.
"""
import collections
import threading
from concurrent.futures import FIRST_COMPLETED, Future, wait

from ..errors import InvalidArgumentError
from .dataset import AUTOTUNE, Dataset, cpu_count

_AUTOTUNE_BUFFER = 8  # elements prefetched for AUTOTUNE: enough to hide one slow step


class _Channel:
    """A bounded hand-off; the consumer takes everything ready at once, so a lock round
    trip is paid per burst rather than per element."""

    def __init__(self, capacity):
        self.capacity = capacity
        self.items = collections.deque()
        self.cond = threading.Condition(threading.Lock())
        self.done = False     # the producer finished (self.error says how)
        self.error = None
        self.closed = False   # the consumer went away

    def put(self, item):
        with self.cond:
            while len(self.items) >= self.capacity and not self.closed:
                self.cond.wait()
            if self.closed:
                return False
            self.items.append(item)
            if len(self.items) == 1:
                self.cond.notify_all()
            return True

    def finish(self, error=None):
        with self.cond:
            self.done, self.error = True, error
            self.cond.notify_all()

    def take(self):
        """Every ready item (a list), or [] once the producer has finished."""
        with self.cond:
            while not self.items and not self.done:
                self.cond.wait()
            items = list(self.items)
            self.items.clear()
            self.cond.notify_all()
            return items

    def close(self):
        with self.cond:
            self.closed = True
            self.items.clear()
            self.cond.notify_all()


def _produce(source, channel):
    try:
        for item in source:
            if not channel.put(item):
                break
        else:
            channel.finish()
    except BaseException as e:  # handed to the consumer, raised where it reads
        channel.finish(e)
    finally:
        source.close()  # runs the upstream stages' cleanup on the thread that drove them


def prefetched(source, capacity):
    """Iterate ``source`` (a generator) on a background thread, ``capacity`` items ahead."""
    channel = _Channel(capacity)
    thread = threading.Thread(target=_produce, args=(source, channel), daemon=True,
                              name="tfx.data.prefetch")
    thread.start()
    try:
        while True:
            items = channel.take()
            if not items:
                if channel.error is not None:
                    raise channel.error
                return
            yield from items
    finally:
        channel.close()


def _as_gen(it):
    yield from it


class Prefetch(Dataset):
    def __init__(self, input_dataset, buffer_size):
        buffer_size = int(buffer_size)
        if buffer_size < AUTOTUNE:
            raise InvalidArgumentError(None, None, "buffer_size must be greater than or equal "
                                       "to -1 (AUTOTUNE).")
        self._input = input_dataset
        self._inputs = (input_dataset,)
        self._size = _AUTOTUNE_BUFFER if buffer_size == AUTOTUNE else buffer_size

    def _compute_spec(self):
        return self._input.element_spec

    def _card(self):
        return self._input._card()

    def _iter(self, ctx):
        it = self._input._iter(ctx)
        if self._size == 0:
            return it
        return prefetched(it if hasattr(it, "close") else _as_gen(it), self._size)


def parallelism(num_parallel_calls, ctx):
    """Worker count for a ``num_parallel_calls`` value (AUTOTUNE: the usable cores, capped
    by ``Options.threading.private_threadpool_size``)."""
    n = int(num_parallel_calls)
    if n == AUTOTUNE:
        n = cpu_count()
    elif n <= 0:
        raise InvalidArgumentError(None, None, "num_parallel_calls must be greater than zero.")
    cap = ctx.options.threading.private_threadpool_size
    return max(1, min(n, cap)) if cap else n


class _Pool:
    """Daemon worker threads fed through a deque; ``close`` cancels what has not started."""

    def __init__(self, n):
        self._tasks = collections.deque()
        self._cond = threading.Condition(threading.Lock())
        self._closed = False
        for _ in range(n):
            threading.Thread(target=self._work, daemon=True, name="tfx.data.map").start()

    def submit(self, fn, arg):
        f = Future()
        with self._cond:
            self._tasks.append((f, fn, arg))
            self._cond.notify()
        return f

    def _work(self):
        while True:
            with self._cond:
                while not self._tasks and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                f, fn, arg = self._tasks.popleft()
            if not f.set_running_or_notify_cancel():
                continue
            try:
                f.set_result(fn(arg))
            except BaseException as e:
                f.set_exception(e)

    def close(self):
        with self._cond:
            self._closed = True
            for f, _, _ in self._tasks:
                f.cancel()
            self._tasks.clear()
            self._cond.notify_all()


def parallel_map(elements, fn, workers, deterministic):
    """``fn`` over ``elements`` on ``workers`` threads, in input order when
    ``deterministic`` (else each result as soon as it is ready)."""
    pool = _Pool(workers)
    window = 2 * workers
    pending = collections.deque()
    try:
        for e in elements:
            pending.append(pool.submit(fn, e))
            if len(pending) >= window:
                yield from _ready(pending, deterministic)
        while pending:
            yield from _ready(pending, deterministic)
    finally:
        pool.close()


def _ready(pending, deterministic):
    if deterministic:
        yield pending.popleft().result()
        return
    done, _ = wait(pending, return_when=FIRST_COMPLETED)
    for f in [f for f in pending if f in done]:
        pending.remove(f)
        yield f.result()
