"""``tfx.CriticalSection``: run functions one at a time (``tf.CriticalSection``).

Eager tfx runs Python, so a critical section is a lock: ``execute(fn)`` runs ``fn()`` while
holding it and returns what ``fn`` returns. Calling ``execute`` of a section from inside a
function it is running would deadlock; TensorFlow refuses it, and so does tfx (ValueError).
"""
import itertools
import threading

__all__ = ["CriticalSection"]

_IDS = itertools.count()


class CriticalSection:
    """Serialises the functions run by ``execute`` across threads."""

    def __init__(self, name=None, shared_name=None, critical_section_def=None,
                 import_scope=None):
        if critical_section_def is not None:
            raise ValueError("tfx.CriticalSection cannot be rebuilt from a "
                             "critical_section_def: tfx has no graph protos")
        self._name = name or f"critical_section_{next(_IDS)}"
        self._lock = threading.Lock()
        self._holder = None  # the thread running inside, to refuse re-entry

    @property
    def name(self):
        return self._name

    def execute(self, fn, exclusive_resource_access=True, name=None):
        """Run ``fn()`` holding the section's lock; returns its result."""
        if self._holder == threading.get_ident():
            raise ValueError(f"Attempting to lock a CriticalSection ({self._name}) in which we "
                             "are already running. This is illegal and may cause deadlocks.")
        with self._lock:
            self._holder = threading.get_ident()
            try:
                return fn()
            finally:
                self._holder = None
