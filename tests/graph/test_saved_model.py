"""tfx.saved_model: functions saved as data and run in a fresh process without their Python
classes; Keras export served at any batch size; TF's signature conventions; hostile folders
refused with clear errors; nothing half-written when a save fails."""
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import tfx
from tfx.errors import InvalidArgumentError, ModelFormatError
from tfx.saved_model.saver import CONSTANTS_FILE, GRAPH_FILE, VARIABLES_FILE

L = tfx.keras.layers


class Scaler(tfx.Module):
    def __init__(self):
        super().__init__()
        rng = np.random.default_rng(0)
        self.w = tfx.Variable(rng.normal(size=(3, 2)).astype(np.float32), name="w")
        self.b = tfx.Variable(np.array([0.5, -1.0], np.float32), name="b")
        self.steps = tfx.Variable(0, trainable=False, name="steps")

    @tfx.function(input_signature=[tfx.TensorSpec([None, 3], tfx.float32)])
    def __call__(self, x):
        return tfx.nn.relu(tfx.matmul(x, self.w) + self.b)

    @tfx.function(input_signature=[tfx.TensorSpec([None, 3], tfx.float32)])
    def scores(self, x):
        y = tfx.matmul(x, self.w)
        return {"sum": tfx.reduce_sum(y, axis=1), "max": tfx.reduce_max(y, axis=1)}


def _fresh_process(code, tmp_path):
    """Run ``code`` in a new interpreter (where the test's classes do not exist)."""
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent(code))
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                       timeout=120, cwd=str(tmp_path))
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout


def _x(n, d=3, seed=1):
    return np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)


# ---- round trips ------------------------------------------------------------------------------

