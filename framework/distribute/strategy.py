"""Strategies: how ``fit``, ``evaluate`` and custom loops share work between processes.

One replica per process, as Horovod does. A strategy owns a communicator (MPI, or a local one
that does nothing) and offers the collectives in the terms training needs: average these
gradients, start every rank from rank 0's weights, sum these metric states, give this rank its
share of the samples.
"""
import contextlib
import enum
import itertools
import math
import os
import sys

import numpy as np  # host buffers for MPI

from .. import dtypes as _dtypes
from .. import nest
from ..backend import namespace
from ..core.tensor import TensorBase, convert_to_tensor, wrap
from ..core.variable import VariableAggregation
from . import mpi

__all__ = ["ReduceOp", "Strategy", "MPIStrategy", "get_strategy", "has_strategy"]

_scope = {"strategy": None}


class ReduceOp(enum.Enum):
    """How values from every replica combine: ``SUM`` or ``MEAN``."""

    SUM = "SUM"
    MEAN = "MEAN"


class Strategy:
    """Work shared by ``num_replicas_in_sync`` processes; this one is ``rank``."""

    def __init__(self, communicator, bucket_bytes=mpi.BUCKET_BYTES):
        self._comm = communicator
        self._bucket_bytes = int(bucket_bytes)

    @property
    def rank(self):
        return self._comm.rank

    @property
    def num_replicas_in_sync(self):
        return self._comm.size

    @property
    def is_chief(self):
        """Rank 0: the one process that prints progress and writes files."""
        return self._comm.rank == 0

    def __repr__(self):
        return f"<{type(self).__name__} rank={self.rank} of {self.num_replicas_in_sync}>"

    @contextlib.contextmanager
    def scope(self):
        """Models compiled (or fit) inside train with this strategy."""
        previous = _scope["strategy"]
        if previous is not None and previous is not self:
            raise ValueError("Mixing different tfx.distribute strategies is not allowed: "
                             f"{self!r} entered inside the scope of {previous!r}.")
        _scope["strategy"] = self
        try:
            yield self
        finally:
            _scope["strategy"] = previous

    # -- custom loops ------------------------------------------------------------------------
    def run(self, fn, args=(), kwargs=None, options=None):
        """Run ``fn(*args, **kwargs)`` on this process's replica (one per process) inside the
        scope; combine results across replicas with ``reduce``."""
        with self.scope():
            return fn(*args, **(kwargs or {}))

    def reduce(self, reduce_op, value, axis=None):
        """``value`` combined over every replica (and over ``axis`` of it, if given), the same
        on every rank. ``reduce_op``: ``ReduceOp.SUM``/``MEAN`` or "SUM"/"MEAN"."""
        op = _reduce_op(reduce_op)
        x = convert_to_tensor(value)
        if not (x._dtype.is_floating or x._dtype.is_integer):
            raise TypeError(f"Strategy.reduce: cannot reduce a {x._dtype.name} tensor; "
                            "expected a number type.")
        local = mpi.host(x._v)
        count = 1
        if axis is not None:
            count = local.shape[axis]
            local = local.sum(axis=axis, dtype=local.dtype)
        buckets = mpi.pack([np.asarray(local), np.array([count], np.int64)], self._bucket_bytes)
        self._comm.allreduce([b for b, _ in buckets], "the reduce of a value")
        total, count = mpi.unpack(buckets, [np.asarray(local), np.zeros(1, np.int64)])
        dtype = x._dtype
        if op is ReduceOp.MEAN:
            n = int(count[0]) if axis is not None else self.num_replicas_in_sync
            if not dtype.is_floating:  # as TensorFlow: the mean of integers is a float64
                total, dtype = total.astype(np.float64), _dtypes.float64
            total = total / n
        return wrap(_like(np.asarray(total, dtype.as_numpy_dtype), x._v), dtype)

    def allreduce_gradients(self, grads):
        """The mean of each gradient over all replicas, summed in a few flat buffers (not one
        call per variable). ``None`` stays ``None``; ``IndexedSlices`` are densified."""
        grads = list(grads)
        size = self._comm.size
        if size == 1:
            return grads
        slots = [i for i, g in enumerate(grads) if g is not None]
        tensors = [_dense(grads[i]) for i in slots]
        arrays = [t._v for t in tensors]
        buckets = mpi.pack(arrays, self._bucket_bytes)
        self._comm.allreduce([b for b, _ in buckets], "the allreduce of gradients")
        for buf, _ in buckets:
            buf /= size
        for i, t, a in zip(slots, tensors, mpi.unpack(buckets, arrays)):
            grads[i] = wrap(_like(a, t._v), t._dtype)
        return grads

    # -- what Model.fit / evaluate call ------------------------------------------------------
    def shards(self, lockstep):
        """This rank's share of the samples for a ``DataHandler``; ``lockstep`` (training):
        every rank runs the same number of steps."""
        return Shards(self._comm, lockstep)

    def rank_callbacks(self, callbacks, verbose):
        """Rank 0 keeps every callback; the others drop those that print or write files."""
        if self.is_chief:
            return callbacks, verbose
        from ..keras import callbacks as cb
        writers = (cb.ProgbarLogger, cb.ModelCheckpoint, cb.BackupAndRestore, cb.CSVLogger,
                   cb.TensorBoard)
        kept = [c for c in nest.flatten(callbacks) if not isinstance(c, writers)] \
            if callbacks else []
        return kept, 0

    def sync_model(self, model, data, initial_epoch):
        """Start every rank from rank 0's state (weights, optimizer slots, first epoch: what
        a restored backup set there). Returns the first epoch."""
        if not model.built:
            model(_sample(data), training=False)
        opt = model.optimizer
        if opt is not None and not opt.built:
            opt.build(model.trainable_variables)
        variables = list(model.variables) + (list(opt.variables) if opt is not None else [])
        values = self._bcast([mpi.host(v._v) for v in variables] +
                             [np.array([initial_epoch], np.int64)], "rank 0's weights")
        _assign(variables, values)
        return int(values[-1][0])

    def broadcast_variables(self, variables, root=0):
        """Give every rank ``root``'s values of ``variables`` (a custom loop's first step)."""
        variables = list(variables)
        _assign(variables, self._bcast([mpi.host(v._v) for v in variables],
                                       f"rank {root}'s variables", root))

    def _bcast(self, arrays, what, root=0):
        if self._comm.size == 1 or not arrays:
            return arrays
        buckets = mpi.pack(arrays, self._bucket_bytes, raw=True)
        self._comm.bcast([b for b, _ in buckets], f"the broadcast of {what}", root)
        return mpi.unpack(buckets, arrays)

    def reduce_metrics(self, metrics):
        """Combine metric states over the ranks (sums by default), so results are global."""
        self._sync(metrics, [])

    def sync_epoch(self, model):
        """An epoch's end: metric states combined and floating non-trainable weights (moving
        statistics) averaged over the ranks."""
        self._sync(model.metrics, model.non_trainable_variables)

    def any_rank(self, flag):
        """Whether ``flag`` is true on any rank (a stop one rank asked for is made by all)."""
        value = np.array([int(bool(flag))], np.int64)
        self._comm.allreduce([value], "the vote to stop training", op="max")
        return bool(value[0])

    def _sync(self, metrics, weights):
        if self._comm.size == 1:
            return
        states = [v for m in metrics for v in m.variables]
        first = [v for v in states if v.aggregation == VariableAggregation.ONLY_FIRST_REPLICA]
        summed = [v for v in states if v.aggregation != VariableAggregation.ONLY_FIRST_REPLICA]
        averaged = [v for v in weights if v._dtype.is_floating and not v.trainable]
        self._check_same_layout(summed + first + averaged)
        # Averaging as rank 0's value plus the mean difference keeps weights that are equal on
        # every rank (frozen layers, adapted statistics) exactly as they are.
        base = self._bcast([mpi.host(v._v) for v in averaged + first], "rank 0's statistics")
        deltas = [mpi.host(v._v) - b for v, b in zip(averaged, base)]
        arrays = [mpi.host(v._v) for v in summed] + deltas
        buckets = mpi.pack(arrays, self._bucket_bytes)
        self._comm.allreduce([b for b, _ in buckets], "the reduce of metric states")
        out = mpi.unpack(buckets, arrays)
        for v, a in zip(summed, out):
            if v.aggregation == VariableAggregation.MEAN:
                a = (a / self._comm.size).astype(a.dtype, copy=False)
            v._v = _like(a, v._v)
        for v, b, d in zip(averaged, base, out[len(summed):]):
            v._v = _like((b + d / self._comm.size).astype(b.dtype, copy=False), v._v)
        for v, b in zip(first, base[len(averaged):]):
            v._v = _like(b, v._v)

    def _check_same_layout(self, variables):
        # Metrics build on their first batch: a rank that evaluated none (fewer samples than
        # ranks) holds fewer states, and reducing mismatched buffers would hang or mix values.
        n = sum(int(v._v.size) for v in variables)
        extremes = np.array([n, -n], np.int64)
        self._comm.allreduce([extremes], "the check of metric states", op="max")
        if extremes[0] != -extremes[1]:
            raise ValueError(f"The ranks hold different metric states ({-extremes[1]} to "
                             f"{extremes[0]} values): some rank evaluated no batch. Give "
                             "evaluate/validation at least one sample per rank.")

    def abort(self, message, code=1):
        """End every rank of the job now, printing ``message`` from this one."""
        self._comm.abort(message, code)


