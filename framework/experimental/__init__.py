"""``tfx.experimental``: TensorFlow's experimental namespace (``dlpack``, ``Optional``,
``ExtensionType``)."""
from . import dlpack  # noqa: F401 - tfx.experimental.dlpack
from .extension_type import (BatchableExtensionType, ExtensionType,  # noqa: F401
                             ExtensionTypeSpec)
from .optional import Optional  # noqa: F401
from .execution import async_clear_error, async_scope, function_executor_type  # noqa: F401