def test_module_loads_and_runs_in_a_fresh_process(tmp_path):
    m = Scaler()
    path = tmp_path / "scaler"
    tfx.saved_model.save(m, str(path), signatures={"scores": m.scores,
                                                   "serving_default": m.__call__})
    assert sorted(os.listdir(path)) == sorted([GRAPH_FILE, VARIABLES_FILE, CONSTANTS_FILE])
    assert tfx.saved_model.contains_saved_model(path)
    from safetensors.numpy import load_file
    weights = load_file(str(path / VARIABLES_FILE))  # keyed by attribute path
    assert sorted(weights) == ["b", "steps", "w"]
    np.testing.assert_array_equal(weights["w"], m.w.numpy())
    assert not tfx.saved_model.contains_saved_model(tmp_path)
    xs = {n: _x(n, seed=n) for n in (1, 4, 9)}
    np.savez(tmp_path / "x.npz", **{str(n): x for n, x in xs.items()})
    _fresh_process(f"""
        import numpy as np, tfx
        loaded = tfx.saved_model.load({str(path)!r})
        xs = np.load("x.npz")
        out = {{}}
        for n in xs.files:
            out["call" + n] = loaded(xs[n]).numpy()
            s = loaded.signatures["scores"](x=xs[n])
            out["sum" + n], out["max" + n] = s["sum"].numpy(), s["max"].numpy()
            out["sd" + n] = loaded.signatures["serving_default"](x=xs[n])["output_0"].numpy()
        out["nvars"] = np.array(len(loaded.variables))
        out["ntrain"] = np.array(len(loaded.trainable_variables))
        np.savez("out.npz", **out)
        assert "Scaler" not in dir()
    """, tmp_path)
    out = np.load(tmp_path / "out.npz")
    for n, x in xs.items():
        np.testing.assert_allclose(out[f"call{n}"], m(x).numpy(), rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(out[f"sd{n}"], m(x).numpy(), rtol=1e-6, atol=1e-6)
        s = m.scores(x)
        np.testing.assert_allclose(out[f"sum{n}"], s["sum"].numpy(), rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(out[f"max{n}"], s["max"].numpy(), rtol=1e-6, atol=1e-6)
    assert int(out["nvars"]) == 3 and int(out["ntrain"]) == 2


def _keras_model():
    model = tfx.keras.Sequential([
        L.Input((8, 8, 3)), L.Conv2D(4, 3, activation="relu", padding="same"),
        L.BatchNormalization(), L.MaxPooling2D(), L.Dropout(0.4), L.Flatten(),
        L.Dense(6, activation="tanh"), L.Dense(3), L.Softmax()])
    model.compile("adam", "mse")
    rng = np.random.default_rng(3)
    model.fit(rng.normal(size=(32, 8, 8, 3)).astype(np.float32),
              rng.random((32, 3)).astype(np.float32), epochs=2, batch_size=8, verbose=0)
    return model


def test_keras_export_serves_any_batch_size_in_a_fresh_process(tmp_path):
    model = _keras_model()
    path = tmp_path / "exported"
    model.export(str(path))
    rng = np.random.default_rng(5)
    xs = {str(n): rng.normal(size=(n, 8, 8, 3)).astype(np.float32) for n in (1, 7, 64)}
    np.savez(tmp_path / "x.npz", **xs)
    _fresh_process(f"""
        import numpy as np, tfx
        loaded = tfx.saved_model.load({str(path)!r})
        xs = np.load("x.npz")
        out = {{}}
        for n in xs.files:
            out["serve" + n] = loaded.serve(xs[n]).numpy()
            sig = loaded.signatures["serving_default"]
            (name,) = sig.structured_input_signature[1]
            out["sig" + n] = sig(**{{name: xs[n]}})["output_0"].numpy()
        assert sorted(loaded.signatures) == ["serve", "serving_default"]
        np.savez("out.npz", **out)
    """, tmp_path)
    out = np.load(tmp_path / "out.npz")
    for n, x in xs.items():
        want = model.predict(x, verbose=0)
        np.testing.assert_allclose(out["serve" + n], want, atol=1e-6)
        np.testing.assert_allclose(out["sig" + n], want, atol=1e-6)


def test_functional_export_names_signature_inputs_and_keeps_weights(tmp_path):
    inp = L.Input((5,), name="features")
    out = L.Dense(2)(L.BatchNormalization()(L.Dense(4, activation="relu")(inp)))
    model = tfx.keras.Model(inp, out)
    model.export(str(tmp_path / "f"))
    loaded = tfx.saved_model.load(str(tmp_path / "f"))
    x = _x(11, 5)
    got = loaded.signatures["serve"](features=x)["output_0"].numpy()
    np.testing.assert_allclose(got, model.predict(x, verbose=0), atol=1e-6)
    assert len(loaded.variables) == len(model.variables)
    with pytest.raises(ValueError, match="Unrecognized format='onnx'"):
        model.export(str(tmp_path / "g"), format="onnx")
    assert sorted(v.shape.as_list() for v in loaded.trainable_variables) == sorted(
        v.shape.as_list() for v in model.trainable_variables)


def test_multi_input_export_shares_the_batch_dimension(tmp_path):
    a, b = L.Input((3,), name="a"), L.Input((2,), name="b")
    h = L.Concatenate()([a, b])
    model = tfx.keras.Model([a, b], [L.Dense(2)(h), L.Dense(1)(h)])
    model.export(str(tmp_path / "two"))
    loaded = tfx.saved_model.load(str(tmp_path / "two"))
    sig = loaded.signatures["serving_default"]
    assert sorted(sig.structured_input_signature[1]) == ["a", "b"]
    assert sorted(sig.structured_outputs) == ["output_0", "output_1"]
    x = [_x(5, 3), _x(5, 2)]
    want = model.predict(x, verbose=0)
    got = sig(a=x[0], b=x[1])
    np.testing.assert_allclose(got["output_1"].numpy(), want[1], atol=1e-6)
    np.testing.assert_allclose(loaded.serve(x)[0].numpy(), want[0], atol=1e-6)
    with pytest.raises(InvalidArgumentError, match="must have one size across its inputs"):
        sig(a=_x(5, 3), b=_x(4, 2))


def test_recurrent_export_follows_the_batch_size_of_its_zero_state(tmp_path):
    model = tfx.keras.Sequential([L.Input((5, 3)), L.GRU(4, return_sequences=True),
                                  L.LSTM(3), L.Dense(2)])
    model.export(str(tmp_path / "rnn"))  # the initial states are zeros of (batch, units)
    loaded = tfx.saved_model.load(str(tmp_path / "rnn"))
    for n in (1, 6):
        x = np.random.default_rng(n).normal(size=(n, 5, 3)).astype(np.float32)
        np.testing.assert_allclose(loaded.serve(x).numpy(), model.predict(x, verbose=0),
                                   atol=1e-6)


def test_gradients_flow_through_a_loaded_function(tmp_path):
    m = Scaler()
    tfx.saved_model.save(m, str(tmp_path / "g"))
    loaded = tfx.saved_model.load(str(tmp_path / "g"))
    x = tfx.constant(_x(4))
    with tfx.GradientTape() as tape:
        tape.watch(x)
        y = tfx.reduce_sum(loaded(x) ** 2)
    gx, gw = tape.gradient(y, [x, loaded.w])
    with tfx.GradientTape() as tape:
        tape.watch(x)
        y0 = tfx.reduce_sum(m(x) ** 2)
    ex, ew = tape.gradient(y0, [x, m.w])
    np.testing.assert_allclose(gx.numpy(), ex.numpy(), rtol=1e-5)
    np.testing.assert_allclose(gw.numpy(), ew.numpy(), rtol=1e-5)


def test_gradients_through_an_exported_conv_model_match_the_model(tmp_path):
    model = tfx.keras.Sequential([L.Input((6, 6, 2)), L.Conv2D(3, 3), L.MaxPooling2D(),
                                  L.Flatten(), L.Dense(2)])
    model.export(str(tmp_path / "conv"))
    loaded = tfx.saved_model.load(str(tmp_path / "conv"))
    x = tfx.constant(np.random.default_rng(2).random((2, 6, 6, 2)).astype(np.float32))

    def grads(fn, variables):
        with tfx.GradientTape() as tape:
            tape.watch(x)
            y = tfx.reduce_sum(fn(x) ** 2)
        return tape.gradient(y, [x] + sorted(variables, key=lambda v: v.shape.as_list()))
    want = grads(lambda t: model(t, training=False), model.trainable_variables)
    got = grads(loaded.serve, loaded.trainable_variables)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-5, atol=1e-6)


def test_a_loaded_function_composes_into_a_new_saved_function(tmp_path):
    m = Scaler()
    tfx.saved_model.save(m, str(tmp_path / "inner"))

    class Outer(tfx.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        @tfx.function(input_signature=[tfx.TensorSpec([None, 3])])
        def f(self, x):
            return self.inner(x) * 2.0
    outer = Outer(tfx.saved_model.load(str(tmp_path / "inner")))
    tfx.saved_model.save(outer, str(tmp_path / "outer"))
    again = tfx.saved_model.load(str(tmp_path / "outer"))
    x = _x(5)
    np.testing.assert_allclose(again.f(x).numpy(), 2.0 * m(x).numpy(), rtol=1e-6)
    assert len(again.variables) == 3 and again.inner.w.shape == (3, 2)


def test_control_flow_state_and_traced_functions_round_trip(tmp_path):
    class Counter(tfx.Module):
        def __init__(self):
            super().__init__()
            self.count = tfx.Variable(0.0)
            self.layers = [tfx.Variable([1.0, 2.0]), {"scale": tfx.Variable(3.0)}]

        @tfx.function(input_signature=[tfx.TensorSpec([None], tfx.float32)])
        def step(self, x):
            self.count.assign_add(1.0)
            s = tfx.reduce_sum(x)
            y = tfx.cond(s > 0, lambda: x * self.layers[1]["scale"], lambda: -x)
            n = tfx.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, v * 2.0),
                               [tfx.constant(0), y])[1]
            return n

        @tfx.function
        def power(self, x, k=2):
            return x ** k, k

    c = Counter()
    c.power(tfx.constant([1.0, 2.0]))
    c.power(tfx.constant([1.0, 2.0]), k=3)
    tfx.saved_model.save(c, str(tmp_path / "c"))
    loaded = tfx.saved_model.load(str(tmp_path / "c"))
    assert list(loaded.signatures) == ["serving_default"]  # the lone input_signature function
    for x in ([1.0, 2.0, 3.0], [-1.0, -4.0]):
        np.testing.assert_allclose(loaded.step(np.float32(x)).numpy(),
                                   c.step(tfx.constant(x)).numpy())
    assert float(loaded.count.numpy()) == 2.0  # the loaded variable counts its own calls
    np.testing.assert_allclose(loaded.layers[0].numpy(), [1.0, 2.0])
    assert float(loaded.layers[1]["scale"].numpy()) == 3.0
    y, k = loaded.power(tfx.constant([1.0, 2.0]), k=3)
    np.testing.assert_allclose(y.numpy(), [1.0, 8.0])
    assert k == 3
    np.testing.assert_allclose(loaded.power(tfx.constant([3.0, 2.0]))[0].numpy(), [9.0, 4.0])
    with pytest.raises(ValueError, match="Could not find matching concrete function"):
        loaded.power(tfx.constant([1.0, 2.0, 3.0]))  # traced for shape (2,) only
    with pytest.raises(TypeError, match="does not match"):
        loaded.step(np.zeros((2, 2), np.float32))


