"""jit_compile=True: a traced step fused into one Numba function agrees with the op-by-op plan."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import tfx

pytest.importorskip("numba")
k = tfx.keras


@pytest.fixture(autouse=True)
def cache_dir(tmp_path_factory, monkeypatch):
    # One folder for the whole module: graphs of one shape compile once.
    folder = tmp_path_factory.getbasetemp() / "tfx_cache"
    monkeypatch.setenv("TFX_CACHE_DIR", str(folder))
    return folder


def _plans(fn):
    return [tr.plan for cf in fn._all for tr in cf._traces.values()]


def _train(optimizer, loss, labels, jit):
    tfx.keras.utils.set_random_seed(3)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 4)).astype(np.float32)
    y = rng.integers(0, 3, 16) if labels == "sparse" else rng.standard_normal((16, 1)).astype(
        np.float32)
    model = k.Sequential([k.Input(shape=(4,)), k.layers.Dense(5, activation="relu"),
                          k.layers.Dense(3 if labels == "sparse" else 1)])
    model.compile(optimizer=optimizer(), loss=loss, jit_compile=jit)
    history = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    from tfx.keras.trainers.compiled import step_function
    step = step_function(model, "train")
    plans = _plans(getattr(step, "function", step))
    return history.history["loss"], model.get_weights(), model.optimizer.variables, plans


def _close(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-6 * max(1.0, float(np.abs(a).max())))


@pytest.mark.parametrize("optimizer, loss, labels", [
    (lambda: k.optimizers.SGD(0.1, momentum=0.9, nesterov=True), "mse", "dense"),
    (k.optimizers.Adam, k.losses.SparseCategoricalCrossentropy(from_logits=True), "sparse"),
    (k.optimizers.Nadam, "mse", "dense"),
], ids=["sgd-mse", "adam-sparse-ce", "nadam-mse"])
def test_fused_fit_matches_the_plan(optimizer, loss, labels):
    ref_loss, ref_w, ref_opt, _ = _train(optimizer, loss, labels, jit=False)
    got_loss, got_w, got_opt, plans = _train(optimizer, loss, labels, jit=True)
    assert plans and all(p.fused for p in plans), [p.not_fused for p in plans]
    _close(ref_loss, got_loss)
    for a, b in zip(ref_w, got_w):
        _close(a, b)
    for a, b in zip(ref_opt, got_opt):  # slots, iterations, Nadam's momentum-cache product
        assert a._v.dtype == b._v.dtype
        _close(a._v, b._v)


def test_fused_function_with_variables_and_shapes():
    def make(jit):
        w = tfx.Variable(np.arange(6, dtype=np.float32).reshape(2, 3) / 10)
        total = tfx.Variable(0.0)

        @tfx.function(jit_compile=jit)
        def f(x, n):
            y = tfx.matmul(x, w, transpose_a=True)             # (2, 4)^T @ (2, 3)
            z = tfx.reshape(tfx.transpose(y), [-1]) * 2.0 + tfx.cast(n, tfx.float32)
            total.assign_add(tfx.reduce_sum(z) / 3.0)
            w.assign_sub(tfx.broadcast_to(tfx.reduce_mean(y, axis=0, keepdims=True), [2, 3])
                         * 0.01)
            smooth = tfx.sigmoid(z) + tfx.math.softplus(z) * tfx.math.rsqrt(tfx.abs(z) + 1.0)
            return tfx.reduce_max(z), tfx.sqrt(tfx.square(z) + 1.0) - smooth, total
        return f, w, total

    x = tfx.constant(np.linspace(-1, 1, 8, dtype=np.float32).reshape(2, 4))
    n = tfx.constant(np.int32(2))
    (f0, w0, t0), (f1, w1, t1) = make(False), make(True)
    for _ in range(3):
        r0, r1 = f0(x, n), f1(x, n)
        for a, b in zip(r0, r1):
            assert a.dtype is b.dtype and a.shape == b.shape
            _close(a.numpy(), b.numpy())
    _close(w0.numpy(), w1.numpy())
    _close(t0.numpy(), t1.numpy())
    assert all(p.fused for p in _plans(f1))


def test_an_op_without_template_falls_back():
    @tfx.function(jit_compile=True)
    def f(x):
        return tfx.math.cumsum(x * 2.0)

    x = tfx.constant([1.0, 2.0, 3.0])
    with pytest.warns(UserWarning, match=r"jit_compile=True: `f` runs op by op.*cumsum"):
        np.testing.assert_array_equal(f(x).numpy(), [2.0, 6.0, 12.0])
    (plan,) = _plans(f)
    assert not plan.fused and "cumsum" in plan.not_fused


def test_jit_compile_false_is_the_plan_bitwise():
    loss_a, w_a, _, _ = _train(k.optimizers.Adam, "mse", "dense", jit=False)
    loss_b, w_b, _, plans = _train(k.optimizers.Adam, "mse", "dense", jit="auto")
    assert plans and not any(p.fused for p in plans)
    assert loss_a == loss_b
    for a, b in zip(w_a, w_b):
        np.testing.assert_array_equal(a, b)


def test_a_second_process_loads_the_compiled_step_from_disk(tmp_path):
    script = textwrap.dedent("""
        import numpy as np, tfx
        v = tfx.Variable(np.ones(3, np.float32))

        @tfx.function(jit_compile=True)
        def f(x):
            v.assign(v * x + 1.0)
            return tfx.reduce_sum(v)

        r = f(tfx.constant(np.float32([1, 2, 3])))
        (plan,) = [tr.plan for cf in f._all for tr in cf._traces.values()]
        print(plan.fused, plan.cache_hits, float(r))
    """)
    env = dict(os.environ, TFX_CACHE_DIR=str(tmp_path))
    runs = [subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                           text=True, timeout=120) for _ in range(2)]
    outs = [r.stdout.split() for r in runs]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr + runs[1].stderr
    assert outs[0] == ["True", "0", "9.0"]
    assert outs[1] == ["True", "1", "9.0"]
    assert any(name.startswith("fused_") for name in os.listdir(tmp_path / "numba"))


def test_activations_and_their_gradients():
    def f(x):
        with tfx.GradientTape() as tape:
            tape.watch(x)
            y = tfx.nn.elu(x) * tfx.nn.relu6(x * 4.0) + tfx.nn.leaky_relu(x, 0.1)
            z = tfx.reduce_sum(y * tfx.nn.log_softmax(x))
        return y, tape.gradient(z, x)

    x = tfx.constant([[-2.0, -0.5, 0.0], [0.5, 1.0, 3.0]])
    fused = tfx.function(f, jit_compile=True)
    for a, b in zip(tfx.function(f)(x), fused(x)):
        _close(a.numpy(), b.numpy())
    assert all(p.fused for p in _plans(fused)), [p.not_fused for p in _plans(fused)]


def test_nan_propagates_as_in_numpy():
    def f(x):
        return tfx.nn.relu(x), tfx.maximum(x, 0.5), tfx.minimum(x, 0.5), tfx.reduce_max(x)

    x = tfx.constant([np.nan, -1.0, 2.0])
    fused = tfx.function(f, jit_compile=True)
    for a, b in zip(tfx.function(f)(x), fused(x)):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert all(p.fused for p in _plans(fused))


def test_evaluate_and_predict_run_fused():
    tfx.keras.utils.set_random_seed(0)
    x = np.random.default_rng(1).standard_normal((12, 4)).astype(np.float32)
    y = x[:, :1] * 2.0
    models = []
    for jit in (False, True):
        tfx.keras.utils.set_random_seed(0)
        m = k.Sequential([k.Input(shape=(4,)), k.layers.Dense(1)])
        m.compile(optimizer="sgd", loss="mse", metrics=["mae"], jit_compile=jit)
        models.append(m)
    (ref, got) = [m.evaluate(x, y, batch_size=4, verbose=0) for m in models]
    _close(ref, got)
    _close(models[0].predict(x, verbose=0), models[1].predict(x, verbose=0))


def test_values_read_from_a_variable_never_change_later():
    # The fused step writes new values into reused buffers: one still held must not be.
    v = tfx.Variable(np.zeros(3, np.float32))

    @tfx.function(jit_compile=True)
    def f(x):
        v.assign_add(x)
        return tfx.reduce_sum(v)

    x = tfx.constant(np.float32([1, 2, 3]))
    held, arrays = [], []
    for i in range(6):
        f(x)
        if i % 2 == 0:
            held.append(v.value())
            arrays.append(v.numpy())
    for n, (t, a) in enumerate(zip(held, arrays)):
        expect = np.float32([1, 2, 3]) * (2 * n + 1)
        np.testing.assert_array_equal(t.numpy(), expect)
        np.testing.assert_array_equal(a, expect)
    np.testing.assert_array_equal(v.numpy(), np.float32([6, 12, 18]))
    assert all(p.fused for p in _plans(f))


def test_fused_batch_norm_and_softmax_match_the_plan():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((16, 6)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 16)]
    results = []
    for jit in (False, True):
        tfx.keras.utils.set_random_seed(5)
        model = k.Sequential([k.Input(shape=(6,)), k.layers.BatchNormalization(),
                              k.layers.Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="categorical_crossentropy", jit_compile=jit)
        history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
        results.append((history.history["loss"], model.get_weights(), model))
    (h0, w0, _), (h1, w1, model) = results
    _close(h0, h1)
    for a, b in zip(w0, w1):  # BatchNormalization's moving statistics included
        _close(a, b)
    from tfx.keras.trainers.compiled import step_function
    assert all(p.fused for p in _plans(step_function(model, "train").function))


def _sched():
    return k.optimizers.schedules.ExponentialDecay(0.05, decay_steps=3, decay_rate=0.5)


@pytest.mark.parametrize("optimizer", [
    lambda: k.optimizers.Adam(clipnorm=0.01),
    lambda: k.optimizers.Adam(global_clipnorm=0.01),
    lambda: k.optimizers.SGD(0.1, clipvalue=0.001),
    lambda: k.optimizers.AdamW(weight_decay=0.1),
    lambda: k.optimizers.Nadam(_sched()),
    lambda: k.optimizers.SGD(k.optimizers.schedules.PiecewiseConstantDecay([2, 4],
                                                                           [0.1, 0.01, 0.001])),
    lambda: k.optimizers.RMSprop(),
    lambda: k.optimizers.RMSprop(momentum=0.9, centered=True, weight_decay=0.01),
    lambda: k.optimizers.Adagrad(0.1, clipnorm=0.5),
], ids=["clipnorm", "global_clipnorm", "clipvalue", "adamw", "nadam-schedule",
        "piecewise-schedule", "rmsprop", "rmsprop-centered-momentum-decay", "adagrad-clipnorm"])
def test_optimizer_options_fuse_and_match_the_plan(optimizer):
    # Small clipping thresholds so the clipping really changes every step.
    ref_loss, ref_w, ref_opt, _ = _train(optimizer, "mse", "dense", jit=False)
    got_loss, got_w, got_opt, plans = _train(optimizer, "mse", "dense", jit=True)
    assert plans and all(p.fused for p in plans), [p.not_fused for p in plans]
    _close(ref_loss, got_loss)
    for a, b in zip(ref_w + [v.numpy() for v in ref_opt], got_w + [v.numpy() for v in got_opt]):
        _close(a, b)


def test_a_custom_update_step_is_not_fused():
    class Halving(k.optimizers.SGD):
        def update_step(self, gradient, variable, learning_rate):
            variable.assign_sub(gradient * 0.5)

    with pytest.warns(UserWarning, match="runs op by op"):
        _, _, _, plans = _train(lambda: Halving(0.1), "mse", "dense", jit=True)
    assert plans and not any(p.fused for p in plans)
    assert "Halving" in plans[0].not_fused


@pytest.mark.parametrize("adam", [False, True], ids=["sgd", "adam"])
def test_embeddings_fuse_with_their_sparse_gradients(adam):
    def train(jit):
        tfx.keras.utils.set_random_seed(4)
        rng = np.random.default_rng(2)
        x = rng.integers(0, 30, (48, 5))  # repeated ids: rows of the gradient add up
        y = rng.standard_normal((48, 1)).astype(np.float32)
        model = k.Sequential([k.Input(shape=(5,), dtype="int64"), k.layers.Embedding(30, 6),
                              k.layers.GlobalAveragePooling1D(), k.layers.Dense(1)])
        opt = k.optimizers.Adam(0.05) if adam else k.optimizers.SGD(0.5, momentum=0.5)
        model.compile(optimizer=opt, loss="mse", jit_compile=jit)
        loss = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
        from tfx.keras.trainers.compiled import step_function
        step = step_function(model, "train")
        return (loss.history["loss"], model.get_weights(),
                _plans(getattr(step, "function", step)), model)

    ref_loss, ref_w, _, _ = train(False)
    got_loss, got_w, plans, model = train(True)
    assert plans and all(p.fused for p in plans), [p.not_fused for p in plans]
    _close(ref_loss, got_loss)
    for a, b in zip(ref_w, got_w):
        _close(a, b)
    with pytest.raises(Exception, match="out of range|indices"):
        model.fit(np.full((16, 5), 30), np.zeros((16, 1), np.float32), batch_size=16,
                  verbose=0)


@pytest.mark.parametrize("seed", [None, 7])
def test_dropout_and_gaussian_noise_fuse_with_the_same_random_numbers(seed):
    # Philox in the fused step draws TensorFlow's streams, as the op-by-op plan does: the
    # masks, the noise and so every weight agree.
    def train(jit):
        tfx.keras.utils.set_random_seed(11)
        rng = np.random.default_rng(3)
        x = rng.standard_normal((48, 6)).astype(np.float32)
        y = rng.standard_normal((48, 1)).astype(np.float32)
        model = k.Sequential([k.Input(shape=(6,)), k.layers.Dense(12, activation="relu"),
                              k.layers.Dropout(0.3, seed=seed),
                              k.layers.GaussianNoise(0.2, seed=seed),
                              k.layers.Dense(1)])
        model.compile(optimizer=k.optimizers.Adam(0.01), loss="mse", jit_compile=jit)
        loss = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
        from tfx.keras.trainers.compiled import step_function
        step = step_function(model, "train")
        return loss.history["loss"], model.get_weights(), _plans(getattr(step, "function", step))

    ref_loss, ref_w, _ = train(False)
    got_loss, got_w, plans = train(True)
    assert plans and all(p.fused for p in plans), [p.not_fused for p in plans]
    _close(ref_loss, got_loss)
    for a, b in zip(ref_w, got_w):
        _close(a, b)


def test_fused_stateless_draws_are_tensorflows_bits():
    @tfx.function(jit_compile=True)
    def draw(seed):
        u = tfx.random.stateless_uniform([5, 3], seed)
        n = tfx.random.stateless_normal([7], seed, dtype=tfx.float64)
        return u, n, tfx.math.floormod(seed, 3)
    seed = tfx.constant([-4, 123456789], tfx.int64)
    u, n, m = draw(seed)
    assert all(p.fused for p in _plans(draw)), [p.not_fused for p in _plans(draw)]
    np.testing.assert_array_equal(u.numpy(), tfx.random.stateless_uniform([5, 3], seed).numpy())
    np.testing.assert_array_equal(n.numpy(), tfx.random.stateless_normal(
        [7], seed, dtype=tfx.float64).numpy())
    np.testing.assert_array_equal(m.numpy(), [2, 0])


class _Slice(k.layers.Layer):
    def call(self, x):
        return tfx.concat([x[:, 1:5] * 2.0, x[:, ::-3], x[..., -1:]], axis=1)


def _seq_data(rng):
    return rng.standard_normal((48, 2, 3)).astype(np.float32)


@pytest.mark.parametrize("name, layers, data, loss, metrics", [
    ("activations", lambda: [k.Input((6,)), k.layers.Dense(8, activation="gelu"),
                             k.layers.Dense(8, activation=k.activations.gelu_approximate
                                            if hasattr(k.activations, "gelu_approximate")
                                            else lambda v: k.activations.gelu(v, True)),
                             k.layers.Dense(8, activation="selu"),
                             k.layers.Dense(8, activation="swish"),
                             k.layers.Dense(8, activation="softsign"), k.layers.Dense(1)],
     None, "mse", None),
    ("slices-concat", lambda: [k.Input((6,)), _Slice(), k.layers.Dense(1)], None, "mse", None),
    # unrolled recurrences compile slowly: two steps are enough for split/stack/unstack
    ("lstm", lambda: [k.Input((2, 3)), k.layers.LSTM(2, return_sequences=True),
                      k.layers.Flatten(), k.layers.Dense(1)], _seq_data, "mse", None),
    ("metrics", lambda: [k.Input((6,)), k.layers.Dense(3, activation="softmax")], None,
     "sparse_categorical_crossentropy",
     lambda: ["sparse_categorical_accuracy", k.metrics.SparseTopKCategoricalAccuracy(k=2)]),
])
def test_more_layers_fuse_and_match_the_plan(name, layers, data, loss, metrics):
    def train(jit):
        tfx.keras.utils.set_random_seed(21)
        rng = np.random.default_rng(5)
        x = data(rng) if data else rng.standard_normal((48, 6)).astype(np.float32)
        y = (rng.integers(0, 3, 48) if metrics else
             rng.standard_normal((48, 1)).astype(np.float32))
        model = k.Sequential(layers())
        model.compile(optimizer=k.optimizers.Adam(0.01), loss=loss,
                      metrics=metrics() if metrics else None, jit_compile=jit)
        hist = model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
        from tfx.keras.trainers.compiled import step_function
        step = step_function(model, "train")
        return hist.history, model.get_weights(), _plans(getattr(step, "function", step))

    ref_hist, ref_w, _ = train(False)
    got_hist, got_w, plans = train(True)
    assert plans and all(p.fused for p in plans), [p.not_fused for p in plans]
    for key in ref_hist:
        _close(ref_hist[key], got_hist[key])
    for a, b in zip(ref_w, got_w):
        _close(a, b)


def test_a_graph_too_large_to_compile_quickly_runs_op_by_op(monkeypatch):
    monkeypatch.setenv("TFX_FUSE_MAX_LINES", "40")
    with pytest.warns(UserWarning, match="TFX_FUSE_MAX_LINES"):
        _, _, _, plans = _train(k.optimizers.Adam, "mse", "dense", jit=True)
    assert plans and not any(p.fused for p in plans)
    assert "TFX_FUSE_MAX_LINES" in plans[0].not_fused
