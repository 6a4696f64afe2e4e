"""tfx.io, tfx.summary and tfx.bitwise: real files read back with real readers (TensorBoard's
EventAccumulator, TensorFlow's parse_tensor when installed)."""
import os

import numpy as np
import pytest

import tfx as tf


def test_read_write_and_gfile(tmp_path):
    path = str(tmp_path / "a.bin")
    tf.io.write_file(path, b"\x00\x01hello")
    data = tf.io.read_file(path)
    assert data.dtype is tf.string and data.numpy() == b"\x00\x01hello"
    with pytest.raises(tf.errors.NotFoundError):
        tf.io.read_file(str(tmp_path / "missing"))
    g = tf.io.gfile
    sub = str(tmp_path / "x" / "y")
    g.makedirs(sub)
    assert g.isdir(sub) and g.exists(sub)
    with g.GFile(os.path.join(sub, "t.txt"), "w") as f:
        f.write("line1\nline2\n")
    with g.GFile(os.path.join(sub, "t.txt")) as f:
        assert f.read() == "line1\nline2\n"
    assert list(g.GFile(os.path.join(sub, "t.txt"), "rb"))[0] == b"line1\n"
    assert g.GFile(os.path.join(sub, "t.txt")).size() == 12
    assert g.listdir(sub) == ["t.txt"]
    g.rename(os.path.join(sub, "t.txt"), os.path.join(sub, "u.txt"))
    g.copy(os.path.join(sub, "u.txt"), os.path.join(sub, "v.txt"))
    with pytest.raises(tf.errors.AlreadyExistsError):
        g.copy(os.path.join(sub, "u.txt"), os.path.join(sub, "v.txt"))
    assert g.glob(os.path.join(sub, "*.txt")) == [os.path.join(sub, "u.txt"),
                                                  os.path.join(sub, "v.txt")]
    assert tf.io.matching_files(os.path.join(sub, "u*")).numpy().tolist() == [
        os.path.join(sub, "u.txt").encode()]
    g.remove(os.path.join(sub, "u.txt"))
    with pytest.raises(tf.errors.NotFoundError):
        g.remove(os.path.join(sub, "u.txt"))
    with pytest.raises(tf.errors.NotFoundError):
        g.GFile(os.path.join(sub, "nope")).read()
    g.rmtree(str(tmp_path / "x"))
    assert not g.exists(sub)


