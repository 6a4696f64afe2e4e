"""tfx.nn.RNNCellDropoutWrapper / ResidualWrapper / DeviceWrapper on tfx's Keras cells:
values against the wrapped cell stepped by hand, dropout patterns, config round trips."""
import numpy as np
import pytest

import tfx
from tests.framework.gradcheck import check_grads

L = tfx.keras.layers
RNG = np.random.default_rng(8)
X = RNG.standard_normal((3, 5, 4)).astype(np.float32)


def _steps(cell, x, wrap=None):
    """Outputs of ``cell`` (or of ``wrap(input, output)``) stepped by hand over time."""
    states = cell.get_initial_state(batch_size=x.shape[0])
    outs = []
    for t in range(x.shape[1]):
        out, states = cell(tfx.constant(x[:, t]), states)
        outs.append(out.numpy() if wrap is None else wrap(x[:, t], out.numpy()))
    return np.stack(outs, 1)


def test_residual_wrapper_adds_the_input():
    cell = L.SimpleRNNCell(4)
    y = L.RNN(tfx.nn.RNNCellResidualWrapper(cell), return_sequences=True)(X)
    np.testing.assert_allclose(y.numpy(), _steps(cell, X, lambda i, o: i + o), rtol=1e-5,
                               atol=1e-6)
    custom = tfx.nn.RNNCellResidualWrapper(cell, residual_fn=lambda i, o: i - o)
    y = L.RNN(custom, return_sequences=True)(X)
    np.testing.assert_allclose(y.numpy(), _steps(cell, X, lambda i, o: i - o), rtol=1e-5,
                               atol=1e-6)
    with pytest.raises(ValueError, match="incompatible"):
        L.RNN(tfx.nn.RNNCellResidualWrapper(L.SimpleRNNCell(3)))(X)


def test_residual_gradients():
    cell = L.SimpleRNNCell(4, dtype="float64")
    layer = L.RNN(tfx.nn.RNNCellResidualWrapper(cell), dtype="float64")
    layer(X.astype(np.float64))
    check_grads(layer, X[:2, :3].astype(np.float64), rtol=1e-5)


def test_dropout_wrapper_keeps_or_scales():
    cell = L.SimpleRNNCell(50)
    same = tfx.nn.RNNCellDropoutWrapper(cell)
    x = np.repeat(X, 13, axis=2)[:, :, :50]
    np.testing.assert_allclose(L.RNN(same, return_sequences=True)(x).numpy(),
                               _steps(cell, x), rtol=1e-5, atol=1e-6)
    drop = tfx.nn.RNNCellDropoutWrapper(cell, output_keep_prob=0.6, seed=3)
    states = cell.get_initial_state(batch_size=3)
    out, _ = drop(tfx.constant(x[:, 0]), states)
    ref, _ = cell(tfx.constant(x[:, 0]), states)
    o, r = out.numpy(), ref.numpy()
    kept = o != 0
    np.testing.assert_allclose(o[kept], r[kept] / 0.6, rtol=1e-5)
    assert 0.4 < kept.mean() < 0.8


def test_variational_masks_repeat_over_steps_and_filters():
    cell = L.SimpleRNNCell(40)
    w = tfx.nn.RNNCellDropoutWrapper(cell, output_keep_prob=0.5, variational_recurrent=True,
                                     seed=5)
    y = L.RNN(w, return_sequences=True)(np.repeat(X, 10, axis=2)).numpy()
    zero = y == 0
    assert zero.any() and (zero == zero[:1, :1]).all()  # one pattern for every example, step
    untouched = tfx.nn.RNNCellDropoutWrapper(cell, state_keep_prob=0.1,
                                             dropout_state_filter_visitor=lambda s: False)
    states = cell.get_initial_state(batch_size=3)
    x0 = tfx.constant(np.repeat(X, 10, axis=2)[:, 0])
    np.testing.assert_allclose(untouched(x0, states)[1][0].numpy(),
                               cell(x0, states)[1][0].numpy(), rtol=1e-6)


def test_device_wrapper_and_configs():
    cell = L.LSTMCell(3)
    dev = tfx.nn.RNNCellDeviceWrapper(cell, "/CPU:0")
    np.testing.assert_allclose(L.RNN(dev)(X).numpy(), L.RNN(cell)(X).numpy(), rtol=1e-6)
    for w in (dev, tfx.nn.RNNCellDropoutWrapper(cell, input_keep_prob=0.7, seed=2),
              tfx.nn.RNNCellResidualWrapper(cell)):
        cls = type(w)
        again = cls.from_config(w.get_config())
        assert type(again.cell) is type(cell) and again.get_config() == w.get_config()


def test_errors():
    cell = L.SimpleRNNCell(3)
    with pytest.raises(ValueError, match="input_keep_prob must be between 0 and 1"):
        tfx.nn.RNNCellDropoutWrapper(cell, input_keep_prob=1.5)
    with pytest.raises(ValueError, match="input_size must be provided"):
        tfx.nn.RNNCellDropoutWrapper(cell, input_keep_prob=0.5, variational_recurrent=True)
    with pytest.raises(TypeError, match="not RNNCell"):
        tfx.nn.RNNCellResidualWrapper(object())
