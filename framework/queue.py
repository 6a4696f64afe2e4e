"""``tfx.queue``: thread-safe blocking queues of tensor tuples, as ``tf.queue``.

FIFOQueue, PaddingFIFOQueue, PriorityQueue and RandomShuffleQueue share one lock and two
conditions (room to enqueue, elements to dequeue). Enqueues block while the queue is full,
dequeues while it has too few elements; ``close()`` makes further enqueues fail with
CancelledError and dequeues that would wait fail with OutOfRangeError. Blocking methods also
take ``timeout=`` (seconds; a tfx extension to TensorFlow's signature, which relies on session
timeouts) and then raise DeadlineExceededError. Queues carry values, not gradients.
"""
import collections
import heapq
import itertools
import threading
import time

from . import dtypes as _dt
from .backend import xp
from .core.shape import TensorShape
from .core.tensor import convert_to_tensor, wrap
from .errors import (CancelledError, DeadlineExceededError, InvalidArgumentError,
                     OutOfRangeError)
from .ops._core import Tensor, t

__all__ = ["QueueBase", "FIFOQueue", "PaddingFIFOQueue", "PriorityQueue", "RandomShuffleQueue"]


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


class QueueBase:
    """The queue machinery; use one of the concrete queues."""

    _kind = "FIFOQueue"

    def __init__(self, capacity, dtypes, shapes=None, names=None, name="queue"):
        self._dtypes = [_dt.as_dtype(d) for d in _as_list(dtypes)]
        if shapes is None:
            self._shapes = [TensorShape(None) for _ in self._dtypes]
        else:
            # One shape may be given bare ([2]) for a one-component queue.
            nested = isinstance(shapes, (list, tuple)) and len(shapes) == len(self._dtypes) \
                and all(s is None or isinstance(s, (list, tuple, TensorShape)) for s in shapes)
            self._shapes = [TensorShape(s) for s in (shapes if nested else [shapes])]
            if len(self._shapes) != len(self._dtypes):
                raise ValueError("Queue shapes must have the same length as dtypes")
        if names is not None:
            names = _as_list(names)
            if len(names) != len(self._dtypes):
                raise ValueError("Queue names must have the same length as dtypes")
        self._names = names
        self._capacity = int(capacity)
        self._name = name
        self._lock = threading.Lock()
        self._not_empty = threading.Condition(self._lock)
        self._not_full = threading.Condition(self._lock)
        self._closed = False
        self._cancelled = False

    # ---- properties ---------------------------------------------------------------------------
    dtypes = property(lambda self: list(self._dtypes))
    shapes = property(lambda self: list(self._shapes))
    names = property(lambda self: self._names)
    name = property(lambda self: self._name)
    queue_ref = property(lambda self: self)

    def size(self, name=None):
        with self._lock:
            return convert_to_tensor(self._count(), _dt.int32)

    def is_closed(self, name=None):
        with self._lock:
            return convert_to_tensor(self._closed, _dt.bool)

    def close(self, cancel_pending_enqueues=False, name=None):
        """No more enqueues; waiting dequeues that cannot be served fail; with
        ``cancel_pending_enqueues`` enqueues still waiting for room fail too."""
        with self._lock:
            self._closed = True
            if cancel_pending_enqueues:
                self._cancelled = True
            self._not_empty.notify_all()
            self._not_full.notify_all()

    # ---- converting values ----------------------------------------------------------------------
    def _components(self, vals):
        if self._names is not None:
            if not isinstance(vals, dict):
                raise ValueError("You must enqueue a dictionary in a Queue with names")
            if set(vals) != set(self._names):
                raise ValueError(f"Keys in dictionary to enqueue do not match names of Queue. "
                                 f"Dictionary: {sorted(vals)}, Queue: {sorted(self._names)}")
            return [vals[n] for n in self._names]
        if isinstance(vals, dict):
            raise ValueError("Queue does not have names")
        # As TensorFlow: a list or tuple lists the components, anything else is the one.
        vals = list(vals) if isinstance(vals, (list, tuple)) else [vals]
        if len(vals) != len(self._dtypes):
            raise ValueError(f"Expected {len(self._dtypes)} components to enqueue, got "
                             f"{len(vals)}")
        return vals

    def _tensor(self, value, d, i):
        if value.__class__ is Tensor or hasattr(value, "_as_tensor"):
            v = t(value)
            if v._dtype is not d:
                raise ValueError(f"component_{i}: Tensor conversion requested dtype {d.name} "
                                 f"for Tensor with dtype {v._dtype.name}: {v!r}")
            return v
        return convert_to_tensor(value, d)

    def _element(self, vals):
        out = []
        for i, (v, d, s) in enumerate(zip(self._components(vals), self._dtypes, self._shapes)):
            v = self._tensor(v, d, i)
            if not s.is_compatible_with(TensorShape(v._v.shape)):
                raise ValueError(f"Shapes {tuple(v._v.shape)} and {tuple(s.as_list())} are "
                                 "incompatible")
            out.append(v)
        return tuple(out)

    def _elements(self, vals):
        comps = [self._tensor(v, d, i)
                 for i, (v, d) in enumerate(zip(self._components(vals), self._dtypes))]
        n = None
        for v, s in zip(comps, self._shapes):
            if v._v.ndim == 0:
                raise ValueError("Shape () must have rank at least 1")
            if n is None:
                n = v._v.shape[0]
            elif v._v.shape[0] != n:
                raise ValueError(f"Dimension 0 in both shapes must be equal, but are {n} and "
                                 f"{v._v.shape[0]}")
            if not s.is_compatible_with(TensorShape(v._v.shape[1:])):
                raise ValueError(f"Shapes {tuple(v._v.shape[1:])} and {tuple(s.as_list())} "
                                 "are incompatible")
        return [tuple(wrap(c._v[i, ...], c._dtype) for c in comps) for i in range(n or 0)]

    def _pack(self, comps):
        if self._names is not None:
            return dict(zip(self._names, comps))
        return comps[0] if len(comps) == 1 else list(comps)

    # ---- blocking ------------------------------------------------------------------------------
    def _wait(self, cond, ready, deadline):
        """Wait on ``cond`` until ``ready()``; False if the queue closed first."""
        while not ready():
            if self._closed and cond is self._not_empty:
                return False
            if self._cancelled:
                return False
            if deadline is None:
                cond.wait()
            else:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise DeadlineExceededError(None, self._kind,
                                                "Timed out waiting for the queue")
                cond.wait(left)
        return True

    def _closed_error(self):
        return CancelledError(None, f"{self._kind}.enqueue",
                              f"{self._kind} '{self._name}' is closed.")

    def _put_all(self, elements, timeout):
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            if self._closed:
                raise self._closed_error()
            for e in elements:
                if not self._wait(self._not_full, self._has_room, deadline):
                    raise CancelledError(None, f"{self._kind}.enqueue",
                                         f"{self._kind} '{self._name}' is closed; a pending "
                                         "enqueue was cancelled.")
                self._push(e)
                # Waiters want different counts (dequeue, dequeue_many(n)): wake them all.
                self._not_empty.notify_all()

    def _has_room(self):
        return self._capacity < 0 or self._count() < self._capacity

    def enqueue(self, vals, name=None, *, timeout=None):
        """Add one element (a tensor, a tuple of components, or a dict with ``names``)."""
        self._put_all([self._element(vals)], timeout)

    def enqueue_many(self, vals, name=None, *, timeout=None):
        """Add ``n`` elements: each component has the elements along its axis 0."""
        self._put_all(self._elements(vals), timeout)

    def _take(self, n, at_least, timeout, api):
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            ready = self._wait(self._not_empty, lambda: self._can_take(n), deadline)
            if not ready:
                have = self._count()
                if have < at_least or have == 0:
                    raise OutOfRangeError(None, api,
                                          f"{self._kind} '{self._name}' is closed and has "
                                          f"insufficient elements (requested {n}, current "
                                          f"size {have})")
                n = min(n, have)
            taken = [self._pop() for _ in range(n)]
            self._not_full.notify_all()
        return taken

    def _can_take(self, n):
        return self._count() >= n

    def dequeue(self, name=None, *, timeout=None):
        """Remove and return one element (blocks while the queue is empty)."""
        (e,) = self._take(1, 1, timeout, f"{self._kind}.dequeue")
        return self._pack(e)

    def _check_batch(self, n, api):
        if n < 0:
            raise InvalidArgumentError(None, api, f"DequeueManyOp requested {n} < 0 elements")
        if not all(s.is_fully_defined() for s in self._shapes):
            raise InvalidArgumentError(None, api, f"{self._kind}'s DequeueMany and DequeueUpTo "
                                                  "require the components to have specified "
                                                  "shapes.")

    def _batch(self, elements):
        comps = []
        for i, (d, s) in enumerate(zip(self._dtypes, self._shapes)):
            if elements:
                comps.append(wrap(xp.stack([e[i]._v for e in elements]), d))
            else:
                comps.append(wrap(xp.zeros([0] + s.as_list(), dtype=d._np)
                                  if d is not _dt.string else
                                  xp.empty([0] + s.as_list(), dtype=object), d))
        return self._pack(comps)

    def dequeue_many(self, n, name=None, *, timeout=None):
        """Remove ``n`` elements at once, stacked along a new axis 0 (blocks until there are
        ``n``; a closed queue with fewer raises OutOfRangeError)."""
        api = f"{self._kind}.dequeue_many"
        n = int(n)
        self._check_batch(n, api)
        return self._batch(self._take(n, n, timeout, api) if n else [])

    def dequeue_up_to(self, n, name=None, *, timeout=None):
        """Like dequeue_many, but a closed queue gives what it still has (at least one)."""
        api = f"{self._kind}.dequeue_up_to"
        n = int(n)
        self._check_batch(n, api)
        return self._batch(self._take(n, 1, timeout, api) if n else [])


