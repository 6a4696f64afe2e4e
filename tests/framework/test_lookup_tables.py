"""tfx.lookup against tf.lookup: values, OOV buckets, file parsing, errors, traced writes."""
import numpy as np
import pytest

import tfx

L, W = tfx.lookup.TextFileIndex.LINE_NUMBER, tfx.lookup.TextFileIndex.WHOLE_LINE


def _kv(keys, values, **kw):
    return tfx.lookup.KeyValueTensorInitializer(keys, values, **kw)


def _write(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


def test_static_hash_table_values_shapes_and_composites():
    t = tfx.lookup.StaticHashTable(_kv(["a", "b", "c"], [1, 2, 3]), -1)
    assert t.key_dtype is tfx.string and t.value_dtype is tfx.int32
    out = t.lookup(tfx.constant([["a", "x"], ["c", "b"]]))
    np.testing.assert_array_equal(out.numpy(), [[1, -1], [3, 2]])
    assert t[tfx.constant("b")].numpy() == 2
    assert t.size().numpy() == 3 and t.size().dtype is tfx.int64
    k, v = t.export()
    assert dict(zip(k.numpy().tolist(), v.numpy().tolist())) == {b"a": 1, b"b": 2, b"c": 3}
    sp = t.lookup(tfx.SparseTensor([[0, 0], [1, 2]], ["a", "q"], [2, 3]))
    np.testing.assert_array_equal(sp.values.numpy(), [1, -1])
    rg = t.lookup(tfx.ragged.constant([["a"], ["b", "q"]]))
    assert rg.to_list() == [[1], [2, -1]]


@pytest.mark.parametrize("keys,values,default,queries", [
    ([1, 2], [3.5, 4.5], -1.0, [1, 5, 2]),
    (np.array([7, -3], np.int64), ["x", "y"], "?", np.array([-3, 0, 7], np.int64)),
    (["a"], [True], False, ["a", "b"]),
])
def test_static_hash_table_dtypes(keys, values, default, queries):
    t = tfx.lookup.StaticHashTable(_kv(keys, values), default)
    got = t.lookup(tfx.constant(queries)).numpy()
    table = dict(zip(np.asarray(keys).tolist(), values))
    want = [table.get(q, default) for q in np.asarray(queries).tolist()]
    if t.value_dtype is tfx.string:
        want = [w.encode() for w in want]
    assert got.tolist() == want


def test_static_hash_table_errors():
    init = _kv(["a", "b"], [1, 2])
    t = tfx.lookup.StaticHashTable(init, -1)
    with pytest.raises(TypeError, match="Dtype of argument `keys` must be"):
        t.lookup(tfx.constant([1]))
    with pytest.raises(TypeError, match="Cannot convert -1.5"):
        tfx.lookup.StaticHashTable(init, -1.5)
    with pytest.raises(ValueError, match="not compatible"):
        tfx.lookup.StaticHashTable(init, [-1, -1])
    with pytest.raises(tfx.errors.FailedPreconditionError, match="Key a has 1 and trying"):
        tfx.lookup.StaticHashTable(_kv(["a", "a"], [1, 2]), -1)
    assert tfx.lookup.StaticHashTable(_kv(["a", "a"], [1, 1]), -1).size().numpy() == 1
    with pytest.raises(tfx.errors.InvalidArgumentError, match=r"Expected shape \[2\] for value"):
        tfx.lookup.StaticHashTable(_kv(["a", "b"], [1]), -1)
    with pytest.raises(tfx.errors.NotFoundError):
        tfx.lookup.StaticHashTable(_kv([1.0, 2.0], [3, 4]), -1)


def test_static_vocabulary_table_matches_tensorflow():
    tf = pytest.importorskip("tensorflow")
    words = ["emerson", "lake", "palmer", "king", "crimson", "", "a" * 40, "b" * 70]
    ids = np.array([0, 1, 2], np.int64)
    mine = tfx.lookup.StaticVocabularyTable(_kv(words[:3], ids), 5)
    theirs = tf.lookup.StaticVocabularyTable(
        tf.lookup.KeyValueTensorInitializer(words[:3], ids), 5)
    np.testing.assert_array_equal(mine.lookup(tfx.constant(words)).numpy(),
                                  theirs.lookup(tf.constant(words)).numpy())
    assert mine.size().numpy() == 8
    ints = np.array([5, 7, 9, 100, -1, 123456789012], np.int64)
    init_keys = np.array([5, 7], np.int64)
    mine = tfx.lookup.StaticVocabularyTable(_kv(init_keys, np.array([0, 1], np.int64)), 3,
                                            lookup_key_dtype=tfx.int32)
    theirs = tf.lookup.StaticVocabularyTable(
        tf.lookup.KeyValueTensorInitializer(init_keys, np.array([0, 1], np.int64)), 3)
    np.testing.assert_array_equal(mine.lookup(tfx.constant(ints[:5].astype(np.int32))).numpy(),
                                  theirs.lookup(tf.constant(ints[:5])).numpy())
    only_oov = tfx.lookup.StaticVocabularyTable(None, 3).lookup(tfx.constant(words))
    theirs = tf.lookup.StaticVocabularyTable(None, 3).lookup(tf.constant(words))
    np.testing.assert_array_equal(only_oov.numpy(), theirs.numpy())


def test_static_vocabulary_table_errors():
    init = _kv(["a"], np.array([0], np.int64))
    with pytest.raises(ValueError, match="must be > 0"):
        tfx.lookup.StaticVocabularyTable(init, 0)
    with pytest.raises(TypeError, match="Invalid `value_dtype`"):
        tfx.lookup.StaticVocabularyTable(_kv(["a"], [0]), 2)
    with pytest.raises(TypeError, match="expected integer"):
        tfx.lookup.StaticVocabularyTable(init, 2, lookup_key_dtype=tfx.int32)
    with pytest.raises(TypeError, match="expected one of"):
        tfx.lookup.StaticVocabularyTable(_kv([5], np.array([0], np.int64)), 2)


def test_text_file_initializer(tmp_path):
    f = _write(tmp_path, "v.txt", b"emerson 10\nlake 20\r\npalmer 30")
    T = tfx.lookup.TextFileInitializer

    def table(*a, default=-1, **k):
        return tfx.lookup.StaticHashTable(T(f, *a, delimiter=" ", **k), default)

    np.testing.assert_array_equal(
        table(tfx.string, 0, tfx.int64, 1).lookup(tfx.constant(["lake", "x"])).numpy(),
        [20, -1])
    assert table(tfx.int64, L, tfx.string, 0, default="?").lookup(
        tfx.constant([0, 2, 5], tfx.int64)).numpy().tolist() == [b"emerson", b"palmer", b"?"]
    assert table(tfx.string, W, tfx.int64, L).lookup(tfx.constant(["lake 20"])).numpy() == [1]
    assert table(tfx.string, 0, tfx.int64, L, value_index_offset=5).lookup(
        tfx.constant(["lake"])).numpy() == [6]
    np.testing.assert_array_equal(table(tfx.string, 0, tfx.int64, L, vocab_size=2).lookup(
        tfx.constant(["palmer", "lake"])).numpy(), [-1, 1])
    assert table(tfx.string, 0, tfx.float32, 1, default=-1.0).lookup(
        tfx.constant(["palmer"])).numpy() == [30.0]


def test_text_file_initializer_errors(tmp_path):
    T = tfx.lookup.TextFileInitializer
    f = _write(tmp_path, "v.txt", b"emerson 10\nlake x\n")
    gaps = _write(tmp_path, "w.txt", b"abc\ndef\n\nx")
    err = tfx.errors.InvalidArgumentError
    cases = [
        (lambda: T(f, tfx.string, 0, tfx.int64, 1, vocab_size=5, delimiter=" "),
         "Invalid vocab_size in .*: expected 5 but got 2"),
        (lambda: T(gaps, tfx.string, W, tfx.int64, L), "empty line found at position 9"),
        (lambda: T(f, tfx.string, 0, tfx.int64, 3, delimiter=" "),
         r"line 0 \(emerson 10\) : expected at least 4 got 2"),
        (lambda: T(f, tfx.string, 0, tfx.int64, 1, delimiter=" "),
         "Field x in line 1 is not a valid int64"),
        (lambda: T(f, tfx.string, 0, tfx.float64, 1, delimiter=" "),
         "Field x in line 1 is not a valid double"),
        (lambda: T(f, tfx.string, 0, tfx.int64, 1, delimiter="; "), "only 1 char"),
    ]
    for make, pattern in cases:
        with pytest.raises(err, match=pattern):
            tfx.lookup.StaticHashTable(make(), -1)
    with pytest.raises(tfx.errors.NotFoundError, match="No such file"):
        tfx.lookup.StaticHashTable(T(str(tmp_path / "nope"), tfx.string, 0, tfx.int64, L), -1)
    for args, pattern in [((tfx.string, L, tfx.int64, 0), "must be int64 if `key_index`"),
                          ((tfx.string, -3, tfx.int64, L), "should be >= -2"),
                          ((tfx.float32, W, tfx.int64, L), "either integer or string"),
                          ((tfx.string, 0, tfx.string, L), "must be int64 for `value_index`")]:
        with pytest.raises(ValueError, match=pattern):
            T(f, *args)


def test_text_file_tables_match_tensorflow(tmp_path):
    tf = pytest.importorskip("tensorflow")
    f = _write(tmp_path, "vocab.txt", "ä\tx\nb\ty\nc\tz\n".encode())
    queries = ["ä", "b", "zz", "c", "q"]
    mine = tfx.lookup.StaticVocabularyTable(
        tfx.lookup.TextFileInitializer(f, tfx.string, 0, tfx.int64, L), 4)
    theirs = tf.lookup.StaticVocabularyTable(
        tf.lookup.TextFileInitializer(f, tf.string, 0, tf.int64, -1), 4)
    np.testing.assert_array_equal(mine.lookup(tfx.constant(queries)).numpy(),
                                  theirs.lookup(tf.constant(queries)).numpy())


def test_mutable_hash_table():
    m = tfx.lookup.experimental.MutableHashTable(tfx.string, tfx.int64, -1)
    m.insert(["a", "b"], [1, 2])
    np.testing.assert_array_equal(m.lookup(["a", "c"]).numpy(), [1, -1])
    np.testing.assert_array_equal(
        m.lookup(["a", "c"], dynamic_default_values=tfx.constant([7, 8], tfx.int64)).numpy(),
        [1, 8])
    m.insert(["a"], [5])
    m.remove(tfx.constant(["b", "zz"]))
    assert m.size().numpy() == 1
    k, v = m.export()
    assert k.numpy().tolist() == [b"a"] and v.numpy().tolist() == [5]
    with pytest.raises(tfx.errors.InvalidArgumentError, match=r"Expected shape \[2\]"):
        m.insert(["a", "b"], tfx.constant([1], tfx.int64))
    with pytest.raises(ValueError, match="^keys: Tensor conversion requested"):
        m.insert(tfx.constant([1]), tfx.constant([1], tfx.int64))
    with pytest.raises(TypeError, match="Dtype of argument `keys`"):
        m.remove(tfx.constant([1]))
    with pytest.raises(tfx.errors.InvalidArgumentError, match="for default value"):
        m.lookup(["a", "b"], dynamic_default_values=tfx.constant([1], tfx.int64))
    with pytest.raises(tfx.errors.NotFoundError):
        tfx.lookup.experimental.MutableHashTable(tfx.float32, tfx.int64, -1)


def test_mutable_hash_table_of_vectors():
    mv = tfx.lookup.experimental.MutableHashTable(tfx.int64, tfx.float32, [0.0, 0.0])
    mv.insert(tfx.constant([1, 2], tfx.int64), [[1.0, 2.0], [3.0, 4.0]])
    got = mv.lookup(tfx.constant([[1, 3]], tfx.int64))
    np.testing.assert_array_equal(got.numpy(), [[[1, 2], [0, 0]]])
    with pytest.raises(tfx.errors.InvalidArgumentError, match=r"\[1,2\] for value, got \[1,3\]"):
        mv.insert(tfx.constant([1], tfx.int64), [[1.0, 2.0, 3.0]])
    with pytest.raises(tfx.errors.InvalidArgumentError, match="must be a vector"):
        tfx.lookup.experimental.MutableHashTable(tfx.string, tfx.int64, [[1, 2], [3, 4]])


def test_dense_hash_table_matches_tensorflow_layout():
    tf = pytest.importorskip("tensorflow")
    mine = tfx.lookup.experimental.DenseHashTable(tfx.int64, tfx.int64, -1, 0, -1,
                                                  initial_num_buckets=8)
    theirs = tf.lookup.experimental.DenseHashTable(tf.int64, tf.int64, -1, 0, -1,
                                                   initial_num_buckets=8)
    for i in range(1, 12):
        keys = np.array([i], np.int64)
        mine.insert(keys, keys * 10)
        theirs.insert(keys, keys * 10)
        assert mine.export()[0].shape == theirs.export()[0].shape
    for table in (mine, theirs):
        table.remove(np.array([3, 99], np.int64))
        table.erase(np.array([4], np.int64))
    q = np.array([1, 3, 4, 5, 42], np.int64)
    np.testing.assert_array_equal(mine.lookup(q).numpy(), theirs.lookup(q).numpy())
    assert mine.size().numpy() == theirs.size().numpy() == 9
    big = tfx.lookup.experimental.DenseHashTable(tfx.int64, tfx.int64, -1, 0, -1,
                                                 initial_num_buckets=8)
    big.insert(tfx.range(1, 30, dtype=tfx.int64), tfx.range(1, 30, dtype=tfx.int64))
    assert big.export()[0].shape == (64, 1)


def test_dense_hash_table_vector_keys_and_errors():
    d = tfx.lookup.experimental.DenseHashTable(tfx.int64, tfx.float32, [0.0, 0.0], [0, 0],
                                               [-1, -1], initial_num_buckets=4)
    d.insert(tfx.constant([[1, 2]], tfx.int64), [[5.0, 6.0]])
    np.testing.assert_array_equal(d.lookup(tfx.constant([[1, 2], [2, 1]], tfx.int64)).numpy(),
                                  [[5, 6], [0, 0]])
    keys, values = d.export()
    assert keys.shape == (4, 2) and values.shape == (4, 2)
    err = tfx.errors.InvalidArgumentError
    with pytest.raises(err, match="empty_key as a table key"):
        d.lookup(tfx.constant([[0, 0]], tfx.int64))
    with pytest.raises(err, match="deleted_key as a table key"):
        d.insert(tfx.constant([[-1, -1]], tfx.int64), [[1.0, 1.0]])
    with pytest.raises(err, match="cannot be equal"):
        tfx.lookup.experimental.DenseHashTable(tfx.int64, tfx.int64, -1, 0, 0)
    with pytest.raises(err, match="power of 2, got: 10"):
        tfx.lookup.experimental.DenseHashTable(tfx.int64, tfx.int64, -1, 0, -1,
                                               initial_num_buckets=10)
    s = tfx.lookup.experimental.DenseHashTable(tfx.string, tfx.int64, -1, "", "$",
                                               initial_num_buckets=4)
    s.insert(["x", "y"], tfx.constant([1, 2], tfx.int64))
    np.testing.assert_array_equal(s.lookup(["y", "x", "z"]).numpy(), [2, 1, -1])


def test_tables_inside_a_traced_function():
    t = tfx.lookup.StaticHashTable(_kv(["a", "b"], [1, 2]), -1)
    m = tfx.lookup.experimental.MutableHashTable(tfx.string, tfx.int64, -1)

    @tfx.function
    def step(k, v):
        m.insert(k, v)
        return t.lookup(k) * 10, m.lookup(k), m.size()

    step(tfx.constant(["a", "z"]), tfx.constant([5, 6], tfx.int64))
    a, b, n = step(tfx.constant(["b", "y"]), tfx.constant([7, 8], tfx.int64))
    np.testing.assert_array_equal(a.numpy(), [20, -10])
    np.testing.assert_array_equal(b.numpy(), [7, 8])
    assert n.numpy() == 4
    assert m.lookup(["a", "y"]).numpy().tolist() == [5, 8]
