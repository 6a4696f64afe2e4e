"""Checks every new layer goes through (used by the test_*.py files beside it): gradients
against central finite differences in float64, get_config round trips, save/load in a model."""
import numpy as np

import tfx

RNG = np.random.default_rng(11)


def numeric_grad(f, x, eps=1e-6):
    x = np.array(x, dtype=np.float64)
    g = np.empty_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f(x)
        x[i] = old - eps
        down = f(x)
        x[i] = old
        g[i] = (up - down) / (2 * eps)
    return g


def check_grads(layer, *inputs, training=None, rtol=1e-5, atol=1e-7, wrt_inputs=True,
                spread=False, **call_kwargs):
    """d sum(w * layer(inputs)) / d (float inputs, trainable weights) against finite
    differences; ``w`` is random so every output element counts. Several inputs go in as a
    list, or as separate arguments with ``spread=True``."""
    arrays = [np.asarray(x) for x in inputs]

    def call(ts):
        args = ts if spread else ([ts] if len(ts) > 1 else ts)
        out = layer(*args, training=training, **call_kwargs)
        return tfx.nest.flatten(out)[0]

    consts = [tfx.constant(a) for a in arrays]
    w = tfx.constant(RNG.standard_normal(tuple(call(consts).shape)))

    def loss(ts):
        return tfx.reduce_sum(call(ts) * w)

    floats = [i for i, a in enumerate(arrays) if a.dtype.kind == "f"] if wrt_inputs else []
    ts = [tfx.constant(a) for a in arrays]
    weights = layer.trainable_weights
    with tfx.GradientTape() as tape:
        for i in floats:
            tape.watch(ts[i])
        y = loss(ts)
    grads = tape.gradient(y, [ts[i] for i in floats] + weights)
    for g, i in zip(grads, floats):
        def at(v, i=i):
            return float(loss([tfx.constant(v if j == i else b)
                               for j, b in enumerate(arrays)]).numpy())
        np.testing.assert_allclose(g.numpy(), numeric_grad(at, arrays[i]), rtol=rtol,
                                   atol=atol, err_msg=f"input {i}")
    for v, g in zip(weights, grads[len(floats):]):
        original = v.numpy()

        def at_w(val, v=v):
            v.assign(val)
            return float(loss([tfx.constant(a) for a in arrays]).numpy())
        numeric = numeric_grad(at_w, original)
        v.assign(original)
        np.testing.assert_allclose(tfx.convert_to_tensor(g).numpy(), numeric, rtol=rtol,
                                   atol=atol, err_msg=v.name)


def check_config_round_trip(layer, *inputs):
    """from_config(get_config()) gives a layer with the same config and, with the weights
    copied, the same outputs."""
    cfg = layer.get_config()
    clone = type(layer).from_config(cfg)
    assert clone.get_config() == cfg
    ts = [tfx.constant(a) for a in inputs]
    arg = ts if len(ts) > 1 else ts[0]
    want = tfx.nest.flatten(layer(arg))
    clone(arg)
    clone.set_weights(layer.get_weights())
    got = tfx.nest.flatten(clone(arg))
    for a, b in zip(want, got):
        np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-6, atol=1e-6)
    return clone


def check_save_load(layer, input_specs, inputs, tmp_path, name="m.tfx"):
    """A functional model around ``layer`` saved to .tfx and loaded gives the same outputs.
    ``input_specs``: (shape, dtype) of each input without the batch axis."""
    keras = tfx.keras
    ins = [keras.Input(shape=s, dtype=d) for s, d in input_specs]
    out = layer(ins if len(ins) > 1 else ins[0])
    model = keras.Model(ins if len(ins) > 1 else ins[0], out)
    ts = [tfx.constant(a) for a in inputs]
    arg = ts if len(ts) > 1 else ts[0]
    want = tfx.nest.flatten(model(arg))
    path = tmp_path / name
    model.save(path)
    loaded = keras.models.load_model(path)
    got = tfx.nest.flatten(loaded(arg))
    assert len(got) == len(want)
    for a, b in zip(want, got):
        np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-6, atol=1e-6)
    return loaded
