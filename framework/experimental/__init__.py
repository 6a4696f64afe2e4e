"""``tfx.experimental``: TensorFlow's experimental namespace (``dlpack``, ``Optional``,
``ExtensionType``)."""
from . import dlpack  # noqa: F401 - tfx.experimental.dlpack
from .extension_type import (BatchableExtensionType, ExtensionType,  # noqa: F401
                             ExtensionTypeSpec)
from .optional import Optional  # noqa: F401