def test_many_ops_round_trip_at_any_batch_size(tmp_path, capsys):
    class Ops(tfx.Module):
        @tfx.function(input_signature=[tfx.TensorSpec([None, 4]),
                                       tfx.TensorSpec([None], tfx.int32)])
        def f(self, x, i):
            k = tfx.math.floormod(i, 4)
            tfx.print("rows", tfx.shape(x)[0])
            return {
                "tile": tfx.tile(x, [2, 1]), "onehot": tfx.one_hot(i, 5),
                "pad": tfx.pad(x, [[1, 0], [0, 2]]), "gather": tfx.gather(x, k, axis=1),
                "slice": x[:, 1::2], "concat": tfx.concat([x, x * 2.0], axis=1),
                "stack": tfx.stack([x, x], axis=2), "split": tfx.split(x, 2, axis=1)[1],
                "t": tfx.transpose(x), "rev": tfx.reverse(x, [1]),
                "roll": tfx.roll(x, 1, axis=1),
                "cumsum": tfx.math.cumsum(x, axis=1, exclusive=True),
                "mean": tfx.reduce_mean(x, axis=0, keepdims=True),
                "argmax": tfx.argmax(x, axis=1), "topk": tfx.math.top_k(x, 2).values,
                "cast": tfx.cast(x, tfx.float64), "einsum": tfx.einsum("ij,kj->ik", x, x),
                "softmax": tfx.nn.softmax(x), "range": tfx.range(tfx.shape(x)[0]),
                "where": tfx.where(x > 0.5, x, tfx.zeros_like(x)),
                "fill": tfx.fill(tfx.shape(x), 3.0),
                "bcast": tfx.broadcast_to(tfx.reduce_sum(x), [3, 2]),
                "sort": tfx.sort(x, axis=1), "norm": tfx.linalg.norm(x, axis=1),
                "seg": tfx.math.unsorted_segment_sum(x, tfx.math.floormod(i, 2), 2),
                "xent": tfx.nn.sparse_softmax_cross_entropy_with_logits(k, x),
                "mask": tfx.boolean_mask(x, x[:, 0] > 0.5)}
    m = Ops()
    tfx.saved_model.save(m, str(tmp_path / "ops"))
    loaded = tfx.saved_model.load(str(tmp_path / "ops"))
    for n in (1, 6):
        x, i = _x(n, 4), np.arange(n, dtype=np.int32)
        want, got = m.f(x, i), loaded.f(x, i)
        for key in want:
            np.testing.assert_allclose(got[key].numpy(), want[key].numpy(), rtol=1e-6,
                                       err_msg=key)
    assert "rows 6" in capsys.readouterr().err  # tfx.print runs in the loaded graph


