"""``tfx.device``: choose where new tensors live ("/CPU:0", "/GPU:0")."""
import re

from ..errors import InvalidArgumentError
from .state import STATE

_SPEC = re.compile(r"^(?:/job:[^/]+)?(?:/replica:\d+)?(?:/task:\d+)?/?(?:device:)?"
                   r"(?P<type>CPU|GPU|cpu|gpu)(?::(?P<index>\d+))?$")


class device:  # noqa: N801 - tf.device
    """Context manager placing ops on a device. Without a GPU, asking for one is an error."""

    def __init__(self, device_name):
        self._name = device_name
        self._prev = None
        if device_name is None:
            self._type = None
            return
        m = _SPEC.match(device_name.strip())
        if not m:
            raise InvalidArgumentError(None, "tfx.device", f"Could not parse device name "
                                       f"{device_name!r}; use '/CPU:0' or '/GPU:0'.")
        self._type = m.group("type").upper()
        index = int(m.group("index") or 0)
        if self._type == "GPU":
            from ..backend import gpu
            n = gpu.device_count()
            if index >= n:
                raise InvalidArgumentError(
                    None, "tfx.device",
                    f"Device {device_name!r} is not available: tfx sees {n} GPU(s)"
                    + ("" if n else " (install tfx[gpu] with CuPy on a machine with a CUDA GPU; "
                       "tfx.config.list_physical_devices('GPU') lists what is visible)") + ".")

    def __enter__(self):
        self._prev = STATE.device
        STATE.device = self._type
        return self

    def __exit__(self, *exc):
        STATE.device = self._prev
        return False
