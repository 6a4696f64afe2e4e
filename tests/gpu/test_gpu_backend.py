"""The CuPy backend on a real GPU: every op case of test_op_forwards (forwards and the tape
gradients inside them) equal to the CPU's and left on the GPU, placement, device strings, the
mixed-device error, Variables and layers created in a GPU scope, a small fit, DLPack. Skipped
without a GPU (convolutions, pooling, CTC, decompositions and FFTs in detail: test_gpu_ops)."""
import os
import sys

import numpy as np
import pytest

import tfx

pytestmark = pytest.mark.gpu

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "framework"))
import test_op_forwards as OF  # noqa: E402

GPU = "/job:localhost/replica:0/task:0/device:GPU:0"
CPU = "/job:localhost/replica:0/task:0/device:CPU:0"


def _tensors(y):
    if isinstance(y, (list, tuple)):
        return [t for v in y for t in _tensors(v)]
    return [] if y is None else [y]


def _run_case(name, device):
    fn, arrays = OF.CASES[name]
    tfx.random.set_seed(7)
    with tfx.device(device):
        out = fn(*[tfx.constant(a) for a in arrays])
    return [(np.asarray(o), getattr(o, "dtype", None), getattr(o, "device", GPU))
            for o in _tensors(out)]


# Case outputs that live on the host by design: shape metadata (TensorFlow keeps such int32
# results in host memory too), numpy_function's result (Python code on host arrays), and ops
# TensorFlow runs on the CPU only (candidate samplers, lookup tables, WAV decoding,
# fingerprint, random_index_shuffle).
HOST_BY_DESIGN = {"creation": {5, 6, 7}, "python_function": {0},
                  "all_candidate_sampler": {0, 1, 2}, "lookup_tables": {0, 1, 2, 3},
                  "wav": {0, 1}, "fingerprint_and_index_shuffle": {0, 1}}


@pytest.mark.parametrize("name", sorted(OF.CASES))
def test_op_case_on_gpu_equals_cpu(name):
    want = _run_case(name, "/CPU:0")
    got = _run_case(name, "/GPU:0")
    assert len(got) == len(want)
    host = HOST_BY_DESIGN.get(name, set())
    for i, ((g, gd, dev), (w, wd, _)) in enumerate(zip(got, want)):
        assert gd == wd and g.shape == w.shape, (name, i)
        assert dev == GPU or i in host, f"{name} output {i} is on the host"
        if g.dtype.kind in "fc":
            np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5, err_msg=f"{name} output {i}")
        else:
            np.testing.assert_array_equal(g, w, err_msg=f"{name} output {i}")


def test_placement_and_device_strings():
    with tfx.device("/GPU:0"):
        a = tfx.constant([[1.0, 2.0], [3.0, 4.0]])
        z = tfx.zeros([2, 2])
        r = tfx.random.normal([3], seed=1)
        v = tfx.Variable(np.ones((2, 2), np.float32))
    for x in (a, z, r, v):
        assert x.device == GPU
    assert (a @ a).device == GPU and (a + 1.0).device == GPU
    assert a.cpu().device == CPU and a.cpu().gpu().device == GPU
    np.testing.assert_array_equal(a.numpy(), [[1, 2], [3, 4]])
    tfx.random.set_seed(3)
    c = tfx.random.uniform([5]).numpy()
    tfx.random.set_seed(3)
    with tfx.device("/GPU:0"):
        g = tfx.random.uniform([5]).numpy()
    np.testing.assert_array_equal(c, g)  # the same stream on both devices


def test_mixed_devices_raise_naming_both():
    a = tfx.constant([1.0, 2.0])
    b = a.gpu()
    with pytest.raises(tfx.errors.InvalidArgumentError) as e:
        tfx.add(a, b)
    assert "CPU:0" in str(e.value) and "GPU:0" in str(e.value)
    assert (b * 2.0).device == GPU and (2.0 + b).device == GPU  # Python scalars are fine


def test_variable_from_gpu_tensor_and_assign():
    t = tfx.constant([1.0, 2.0]).gpu()
    v = tfx.Variable(t)
    assert v.device == GPU
    v.assign([5.0, 6.0])
    v.assign_add(t)
    assert v.device == GPU
    np.testing.assert_array_equal(v.numpy(), [6.0, 8.0])


def test_gradients_stay_on_gpu():
    with tfx.device("/GPU:0"):
        w = tfx.Variable(np.arange(6, dtype=np.float32).reshape(2, 3))
        x = tfx.constant(np.ones((4, 2), np.float32))
        with tfx.GradientTape() as tape:
            y = tfx.reduce_sum(tfx.nn.relu(x @ w) ** 2)
        g = tape.gradient(y, w)
    assert g.device == GPU
    wn = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_allclose(g.numpy(), np.ones((4, 2)).T @ (2 * np.maximum(np.ones((4, 2)) @ wn, 0)),
                               rtol=1e-6)


