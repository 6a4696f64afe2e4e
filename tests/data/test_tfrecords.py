"""TFRecord files and tf.train.Example: tfx writes what TensorFlow reads and reads what it
writes (records, compression, Example bytes), and a parsing pipeline feeds fit."""
import os

import numpy as np
import pytest

import tfx

T = tfx.train


def _example(i):
    return T.Example(features=T.Features(feature={
        "x": T.Feature(float_list=T.FloatList(value=[i, i * 0.5])),
        "y": T.Feature(int64_list=T.Int64List(value=[i % 2])),
        "name": T.Feature(bytes_list=T.BytesList(value=[f"r{i}".encode()])),
    }))


def test_example_round_trip_by_hand():
    ex = _example(3)
    back = T.Example.FromString(ex.SerializeToString())
    assert back == ex
    assert back.features.feature["x"].float_list.value == [3.0, 1.5]
    assert back.features.feature["y"].WhichOneof("kind") == "int64_list"
    neg = T.Int64List(value=[-1, 2 ** 62])
    assert T.Int64List.FromString(neg.SerializeToString()).value == [-1, 2 ** 62]
    seq = T.SequenceExample(
        context=T.Features(feature={"id": T.Feature(int64_list=T.Int64List(value=[7]))}),
        feature_lists=T.FeatureLists(feature_list={"tok": T.FeatureList(feature=[
            T.Feature(int64_list=T.Int64List(value=[1])),
            T.Feature(int64_list=T.Int64List(value=[2, 3]))])}))
    again = T.SequenceExample.FromString(seq.SerializeToString())
    assert [f.int64_list.value for f in again.feature_lists.feature_list["tok"].feature] == \
        [[1], [2, 3]]
    with pytest.raises(ValueError, match="one kind"):
        T.Feature(bytes_list=T.BytesList(), int64_list=T.Int64List())


@pytest.mark.parametrize("compression", ["", "GZIP", "ZLIB"])
def test_records_round_trip_and_fit(tmp_path, compression):
    path = str(tmp_path / "data.tfrecord")
    with tfx.io.TFRecordWriter(path, compression) as w:
        for i in range(10):
            w.write(_example(i).SerializeToString())
    spec = {"x": tfx.io.FixedLenFeature([2], tfx.float32),
            "y": tfx.io.FixedLenFeature([], tfx.int64)}
    ds = tfx.data.TFRecordDataset(path, compression_type=compression)
    records = [bytes(r.numpy()) for r in ds]
    assert len(records) == 10 and T.Example.FromString(records[4]) == _example(4)
    parsed = ds.map(lambda r: tfx.io.parse_single_example(r, spec)).map(
        lambda d: (d["x"], d["y"])).batch(4)
    xs = np.concatenate([x.numpy() for x, _ in parsed])
    np.testing.assert_allclose(xs[:, 1], np.arange(10) * 0.5)
    K = tfx.keras
    model = K.Sequential([K.Input((2,)), K.layers.Dense(2)])
    model.compile("sgd", K.losses.SparseCategoricalCrossentropy(from_logits=True))
    assert len(model.fit(parsed, epochs=2, verbose=0).history["loss"]) == 2


def test_corrupt_and_truncated_files_are_refused(tmp_path):
    path = tmp_path / "d.tfrecord"
    with tfx.io.TFRecordWriter(str(path)) as w:
        w.write(b"hello world")
    data = bytearray(path.read_bytes())
    data[14] ^= 0xFF
    (tmp_path / "bad.tfrecord").write_bytes(bytes(data))
    with pytest.raises(tfx.errors.DataLossError, match="corrupted"):
        list(tfx.data.TFRecordDataset(str(tmp_path / "bad.tfrecord")))
    (tmp_path / "cut.tfrecord").write_bytes(path.read_bytes()[:-3])
    with pytest.raises(tfx.errors.DataLossError, match="truncated"):
        list(tfx.data.TFRecordDataset(str(tmp_path / "cut.tfrecord")))


def test_fixed_length_records(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"HDR" + bytes(range(12)) + b"FT")
    ds = tfx.data.FixedLengthRecordDataset(str(path), 4, header_bytes=3, footer_bytes=2)
    assert [bytes(r.numpy()) for r in ds] == [bytes(range(i, i + 4)) for i in (0, 4, 8)]


def test_interchange_with_tensorflow(tmp_path):
    tf = pytest.importorskip("tensorflow")
    for comp in ("", "GZIP", "ZLIB"):
        theirs = str(tmp_path / f"tf{comp}.tfrecord")
        with tf.io.TFRecordWriter(theirs, comp) as w:
            for i in range(3):
                w.write(tf.train.Example.FromString(_example(i).SerializeToString())
                        .SerializeToString())
        got = [T.Example.FromString(bytes(r.numpy()))
               for r in tfx.data.TFRecordDataset(theirs, compression_type=comp)]
        assert got == [_example(i) for i in range(3)]
        ours = str(tmp_path / f"tfx{comp}.tfrecord")
        with tfx.io.TFRecordWriter(ours, comp) as w:
            for i in range(3):
                w.write(_example(i).SerializeToString())
        read = [tf.train.Example.FromString(r.numpy())
                for r in tf.data.TFRecordDataset(ours, compression_type=comp)]
        assert [r.features.feature["name"].bytes_list.value[0] for r in read] == \
            [b"r0", b"r1", b"r2"]
    ex = _example(5)
    assert tf.train.Example.FromString(ex.SerializeToString()).SerializeToString(
        deterministic=True) == ex.SerializeToString()
    path = str(tmp_path / "fixed.bin")
    with open(path, "wb") as f:
        f.write(os.urandom(2 + 5 * 3))
    ours = [bytes(r.numpy()) for r in tfx.data.FixedLengthRecordDataset(path, 5, 2)]
    theirs = [r.numpy() for r in tf.data.FixedLengthRecordDataset(path, 5, 2)]
    assert ours == theirs