class FIFOQueue(QueueBase):
    """First in, first out."""

    def __init__(self, capacity, dtypes, shapes=None, names=None, shared_name=None,
                 name="fifo_queue"):
        super().__init__(capacity, dtypes, shapes, names, name)
        self._items = collections.deque()

    def _count(self):
        return len(self._items)

    def _push(self, e):
        self._items.append(e)

    def _pop(self):
        return self._items.popleft()


class PaddingFIFOQueue(FIFOQueue):
    """A FIFOQueue whose shapes may have None dimensions: ``dequeue_many`` pads each batch to
    its largest element with zeros (empty strings)."""

    _kind = "PaddingFIFOQueue"

    def __init__(self, capacity, dtypes, shapes, names=None, shared_name=None,
                 name="padding_fifo_queue"):
        super().__init__(capacity, dtypes, shapes, names, shared_name, name)
        for s in self._shapes:
            if s.rank is None:
                raise ValueError("All shapes must have a defined rank for a PaddingFIFOQueue")

    def _check_batch(self, n, api):
        if n < 0:
            raise InvalidArgumentError(None, api, f"DequeueManyOp requested {n} < 0 elements")

    def _batch(self, elements):
        comps = []
        for i, (d, s) in enumerate(zip(self._dtypes, self._shapes)):
            arrs = [e[i]._v for e in elements]
            dims = [max([a.shape[j] for a in arrs], default=0) if s.as_list()[j] is None
                    else s.as_list()[j] for j in range(s.rank)]
            out = xp.empty([len(arrs)] + dims, dtype=object) if d is _dt.string else \
                xp.zeros([len(arrs)] + dims, dtype=d._np)
            if d is _dt.string:
                out[...] = b""
            for k, a in enumerate(arrs):
                out[(k,) + tuple(slice(0, n) for n in a.shape)] = a
            comps.append(wrap(out, d))
        return self._pack(comps)


