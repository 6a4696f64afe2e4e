import contextlib


@contextlib.contextmanager
def errstate(*, linalg=None):
    """cupyx.errstate: the stand-in's solvers are NumPy's, which raise LinAlgError anyway."""
    yield
