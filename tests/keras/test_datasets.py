"""tfx.keras.datasets: Keras' loaders over files in a private KERAS_HOME (real files in the
layout and format of the published ones; their hashes are the published files', so each test
points the loader at its file through the hash-free parsing functions or a matching cache)."""
import gzip
import hashlib
import io
import os
import pickle
import tarfile

import numpy as np
import pytest

import tfx

D = tfx.keras.datasets


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    (tmp_path / "datasets").mkdir()
    return tmp_path / "datasets"


def test_names_and_modules():
    assert sorted(D.__all__) == ["boston_housing", "california_housing", "cifar10", "cifar100",
                                 "fashion_mnist", "imdb", "mnist", "reuters"]
    import tfx.keras.datasets.mnist as m
    assert m.load_data is D.mnist.load_data


def test_npz_with_object_arrays_is_read_without_pickle_globals(tmp_path):
    seqs = np.empty(3, dtype=object)
    seqs[:] = [[1, 5, 7], [2], [9, 9]]
    np.savez(tmp_path / "s.npz", x=seqs, y=np.array([0, 1, 0]))
    from tfx.keras.datasets._files import load_npz
    f = load_npz(str(tmp_path / "s.npz"))
    assert [list(s) for s in f["x"]] == [[1, 5, 7], [2], [9, 9]]
    assert f["y"].tolist() == [0, 1, 0]

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))
    bad = np.empty(1, dtype=object)
    bad[0] = Evil()
    np.savez(tmp_path / "bad.npz", x=bad)
    with pytest.raises(pickle.UnpicklingError, match="refusing to load posix.system|"
                       "refusing to load os.system|refusing to load nt.system"):
        load_npz(str(tmp_path / "bad.npz"))


def _cifar_batch(path, n, label_key, seed):
    rng = np.random.RandomState(seed)
    d = {b"data": rng.randint(0, 256, (n, 3072)).astype(np.uint8),
         label_key.encode(): rng.randint(0, 10, n).tolist(), b"batch_label": b"x"}
    with open(path, "wb") as f:
        pickle.dump(d, f, protocol=4)


def test_cifar_batches_match_keras_parser(tmp_path):
    _cifar_batch(tmp_path / "b", 7, "labels", 0)
    from tfx.keras.datasets._cifar import load_batch
    x, y = load_batch(str(tmp_path / "b"))
    assert x.shape == (7, 3, 32, 32) and x.dtype == np.uint8
    keras = pytest.importorskip("keras")
    from keras.src.datasets.cifar import load_batch as keras_load_batch
    kx, ky = keras_load_batch(str(tmp_path / "b"))
    np.testing.assert_array_equal(x, kx)
    assert list(y) == list(ky)


def test_cifar10_from_a_cached_archive(home, monkeypatch):
    # The archive in Keras 3's cache layout (fname "cifar-10-batches-py-target" extracted
    # into that folder); its hash is the published one only for the real file, so the
    # extracted folder is what a warm cache holds.
    inner = home / "cifar-10-batches-py-target" / "cifar-10-batches-py"
    inner.mkdir(parents=True)
    for i in range(1, 6):
        _cifar_batch(inner / f"data_batch_{i}", 4, "labels", i)
    _cifar_batch(inner / "test_batch", 3, "labels", 9)
    archive = home / "cifar-10-batches-py-target_archive"
    with tarfile.open(archive, "w:gz") as t:
        t.add(inner, arcname="cifar-10-batches-py")
    import tfx.keras.datasets._cifar as c
    real_hash = hashlib.sha256(archive.read_bytes()).hexdigest()
    monkeypatch.setattr(D.cifar10, "folder", lambda dirname, origin, file_hash, inner:
                        c.folder(dirname, origin, real_hash, inner))
    (x_train, y_train), (x_test, y_test) = D.cifar10.load_data()
    assert x_train.shape == (20, 32, 32, 3) and y_train.shape == (20, 1)
    assert x_test.shape == (3, 32, 32, 3) and y_test.dtype == np.uint8
    from tfx.keras.datasets._cifar import load_batch
    first, labels = load_batch(str(inner / "data_batch_1"))
    np.testing.assert_array_equal(x_train[:4], first.transpose(0, 2, 3, 1))
    assert y_train[:4, 0].tolist() == list(labels)