class _DefaultStrategy(Strategy):
    """What ``get_strategy`` returns outside any scope: one replica, nothing to exchange."""

    def __init__(self):
        super().__init__(mpi.LocalCommunicator())


class MPIStrategy(Strategy):
    """Data-parallel training over MPI: one replica per process (``mpiexec -n 4 ...``).

    Under ``with strategy.scope():`` a compiled model's ``fit`` starts every rank from rank 0's
    weights; each rank reads its own rank-strided share of every epoch's shuffled order, in
    batches of ``batch_size`` (per rank, as Horovod: the global batch is ``batch_size`` times
    the number of ranks); gradients are averaged with Allreduce; metric states are summed at
    each epoch end so logs are global; only rank 0 prints and runs the callbacks that write.

    Args:
        comm: an mpi4py communicator (default ``MPI.COMM_WORLD``).
        timeout: seconds any collective may wait before the job is aborted (default: the
            ``TFX_DISTRIBUTE_TIMEOUT`` environment variable, else 300).
        bucket_bytes: the largest buffer one Allreduce moves.

    Raises:
        ImportError: mpi4py (``pip install 'tfx[mpi]'``) is missing.
    """

    def __init__(self, comm=None, timeout=None, bucket_bytes=mpi.BUCKET_BYTES):
        MPI = mpi.load_mpi()
        if timeout is None:
            timeout = float(os.environ.get("TFX_DISTRIBUTE_TIMEOUT", mpi.DEFAULT_TIMEOUT))
        super().__init__(mpi.Communicator(comm if comm is not None else MPI.COMM_WORLD,
                                          timeout), bucket_bytes)
        if self._comm.size > 1:
            _abort_on_uncaught_exception(self._comm)


