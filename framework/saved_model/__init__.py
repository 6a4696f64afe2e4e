"""``tfx.saved_model``: traced graph functions and variables saved as data (``tf.saved_model``)."""
