"""tfx.sets against TensorFlow (dense and sparse operands, strings, errors) and against Python
sets with hypothesis."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import tfx
from structures_util import same_as_tf

tf = pytest.importorskip("tensorflow")

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def a(m):
    return m.constant([[1, 2, 3], [4, 5, 6]])


def b(m):
    return m.constant([[2, 2, 7], [4, 0, 0]])


PROGRAMS = {
    "union": lambda m: m.sets.union(a(m), b(m)),
    "intersection": lambda m: m.sets.intersection(a(m), b(m)),
    "difference": lambda m: [m.sets.difference(a(m), b(m)),
                             m.sets.difference(a(m), b(m), aminusb=False)],
    "rank3": lambda m: m.sets.union(m.constant([[[1], [2]]]), m.constant([[[3], [2]]])),
    "strings": lambda m: [m.sets.union(m.constant([["a", "b"]]), m.constant([["b", "c"]])),
                          m.sets.intersection(m.constant([["a", "b"]]),
                                              m.constant([["x"]]))],
    "sparse_operands": lambda m: [
        m.sets.intersection(m.sparse.from_dense(a(m)), b(m)),
        m.sets.intersection(a(m), m.sparse.from_dense(b(m))),
        m.sets.difference(m.sparse.from_dense(b(m)), a(m)),
        m.sets.union(m.sparse.from_dense(a(m)), m.sparse.from_dense(b(m)))],
    "size": lambda m: [m.sets.size(m.sparse.from_dense(b(m))),
                       m.sets.size(m.sets.union(a(m), b(m)))],
    "size_dense_refused": lambda m: m.sets.size(a(m)),
    "empty_result": lambda m: m.sets.intersection(m.constant([[1, 2], [3, 4]]),
                                                  m.constant([[9], [9]])),
    "small_ints": lambda m: [
        m.sets.intersection(m.constant([[1, 2]], m.uint8), m.constant([[1]], m.uint8)),
        m.sets.union(m.constant([[1, 2]], m.int16), m.constant([[1]], m.int16))],
    "float_refused": lambda m: m.sets.union(m.constant([[1.]]), m.constant([[2.]])),
    "dtype_mismatch": lambda m: m.sets.union(m.constant([[1]]), m.constant([[1]], m.int64)),
    "rank1_refused": lambda m: m.sets.union(m.constant([1, 3]), m.constant([2])),
    "scalar_refused": lambda m: m.sets.union(m.constant(1), m.constant(1)),
    "leading_mismatch": lambda m: m.sets.union(m.constant([[1, 2]]), m.constant([[1], [2]])),
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_against_tensorflow(name):
    same_as_tf(tf, PROGRAMS[name])


def _rows(sp):
    """A sparse set result as one sorted list per row (rank-2 results)."""
    n = int(sp.dense_shape.numpy()[0])
    rows = [[] for _ in range(n)]
    for (r, _), v in zip(sp.indices.numpy().tolist(), sp.values.numpy().tolist()):
        rows[r].append(v)
    return rows


@SETTINGS
@given(st.integers(1, 4).flatmap(lambda n: st.tuples(
    st.lists(st.lists(st.integers(0, 6), min_size=3, max_size=3), min_size=n, max_size=n),
    st.lists(st.lists(st.integers(0, 6), min_size=2, max_size=2), min_size=n, max_size=n))))
def test_set_ops_match_python_sets(pair):
    xa, xb = (np.asarray(v, dtype=np.int64) for v in pair)
    sa, sb = [set(r) for r in xa.tolist()], [set(r) for r in xb.tolist()]
    cases = {"union": [x | y for x, y in zip(sa, sb)],
             "intersection": [x & y for x, y in zip(sa, sb)],
             "difference": [x - y for x, y in zip(sa, sb)]}
    for kind, want in cases.items():
        got = getattr(tfx.sets, kind)(xa, xb)
        assert _rows(got) == [sorted(s) for s in want]
        assert got.dense_shape.numpy().tolist() == [len(xa), max(map(len, want))]
        assert tfx.sets.size(got).numpy().tolist() == [len(s) for s in want]
    # a sparse operand holds only the values present
    sp = tfx.sparse.from_dense(xa)
    assert _rows(tfx.sets.union(sp, xb)) == [sorted((x - {0}) | y) for x, y in zip(sa, sb)]
