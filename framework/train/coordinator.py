"""``tfx.train.Coordinator``: stop a group of threads together and report the first error,
as ``tf.train.Coordinator``.

Threads loop ``while not coord.should_stop()``; any of them (or the main thread) calls
``request_stop(ex)`` to stop all; ``join`` waits for them and re-raises the first exception
reported. Exceptions of ``clean_stop_exception_types`` (OutOfRangeError by default: an input
ran out) stop the threads without being an error.
"""
import contextlib
import sys
import threading
import time

__all__ = ["Coordinator"]


class Coordinator:
    def __init__(self, clean_stop_exception_types=None):
        if clean_stop_exception_types is None:
            from ..errors import OutOfRangeError
            clean_stop_exception_types = (OutOfRangeError,)
        self._clean_stop_exception_types = tuple(clean_stop_exception_types)
        self._lock = threading.Lock()
        self._stop_event = threading.Event()
        self._exc_info_to_raise = None
        self._joined = False
        self._registered_threads = set()

    def _filter_exception(self, ex):
        value = ex[1] if isinstance(ex, tuple) else ex
        if isinstance(value, self._clean_stop_exception_types):
            return None
        return ex

    def request_stop(self, ex=None):
        """Ask every thread to stop. ``ex`` (an exception or a ``sys.exc_info()`` tuple), if
        it is the first reported, is re-raised by ``join``; after ``join`` it is raised here."""
        with self._lock:
            ex = self._filter_exception(ex)
            if self._joined and ex is not None:
                raise ex[1] if isinstance(ex, tuple) else ex
            if not self._stop_event.is_set():
                if ex is not None and self._exc_info_to_raise is None:
                    if isinstance(ex, tuple):
                        if len(ex) != 3 or ex[1] is None:
                            ex = _value_error(f"ex must be a tuple or sys.exc_info must "
                                              f"return the current exception: {ex}")
                        self._exc_info_to_raise = ex
                    else:
                        self._exc_info_to_raise = (type(ex), ex, ex.__traceback__)
                self._stop_event.set()

    def clear_stop(self):
        """Forget the stop request and the reported exception (to start threads again)."""
        with self._lock:
            self._joined = False
            self._exc_info_to_raise = None
            if self._stop_event.is_set():
                self._stop_event.clear()

    def should_stop(self):
        return self._stop_event.is_set()

    @contextlib.contextmanager
    def stop_on_exception(self):
        """A block that, if it raises, requests a stop with that exception (re-raised by
        ``join``) instead of propagating it."""
        try:
            yield
        except Exception:  # noqa: BLE001 - reported through request_stop
            self.request_stop(ex=sys.exc_info())

    def wait_for_stop(self, timeout=None):
        """Block until a stop is requested (or ``timeout`` seconds); whether it was."""
        return self._stop_event.wait(timeout)

    def register_thread(self, thread):
        """Add ``thread`` to those ``join`` waits for."""
        with self._lock:
            self._registered_threads.add(thread)

    def join(self, threads=None, stop_grace_period_secs=120, ignore_live_threads=False):
        """Wait until the threads end or a stop is requested, then up to
        ``stop_grace_period_secs`` for the rest; re-raise the first reported exception, or
        raise RuntimeError naming threads still running (unless ``ignore_live_threads``)."""
        with self._lock:
            threads = set(self._registered_threads) | set(threads or ())
        while any(t.is_alive() for t in threads) and not self.wait_for_stop(1.0):
            pass
        wait = 0.001
        while any(t.is_alive() for t in threads) and stop_grace_period_secs >= 0.0:
            time.sleep(wait)
            stop_grace_period_secs -= wait
            wait = max(min(2 * wait, stop_grace_period_secs), 0.001)
        stragglers = [t.name for t in threads if t.is_alive()]
        with self._lock:
            self._joined = True
            self._registered_threads = set()
            if self._exc_info_to_raise is not None:
                raise self._exc_info_to_raise[1]
            if stragglers and not ignore_live_threads:
                raise RuntimeError("Coordinator stopped with threads still running: "
                                   + " ".join(stragglers))

    @property
    def joined(self):
        return self._joined

    def raise_requested_exception(self):
        """Raise the reported exception, if any (a thread's way to stop with it)."""
        with self._lock:
            if self._exc_info_to_raise is not None:
                raise self._exc_info_to_raise[1]


def _value_error(message):
    try:
        raise ValueError(message)
    except ValueError:
        return sys.exc_info()