def test_a_fresh_process_imports_every_module_that_registers_ops():
    import importlib
    import pkgutil
    from tfx.ops._core import OPS
    from tfx.saved_model.graphs import _OP_MODULES
    for m in pkgutil.walk_packages(tfx.__path__, "tfx."):
        try:
            importlib.import_module(m.name)
        except Exception:  # noqa: BLE001 - a part with a missing extra registers nothing
            pass
    missed = {op.module for op in OPS.values() if str(op.module).startswith("tfx.") and
              not op.module.startswith("tfx.ops.") and op.module not in _OP_MODULES and
              op.name != "apply_gradients"}
    assert not missed, f"add these to saved_model.graphs._OP_MODULES: {sorted(missed)}"


# ---- signatures as TensorFlow has them --------------------------------------------------------

def test_signatures_follow_tensorflow(tmp_path):
    m = Scaler()
    tfx.saved_model.save(m, str(tmp_path / "none"))
    assert len(tfx.saved_model.load(str(tmp_path / "none")).signatures) == 0  # two candidates
    tfx.saved_model.save(m, str(tmp_path / "one"), signatures=m.scores.get_concrete_function())
    sigs = tfx.saved_model.load(str(tmp_path / "one")).signatures
    assert list(sigs) == ["serving_default"]
    sd = sigs["serving_default"]
    args, kwargs = sd.structured_input_signature
    assert args == () and list(kwargs) == ["x"] and kwargs["x"].shape.as_list() == [None, 3]
    assert sorted(sd.structured_outputs) == ["max", "sum"]
    x = _x(2)
    np.testing.assert_allclose(sd(x)["sum"].numpy(), sd(x=x)["sum"].numpy())  # flat fallback
    with pytest.raises(TypeError, match="missing required argument"):
        sd()
    with pytest.raises(TypeError, match="unexpected keyword argument 'y'"):
        sd(x=x, y=1)
    with pytest.raises(InvalidArgumentError, match="float64"):
        sd(x=tfx.constant(x, tfx.float64))
    with pytest.raises(KeyError):
        sigs["nope"]
    with pytest.raises(ValueError, match="Only `tfx.function`s with an input signature"):
        tfx.saved_model.save(m, str(tmp_path / "bad"), signatures={"a": lambda x: x})
    assert not (tmp_path / "bad").exists()


