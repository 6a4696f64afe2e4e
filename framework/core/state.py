"""The cheap global state the dispatch path reads on every op.

``STATE.recording`` is True only while at least one GradientTape is recording, so an op
run with no tape costs a single attribute read for autodiff.
"""

__all__ = ["STATE"]


class _State:
    __slots__ = ("recording", "tapes", "device", "tracing")

    def __init__(self):
        self.recording = False
        self.tapes = []          # active tapes, innermost last
        self.device = None       # None: default placement (CPU); else a backend name
        self.tracing = None      # the graph being traced, or None

    def refresh(self):
        self.recording = any(t._recording for t in self.tapes)


STATE = _State()