def test_mnist_and_housing_from_cache(home, monkeypatch):
    rng = np.random.RandomState(0)
    buf = io.BytesIO()
    arrays = dict(x_train=rng.randint(0, 255, (5, 28, 28)).astype(np.uint8),
                  y_train=np.arange(5, dtype=np.uint8),
                  x_test=rng.randint(0, 255, (2, 28, 28)).astype(np.uint8),
                  y_test=np.arange(2, dtype=np.uint8))
    np.savez(buf, **arrays)
    (home / "mnist.npz").write_bytes(buf.getvalue())
    # The published hash does not match this file: get_file fetches it again (there is no
    # network here) and fails, rather than returning a file that is not MNIST.
    with pytest.raises((OSError, ValueError)):
        D.mnist.load_data()
    import tfx.keras.datasets.mnist as mnist
    import tfx.keras.datasets._housing as housing
    monkeypatch.setattr(mnist, "fetch", lambda path, file_hash: str(home / path))
    (a, b), (c, d) = mnist.load_data()
    np.testing.assert_array_equal(a, arrays["x_train"])
    np.testing.assert_array_equal(d, arrays["y_test"])

    buf = io.BytesIO()
    x = np.arange(50, dtype=np.float64).reshape(10, 5)
    y = np.arange(10, dtype=np.float64)
    np.savez(buf, x=x, y=y)
    (home / "california_housing.npz").write_bytes(buf.getvalue())
    monkeypatch.setattr(housing, "fetch", lambda path, origin, file_hash: str(home / path))
    (xt, yt), (xv, yv) = D.california_housing.load_data(test_split=0.2, seed=113)
    idx = np.arange(10)
    np.random.RandomState(113).shuffle(idx)
    np.testing.assert_array_equal(xt, x[idx][:8])
    np.testing.assert_array_equal(yv, y[idx][8:])
    (xs, _), (xv2, _) = D.california_housing.load_data(version="small", test_split=0.5)
    assert len(xs) + len(xv2) == 10  # fewer than 600 samples: all of them
    with pytest.raises(ValueError, match="version"):
        D.california_housing.load_data(version="medium")


def test_fashion_mnist_idx_files(home):
    folder = home / "fashion-mnist"
    folder.mkdir()
    rng = np.random.RandomState(1)
    imgs = {"train": rng.randint(0, 255, (6, 28, 28)).astype(np.uint8),
            "t10k": rng.randint(0, 255, (3, 28, 28)).astype(np.uint8)}
    for split, x in imgs.items():
        with gzip.open(folder / f"{split}-images-idx3-ubyte.gz", "wb") as f:
            f.write(b"\0" * 16 + x.tobytes())
        with gzip.open(folder / f"{split}-labels-idx1-ubyte.gz", "wb") as f:
            f.write(b"\0" * 8 + np.arange(len(x), dtype=np.uint8).tobytes())
    (x_train, y_train), (x_test, y_test) = D.fashion_mnist.load_data()
    np.testing.assert_array_equal(x_train, imgs["train"])
    np.testing.assert_array_equal(x_test, imgs["t10k"])
    assert y_train.tolist() == list(range(6)) and y_test.tolist() == [0, 1, 2]


def test_imdb_reindexing_and_filtering(home, monkeypatch):
    import tfx.keras.datasets.imdb as imdb
    x_train = np.empty(4, dtype=object)
    x_train[:] = [[1, 2, 3], [4, 50], [6], [7, 8, 9, 10]]
    x_test = np.empty(2, dtype=object)
    x_test[:] = [[11, 12], [13]]
    buf = io.BytesIO()
    np.savez(buf, x_train=x_train, y_train=np.array([0, 1, 0, 1]), x_test=x_test,
             y_test=np.array([1, 0]))
    (home / "imdb.npz").write_bytes(buf.getvalue())
    monkeypatch.setattr(imdb, "fetch", lambda path, file_hash: str(home / path))
    (a, ya), (b, yb) = imdb.load_data(num_words=12, maxlen=3)
    # shuffled by RandomState(113) per split; start 1, +3; ids >= 12 become 2; > maxlen dropped
    rng = np.random.RandomState(113)
    i = np.arange(4)
    rng.shuffle(i)
    j = np.arange(2)
    rng.shuffle(j)
    expect = [[1] + [w + 3 for w in x_train[k]] for k in i]
    expect = [[w if w < 12 else 2 for w in s] for s in expect if len(s) <= 3]
    assert [list(s) for s in a] == expect
    assert a.dtype == object
    expect_test = [[1] + [w + 3 for w in x_test[k]] for k in j]
    assert [list(s) for s in b] == [[w if w < 12 else 2 for w in s] for s in expect_test]
    with pytest.raises(ValueError, match="no sequence was kept"):
        imdb.load_data(maxlen=1)