def test_signature_names_match_tensorflow(tmp_path):
    tf = pytest.importorskip("tensorflow")

    class TM(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32, name="inp"),
                                      tf.TensorSpec([], tf.float32)])
        def g(self, x, s):
            return x * s, x + s
    tf.saved_model.save(TM(), str(tmp_path / "tf"), signatures=TM().g)
    tsig = tf.saved_model.load(str(tmp_path / "tf")).signatures["serving_default"]

    class XM(tfx.Module):
        @tfx.function(input_signature=[tfx.TensorSpec([None, 3], tfx.float32, name="inp"),
                                       tfx.TensorSpec([], tfx.float32)])
        def g(self, x, s):
            return x * s, x + s
    tfx.saved_model.save(XM(), str(tmp_path / "tfx"), signatures=XM().g)
    xsig = tfx.saved_model.load(str(tmp_path / "tfx")).signatures["serving_default"]
    assert sorted(xsig.structured_input_signature[1]) == sorted(
        tsig.structured_input_signature[1])
    assert sorted(xsig.structured_outputs) == sorted(tsig.structured_outputs)
    x = _x(2)
    got = xsig(inp=x, s=np.float32(2.0))
    want = tsig(inp=x, s=np.float32(2.0))
    for k in want:
        np.testing.assert_allclose(got[k].numpy(), want[k].numpy())


