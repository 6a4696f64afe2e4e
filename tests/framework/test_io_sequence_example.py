"""tfx.io.parse_example / parse_single_example with FixedLenSequenceFeature, SparseFeature and
RaggedFeature, and parse_sequence_example / parse_single_sequence_example, against
TensorFlow on the same serialized records (values, dtypes, ragged/sparse structure, errors)."""
import numpy as np
import pytest

import tfx

tf = pytest.importorskip("tensorflow")


def _feature(kind, v):
    if kind == "int64":
        return tf.train.Feature(int64_list=tf.train.Int64List(value=v))
    if kind == "float":
        return tf.train.Feature(float_list=tf.train.FloatList(value=v))
    return tf.train.Feature(bytes_list=tf.train.BytesList(value=v))


def _example(**feats):
    return tf.train.Example(features=tf.train.Features(feature={
        k: _feature(*v) for k, v in feats.items()})).SerializeToString()


def _seq(context, lists):
    return tf.train.SequenceExample(
        context=tf.train.Features(feature={k: _feature(*v) for k, v in context.items()}),
        feature_lists=tf.train.FeatureLists(feature_list={
            k: tf.train.FeatureList(feature=[_feature(kind, s) for s in steps])
            for k, (kind, steps) in lists.items()})).SerializeToString()


EX = [_example(v=("int64", [1, 2, 3, 4]), idx=("int64", [3, 0]), val=("float", [.5, .25]),
               col=("int64", [1, 2]), r=("int64", [1, 2, 3]), len=("int64", [2, 1]),
               splits=("int64", [0, 1, 3]), w=("bytes", [b"a", b"b"]),
               starts=("int64", [0, 1]), limits=("int64", [1, 3]), rowids=("int64", [0, 1, 1])),
      _example(v=("int64", [5, 6]), idx=("int64", [1]), val=("float", [2.]),
               col=("int64", [0]), r=("int64", [4, 5]), len=("int64", [0, 2]),
               splits=("int64", [0, 2]), w=("bytes", []), starts=("int64", [0, 2]),
               limits=("int64", [2, 2]), rowids=("int64", [0, 0]))]

SEQ = [_seq({"id": ("int64", [7]), "name": ("bytes", [b"x"])},
            {"tok": ("int64", [[1], [2], [3]]), "vec": ("float", [[1., 2.], [3., 4.]]),
             "var": ("int64", [[1, 2], [], [3]]), "w": ("bytes", [[b"a"], [b"b", b"c"]])}),
       _seq({"id": ("int64", [8])},
            {"tok": ("int64", [[4]]), "vec": ("float", [[5., 6.]]), "var": ("int64", [[9]]),
             "w": ("bytes", [[b"d"]])})]


def plain(x):
    kind = type(x).__name__
    if kind == "SparseTensor":
        return ("sparse", plain(x.indices), plain(x.values), plain(x.dense_shape))
    if kind == "RaggedTensor":
        return ("ragged", x.dtype.name, x.row_splits.dtype.name, x.to_list())
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    a = np.asarray(x.numpy())
    return (x.dtype.name, a.shape, a.tolist())


def same(program):
    def run(m):
        try:
            return plain(program(m)), None
        except Exception as e:  # noqa: BLE001 - the class is compared
            return None, type(e).__name__
    want, got = run(tf), run(tfx)
    assert got == want
    return got


def test_fixed_len_sequence_feature_in_examples():
    same(lambda m: m.io.parse_example(EX, {
        "v": m.io.FixedLenSequenceFeature([2], m.int64, allow_missing=True),
        "r": m.io.FixedLenSequenceFeature([], m.int64, allow_missing=True, default_value=-1),
        "w": m.io.FixedLenSequenceFeature([], m.string, allow_missing=True),
        "missing": m.io.FixedLenSequenceFeature([], m.float32, allow_missing=True)}))
    same(lambda m: m.io.parse_single_example(EX[0], {
        "v": m.io.FixedLenSequenceFeature([], m.int64, allow_missing=True)}))
    same(lambda m: m.io.parse_example(EX, {
        "r": m.io.FixedLenSequenceFeature([2], m.int64, allow_missing=True)}))


