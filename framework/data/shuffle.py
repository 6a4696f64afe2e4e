"""``shuffle`` with TensorFlow's buffer semantics, on indices where it can.

TF's shuffle fills a buffer with ``buffer_size`` elements, then repeatedly emits an element
drawn uniformly from the buffer and puts the next input element in its place; when the input
ends, the rest of the buffer comes out in uniformly random order. Here the buffer is a set of
slots: step ``t`` draws slot ``j_t``, emits what the slot holds and stores input ``t`` there.
So the output at step ``t`` is the input stored at the slot's previous draw, or the slot's
initial element if it was never drawn before: a stable sort of the draws finds every previous
draw at once, and a whole chunk of steps costs a few NumPy calls. Element pipelines run the
same algorithm one element at a time, drawing the same numbers, so a seed gives the same order
on either path.
"""
import zlib

import numpy as np  # the index arithmetic; elements are never touched here

from ..errors import InvalidArgumentError
from ..ops import random_ops
from .dataset import INF, UNK, Dataset, IndexSource

_PICK_BLOCK = 4096  # slot draws are made in blocks of this size on both paths
_CHUNK = 1 << 16    # input indices processed per vectorised step


class Seed:
    """A dataset op's seed under TF's rules, fixed when the op is created: an op seed with the
    global seed (or TF's default one); no op seed takes the next one from the global seed's
    counter (``tfx.random.set_seed`` resets it); neither is fresh entropy. Each pass of the
    op draws from the stream of ``(seed words, pass number)``."""

    def __init__(self, seed, kind):
        g = random_ops.get_global_seed()
        if seed is None and g is None:
            self._words = tuple(int(w) for w in np.random.SeedSequence().generate_state(2))
        elif seed is None:
            self._words = (g, int(random_ops._generator(None).integers(1 << 62)))
        else:
            g = random_ops._DEFAULT_GRAPH_SEED if g is None else g
            self._words = (g, int(seed))
        self._kind = zlib.crc32(kind.encode())
        self._passes = 0

    def generators(self, reshuffle):
        """``(slot_draws, drain)`` generators for the next pass."""
        p = self._passes if reshuffle else 0
        self._passes += 1
        words = self._words + (self._kind, p)
        return random_ops._philox(*words, 0), random_ops._philox(*words, 1)


class _Draws:
    """Slot numbers in ``[0, size)``, made in fixed blocks so both paths draw alike."""

    def __init__(self, gen, size):
        self._gen, self._size = gen, size
        self._block = np.empty(0, dtype=np.int64)
        self._pos = 0
        self._list = None

    def take(self, m):
        parts = []
        while m > 0:
            if self._pos == len(self._block):
                self._refill()
            k = min(m, len(self._block) - self._pos)
            parts.append(self._block[self._pos:self._pos + k])
            self._pos += k
            m -= k
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def next(self):
        if self._pos == len(self._block):
            self._refill()
        if self._list is None:
            self._list = self._block.tolist()
        v = self._list[self._pos]
        self._pos += 1
        return v

    def _refill(self):
        self._block = self._gen.integers(0, self._size, _PICK_BLOCK, dtype=np.int64)
        self._list = None
        self._pos = 0


def shuffle_indices(chunks, buffer_size, gens):
    """The index stream ``chunks`` shuffled through a buffer of ``buffer_size`` slots."""
    draws_gen, drain_gen = gens
    draws = _Draws(draws_gen, buffer_size)
    slots = np.empty(0, dtype=np.int64)
    for chunk in chunks:
        idx = (np.arange(chunk.start, chunk.stop, dtype=np.int64) if isinstance(chunk, slice)
               else chunk)
        if len(slots) < buffer_size:
            need = buffer_size - len(slots)
            slots = np.concatenate([slots, idx[:need]])
            idx = idx[need:]
        for lo in range(0, len(idx), _CHUNK):
            yield _steps(slots, idx[lo:lo + _CHUNK], draws)
    if len(slots):
        yield slots[drain_gen.permutation(len(slots))]


def _steps(slots, incoming, draws):
    """Run ``len(incoming)`` buffer steps; update ``slots`` in place, return the outputs."""
    m = len(incoming)
    j = draws.take(m)
    order = np.argsort(j, kind="stable")
    sj = j[order]
    again = np.empty(m, dtype=bool)  # this draw's slot was drawn earlier in the chunk
    again[0] = False
    np.equal(sj[1:], sj[:-1], out=again[1:])
    prev = np.empty(m, dtype=np.int64)
    prev[0] = 0
    prev[1:] = order[:-1]
    out = np.empty(m, dtype=np.int64)
    out[order] = np.where(again, incoming[prev], slots[sj])
    last = np.ones(m, dtype=bool)
    last[:-1] = ~again[1:]
    slots[sj[last]] = incoming[order[last]]
    return out


def shuffle_elements(elements, buffer_size, gens):
    """The same algorithm on elements (for inputs without an index source)."""
    draws_gen, drain_gen = gens
    draws = _Draws(draws_gen, buffer_size)
    slots = []
    for e in elements:
        if len(slots) < buffer_size:
            slots.append(e)
            continue
        j = draws.next()
        yield slots[j]
        slots[j] = e
    for k in drain_gen.permutation(len(slots)).tolist():
        yield slots[k]


class Shuffle(Dataset):
    def __init__(self, input_dataset, buffer_size, seed, reshuffle_each_iteration):
        buffer_size = int(buffer_size)
        if buffer_size == UNK:
            # TF's UNKNOWN_CARDINALITY buffer: the whole dataset.
            buffer_size = input_dataset._card()
            buffer_size = 1 << 62 if buffer_size in (INF, UNK) else max(buffer_size, 1)
        elif buffer_size <= 0:
            raise InvalidArgumentError(None, None, "buffer_size must be greater than zero or "
                                       "UNKNOWN_CARDINALITY")
        self._input = input_dataset
        self._inputs = (input_dataset,)
        self._size = buffer_size
        self._seed = Seed(seed, "shuffle")
        self._reshuffle = True if reshuffle_each_iteration is None else \
            bool(reshuffle_each_iteration)

    def _compute_spec(self):
        return self._input.element_spec

    def _card(self):
        return self._input._card()

    def _index_source(self):
        src = self._input._index_source()
        if src is None:
            return None
        return IndexSource(src.arrays, lambda: shuffle_indices(
            src.chunks(), self._size, self._seed.generators(self._reshuffle)))

    def _iter(self, ctx):
        if self._index_source() is not None:
            return super()._iter(ctx)
        return shuffle_elements(self._input._iter(ctx), self._size,
                                self._seed.generators(self._reshuffle))
