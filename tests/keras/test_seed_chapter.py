"""Every code example of the book chapter (typos fixed) runs with ``import tfx as tf``."""
import numpy as np
import pytest

import tfx as tf


@pytest.fixture
def housing():
    rng = np.random.default_rng(42)
    X = rng.normal(size=(512, 8)).astype("float32")
    w = rng.normal(size=(8, 1)).astype("float32")
    y = (X @ w + 0.1 * rng.normal(size=(512, 1))).astype("float32")
    return X, y


def huber_fn(y_true, y_pred):
    error = y_true - y_pred
    is_small_error = tf.abs(error) < 1
    squared_loss = tf.square(error) / 2
    linear_loss = tf.abs(error) - 0.5
    return tf.where(is_small_error, squared_loss, linear_loss)


def create_huber(threshold=1.0):
    def huber_fn(y_true, y_pred):
        error = y_true - y_pred
        is_small_error = tf.abs(error) < threshold
        squared_loss = tf.square(error) / 2
        linear_loss = threshold * tf.abs(error) - threshold ** 2 / 2
        return tf.where(is_small_error, squared_loss, linear_loss)
    return huber_fn


class HuberLoss(tf.keras.losses.Loss):
    def __init__(self, threshold=1.0, **kwargs):
        self.threshold = threshold
        super().__init__(**kwargs)

    def call(self, y_true, y_pred):
        error = y_true - y_pred
        is_small_error = tf.abs(error) < self.threshold
        squared_loss = tf.square(error) / 2
        linear_loss = self.threshold * tf.abs(error) - self.threshold ** 2 / 2
        return tf.where(is_small_error, squared_loss, linear_loss)

    def get_config(self):
        base_config = super().get_config()
        return {**base_config, "threshold": self.threshold}


def my_softplus(z):
    return tf.math.log(1.0 + tf.exp(z))


def my_glorot_initializer(shape, dtype=tf.float32):
    stddev = tf.sqrt(2. / (shape[0] + shape[1]))
    return tf.random.normal(shape, stddev=stddev, dtype=dtype)


def my_l1_regularizer(weights):
    return tf.reduce_sum(tf.abs(0.01 * weights))


def my_positive_weights(weights):
    return tf.where(weights < 0., tf.zeros_like(weights), weights)


class MyL1Regularizer(tf.keras.regularizers.Regularizer):
    def __init__(self, factor):
        self.factor = factor

    def __call__(self, weights):
        return tf.reduce_sum(tf.abs(self.factor * weights))

    def get_config(self):
        return {"factor": self.factor}


