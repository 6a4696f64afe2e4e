"""``tfx.nn``: activations, losses, convolutions and pooling (``tf.nn``)."""
from .ops.math_ops import sigmoid, softplus, tanh
