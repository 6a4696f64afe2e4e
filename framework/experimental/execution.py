"""``tf.experimental``'s execution controls: ``async_scope``, ``async_clear_error`` and
``function_executor_type``. tfx runs each eager op to completion before the next (there is
no asynchronous op queue to scope or to clear errors from) and has one function executor, so
these keep code that uses them working and change nothing."""
import contextlib

__all__ = ["async_scope", "async_clear_error", "function_executor_type"]


@contextlib.contextmanager
def async_scope():
    """A block whose ops TensorFlow may run asynchronously; in tfx they run as always."""
    yield


def async_clear_error():
    """Clear pending asynchronous errors: tfx raises each error where its op runs, so there
    is never one pending."""


@contextlib.contextmanager
def function_executor_type(executor_type):
    """Select the executor for functions called in the block (tfx has one)."""
    yield
