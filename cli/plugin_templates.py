"""Templates for ``tfx plugins new NAME --kind KIND``: a plugin module and its test."""

MODULE = {
    "loss": '''"""{name}: a custom loss for tfx (registered as "{package}>{cls}")."""
import tfx


@tfx.register("{package}")
class {cls}(tfx.keras.losses.Loss):
    """Mean squared error scaled by ``factor`` (replace with your loss)."""

    def __init__(self, factor=1.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, y_true, y_pred):
        return self.factor * tfx.reduce_mean(tfx.square(y_true - y_pred), axis=-1)

    def get_config(self):
        return {{**super().get_config(), "factor": self.factor}}
''',
    "metric": '''"""{name}: a custom streaming metric for tfx."""
import tfx


@tfx.register("{package}")
class {cls}(tfx.keras.metrics.Metric):
    """Mean absolute error, accumulated over batches (replace with your metric)."""

    def __init__(self, name="{snake}", **kwargs):
        super().__init__(name=name, **kwargs)
        self.total = self.add_weight("total", initializer="zeros")
        self.count = self.add_weight("count", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        err = tfx.abs(tfx.cast(y_true, y_pred.dtype) - y_pred)
        self.total.assign_add(tfx.reduce_sum(err))
        self.count.assign_add(tfx.cast(tfx.size(err), tfx.float32))

    def result(self):
        return self.total / self.count
''',
    "layer": '''"""{name}: a custom layer for tfx."""
import tfx


@tfx.register("{package}")
class {cls}(tfx.keras.layers.Layer):
    """A dense layer with a learned per-unit scale (replace with your layer)."""

    def __init__(self, units=8, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = tfx.keras.activations.get(activation)

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[-1], self.units))
        self.scale = self.add_weight(name="scale", shape=(self.units,), initializer="ones")

    def call(self, inputs):
        return self.activation(tfx.matmul(inputs, self.kernel) * self.scale)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {{**super().get_config(), "units": self.units,
                "activation": tfx.keras.activations.serialize(self.activation)}}
''',
    "model": '''"""{name}: a custom model for tfx."""
import tfx


@tfx.register("{package}")
class {cls}(tfx.keras.Model):
    """Two dense layers (replace with your model)."""

    def __init__(self, hidden=16, output_dim=1, **kwargs):
        super().__init__(**kwargs)
        self.hidden = tfx.keras.layers.Dense(hidden, activation="relu")
        self.out = tfx.keras.layers.Dense(output_dim)

    def call(self, inputs):
        return self.out(self.hidden(inputs))
''',
    "activation": '''"""{name}: a custom activation for tfx."""
import tfx


@tfx.register("{package}", kind="activation")
def {snake}(x):
    """Softplus written out (replace with your activation)."""
    return tfx.math.log(1.0 + tfx.exp(x))
''',
    "initializer": '''"""{name}: a custom initializer for tfx."""
import tfx


@tfx.register("{package}", kind="initializer")
def {snake}(shape, dtype=tfx.float32):
    """Glorot-scaled normal values (replace with your initializer)."""
    stddev = (2.0 / (shape[0] + shape[-1])) ** 0.5
    return tfx.random.normal(shape, stddev=stddev, dtype=dtype)
''',
    "regularizer": '''"""{name}: a custom regularizer for tfx."""
import tfx


@tfx.register("{package}")
class {cls}(tfx.keras.regularizers.Regularizer):
    """An L1 penalty (replace with your regularizer)."""

    def __init__(self, factor=0.01):
        self.factor = factor

    def __call__(self, weights):
        return tfx.reduce_sum(tfx.abs(self.factor * weights))

    def get_config(self):
        return {{"factor": self.factor}}
''',
    "constraint": '''"""{name}: a custom weight constraint for tfx."""
import tfx


@tfx.register("{package}", kind="constraint")
def {snake}(weights):
    """Clip weights to be non-negative (replace with your constraint)."""
    return tfx.where(weights < 0., tfx.zeros_like(weights), weights)
''',
}

TEST = '''"""Tests for the {name} plugin: run with `python -m pytest {test_file}`."""
import os
import subprocess
import sys


def test_plugin_passes_tfx_plugins_check():
    here = os.path.dirname(os.path.abspath(__file__))
    r = subprocess.run([sys.executable, "-m", "tfx.cli.app", "plugins", "check",
                        os.path.join(here, "{module_file}")], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
'''
