"""``tfx.experimental``: TensorFlow's experimental namespace (``dlpack``, ``Optional``,
``ExtensionType``)."""
from . import dlpack  # noqa: F401 - tfx.experimental.dlpack
from .optional import Optional  # noqa: F401