def _fit(device):
    tfx.random.set_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 8)).astype(np.float32)
    y = rng.integers(0, 3, 64).astype(np.int32)
    with tfx.device(device):
        model = tfx.keras.Sequential([tfx.keras.layers.Dense(16, activation="relu"),
                                      tfx.keras.layers.Dense(3)])
        model.compile(tfx.keras.optimizers.Adam(0.01),
                      tfx.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      metrics=["accuracy"])
        hist = model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
        ev = model.evaluate(x, y, verbose=0)
        pred = model.predict(x, verbose=0)
    return model, hist.history, ev, pred


def test_fit_on_gpu_equals_cpu():
    mc, hc, ec, pc = _fit("/CPU:0")
    mg, hg, eg, pg = _fit("/GPU:0")
    assert all(w.device == GPU for w in mg.weights)
    for a, b in zip(mc.get_weights(), mg.get_weights()):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(hg["loss"], hc["loss"], rtol=1e-5)
    np.testing.assert_allclose(eg, ec, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(pg), np.asarray(pc), rtol=1e-5, atol=1e-5)


def test_fit_outside_the_scope_moves_batches():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((32, 4)).astype(np.float32)
    y = rng.standard_normal((32, 2)).astype(np.float32)
    with tfx.device("/GPU:0"):
        model = tfx.keras.Sequential([tfx.keras.Input((4,)), tfx.keras.layers.Dense(2)])
    model.compile("adam", "mse")
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)  # numpy batches, weights on the GPU
    assert all(w.device == GPU for w in model.weights)
    assert all(w.device == GPU for w in model.optimizer.variables if w.shape.rank)
    assert model.predict(x, verbose=0).shape == (32, 2)


def test_dlpack_with_cupy():
    import cupy
    c = cupy.arange(6, dtype=cupy.float32).reshape(2, 3)
    t = tfx.experimental.dlpack.from_dlpack(c)
    assert t.device == GPU
    back = cupy.from_dlpack(tfx.experimental.dlpack.to_dlpack(t))
    assert back.data.ptr == c.data.ptr  # no copy either way
    np.testing.assert_array_equal(t.numpy(), np.arange(6).reshape(2, 3))


def test_fused_kernels_match_composite():
    import cupy
    from tfx.backend import gpu
    rng = np.random.default_rng(0)
    var, m, g = (rng.standard_normal(1000).astype(np.float32) for _ in range(3))
    v = np.abs(rng.standard_normal(1000)).astype(np.float32)
    alpha = 0.01 * np.sqrt(1 - 0.999 ** 3) / (1 - 0.9 ** 3)
    nv, nm, nvv = (a.get() for a in gpu.adam_update(*map(cupy.asarray, (var, m, v, g)), alpha,
                                                        0.1, 0.001, 1e-7))
    rm = m + (g - m) * 0.1
    rv = v + (g * g - v) * 0.001
    np.testing.assert_allclose(nm, rm, rtol=1e-6)
    np.testing.assert_allclose(nvv, rv, rtol=1e-6)
    np.testing.assert_allclose(nv, var - alpha * rm / (np.sqrt(rv) + 1e-7), rtol=1e-5)
    u0, u1, p0, p1, b2t = 0.9, 0.91, 0.5, 0.45, 0.01
    c_m, c_g, vhc = u1 / (1 - p1), (1 - u0) / (1 - p0), 1 / (1 - b2t)
    nv, nm, nvv = (a.get() for a in gpu.nadam_update(*map(cupy.asarray, (var, m, v, g)), 0.1,
                                                         0.001, c_m, c_g, vhc, 0.01, 1e-7))
    np.testing.assert_allclose(nv, var - 0.01 * (c_m * rm + c_g * g) / (np.sqrt(rv * vhc) + 1e-7),
                               rtol=1e-5)
    x = rng.standard_normal(100).astype(np.float32)
    np.testing.assert_array_equal(gpu.relu_grad(cupy.asarray(g[:100]), cupy.asarray(x)).get(),
                                  np.where(x > 0, g[:100], 0))


def test_numba_cuda_kernels_on_cupy_arrays():
    import cupy
    from tfx.backend import cuda_kernels as K
    g = cupy.asarray(np.linspace(-1, 1, 300, dtype=np.float32))
    x = cupy.asarray(np.linspace(1, -1, 300, dtype=np.float32))
    out = K.relu_backward(g, x)
    np.testing.assert_array_equal(np.asarray(out.copy_to_host()),
                                  np.where(x.get() > 0, g.get(), 0))


@pytest.mark.parametrize("name", ["Adam", "Nadam"])
def test_fused_optimizer_steps_match_cpu(name):
    rng = np.random.default_rng(2)
    w0 = rng.standard_normal((5, 3)).astype(np.float32)
    grads = [rng.standard_normal((5, 3)).astype(np.float32) for _ in range(3)]
    out = []
    for device in ("/CPU:0", "/GPU:0"):
        with tfx.device(device):
            w = tfx.Variable(w0)
            opt = getattr(tfx.keras.optimizers, name)(0.01)
            for g in grads:
                opt.apply_gradients([(tfx.constant(g), w)])
        out.append(w.numpy())
    np.testing.assert_allclose(out[1], out[0], rtol=1e-5, atol=1e-6)
