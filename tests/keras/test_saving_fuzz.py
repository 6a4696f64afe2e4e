"""Property-based fuzzing of model files: truncated, byte-mutated and JSON-edited copies of a
real saved model either load or raise ModelFormatError / UnknownObjectError, within a time
bound per file. Nothing else escapes."""
import io
import json
import signal
import tempfile
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tfx as tf
from tfx.errors import ModelFormatError
from tfx.keras.saving import UnknownObjectError

SECONDS_PER_FILE = 5
FUZZ = settings(max_examples=60, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


class _Hang(BaseException):
    """Raised by the alarm; a BaseException so no ``except Exception`` in tfx can hide it."""


def _alarm(signum, frame):
    raise _Hang(f"loading took over {SECONDS_PER_FILE} s")


def _good_model_bytes():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 3)).astype("float32")
    model = tf.keras.Sequential([tf.keras.layers.Dense(4, activation="relu", input_shape=[3]),
                                 tf.keras.layers.Dense(2)])
    model.compile(loss="mse", optimizer="adam", metrics=["mae"])
    model.fit(x, x[:, :2], epochs=1, verbose=0)
    with tempfile.TemporaryDirectory() as d:
        model.save(f"{d}/m.tfx")
        with open(f"{d}/m.tfx", "rb") as f:
            return f.read()


GOOD = _good_model_bytes()
with zipfile.ZipFile(io.BytesIO(GOOD)) as _z:
    ENTRIES = {n: _z.read(n) for n in _z.namelist()}
CONFIG = json.loads(ENTRIES["config.json"])


@pytest.fixture(scope="module")
def target(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz") / "fuzzed.tfx"


def _check(path, data):
    path.write_bytes(data)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, SECONDS_PER_FILE)
    try:
        tf.keras.models.load_model(path)
    except (ModelFormatError, UnknownObjectError) as e:
        assert str(e)  # every refusal says why
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _rezip(entries):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


def _mutate(data, edits):
    out = bytearray(data)
    for pos, value in edits:
        if out:
            out[pos % len(out)] = value
    return bytes(out)


def test_the_unmutated_file_loads(target):
    _check(target, GOOD)
    model = tf.keras.models.load_model(target)
    assert model.compiled


@FUZZ
@given(st.integers(0, len(GOOD) - 1))
def test_truncated_files(target, n):
    _check(target, GOOD[:n])


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(GOOD) - 1), st.integers(0, 255)), min_size=1,
                max_size=8))
def test_byte_mutated_files(target, edits):
    _check(target, _mutate(GOOD, edits))


@FUZZ
@given(st.sampled_from(sorted(ENTRIES)),
       st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), min_size=1,
                max_size=6),
       st.one_of(st.none(), st.integers(0, 1 << 20)))
def test_mutated_entries_with_valid_zip(target, name, edits, cut):
    data = _mutate(ENTRIES[name], edits)
    if cut is not None:
        data = data[:cut % (len(data) + 1)]
    _check(target, _rezip({**ENTRIES, name: data}))


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10 ** 12, 10 ** 12) |
    st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12) |
    st.sampled_from(["os.system", "builtins.eval", "Dense", "function", "__lambda__",
                     "Sequential", "Functional", "relu", "adam", "mse"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["class_name", "config", "module", "registered_name", "name",
                         "units", "layers", "shape"]) | st.text(max_size=6), inner, max_size=4),
    max_leaves=8)


def _paths(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, prefix + (i,))


PATHS = [p for p in _paths(CONFIG) if p]


def _replace(obj, path, value):
    obj = json.loads(json.dumps(obj))
    node = obj
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return obj


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(PATHS), _JSON), min_size=1, max_size=3))
def test_config_values_replaced(target, replacements):
    config = CONFIG
    for path, value in replacements:
        try:
            config = _replace(config, path, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier replacement removed this path
    text = json.dumps(config, allow_nan=True).encode()
    _check(target, _rezip({**ENTRIES, "config.json": text}))
