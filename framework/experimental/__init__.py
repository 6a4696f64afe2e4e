"""``tfx.experimental``: TensorFlow's experimental namespace (``dlpack``)."""
from . import dlpack  # noqa: F401