class PriorityQueue(QueueBase):
    """Elements leave in ascending order of their first component, an int64 priority (not
    listed in ``types``, but in ``names`` if given); equal priorities leave in arrival
    order."""

    _kind = "PriorityQueue"

    def __init__(self, capacity, types, shapes=None, names=None, shared_name=None,
                 name="priority_queue"):
        types = _as_list(types)
        shapes = [None] * len(types) if shapes is None else list(shapes)
        # ``names``, when given, name every component, the priority included.
        super().__init__(capacity, [_dt.int64] + types, [[]] + shapes, names, name)
        self._heap = []
        self._seq = itertools.count()

    def _count(self):
        return len(self._heap)

    def _push(self, e):
        if e[0]._v.ndim:
            raise InvalidArgumentError(None, "PriorityQueue.enqueue",
                                       "The priority must be a scalar int64")
        heapq.heappush(self._heap, (int(e[0]._v), next(self._seq), e))

    def _pop(self):
        return heapq.heappop(self._heap)[2]


class RandomShuffleQueue(QueueBase):
    """Elements leave in random order; until it is closed the queue keeps at least
    ``min_after_dequeue`` elements after each dequeue, so its contents stay mixed."""

    _kind = "RandomShuffleQueue"

    def __init__(self, capacity, min_after_dequeue, dtypes, shapes=None, names=None,
                 seed=None, shared_name=None, name="random_shuffle_queue"):
        super().__init__(capacity, dtypes, shapes, names, name)
        from .ops.random_ops import _generator
        self._min_after = int(min_after_dequeue)
        self._rng = _generator(seed, "random_shuffle_queue")
        self._items = []

    def _count(self):
        return len(self._items)

    def _push(self, e):
        self._items.append(e)

    def _pop(self):
        i = int(self._rng.integers(len(self._items)))
        items = self._items
        items[i], items[-1] = items[-1], items[i]
        return items.pop()

    def _can_take(self, n):
        if self._closed:
            return self._count() >= n
        return self._count() - n >= self._min_after
