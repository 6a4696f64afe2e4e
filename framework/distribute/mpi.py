"""MPI collectives that cannot hang: nonblocking calls polled against a deadline.

mpi4py's blocking collectives wait forever when a rank has died or hung. Every collective here
starts a nonblocking call (``Iallreduce``, ``Ibcast``) and polls it; past the deadline the rank
prints which collective it was waiting for and aborts the whole job (``MPI_Abort``), so
``mpiexec`` exits non-zero instead of hanging. Arrays travel in a few large flat buffers
(``pack``): one call per bucket, never one per variable.
"""
import os
import pickle
import sys
import time

import numpy as np  # MPI moves host buffers

from ..backend import device_of

__all__ = ["load_mpi", "launched_size", "Communicator", "LocalCommunicator", "pack", "unpack",
           "host", "TIMEOUT_EXIT_CODE"]

DEFAULT_TIMEOUT = 300.0
BUCKET_BYTES = 64 << 20  # Horovod's default fusion threshold
TIMEOUT_EXIT_CODE = 124  # what coreutils' timeout returns
_SPIN_SECONDS = 0.05  # busy-poll this long (as MPI's own waits do), then back off
_MAX_PAUSE = 0.002
_FORWARD_SECONDS = 0.5

# Launchers say how many ranks they started before MPI is loaded (MPICH/Intel MPI's hydra,
# Open MPI, MVAPICH2).
_SIZE_VARIABLES = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "MV2_COMM_WORLD_SIZE")

# MPI has no half-precision reduction in its standard: those gradients are summed in float32.
_WIDEN = {np.dtype(np.float16): np.dtype(np.float32)}


def load_mpi():
    try:
        from mpi4py import MPI
    except ImportError as e:
        raise ImportError("tfx.distribute needs mpi4py and an MPI library. Install them with "
                          "`pip install 'tfx[mpi]'` (mpi4py and MPICH from the package index), "
                          "or `pip install mpi4py` against your cluster's MPI.") from e
    return MPI


def launched_size(environ=None):
    """How many ranks the MPI launcher started (1 when not under ``mpiexec``); reads only the
    environment, so the CLI can decide without importing MPI."""
    environ = os.environ if environ is None else environ
    for key in _SIZE_VARIABLES:
        value = environ.get(key, "")
        if value.isdigit():
            return int(value)
    return 1


def host(array):
    """``array`` in host memory, where MPI reads it: CPU arrays as they are, GPU ones copied."""
    if isinstance(array, np.ndarray):
        return array
    return np.asarray(array.get() if device_of(array) == "GPU" else array)


def pack(arrays, bucket_bytes=BUCKET_BYTES, raw=False):
    """Flat buffers holding ``arrays``: one group per dtype (``raw``: all as bytes), each split
    into buckets of at most ``bucket_bytes`` (an array larger than that gets its own).

    Returns ``[(buffer, [(index, offset, size), ...]), ...]`` for ``unpack``.
    """
    groups = {}
    for i, a in enumerate(arrays):
        a = np.ascontiguousarray(host(a))
        if raw:
            a = a.reshape(-1).view(np.uint8)
        groups.setdefault(_WIDEN.get(a.dtype, a.dtype), []).append((i, a))
    buckets = []
    for dtype, items in groups.items():
        limit = max(1, bucket_bytes // dtype.itemsize)
        current, count = [], 0
        for i, a in items:
            if current and count + a.size > limit:
                buckets.append(_join(dtype, current))
                current, count = [], 0
            current.append((i, a))
            count += a.size
        if current:
            buckets.append(_join(dtype, current))
    return buckets


def _join(dtype, items):
    # Raw bytes of mixed dtypes start on 16-byte boundaries, so the arrays unpacked from them
    # are aligned (Numba kernels reject unaligned arrays).
    step = 16 if dtype == np.uint8 else 1
    layout, offset = [], 0
    for i, a in items:
        layout.append((i, offset, a.size))
        offset += -(-a.size // step) * step
    buf = np.empty(offset, dtype)
    for (i, start, size), (_, a) in zip(layout, items):
        buf[start:start + size] = a.reshape(-1)
    return buf, layout


def unpack(buckets, like):
    """Arrays shaped and typed as ``like`` (a list of arrays), read from the buffers. The
    results are views of fresh buffers that nothing writes to again, so no copy is made."""
    out = [None] * len(like)
    for buf, layout in buckets:
        for i, offset, size in layout:
            ref = like[i]
            part = buf[offset:offset + size]
            if buf.dtype == np.uint8 and ref.dtype != np.uint8:  # packed raw
                part = part.view(ref.dtype)
            out[i] = part.reshape(ref.shape).astype(ref.dtype, copy=False)
    return out


class Communicator:
    """The collectives tfx needs, over an mpi4py communicator, each with a deadline."""

    def __init__(self, comm, timeout=DEFAULT_TIMEOUT):
        self.MPI = load_mpi()
        self.comm = comm
        self.rank = comm.Get_rank()
        self.size = comm.Get_size()
        self.timeout = float(timeout)

    def allreduce(self, buffers, what, op="sum"):
        """Sum (or max) each flat buffer across ranks, in place."""
        mpi_op = self.MPI.SUM if op == "sum" else self.MPI.MAX
        self.wait([self.comm.Iallreduce(self.MPI.IN_PLACE, b, op=mpi_op) for b in buffers],
                  what)

    def bcast(self, buffers, what, root=0):
        """Overwrite each flat buffer with ``root``'s."""
        self.wait([self.comm.Ibcast(b, root=root) for b in buffers], what)

    def bcast_object(self, obj, what, root=0):
        """``root``'s picklable ``obj`` on every rank (its length first, then its bytes)."""
        data = pickle.dumps(obj) if self.rank == root else b""
        n = np.array([len(data)], np.int64)
        self.bcast([n], what, root)
        buf = np.frombuffer(data, np.uint8).copy() if self.rank == root else \
            np.empty(int(n[0]), np.uint8)
        self.bcast([buf], what, root)
        return pickle.loads(buf.tobytes())

    def wait(self, requests, what):
        testall = self.MPI.Request.Testall
        if testall(requests):
            return
        start = time.monotonic()
        deadline = start + self.timeout
        spin_until = start + _SPIN_SECONDS
        pause = 5e-5
        while not testall(requests):
            now = time.monotonic()
            if now > deadline:
                self.abort(f"rank {self.rank} of {self.size} waited {self.timeout:g} s for "
                           f"{what}: another rank has died or hung (its output may say why). "
                           "Ending the job.", TIMEOUT_EXIT_CODE)
            if now > spin_until:
                time.sleep(pause)
                pause = min(pause * 2, _MAX_PAUSE)

    def abort(self, message, code=1):
        sys.stdout.flush()
        sys.stderr.write(f"tfx.distribute: {message}\n")
        sys.stderr.flush()
        time.sleep(_FORWARD_SECONDS)  # mpiexec forwards the message before it tears down
        self.comm.Abort(code)
        os._exit(code)  # MPICH's Abort can return before the launcher kills this process


class LocalCommunicator:
    """One process, no MPI: every collective leaves its buffers as they are."""

    rank = 0
    size = 1
    timeout = DEFAULT_TIMEOUT

    def allreduce(self, buffers, what, op="sum"):
        pass

    def bcast(self, buffers, what, root=0):
        pass

    def bcast_object(self, obj, what, root=0):
        return obj

    def abort(self, message, code=1):
        sys.stderr.write(f"tfx.distribute: {message}\n")
        sys.stderr.flush()
        os._exit(code)