def test_sparse_feature():
    same(lambda m: m.io.parse_example(EX, {"s": m.io.SparseFeature("idx", "val", m.float32, 5)}))
    same(lambda m: m.io.parse_example(EX, {"s": m.io.SparseFeature(["idx", "col"], "val",
                                                                   m.float32, [5, 4])}))
    same(lambda m: m.io.parse_single_example(EX[0], {"s": m.io.SparseFeature("idx", "val",
                                                                             m.float32, 5)}))
    same(lambda m: m.io.parse_example(EX, {"s": m.io.SparseFeature("idx", "val", m.float32,
                                                                   2)}))


def test_ragged_feature():
    R = lambda m: m.io.RaggedFeature  # noqa: E731
    same(lambda m: m.io.parse_example(EX, {
        "r": R(m)(m.int64), "w": R(m)(m.string), "vv": R(m)(m.int64, value_key="v"),
        "nested": R(m)(m.int64, value_key="r", partitions=[R(m).RowLengths("len")]),
        "missing": R(m)(m.float32)}))
    for part in ("RowSplits", "RowStarts", "RowLimits", "ValueRowIds"):
        key = {"RowSplits": "splits", "RowStarts": "starts", "RowLimits": "limits",
               "ValueRowIds": "rowids"}[part]
        same(lambda m: m.io.parse_example(EX, {"x": R(m)(
            m.int64, value_key="r", partitions=[getattr(R(m), part)(key)],
            row_splits_dtype=m.int64)}))
    same(lambda m: m.io.parse_example(EX, {
        "u": R(m)(m.int64, value_key="v", partitions=[R(m).UniformRowLength(2)])}))
    same(lambda m: m.io.parse_example(EX, {
        "two": R(m)(m.int64, value_key="r", partitions=[R(m).RowLengths("len"),
                                                        R(m).UniformRowLength(1)])}))
    same(lambda m: m.io.parse_single_example(EX[0], {
        "nested": R(m)(m.int64, value_key="r", partitions=[R(m).RowLengths("len")])}))


CTX = lambda m: {"id": m.io.FixedLenFeature([], m.int64),  # noqa: E731
                 "name": m.io.FixedLenFeature([], m.string, default_value="none"),
                 "r": m.io.RaggedFeature(m.int64)}
SEQF = lambda m: {"tok": m.io.FixedLenSequenceFeature([], m.int64),  # noqa: E731
                  "vec": m.io.FixedLenSequenceFeature([2], m.float32),
                  "var": m.io.VarLenFeature(m.int64), "w": m.io.RaggedFeature(m.string),
                  "missing": m.io.FixedLenSequenceFeature([], m.int64, allow_missing=True)}


def test_parse_sequence_example():
    same(lambda m: m.io.parse_sequence_example(SEQ, CTX(m), SEQF(m)))
    same(lambda m: m.io.parse_single_sequence_example(SEQ[0], CTX(m), SEQF(m)))
    same(lambda m: m.io.parse_sequence_example(m.constant(SEQ), None,
                                               {"tok": m.io.FixedLenSequenceFeature([],
                                                                                    m.int64)}))


@pytest.mark.parametrize("spec", ["missing_list", "bad_shape", "bad_dtype", "fixed_len",
                                  "default"])
def test_sequence_errors(spec):
    def program(m):
        f = {"missing_list": {"nope": m.io.FixedLenSequenceFeature([], m.int64)},
             "bad_shape": {"tok": m.io.FixedLenSequenceFeature([2], m.int64)},
             "bad_dtype": {"tok": m.io.FixedLenSequenceFeature([], m.float32)},
             "fixed_len": {"tok": m.io.FixedLenFeature([], m.int64)},
             "default": {"tok": m.io.FixedLenSequenceFeature([], m.int64,
                                                             default_value=-1)}}[spec]
        return m.io.parse_sequence_example(SEQ, None, f)
    assert same(program)[1] is not None


def test_written_by_tfx_train_sequence_example():
    T = tfx.train
    rec = T.SequenceExample(
        context=T.Features(feature={"id": T.Feature(int64_list=T.Int64List(value=[3]))}),
        feature_lists=T.FeatureLists(feature_list={"tok": T.FeatureList(feature=[
            T.Feature(int64_list=T.Int64List(value=[v])) for v in (5, 6)])}))
    ctx, lists = tfx.io.parse_single_sequence_example(
        rec.SerializeToString(), {"id": tfx.io.FixedLenFeature([], tfx.int64)},
        {"tok": tfx.io.FixedLenSequenceFeature([], tfx.int64)})
    assert int(ctx["id"]) == 3 and lists["tok"].numpy().tolist() == [5, 6]
