"""``tfx.train``: checkpoints of object graphs (``tf.train``)."""
