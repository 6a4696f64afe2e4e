"""``tfx.autograph``: Python control flow on tensors converted to graph control flow."""
