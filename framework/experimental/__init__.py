"""``tfx.experimental``: TensorFlow's experimental namespace (``dlpack``)."""
from . import dlpack  # noqa: F401 - tfx.experimental.dlpack