class HuberMetric(tf.keras.metrics.Metric):
    def __init__(self, threshold=1.0, **kwargs):
        super().__init__(**kwargs)
        self.threshold = threshold
        self.huber_fn = create_huber(threshold)
        self.total = self.add_weight("total", initializer="zeros")
        self.count = self.add_weight("count", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        sample_metrics = self.huber_fn(y_true, y_pred)
        self.total.assign_add(tf.reduce_sum(sample_metrics))
        self.count.assign_add(tf.cast(tf.size(y_true), tf.float32))

    def result(self):
        return self.total / self.count

    def get_config(self):
        base_config = super().get_config()
        return {**base_config, "threshold": self.threshold}


class MyDense(tf.keras.layers.Layer):
    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = tf.keras.activations.get(activation)

    def build(self, batch_input_shape):
        self.kernel = self.add_weight(
            name="kernel", shape=[batch_input_shape[-1], self.units],
            initializer="glorot_normal")
        self.bias = self.add_weight(
            name="bias", shape=[self.units], initializer="zeros")

    def call(self, X):
        return self.activation(X @ self.kernel + self.bias)

    def get_config(self):
        base_config = super().get_config()
        return {**base_config, "units": self.units,
                "activation": tf.keras.activations.serialize(self.activation)}


class MyMultiLayer(tf.keras.layers.Layer):
    def call(self, X):
        X1, X2 = X
        return X1 + X2, X1 * X2, X1 / X2


class MyGaussianNoise(tf.keras.layers.Layer):
    def __init__(self, stddev, **kwargs):
        super().__init__(**kwargs)
        self.stddev = stddev

    def call(self, X, training=False):
        if training:
            noise = tf.random.normal(tf.shape(X), stddev=self.stddev)
            return X + noise
        else:
            return X


class ResidualBlock(tf.keras.layers.Layer):
    def __init__(self, n_layers, n_neurons, **kwargs):
        super().__init__(**kwargs)
        self.hidden = [tf.keras.layers.Dense(n_neurons, activation="relu",
                                             kernel_initializer="he_normal")
                       for _ in range(n_layers)]

    def call(self, inputs):
        Z = inputs
        for layer in self.hidden:
            Z = layer(Z)
        return inputs + Z


class ResidualRegressor(tf.keras.Model):
    def __init__(self, output_dim, **kwargs):
        super().__init__(**kwargs)
        self.hidden1 = tf.keras.layers.Dense(30, activation="relu",
                                             kernel_initializer="he_normal")
        self.block1 = ResidualBlock(2, 30)
        self.block2 = ResidualBlock(2, 30)
        self.out = tf.keras.layers.Dense(output_dim)

    def call(self, inputs):
        Z = self.hidden1(inputs)
        for _ in range(1 + 3):
            Z = self.block1(Z)
        Z = self.block2(Z)
        return self.out(Z)


class ReconstructingRegressor(tf.keras.Model):
    def __init__(self, output_dim, **kwargs):
        super().__init__(**kwargs)
        self.hidden = [tf.keras.layers.Dense(30, activation="relu",
                                             kernel_initializer="he_normal")
                       for _ in range(5)]
        self.out = tf.keras.layers.Dense(output_dim)
        self.reconstruction_mean = tf.keras.metrics.Mean(name="reconstruction_error")

    def build(self, batch_input_shape):
        n_inputs = batch_input_shape[-1]
        self.reconstruct = tf.keras.layers.Dense(n_inputs)

    def call(self, inputs, training=False):
        Z = inputs
        for layer in self.hidden:
            Z = layer(Z)
        reconstruction = self.reconstruct(Z)
        recon_loss = tf.reduce_mean(tf.square(reconstruction - inputs))
        self.add_loss(0.05 * recon_loss)
        if training:
            result = self.reconstruction_mean(recon_loss)
            self.add_metric(result)
        return self.out(Z)


def _mlp(loss, **compile_kw):
    model = tf.keras.Sequential([
        tf.keras.layers.Dense(30, activation="relu", kernel_initializer="he_normal",
                              input_shape=[8]),
        tf.keras.layers.Dense(1),
    ])
    model.compile(loss=loss, optimizer="nadam", **compile_kw)
    return model


def test_custom_loss_functions_train(housing):
    X, y = housing
    for loss in (huber_fn, create_huber(2.0), HuberLoss(2.)):
        model = _mlp(loss)
        h = model.fit(X, y, epochs=2, verbose=0)
        assert h.history["loss"][1] < h.history["loss"][0]


def test_custom_activation_initializer_regularizer_constraint(housing):
    X, y = housing
    tf.keras.utils.set_random_seed(1)
    layer = tf.keras.layers.Dense(1, activation=my_softplus,
                                  kernel_initializer=my_glorot_initializer,
                                  kernel_regularizer=my_l1_regularizer,
                                  kernel_constraint=my_positive_weights)
    model = tf.keras.Sequential([tf.keras.layers.Dense(30, activation="relu", input_shape=[8]),
                                 layer])
    model.compile(loss="mse", optimizer="nadam")
    model.fit(X, y, epochs=1, verbose=0)
    assert (layer.kernel.numpy() >= 0).all()  # the constraint ran after each step
    assert len(model.losses) == 1  # the L1 penalty
    reg = MyL1Regularizer(0.01)
    np.testing.assert_allclose(float(reg(layer.kernel)), float(my_l1_regularizer(layer.kernel)),
                               rtol=1e-6)


def test_precision_streaming_metric():
    precision = tf.keras.metrics.Precision()
    assert float(precision([0, 1, 1, 1, 0, 1, 0, 1], [1, 1, 0, 1, 0, 1, 0, 1])) == \
        pytest.approx(0.8)
    assert float(precision([0, 1, 0, 0, 1, 0, 1, 1], [1, 0, 1, 1, 0, 0, 0, 0])) == \
        pytest.approx(0.5)
    assert float(precision.result()) == pytest.approx(0.5)
    tp, fp = precision.variables
    # the book printed TF 2.x's 'true_positives:0'; Keras 3 (TF 2.16+) names have no ":0"
    assert tp.name == "true_positives" and fp.name == "false_positives"
    np.testing.assert_array_equal(tp.numpy(), [4.])
    np.testing.assert_array_equal(fp.numpy(), [4.])
    precision.reset_states()
    np.testing.assert_array_equal(tp.numpy(), [0.])


def test_huber_metric_and_function_metric(housing):
    X, y = housing
    model = _mlp("mse", metrics=[create_huber(2.0), HuberMetric(2.0)])
    h = model.fit(X, y, epochs=1, verbose=0)
    # Keras 3 makes default metric names unique per process ("huber_metric_1", ...).
    assert "huber_fn" in h.history
    assert any(k.startswith("huber_metric") for k in h.history)
    m = HuberMetric(2.0)
    m.update_state(tf.constant([[1.0], [4.0]]), tf.constant([[1.5], [1.0]]))
    # 0.5**2/2 = 0.125; 3 > 2 so 2*3 - 2 = 4
    assert float(m.result()) == pytest.approx((0.125 + 4.0) / 2)


def test_custom_layers(housing):
    X, y = housing
    exponential_layer = tf.keras.layers.Lambda(lambda x: tf.exp(x))
    np.testing.assert_allclose(exponential_layer(tf.constant([0., 1.])).numpy(), [1., np.e],
                               rtol=1e-6)
    model = tf.keras.Sequential([MyDense(30, activation="relu", input_shape=[8]),
                                 MyGaussianNoise(0.1), MyDense(1)])
    model.compile(loss="mse", optimizer="nadam")
    h = model.fit(X, y, epochs=2, verbose=0)
    assert h.history["loss"][1] < h.history["loss"][0]
    a, b = tf.constant([2., 3.]), tf.constant([4., 6.])
    s, p, q = MyMultiLayer()((a, b))
    np.testing.assert_allclose(q.numpy(), [0.5, 0.5])
    noise = MyGaussianNoise(1.0)
    x = tf.zeros([100, 10])
    assert float(tf.reduce_sum(tf.abs(noise(x)))) == 0.0
    assert float(tf.reduce_sum(tf.abs(noise(x, training=True)))) > 0.0


def test_residual_regressor(housing):
    X, y = housing
    model = ResidualRegressor(1)
    model.compile(loss="mse", optimizer="nadam")
    h = model.fit(X, y, epochs=2, verbose=0)
    assert np.isfinite(h.history["loss"]).all()
    # hidden1 (2) + block1 (2 dense * 2) + block2 (4) + out (2)
    assert len(model.trainable_variables) == 12
    assert model.predict(X[:3], verbose=0).shape == (3, 1)


def test_reconstructing_regressor(housing, capsys):
    X, y = housing
    tf.keras.utils.set_random_seed(42)
    model = ReconstructingRegressor(1)
    model.compile(loss="mse", optimizer="nadam")
    h = model.fit(X, y, epochs=4, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/4" in out and "reconstruction_error" in out and "loss" in out
    assert h.history["loss"][-1] < h.history["loss"][0]
    assert h.history["reconstruction_error"][-1] < h.history["reconstruction_error"][0]


def f(w1, w2):
    return 3 * w1 ** 2 + 2 * w1 * w2


def test_custom_training_loop(housing):
    X, y = housing
    tf.keras.utils.set_random_seed(42)
    l2_reg = tf.keras.regularizers.l2(0.05)
    model = tf.keras.models.Sequential([
        tf.keras.layers.Dense(30, activation="elu", kernel_initializer="he_normal",
                              kernel_regularizer=l2_reg),
        tf.keras.layers.Dense(1, kernel_regularizer=l2_reg)])
    optimizer = tf.keras.optimizers.SGD(learning_rate=0.01)
    loss_fn = tf.keras.losses.mean_squared_error
    mean_loss = tf.keras.metrics.Mean(name="mean_loss")
    metrics = [tf.keras.metrics.MeanAbsoluteError()]
    first = None
    for epoch in range(3):
        for start in range(0, len(X), 32):
            X_batch, y_batch = X[start:start + 32], y[start:start + 32]
            with tf.GradientTape() as tape:
                y_pred = model(X_batch, training=True)
                main_loss = tf.reduce_mean(loss_fn(y_batch, y_pred))
                loss = tf.add_n([main_loss] + model.losses)
            gradients = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(gradients, model.trainable_variables))
            for variable in model.variables:
                if variable.constraint is not None:
                    variable.assign(variable.constraint(variable))
            mean_loss(loss)
            for metric in metrics:
                metric(y_batch, y_pred)
        if first is None:
            first = float(mean_loss.result())
        last = float(mean_loss.result())
        for metric in [mean_loss] + metrics:
            metric.reset_state()
    assert last < first