def test_a_graph_that_bakes_in_its_batch_size_refuses_other_sizes(tmp_path):
    class Odd(tfx.Module):
        @tfx.function(input_signature=[tfx.TensorSpec([None], tfx.float32)])
        def f(self, x):
            n = min(int(x.shape[0]), 4)  # Python on the traced size: not linear in it
            return tfx.reduce_sum(x) + tfx.fill((n,), 1.0)
    with pytest.warns(UserWarning, match="runs only on inputs of the traced shapes"):
        tfx.saved_model.save(Odd(), str(tmp_path / "odd"))
    loaded = tfx.saved_model.load(str(tmp_path / "odd"))
    np.testing.assert_allclose(loaded.f(np.float32([1, 2])).numpy(), [4.0, 4.0])
    with pytest.raises(InvalidArgumentError, match="bakes in the sizes"):
        loaded.f(np.float32([1, 2, 3]))


def test_each_free_dimension_is_tracked_on_its_own(tmp_path):
    class Shapes(tfx.Module):
        @tfx.function(input_signature=[tfx.TensorSpec([None, None])])
        def swap(self, x):
            return tfx.reshape(tfx.transpose(x), (x.shape[1], x.shape[0])) * 2.0

        @tfx.function(input_signature=[tfx.TensorSpec([None, None])])
        def flat(self, x):
            return tfx.reshape(x, (x.shape[0] * x.shape[1],))  # a product: not linear
    with pytest.warns(UserWarning, match="follows two free dimensions"):
        tfx.saved_model.save(Shapes(), str(tmp_path / "s"))
    loaded = tfx.saved_model.load(str(tmp_path / "s"))
    for shape in [(1, 1), (4, 7), (9, 2)]:
        x = np.random.default_rng(0).normal(size=shape).astype(np.float32)
        np.testing.assert_allclose(loaded.swap(x).numpy(), x.T * 2.0)
    assert loaded.flat(np.ones((2, 2), np.float32)).shape == (4,)
    with pytest.raises(InvalidArgumentError, match="bakes in the sizes"):
        loaded.flat(np.ones((3, 2), np.float32))


def test_constants_of_every_storage_kind_round_trip(tmp_path):
    big = np.arange(100, dtype=np.float64).reshape(10, 10)

    class Consts(tfx.Module):
        @tfx.function(input_signature=[tfx.TensorSpec([], tfx.string)])
        def words(self, s):
            return tfx.strings.join([s, tfx.constant(b"\xffraw"), tfx.constant("ok")])

        @tfx.function(input_signature=[tfx.TensorSpec([2], tfx.complex128)])
        def spin(self, z):
            return z * tfx.constant([1j, -1j], tfx.complex128)

        @tfx.function(input_signature=[tfx.TensorSpec([10], tfx.float64)])
        def mat(self, v):
            return tfx.linalg.matvec(tfx.constant(big), v) + tfx.cast(
                tfx.constant([1.5] * 10, tfx.bfloat16), tfx.float64)
    tfx.saved_model.save(Consts(), str(tmp_path / "k"))
    loaded = tfx.saved_model.load(str(tmp_path / "k"))
    assert loaded.words(tfx.constant(b"a")).numpy() == b"a\xffrawok"
    np.testing.assert_allclose(loaded.spin(tfx.constant([1 + 0j, 2j])).numpy(), [1j, 2])
    np.testing.assert_allclose(loaded.mat(np.ones(10)).numpy(), big.sum(1) + 1.5)


# ---- failures leave nothing behind ------------------------------------------------------------

