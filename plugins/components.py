"""The book's custom activation, initializer, regularizers and constraint."""
import tfx as tf


@tf.register("book", kind="activation")
def my_softplus(z):
    return tf.math.log(1.0 + tf.exp(z))


@tf.register("book", kind="initializer")
def my_glorot_initializer(shape, dtype=tf.float32):
    stddev = tf.sqrt(2. / (shape[0] + shape[1]))
    return tf.random.normal(shape, stddev=stddev, dtype=dtype)


@tf.register("book", kind="regularizer")
def my_l1_regularizer(weights):
    return tf.reduce_sum(tf.abs(0.01 * weights))


@tf.register("book", kind="constraint")
def my_positive_weights(weights):
    return tf.where(weights < 0., tf.zeros_like(weights), weights)


@tf.register("book")
class MyL1Regularizer(tf.keras.regularizers.Regularizer):
    def __init__(self, factor):
        self.factor = factor

    def __call__(self, weights):
        return tf.reduce_sum(tf.abs(self.factor * weights))

    def get_config(self):
        return {"factor": self.factor}
