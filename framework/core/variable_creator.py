"""``tfx.variable_creator_scope``: intercept the creation of ``tfx.Variable``s.

Inside ``with variable_creator_scope(creator):`` every ``tfx.Variable(...)`` call (Keras
weights included) becomes ``creator(next_creator, **kwargs)``, kwargs being the Variable
arguments (defaults filled in); ``next_creator(**kwargs)`` runs the next scope out, and at the
end makes the variable. As in TensorFlow: the innermost scope runs first, scopes are per
thread, and a subclass of Variable constructed directly is not intercepted.
"""
import contextlib
import inspect
import threading

__all__ = ["variable_creator_scope", "CreatorScoped"]

_LOCAL = threading.local()


def _stack():
    s = getattr(_LOCAL, "stack", None)
    if s is None:
        s = _LOCAL.stack = []
    return s


class CreatorScoped(type):
    """The metaclass of ``Variable``: its calls go through the active creator scopes."""

    _root = None

    def __init__(cls, name, bases, namespace):
        super().__init__(name, bases, namespace)
        if CreatorScoped._root is None:
            CreatorScoped._root = cls  # Variable itself; subclasses are made directly

    def __call__(cls, *args, **kwargs):
        stack = getattr(_LOCAL, "stack", None)
        if not stack or cls is not CreatorScoped._root:
            return super().__call__(*args, **kwargs)
        bound = inspect.signature(cls.__init__).bind(None, *args, **kwargs)
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        arguments.pop(next(iter(arguments)))  # self
        make = super().__call__
        creators = list(stack)

        def chain(i):
            if i < 0:
                return lambda **kw: make(**kw)
            return lambda **kw: creators[i](chain(i - 1), **kw)
        return chain(len(creators) - 1)(**arguments)


@contextlib.contextmanager
def variable_creator_scope(variable_creator):
    """Route ``tfx.Variable(...)`` through ``variable_creator(next_creator, **kwargs)`` while
    the block runs."""
    stack = _stack()
    stack.append(variable_creator)
    try:
        yield
    finally:
        stack.pop()
