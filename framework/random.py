"""``tfx.random``: random tensors under TensorFlow's global/op seed rules (``tf.random``)."""
from .ops.random_ops import (categorical, gamma, normal, poisson, set_seed, shuffle,
                             truncated_normal, uniform)