def test_unsavable_attrs_fail_clearly_and_write_nothing(tmp_path):
    import io

    class Talker(tfx.Module):
        @tfx.function(input_signature=[tfx.TensorSpec([2], tfx.float32)])
        def f(self, x):
            tfx.print(x, output_stream=io.StringIO())
            return x
    good = tmp_path / "model"
    tfx.saved_model.save(Scaler(), str(good))
    before = {n: (good / n).read_bytes() for n in os.listdir(good)}
    with pytest.raises(ValueError, match=r"function 'f', op 'print' \(print\).*StringIO"):
        tfx.saved_model.save(Talker(), str(good))
    assert {n: (good / n).read_bytes() for n in os.listdir(good)} == before
    with pytest.raises(ValueError, match="op 'print'"):
        tfx.saved_model.save(Talker(), str(tmp_path / "fresh"))

    class Callback(tfx.Module):
        @tfx.function(input_signature=[tfx.TensorSpec([2], tfx.float32)])
        def f(self, x):
            return tfx.py_function(lambda a: a * 2.0, [x], tfx.float32)
    with pytest.raises(ValueError, match="op 'py_function'.*never stores"):
        tfx.saved_model.save(Callback(), str(tmp_path / "fresh"))
    assert sorted(os.listdir(tmp_path)) == ["model"]  # no temporary folders either


def test_a_folder_of_other_files_is_never_replaced(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match="not part of a SavedModel"):
        tfx.saved_model.save(Scaler(), str(tmp_path / "notes"))
    assert (tmp_path / "notes" / "todo.txt").read_text() == "keep me"
    assert sorted(os.listdir(tmp_path)) == ["notes"]


# ---- hostile folders --------------------------------------------------------------------------

@pytest.fixture()
def saved(tmp_path):
    path = tmp_path / "m"
    tfx.saved_model.save(Scaler(), str(path))
    return path


def _edit(path, fn):
    doc = json.loads((path / GRAPH_FILE).read_text())
    fn(doc)
    (path / GRAPH_FILE).write_text(json.dumps(doc))


def _nodes(doc):
    return [o for o in doc["concrete_functions"][0]["graph"]["ops"] if "attrs" in o]


def _refused(path, pattern):
    with pytest.raises(ModelFormatError, match=pattern):
        tfx.saved_model.load(str(path))


def test_unknown_op_is_refused(saved):
    _edit(saved, lambda d: _nodes(d)[1].update(op="os_system"))
    _refused(saved, "unknown op 'os_system'")


def test_forward_and_self_references_are_refused(saved):
    def cycle(d):
        ops = d["concrete_functions"][0]["graph"]["ops"]
        ops[2]["in"] = [len(ops) + 5]
    _edit(saved, cycle)
    _refused(saved, "must name values produced earlier")


def test_huge_shapes_are_refused_before_allocating(saved):
    _edit(saved, lambda d: d["variables"][0].update(shape=[2 ** 20, 2 ** 20]))
    _refused(saved, "over the limit")


def test_huge_attr_shapes_are_refused(tmp_path):
    class Filler(tfx.Module):
        @tfx.function(input_signature=[tfx.TensorSpec([], tfx.float32)])
        def f(self, x):
            return tfx.fill((3, 4), 1.0) * x
    tfx.saved_model.save(Filler(), str(tmp_path / "f"))
    fill = (lambda d: next(o for o in _nodes(d) if o["op"] == "fill"))
    _edit(tmp_path / "f", lambda d: fill(d).update(attrs=[2 ** 30, 2 ** 30]))
    _refused(tmp_path / "f", r"\(1073741824, 1073741824\) is over 2147483648")
    _edit(tmp_path / "f", lambda d: fill(d).update(attrs=[3, 5]))
    _refused(tmp_path / "f", r"shape attr \(3, 5\) differs from its output's recorded shape")


def test_graphs_too_big_in_all_are_refused(saved):
    def inflate(d):
        for o in _nodes(d):
            o["out"] = [[dt, [2 ** 31]] for dt, _ in o["out"]]
    _edit(saved, inflate)
    _refused(saved, "elements in all, over the limit")


def test_wrong_dtype_names_are_refused(saved):
    _edit(saved, lambda d: d["variables"][0].update(dtype="object"))
    _refused(saved, "unknown dtype 'object'")


