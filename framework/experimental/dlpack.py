"""``tfx.experimental.dlpack``: zero-copy exchange of tensors with other array libraries
(NumPy, PyTorch, CuPy, JAX) through the DLPack protocol."""
from .. import dtypes as _dt
from ..core.tensor import Tensor, convert_to_tensor, wrap

__all__ = ["to_dlpack", "from_dlpack"]

_CPU, _CUDA = 1, 2  # DLDeviceType codes


def _exportable(v):
    """The backend array ``v``, or a view of it that DLPack can export. A legacy capsule has
    no read-only flag, so a read-only view of a writable buffer is exported as writable (as
    TensorFlow's zero-copy export is); a truly read-only buffer is copied."""
    if getattr(getattr(v, "flags", None), "writeable", True):  # CuPy arrays have no flag
        return v
    w = v.view()
    try:
        w.flags.writeable = True
    except ValueError:
        return v.copy()
    return w


def to_dlpack(tf_tensor):
    """A DLPack capsule sharing ``tf_tensor``'s memory (consume it once, e.g. with
    ``torch.utils.dlpack.from_dlpack`` or ``tfx.experimental.dlpack.from_dlpack``)."""
    x = tf_tensor if isinstance(tf_tensor, Tensor) else convert_to_tensor(tf_tensor)
    return _exportable(x._v).__dlpack__()


class _Capsule:
    """Presents a bare capsule to ``from_dlpack`` functions that want the protocol object."""

    def __init__(self, capsule, device):
        self._capsule = capsule
        self._device = device

    def __dlpack__(self, **kwargs):
        return self._capsule

    def __dlpack_device__(self):
        return self._device


def _import(obj):
    if hasattr(obj, "__dlpack__"):
        dev = obj.__dlpack_device__()[0] if hasattr(obj, "__dlpack_device__") else _CPU
        if dev == _CUDA:
            from ..backend import gpu
            return gpu.xp.from_dlpack(obj)
        from ..backend import xp
        return xp.from_dlpack(obj)
    # A bare capsule does not say where its memory lives: try the host, then the GPU.
    from ..backend import xp
    try:
        return xp.from_dlpack(_Capsule(obj, (_CPU, 0)))
    except (BufferError, RuntimeError, TypeError, ValueError):
        from ..backend import gpu
        if not gpu.available():
            raise
        return gpu.xp.from_dlpack(obj)


def from_dlpack(dlcapsule):
    """A tensor sharing the memory of a DLPack capsule or of any object with ``__dlpack__``
    (a NumPy array, a torch tensor, a CuPy array); CPU memory stays on the CPU, GPU memory
    on the GPU."""
    v = _import(dlcapsule)
    try:
        dtype = _dt.as_dtype(v.dtype)
    except (TypeError, ValueError, KeyError):
        raise TypeError(f"from_dlpack: unsupported dtype {v.dtype}") from None
    return wrap(v, dtype)
