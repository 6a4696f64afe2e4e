"""Where tensors live: ``tfx.device("/GPU:0")`` scopes, the process default
(``tfx.config.set_default_device`` or ``TFX_DEVICE=gpu``) and the placement of new tensors.

Placement happens where tensors are created from host data (constants, conversions,
Variables, fills, random draws): ops then compute where their inputs are, so the per-op path
carries no device check. Mixing devices in one op fails in the backend and is reported by the
op's error path, naming both devices.
"""
import os
import re

from ..errors import InvalidArgumentError
from .state import STATE

_SPEC = re.compile(r"^(?:/job:[^/]+)?(?:/replica:\d+)?(?:/task:\d+)?/?(?:device:)?"
                   r"(?P<type>CPU|GPU|cpu|gpu)(?::(?P<index>\d+))?$")

_default = None  # the process default outside any tfx.device scope: None (CPU) or "GPU"


def parse(device_name, api="tfx.device"):
    """('CPU' | 'GPU', index) for a TensorFlow device string ('/GPU:0', 'gpu',
    '/job:localhost/replica:0/task:0/device:CPU:0'); a GPU must be visible."""
    m = _SPEC.match(str(device_name).strip())
    if not m:
        raise InvalidArgumentError(None, api, f"Could not parse device name "
                                   f"{device_name!r}; use '/CPU:0' or '/GPU:0'.")
    kind = m.group("type").upper()
    index = int(m.group("index") or 0)
    if kind == "GPU":
        from ..backend import gpu
        n = gpu.device_count()
        if index >= n:
            raise InvalidArgumentError(
                None, api,
                f"Device {device_name!r} is not available: tfx sees {n} GPU(s)"
                + ("" if n else " (install tfx[gpu] with CuPy on a machine with a CUDA GPU; "
                   "tfx.config.list_physical_devices('GPU') lists what is visible)") + ".")
    return kind, index


def name_of(kind):
    return f"/job:localhost/replica:0/task:0/device:{kind}:0"


class device:  # noqa: N801 - tf.device
    """Context manager placing new tensors on a device. Without a GPU, asking for one is an
    error. ``None`` restores the process default."""

    def __init__(self, device_name):
        self._prev = None
        if device_name is None:
            self._type = _default
            return
        kind = parse(device_name)[0]
        # STATE.device None means the CPU, so the hot creation path tests one attribute.
        self._type = None if kind == "CPU" else kind

    def __enter__(self):
        self._prev = STATE.device
        STATE.device = self._type
        return self

    def __exit__(self, *exc):
        STATE.device = self._prev
        return False


def set_default_device(device_name):
    """Place new tensors on ``device_name`` ('CPU', 'GPU', '/GPU:0', or 'auto': the GPU when
    one is visible) outside any ``tfx.device`` scope, for the rest of the process."""
    global _default
    if device_name is None or str(device_name).lower() == "cpu":
        kind = None
    elif str(device_name).lower() == "auto":
        from ..backend import gpu
        kind = "GPU" if gpu.available() else None
    else:
        kind = parse(device_name, "tfx.config.set_default_device")[0]
        kind = None if kind == "CPU" else kind
    _default = kind
    STATE.device = kind


def get_default_device():
    return name_of(_default or "CPU")


def place(array):
    """``array`` (host data just converted) on the current device. Only called when
    ``STATE.device`` is set. Strings and objects stay on the host."""
    if STATE.device != "GPU" or type(array).__module__.startswith("cupy"):
        return array
    if array.dtype.kind in "OUS":
        return array
    from ..backend import gpu
    return gpu.to_gpu(array)


def _from_env():
    want = os.environ.get("TFX_DEVICE", "").strip()
    if want:
        set_default_device(want)


_from_env()


def place_like(array):
    """Host ``array`` (a Python or NumPy operand, used once) moved to join a GPU tensor in an
    op: a 0-d value as a NumPy scalar, which CuPy takes as a kernel argument (no device copy
    for every Python number an op meets), anything else copied to the GPU."""
    if array.ndim == 0:
        return array[()]
    from ..backend import gpu
    return gpu.to_gpu(array)


def mixed_devices(tensors):
    """The message for an op whose tensor inputs live on different devices, else None.
    Called on the error path only: a mixed op fails in the backend first."""
    from ..backend import device_of
    kinds = []
    for x in tensors:
        v = getattr(x, "_v", None)
        if v is None or getattr(v, "ndim", 1) == 0 and device_of(v) == "CPU":
            continue  # host scalars join any device
        k = device_of(v)
        if k not in kinds:
            kinds.append(k)
    if len(kinds) < 2:
        return None
    return (f"cannot compute on tensors on different devices: {name_of(kinds[0])} and "
            f"{name_of(kinds[1])} (move one with .gpu() or .cpu(), or create both inside "
            f"the same tfx.device scope)")


def host_scalar_joins(a, b):
    """(a, b) with a host 0-d array turned into a NumPy scalar when the other is a GPU array,
    else None. For the error path of binary ops: CuPy refuses 0-d NumPy arrays but takes
    NumPy scalars as kernel arguments, and such values (a loss weight, a count) are often
    made on the host."""
    ga, gb = (type(v).__module__.startswith("cupy") for v in (a, b))
    if ga == gb:
        return None
    host = b if ga else a
    if getattr(host, "ndim", 1) != 0 or host.dtype.kind in "OUS":
        return None
    s = host[()]
    return (a, s) if ga else (s, b)
