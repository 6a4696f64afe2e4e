"""GPU backend on CuPy. Imported only when a GPU is asked for; absent CuPy or GPU, it says so."""
_xp = None


def available():
    """True when CuPy imports and sees at least one CUDA device."""
    try:
        import cupy
        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def device_count():
    try:
        import cupy
        return cupy.cuda.runtime.getDeviceCount()
    except Exception:
        return 0


def __getattr__(name):
    if name == "xp":
        import cupy
        return cupy
    raise AttributeError(name)
