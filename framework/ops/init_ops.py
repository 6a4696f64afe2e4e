"""``tf.zeros_initializer`` and friends: TensorFlow 2's initializers are Keras' (same
arguments and defaults); Keras loads when one is made, so ``import tfx`` stays cheap."""

__all__ = ["zeros_initializer", "ones_initializer", "constant_initializer",
           "random_normal_initializer", "random_uniform_initializer"]


def _initializers():
    from ..keras import initializers
    return initializers


def zeros_initializer():
    return _initializers().Zeros()


def ones_initializer():
    return _initializers().Ones()


def constant_initializer(value=0, support_partition=False):
    return _initializers().Constant(value)


def random_normal_initializer(mean=0.0, stddev=0.05, seed=None):
    return _initializers().RandomNormal(mean=mean, stddev=stddev, seed=seed)


def random_uniform_initializer(minval=-0.05, maxval=0.05, seed=None):
    return _initializers().RandomUniform(minval=minval, maxval=maxval, seed=seed)
