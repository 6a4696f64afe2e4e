"""tfx.saved_model constants (TensorFlow's values), Asset (copied into assets/, read by a loaded
function after the folder moves) and experimental.read_fingerprint/VariablePolicy."""
import os
import shutil

import pytest

import tfx

CONSTANTS = ["ASSETS_DIRECTORY", "ASSETS_KEY", "CLASSIFY_INPUTS", "CLASSIFY_METHOD_NAME",
             "CLASSIFY_OUTPUT_CLASSES", "CLASSIFY_OUTPUT_SCORES", "DEBUG_DIRECTORY",
             "DEBUG_INFO_FILENAME_PB", "GPU", "PREDICT_INPUTS", "PREDICT_METHOD_NAME",
             "PREDICT_OUTPUTS", "REGRESS_INPUTS", "REGRESS_METHOD_NAME", "REGRESS_OUTPUTS",
             "SAVED_MODEL_FILENAME_PB", "SAVED_MODEL_FILENAME_PBTXT", "TPU",
             "VARIABLES_DIRECTORY", "VARIABLES_FILENAME", "SERVING", "TRAINING",
             "DEFAULT_SERVING_SIGNATURE_DEF_KEY", "SAVED_MODEL_SCHEMA_VERSION"]


def test_constants_match_tensorflow():
    tf = pytest.importorskip("tensorflow")
    for name in CONSTANTS:
        assert getattr(tfx.saved_model, name) == getattr(tf.saved_model, name), name
    assert [p.value for p in tfx.saved_model.experimental.VariablePolicy] == \
        [p.value for p in tf.saved_model.experimental.VariablePolicy]


class Vocab(tfx.Module):
    def __init__(self, path):
        super().__init__()
        self.vocab = tfx.saved_model.Asset(path)

    @tfx.function(input_signature=[])
    def read(self):
        return tfx.io.read_file(self.vocab.asset_path)


def test_asset_copied_and_read_after_load(tmp_path):
    src = tmp_path / "vocab.txt"
    src.write_text("a\nb\nc\n")
    m = Vocab(str(src))
    assert m.read().numpy() == b"a\nb\nc\n"
    export = tmp_path / "model"
    tfx.saved_model.save(m, str(export))
    assert (export / "assets" / "vocab.txt").read_text() == "a\nb\nc\n"
    src.write_text("changed")   # the SavedModel holds its own copy
    moved = tmp_path / "moved"
    shutil.move(str(export), str(moved))
    loaded = tfx.saved_model.load(str(moved))
    path = loaded.vocab.asset_path.numpy().decode()
    assert path == os.path.join(str(moved), "assets", "vocab.txt")
    assert loaded.read().numpy() == b"a\nb\nc\n"
    assert loaded.signatures["serving_default"]()["output_0"].numpy() == b"a\nb\nc\n"
    # saving again over the folder replaces it (assets/ is part of a SavedModel)
    tfx.saved_model.save(m, str(moved))


def test_asset_names_made_unique_and_missing_file_refused(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "v.txt").write_text("1")
    (tmp_path / "b" / "v.txt").write_text("2")
    m = tfx.Module()
    m.assets = [tfx.saved_model.Asset(str(tmp_path / "a" / "v.txt")),
                tfx.saved_model.Asset(str(tmp_path / "b" / "v.txt"))]
    tfx.saved_model.save(m, str(tmp_path / "m"))
    assert sorted(os.listdir(tmp_path / "m" / "assets")) == ["v.txt", "v_1.txt"]
    loaded = tfx.saved_model.load(str(tmp_path / "m"))
    assert [open(a.asset_path.numpy().decode()).read() for a in loaded.assets] == ["1", "2"]
    os.remove(tmp_path / "m" / "assets" / "v_1.txt")
    with pytest.raises(tfx.errors.DataLossError, match="missing"):
        tfx.saved_model.load(str(tmp_path / "m"))
    bad = tfx.Module()
    bad.asset = tfx.saved_model.Asset(str(tmp_path / "nope.txt"))
    with pytest.raises(ValueError, match="not a file"):
        tfx.saved_model.save(bad, str(tmp_path / "bad"))


def test_read_fingerprint(tmp_path):
    m = tfx.Module()
    m.v = tfx.Variable([1., 2.])
    tfx.saved_model.save(m, str(tmp_path / "a"))
    tfx.saved_model.save(m, str(tmp_path / "b"))
    fa = tfx.saved_model.experimental.read_fingerprint(str(tmp_path / "a"))
    assert fa == tfx.saved_model.experimental.read_fingerprint(str(tmp_path / "b"))
    assert len(fa.singleprint().split("/")) == 4
    m.v.assign([3., 4.])
    tfx.saved_model.save(m, str(tmp_path / "c"))
    fc = tfx.saved_model.experimental.read_fingerprint(str(tmp_path / "c"))
    assert fc.checkpoint_hash != fa.checkpoint_hash
    assert fc.graph_def_program_hash == fa.graph_def_program_hash
    with pytest.raises(FileNotFoundError):
        tfx.saved_model.experimental.read_fingerprint(str(tmp_path / "none"))
