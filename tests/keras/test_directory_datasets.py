"""text_dataset_from_directory / image_dataset_from_directory: the same files, order, labels
and splits as Keras for a seed (Keras' file shuffle is a seeded RandomState, which tfx
repeats), and the same decoded and resized images."""
import numpy as np
import pytest

import tfx

U = tfx.keras.utils


@pytest.fixture
def text_dir(tmp_path):
    for cls, n in (("neg", 4), ("pos", 5), ("zzz", 0)):
        (tmp_path / cls).mkdir()
        for i in range(n):
            (tmp_path / cls / f"{i:02d}.txt").write_text(f"{cls} review number {i} " * 3)
    (tmp_path / "neg" / "notes.md").write_text("not a .txt file")
    (tmp_path / ".hidden").mkdir()
    return tmp_path


def _collect(ds):
    texts, labels = [], []
    for x, y in ds:
        texts += [bytes(v) for v in x.numpy()]
        labels += y.numpy().tolist()
    return texts, labels


def test_text_dataset_labels_order_and_splits(text_dir, capsys):
    ds = U.text_dataset_from_directory(str(text_dir), batch_size=4, shuffle=False)
    assert "Found 9 files belonging to 3 classes." in capsys.readouterr().out
    assert ds.class_names == ["neg", "pos", "zzz"]
    texts, labels = _collect(ds)
    assert labels == [0] * 4 + [1] * 5
    assert texts[0] == b"neg review number 0 " * 3
    assert ds.element_spec[0].dtype is tfx.string
    cut = U.text_dataset_from_directory(str(text_dir), batch_size=None, shuffle=False,
                                        max_length=3, label_mode="categorical", verbose=False)
    first = next(iter(cut))
    assert bytes(first[0].numpy()) == b"neg" and first[1].numpy().tolist() == [1, 0, 0]
    train, val = U.text_dataset_from_directory(str(text_dir), validation_split=0.34,
                                               subset="both", seed=7, verbose=False)
    t_texts, _ = _collect(train)
    v_texts, _ = _collect(val)
    assert len(v_texts) == 3 and len(t_texts) == 6 and not set(t_texts) & set(v_texts)
    with pytest.raises(ValueError, match="provide a `seed`"):
        U.text_dataset_from_directory(str(text_dir), validation_split=0.2, subset="training")
    with pytest.raises(ValueError, match="exactly 2"):
        U.text_dataset_from_directory(str(text_dir), label_mode="binary")
    with pytest.raises(ValueError, match="did not match"):
        U.text_dataset_from_directory(str(text_dir), class_names=["neg", "nope"])


def test_text_dataset_matches_keras_file_order_and_split(text_dir):
    keras = pytest.importorskip("keras")
    pytest.importorskip("tensorflow")
    for subset in ("training", "validation"):
        ours = U.text_dataset_from_directory(str(text_dir), validation_split=0.25,
                                             subset=subset, seed=123, verbose=False)
        theirs = keras.utils.text_dataset_from_directory(str(text_dir), validation_split=0.25,
                                                         subset=subset, seed=123,
                                                         verbose=False)
        from keras.src.utils import dataset_utils
        paths, labels, _ = dataset_utils.index_directory(str(text_dir), "inferred",
                                                         (".txt",), seed=123, verbose=False)
        paths, labels = dataset_utils.get_training_or_validation_split(paths, labels, 0.25,
                                                                       subset)
        assert ours.file_paths == list(paths)
        assert ours.class_names == theirs.class_names
        assert sorted(_collect(ours)[0]) == sorted(
            bytes(v) for x, _ in theirs for v in x.numpy())


def test_image_dataset_decodes_and_resizes_like_keras(tmp_path):
    rng = np.random.RandomState(0)
    for cls in ("cats", "dogs"):
        (tmp_path / cls).mkdir()
        for i in range(3):
            img = rng.randint(0, 256, (10 + i, 14, 3)).astype("float32")
            U.save_img(str(tmp_path / cls / f"{i}.png"), img, scale=False)
    ds = U.image_dataset_from_directory(str(tmp_path), image_size=(8, 6), batch_size=2,
                                        shuffle=False, verbose=False, label_mode="binary")
    xs = np.concatenate([x.numpy() for x, _ in ds])
    ys = np.concatenate([y.numpy() for _, y in ds])
    assert xs.shape == (6, 8, 6, 3) and xs.dtype == np.float32
    assert ys[:, 0].tolist() == [0, 0, 0, 1, 1, 1]
    gray = U.image_dataset_from_directory(str(tmp_path), image_size=(5, 5), shuffle=False,
                                          color_mode="grayscale", labels=None, verbose=False)
    assert next(iter(gray)).shape == (6, 5, 5, 1)
    keras = pytest.importorskip("keras")
    pytest.importorskip("tensorflow")
    theirs = keras.utils.image_dataset_from_directory(str(tmp_path), image_size=(8, 6),
                                                      batch_size=2, shuffle=False,
                                                      verbose=False, label_mode="binary")
    kx = np.concatenate([np.asarray(x) for x, _ in theirs])
    np.testing.assert_allclose(xs, kx, atol=1e-3)
    crop = U.image_dataset_from_directory(str(tmp_path), image_size=(8, 6), shuffle=False,
                                          crop_to_aspect_ratio=True, verbose=False)
    kcrop = keras.utils.image_dataset_from_directory(str(tmp_path), image_size=(8, 6),
                                                     shuffle=False, crop_to_aspect_ratio=True,
                                                     verbose=False)
    np.testing.assert_allclose(next(iter(crop))[0].numpy(), np.asarray(next(iter(kcrop))[0]),
                               atol=1e-3)