def test_decode_csv():
    recs = ["1,2.5,a", '2,,"b,c"', "3,4,"]
    cols = tf.io.decode_csv(recs, [tf.constant([], tf.int32), tf.constant([0.0], tf.float64),
                                   tf.constant(["z"])])
    assert [c.dtype for c in cols] == [tf.int32, tf.float64, tf.string]
    assert cols[0].numpy().tolist() == [1, 2, 3]
    assert cols[1].numpy().tolist() == [2.5, 0.0, 4.0]
    assert cols[2].numpy().tolist() == [b"a", b"b,c", b"z"]
    picked = tf.io.decode_csv(["1;x;7"], [[0], [0]], field_delim=";", select_cols=[0, 2])
    assert [p.numpy().tolist() for p in picked] == [[1], [7]]
    with pytest.raises(tf.errors.InvalidArgumentError, match="required"):
        tf.io.decode_csv([",1"], [tf.constant([], tf.int32), [1]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Expect 1 fields"):
        tf.io.decode_csv(["1,2"], [[1]])
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.io.decode_csv(["abc"], [[1]])
    na = tf.io.decode_csv(["NA,3"], [[-1.0], [0.0]], na_value="NA")
    assert na[0].numpy().tolist() == [-1.0]


@pytest.mark.parametrize("value", [np.arange(6, dtype=np.float32).reshape(2, 3),
                                   np.array([1 + 2j], np.complex128), np.array(True),
                                   np.arange(4, dtype=np.uint16), np.float64(3.5)])
def test_serialize_parse_round_trip(value):
    s = tf.io.serialize_tensor(value)
    assert s.dtype is tf.string and s.shape == ()
    back = tf.io.parse_tensor(s, tf.as_dtype(value.dtype))
    np.testing.assert_array_equal(back.numpy(), value)
    assert back.shape == value.shape


def test_serialize_strings_and_errors():
    v = tf.constant([b"ab", b"", b"\xff"])
    back = tf.io.parse_tensor(tf.io.serialize_tensor(v), tf.string)
    assert back.numpy().tolist() == [b"ab", b"", b"\xff"]
    with pytest.raises(tf.errors.InvalidArgumentError, match="Type mismatch"):
        tf.io.parse_tensor(tf.io.serialize_tensor(np.ones(2, np.float32)), tf.int32)
    raw = tf.io.decode_raw(tf.constant([b"\x01\x02\x03\x04", b"\x05\x00\x06\x07"]),
                           tf.int16)
    assert raw.numpy().tolist() == [[0x0201, 0x0403], [5, 0x0706]]
    enc = tf.io.encode_base64(tf.constant([b"hi?>"]))
    assert enc.numpy().tolist() == [b"aGk_Pg"]
    assert tf.io.decode_base64(enc).numpy().tolist() == [b"hi?>"]


def test_tensorflow_reads_our_tensors_and_back():
    T = pytest.importorskip("tensorflow")
    for v in (np.arange(6, dtype=np.float32).reshape(2, 3), np.array([b"ab", b"c"]),
              np.arange(3, dtype=np.int64)):
        dt = T.string if v.dtype.kind == "S" else T.as_dtype(v.dtype)
        mine = tf.io.serialize_tensor(v).numpy()
        assert mine == T.io.serialize_tensor(v).numpy()
        np.testing.assert_array_equal(T.io.parse_tensor(mine, dt).numpy(), v)
    scalar_proto = T.io.serialize_tensor(T.constant(2.5)).numpy()
    assert float(tf.io.parse_tensor(scalar_proto, tf.float32)) == 2.5
    recs = ["1,2.5,a", '2,,"b,c"']
    want = T.io.decode_csv(recs, [T.constant([], T.int32), T.constant([0.0]), T.constant(["z"])])
    got = tf.io.decode_csv(recs, [tf.constant([], tf.int32), tf.constant([0.0]),
                                  tf.constant(["z"])])
    for a, b in zip(got, want):
        assert a.numpy().tolist() == b.numpy().tolist()


def _read_events(logdir):
    ea = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    from tensorboard.util import tensor_util
    acc = ea.EventAccumulator(str(logdir), size_guidance={"tensors": 0})
    acc.Reload()
    out = {}
    for tag in acc.Tags()["tensors"]:
        out[tag] = [(e.step, tensor_util.make_ndarray(e.tensor_proto)) for e in acc.Tensors(tag)]
    return acc, out


def test_summaries_written_and_read_back(tmp_path):
    w = tf.summary.create_file_writer(str(tmp_path))
    assert not bool(tf.summary.scalar("ignored", 1.0, step=0))  # no default writer
    with w.as_default(step=3):
        assert bool(tf.summary.scalar("loss", tf.constant(0.5)))
        tf.summary.scalar("loss", 0.25, step=4, description="training loss")
        tf.summary.histogram("h", np.arange(10.0), step=4, buckets=4)
        tf.summary.histogram("one", [1.0, 1.0, 1.0], step=4, buckets=3)
        tf.summary.image("img", np.random.default_rng(0).random((2, 4, 5, 3)), step=1,
                         max_outputs=1)
        tf.summary.text("t", "hello", step=2)
        wave_in = (np.sin(np.linspace(0, 20, 50)) * 1.2).reshape(1, 50, 1)
        tf.summary.audio("snd", np.concatenate([wave_in, wave_in * 0.5]), 8000, step=5,
                         max_outputs=1)
        with tf.summary.record_if(False):
            assert not bool(tf.summary.scalar("skipped", 1.0))
            assert not bool(tf.summary.should_record_summaries())
        with tf.summary.record_if(lambda: True):
            assert bool(tf.summary.should_record_summaries())
    with w.as_default():
        with pytest.raises(ValueError, match="No step set"):
            tf.summary.scalar("x", 1.0)
        step = tf.Variable(7, dtype=tf.int64)
        tf.summary.experimental.set_step(step)
        assert tf.summary.experimental.get_step() is step
        tf.summary.scalar("at_variable_step", 2.0)
        tf.summary.experimental.set_step(None)
        from tensorboardX.proto.summary_pb2 import Summary
        raw = Summary(value=[Summary.Value(tag="raw", simple_value=1.5)]).SerializeToString()
        assert bool(tf.summary.experimental.write_raw_pb(raw, step=9))
    w.close()
    acc, ev = _read_events(tmp_path)
    assert ev["loss"][0][0] == 3 and float(ev["loss"][0][1]) == 0.5
    assert ev["loss"][1][0] == 4 and ev["loss"][0][1].dtype == np.float32
    assert acc.SummaryMetadata("loss").plugin_data.plugin_name == "scalars"
    np.testing.assert_allclose(ev["h"][0][1], [[0, 2.25, 3], [2.25, 4.5, 2], [4.5, 6.75, 2],
                                                [6.75, 9, 3]])
    np.testing.assert_allclose(ev["one"][0][1], [[1, 1, 0], [1, 1, 0], [1, 1, 3]])
    img = ev["img"][0][1]
    assert img.shape == (3,) and img[0] == b"5" and img[1] == b"4"
    decoded = tf.image.decode_png(img[2]).numpy()
    assert decoded.shape == (4, 5, 3)
    assert ev["t"][0][1] == b"hello"
    assert acc.SummaryMetadata("t").plugin_data.plugin_name == "text"
    assert ev["at_variable_step"][0][0] == 7
    snd = ev["snd"][0][1]
    assert snd.shape == (1, 2) and snd[0, 1] == b""
    assert acc.SummaryMetadata("snd").plugin_data.plugin_name == "audio"
    import io
    import wave
    with wave.open(io.BytesIO(snd[0, 0])) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 8000)
        pcm = np.frombuffer(wav.readframes(50), "<i2")
    want = np.clip(np.rint(np.clip(wave_in[0, :, 0], -1, 1) * 32768), -32768, 32767)
    np.testing.assert_array_equal(pcm, want)
    assert "skipped" not in ev and "ignored" not in ev
    assert acc.Scalars("raw")[0].step == 9 and acc.Scalars("raw")[0].value == 1.5


def test_bitwise():
    a = np.array([1, -3, 2 ** 30, 5], np.int32)
    s = np.array([3, 2, 2, 40], np.int32)
    assert tf.bitwise.left_shift(a, s).numpy().tolist() == [8, -12, 0, -2 ** 31]
    r = tf.bitwise.right_shift(np.array([-16, 16, 7], np.int8), np.array([2, 9, -1], np.int8))
    assert r.numpy().tolist() == [-4, 0, 7]
    x, y = np.array([12, 10], np.uint8), np.array([10, 6], np.uint8)
    assert tf.bitwise.bitwise_and(x, y).numpy().tolist() == [8, 2]
    assert tf.bitwise.bitwise_or(x, y).numpy().tolist() == [14, 14]
    assert tf.bitwise.bitwise_xor(x, y).numpy().tolist() == [6, 12]
    assert tf.bitwise.invert(x).numpy().tolist() == [243, 245]
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.bitwise.left_shift(np.array([1.0]), np.array([1.0]))
    T = pytest.importorskip("tensorflow")
    np.testing.assert_array_equal(tf.bitwise.left_shift(a, s).numpy(),
                                  T.bitwise.left_shift(a, s).numpy())


def _read_records(path, opener=open):
    import struct
    out = []
    with opener(path, "rb") as f:
        data = f.read()
    pos = 0
    while pos < len(data):
        (n,) = struct.unpack("<Q", data[pos:pos + 8])
        out.append(data[pos + 12:pos + 12 + n])
        pos += 12 + n + 4
    return out


def test_tfrecord_writer_and_compression(tmp_path):
    import gzip
    import zlib
    records = [b"hello", b"", b"x" * 1000]
    plain = str(tmp_path / "plain.tfrecord")
    with tf.io.TFRecordWriter(plain) as w:
        for r in records:
            w.write(r)
        w.write(tf.constant(b"tensor"))
    assert _read_records(plain) == records + [b"tensor"]
    # the masked CRC-32C of the 8-byte length header, as TensorFlow computes it
    from tensorboardX.record_writer import masked_crc32c
    raw = open(plain, "rb").read()
    assert raw[8:12] == masked_crc32c(raw[:8]).to_bytes(4, "little")
    gz = str(tmp_path / "g.tfrecord")
    with tf.io.TFRecordWriter(gz, tf.io.TFRecordOptions("GZIP")) as w:
        w.write(b"abc")
    assert _read_records(gz, gzip.open) == [b"abc"]
    zl = str(tmp_path / "z.tfrecord")
    with tf.io.TFRecordWriter(zl, "ZLIB") as w:
        w.write(b"abc")
    assert zlib.decompress(open(zl, "rb").read())[12:15] == b"abc"
    with pytest.raises(ValueError):
        tf.io.TFRecordOptions("LZ4")
    # gzip ends in NUL bytes, which a string tensor built from Python bytes must keep
    assert tf.io.decode_compressed(tf.constant([gzip.compress(b"xy")]), "GZIP").numpy(
        ).tolist() == [b"xy"]
    packed = np.array([zlib.compress(b"abc"), gzip.compress(b"de")], dtype=object)
    assert tf.io.decode_compressed(packed[:1], "ZLIB").numpy().tolist() == [b"abc"]
    assert tf.io.decode_compressed(packed[1:], "GZIP").numpy().tolist() == [b"de"]
    st = tf.io.gfile.stat(plain)
    assert st.length == len(raw) and not st.is_directory and st.mtime_nsec > 0
    assert tf.io.gfile.join("a", "b") == os.path.join("a", "b")
    T = pytest.importorskip("tensorflow")
    for path, kind in ((plain, ""), (gz, "GZIP"), (zl, "ZLIB")):
        got = [r.numpy() for r in T.data.TFRecordDataset(path, compression_type=kind)]
        assert got == (records + [b"tensor"] if kind == "" else [b"abc"])


def _pb_varint(n):
    out = b""
    n &= (1 << 64) - 1
    while True:
        b, n = n & 0x7F, n >> 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def _pb_len(field, payload):
    return _pb_varint(field << 3 | 2) + _pb_varint(len(payload)) + payload


def _example(features):
    """A serialized tf.train.Example, written by hand from the wire format."""
    entries = b""
    for key, values in features.items():
        if isinstance(values[0], float):
            lst = _pb_len(1, np.asarray(values, "<f4").tobytes())
            feat = _pb_len(2, lst)
        elif isinstance(values[0], int):
            lst = _pb_len(1, b"".join(_pb_varint(v) for v in values))
            feat = _pb_len(3, lst)
        else:
            feat = _pb_len(1, b"".join(_pb_len(1, v) for v in values))
        entries += _pb_len(1, _pb_len(1, key.encode()) + _pb_len(2, feat))
    return _pb_len(1, entries)


def test_parse_example_records():
    recs = [_example({"x": [1.0, 2.5], "n": [3, -7, 2 ** 40], "w": [b"a", b"bc"], "id": [5]}),
            _example({"x": [0.5, -1.0], "n": [1], "w": [b"z"], "id": [6]})]
    specs = {"x": tf.io.FixedLenFeature([2], tf.float32),
             "id": tf.io.FixedLenFeature([], tf.int64),
             "n": tf.io.VarLenFeature(tf.int64), "w": tf.io.VarLenFeature(tf.string),
             "miss": tf.io.FixedLenFeature([2], tf.float32, default_value=[9.0, 8.0])}
    out = tf.io.parse_example(np.array(recs, dtype=object), specs)
    assert out["x"].numpy().tolist() == [[1.0, 2.5], [0.5, -1.0]]
    assert out["id"].dtype is tf.int64 and out["id"].numpy().tolist() == [5, 6]
    assert out["miss"].numpy().tolist() == [[9.0, 8.0], [9.0, 8.0]]
    n = out["n"]
    assert n.indices.numpy().tolist() == [[0, 0], [0, 1], [0, 2], [1, 0]]
    assert n.values.numpy().tolist() == [3, -7, 2 ** 40, 1]
    assert n.dense_shape.numpy().tolist() == [2, 3]
    assert out["w"].values.numpy().tolist() == [b"a", b"bc", b"z"]
    one = tf.io.parse_single_example(recs[0], specs)
    assert one["x"].shape == (2,) and int(one["id"]) == 5
    assert one["n"].dense_shape.numpy().tolist() == [3]
    with pytest.raises(tf.errors.InvalidArgumentError, match="required"):
        tf.io.parse_single_example(recs[0], {"nope": tf.io.FixedLenFeature([], tf.int64)})
    with pytest.raises(tf.errors.InvalidArgumentError, match="Data types"):
        tf.io.parse_single_example(recs[0], {"x": tf.io.FixedLenFeature([2], tf.int64)})
    with pytest.raises(tf.errors.InvalidArgumentError, match="values"):
        tf.io.parse_single_example(recs[0], {"x": tf.io.FixedLenFeature([3], tf.float32)})
    T = pytest.importorskip("tensorflow")
    made = T.train.Example(features=T.train.Features(feature={
        "f": T.train.Feature(float_list=T.train.FloatList(value=[0.25, -2.0])),
        "i": T.train.Feature(int64_list=T.train.Int64List(value=[-1, 7])),
        "s": T.train.Feature(bytes_list=T.train.BytesList(value=[b"hi"]))})).SerializeToString()
    got = tf.io.parse_single_example(made, {"f": tf.io.FixedLenFeature([2], tf.float32),
                                            "i": tf.io.FixedLenFeature([2], tf.int64),
                                            "s": tf.io.VarLenFeature(tf.string)})
    assert got["f"].numpy().tolist() == [0.25, -2.0] and got["i"].numpy().tolist() == [-1, 7]
    assert got["s"].values.numpy().tolist() == [b"hi"]
    theirs = T.io.parse_example(recs, {"x": T.io.FixedLenFeature([2], T.float32),
                                       "n": T.io.VarLenFeature(T.int64)})
    assert theirs["x"].numpy().tolist() == out["x"].numpy().tolist()
    assert theirs["n"].values.numpy().tolist() == n.values.numpy().tolist()