_DEFAULT = _DefaultStrategy()


def get_strategy():
    """The strategy whose scope is active, else the default one (one replica)."""
    return _scope["strategy"] or _DEFAULT


def has_strategy():
    """Whether a strategy's scope is active."""
    return _scope["strategy"] is not None


def active():
    """The strategy whose scope is active, or None (the hook ``Model`` reads)."""
    return _scope["strategy"]


class Shards:
    """One rank's share of the samples: rank-strided slices of an order every rank shares."""

    def __init__(self, comm, lockstep):
        self._comm = comm
        self.lockstep = lockstep

    def count(self, n):
        """Samples this rank reads of ``n``; in lockstep every rank reads ``ceil(n / ranks)``
        (the order wraps around to fill the last slots, as PyTorch's DistributedSampler)."""
        p = self._comm.size
        return math.ceil(n / p) if self.lockstep else len(range(self._comm.rank, n, p))

    def indices(self, n, shuffle):
        """This rank's sample indices for one epoch, in reading order."""
        comm = self._comm
        if shuffle:
            from ..ops.random_ops import _generator
            # Rank 0 draws from tfx's seeded streams, so a run (or one resumed from a backup)
            # repeats the order a single process would use.
            order = _generator(None).permutation(n) if comm.rank == 0 else \
                np.empty(n, np.int64)
            order = order.astype(np.int64, copy=False)
            comm.bcast([order], "the broadcast of the epoch's sample order")
        else:
            order = np.arange(n)
        if self.lockstep:
            order = np.resize(order, self.count(n) * comm.size)
        return order[comm.rank::comm.size]

    def steps(self, num_steps, steps_per_epoch):
        """Steps this rank runs over an iterable of ``num_steps`` batches (None: unknown)."""
        if steps_per_epoch:
            return steps_per_epoch
        if num_steps is None:
            if self.lockstep:
                raise ValueError("Training on a generator or dataset under a distribution "
                                 "strategy needs its number of batches: pass "
                                 "`steps_per_epoch` (batches per rank) or data with a len().")
            return None
        p = self._comm.size
        return num_steps // p if self.lockstep else len(range(self._comm.rank, num_steps, p))

    def iterate(self, source):
        """Batch ``i`` of ``source`` goes to rank ``i % ranks``."""
        return itertools.islice(iter(source), self._comm.rank, None, self._comm.size)


def _reduce_op(op):
    if isinstance(op, ReduceOp):
        return op
    return ReduceOp(op)  # TensorFlow's error: "'MAX' is not a valid ReduceOp"


def _dense(g):
    if isinstance(g, TensorBase):
        return g
    if hasattr(g, "to_dense"):
        return g.to_dense()
    return convert_to_tensor(g)


def _like(host, reference):
    """``host`` (NumPy) on the device that holds ``reference``."""
    xp = namespace(reference)
    return host if xp is np else xp.asarray(host)


def _assign(variables, values):
    for v, a in zip(variables, values):
        v._v = _like(a, v._v)


def _sample(data):
    if not getattr(data, "_arrays", False):
        raise ValueError("Under a distribution strategy, build the model before fitting it on "
                         "a generator or dataset (give it an Input, or call it on a batch), "
                         "so that rank 0's weights can be sent to every rank first.")
    first = lambda a: None if a is None else convert_to_tensor(  # noqa: E731
        a[:1].astype(np.float32) if a.dtype == np.float64 else a[:1])
    return nest.map_structure(first, data.x) if nest.is_nested(data.x) else first(data.x)


_hooked = []


def _abort_on_uncaught_exception(comm):
    """An uncaught exception on one rank would leave the others waiting in a collective until
    the timeout: print it, then end every rank at once."""
    if _hooked:
        return
    _hooked.append(comm)
    previous = sys.excepthook

    def hook(kind, value, tb):
        previous(kind, value, tb)
        comm.abort(f"rank {comm.rank} of {comm.size} stopped on an uncaught "
                   f"{kind.__name__}; ending the job.", 1)

    sys.excepthook = hook
