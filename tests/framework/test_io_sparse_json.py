"""tfx.io.serialize_sparse / serialize_many_sparse / deserialize_many_sparse (read across
with TensorFlow both ways), decode_json_example (TensorFlow's bytes) and
match_filenames_once."""
import numpy as np
import pytest

import tfx

tf = pytest.importorskip("tensorflow")


def _sp(m, dtype="float32"):
    vals = [1., 2., 3.] if dtype == "float32" else ["a", "b", "c"]
    return m.SparseTensor([[0, 1], [1, 0], [1, 2]], vals, [2, 3])


def _parts(sp):
    return (sp.indices.numpy().tolist(), sp.values.numpy().tolist(),
            sp.dense_shape.numpy().tolist(), sp.values.dtype.name)


@pytest.mark.parametrize("dtype", ["float32", "string"])
def test_many_sparse_round_trips_across(dtype):
    d = {"float32": (tf.float32, tfx.float32), "string": (tf.string, tfx.string)}[dtype]
    ours = tfx.io.serialize_many_sparse(_sp(tfx, dtype)).numpy()
    theirs = tf.io.serialize_many_sparse(_sp(tf, dtype)).numpy()
    assert ours.shape == theirs.shape == (2, 3)
    want = _parts(tf.io.deserialize_many_sparse(theirs, d[0]))
    assert _parts(tfx.io.deserialize_many_sparse(theirs, d[1])) == want
    assert _parts(tf.io.deserialize_many_sparse(ours, d[0])) == want
    assert _parts(tfx.io.deserialize_many_sparse(ours, d[1])) == want


def test_serialize_sparse_and_stacked_deserialize():
    ours = tfx.io.serialize_sparse(_sp(tfx)).numpy()
    assert ours.shape == (3,)
    parts = [tf.io.parse_tensor(x, t).numpy().tolist()
             for x, t in zip(ours, (tf.int64, tf.float32, tf.int64))]
    assert parts == [[[0, 1], [1, 0], [1, 2]], [1., 2., 3.], [2, 3]]

    def stacked(m):
        a = m.io.serialize_sparse(m.SparseTensor([[0]], [1.], [2]))
        b = m.io.serialize_sparse(m.SparseTensor([[3]], [2.], [5]))
        return _parts(m.io.deserialize_many_sparse(m.stack([a, b]), m.float32))
    assert stacked(tfx) == stacked(tf)


def test_errors_match_tensorflow():
    for m in (tf, tfx):
        with pytest.raises(m.errors.InvalidArgumentError, match="Rank of input SparseTensor"):
            m.io.serialize_many_sparse(m.SparseTensor([[0]], [1.], [2]))
        with pytest.raises(m.errors.InvalidArgumentError, match="Requested SparseTensor of "
                                                                "type int32"):
            m.io.deserialize_many_sparse(m.io.serialize_many_sparse(_sp(m)), m.int32)


JSON = ['{"features": {"feature": {"a": {"int64List": {"value": ["1", 2, "-3"]}}, '
        '"b": {"floatList": {"value": [1.5, -0.25]}}, "c": {"bytesList": {"value": ["aGk="]}}, '
        '"e": {"int64_list": {}}}}}',
        '{"features": {}}', '{}']


def test_decode_json_example_bytes_match_tensorflow():
    got = tfx.io.decode_json_example(JSON).numpy().tolist()
    assert got == tf.io.decode_json_example(JSON).numpy().tolist()
    parsed = tfx.io.parse_single_example(got[0], {
        "a": tfx.io.VarLenFeature(tfx.int64), "b": tfx.io.FixedLenFeature([2], tfx.float32)})
    assert parsed["a"].values.numpy().tolist() == [1, 2, -3]
    np.testing.assert_array_equal(parsed["b"].numpy(), [1.5, -0.25])
    assert tfx.io.decode_json_example([[JSON[1]]]).shape == (1, 1)


@pytest.mark.parametrize("bad", ['{"x": 1}', "not json",
                                 '{"features": {"feature": {"a": {"oddList": {}}}}}'])
def test_decode_json_example_errors(bad):
    for m in (tf, tfx):
        with pytest.raises(m.errors.InvalidArgumentError, match="Error while parsing JSON"):
            m.io.decode_json_example([bad])


def test_match_filenames_once(tmp_path):
    for n in ("b.txt", "a.txt", "c.dat"):
        (tmp_path / n).write_text("x")
    v = tfx.io.match_filenames_once(str(tmp_path / "*.txt"))
    assert isinstance(v, tfx.Variable) and not v.trainable
    assert [p.decode() for p in v.numpy()] == [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]
    want = tf.io.match_filenames_once(str(tmp_path / "*.txt")).numpy().tolist()
    assert v.numpy().tolist() == want