def test_attrs_of_unknown_types_are_refused(saved):
    _edit(saved, lambda d: _nodes(d)[0].update(attrs={"pickle": "gASV..."}))
    _refused(saved, r"unknown attr encoding with keys \['pickle'\]")


def test_extra_json_keys_and_versions_are_refused(saved):
    _edit(saved, lambda d: d.update(version=99))
    _refused(saved, "version 99 is not supported")
    _edit(saved, lambda d: d.update(version=1, hook="x"))
    _refused(saved, r"\['hook'\] unexpected")


def test_inconsistent_conv_windows_are_refused(tmp_path):
    inp = L.Input((6, 6, 2))
    model = tfx.keras.Model(inp, L.Conv2D(2, 3)(inp))
    model.export(str(tmp_path / "c"))

    def widen(d):
        conv = next(o for o in _nodes(d) if o["op"] == "conv")
        conv["attrs"]["window"]["out"] = [40, 40]
    _edit(tmp_path / "c", widen)
    _refused(tmp_path / "c", "does not follow from its input size")


def test_a_window_that_does_not_fit_its_input_is_stopped_before_the_kernel(tmp_path):
    inp = L.Input((6, 6, 2))
    tfx.keras.Model(inp, L.Conv2D(2, 3)(inp)).export(str(tmp_path / "c"))

    def shift(d):  # a consistent window for an 8x8 input, fed the 6x6 one
        win = next(o for o in _nodes(d) if o["op"] == "conv")["attrs"]["window"]
        win["x_shape"][1:3] = [8, 8]
        win["out"] = [6, 6]
    _edit(tmp_path / "c", shift)
    loaded = tfx.saved_model.load(str(tmp_path / "c"))
    with pytest.raises(InvalidArgumentError, match="differs from the shape"):
        loaded.serve(np.ones((1, 6, 6, 2), np.float32))


def test_random_edits_end_in_a_clean_refusal_or_a_clean_load(saved):
    import copy
    import random
    doc = json.loads((saved / GRAPH_FILE).read_text())

    def paths(o, p=()):
        yield p
        items = o.items() if isinstance(o, dict) else enumerate(o) if isinstance(o, list) \
            else ()
        for k, v in items:
            yield from paths(v, p + (k,))
    spots = list(paths(doc))[1:]
    junk = [None, True, -1, 0, 2 ** 40, 2 ** 70, 1.5, "x", "float64", [], {}, [1, 2],
            {"sym": [0, 1, 0]}, {"variable": 9}, "conv", [2 ** 20, 2 ** 20]]
    rng = random.Random(0)
    for _ in range(60):
        d = copy.deepcopy(doc)
        where = rng.choice(spots)
        o = d
        for k in where[:-1]:
            o = o[k]
        o[where[-1]] = copy.deepcopy(rng.choice(junk))
        (saved / GRAPH_FILE).write_text(json.dumps(d))
        try:
            loaded = tfx.saved_model.load(str(saved))
        except ModelFormatError:
            continue
        try:
            loaded(_x(2))
        except (tfx.errors.OpError, TypeError, ValueError):
            pass


def test_truncated_or_missing_files_are_refused(saved, tmp_path):
    data = (saved / VARIABLES_FILE).read_bytes()
    (saved / VARIABLES_FILE).write_bytes(data[:len(data) // 2])
    _refused(saved, "variables.safetensors")
    (saved / VARIABLES_FILE).write_bytes(data)
    tfx.saved_model.load(str(saved))
    os.remove(saved / CONSTANTS_FILE)
    with pytest.raises(OSError, match="constants.safetensors is missing"):
        tfx.saved_model.load(str(saved))
    with pytest.raises(OSError, match="SavedModel file does not exist"):
        tfx.saved_model.load(str(tmp_path / "nothing"))
    (saved / GRAPH_FILE).write_text('{"format": "tfx.saved_model", "version": 1, ')
    (saved / CONSTANTS_FILE).write_bytes(b"")
    _refused(saved, "is not valid JSON")
