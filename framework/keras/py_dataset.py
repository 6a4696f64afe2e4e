"""``keras.utils.PyDataset`` (also ``Sequence``): batches produced by ``__getitem__``, one
epoch being ``len(dataset)`` batches; ``fit`` calls ``on_epoch_begin``/``on_epoch_end``."""

__all__ = ["PyDataset", "Sequence"]


class PyDataset:
    """Subclass it and define ``__len__`` (batches per epoch) and ``__getitem__(index)``
    (one batch: ``x``, ``(x, y)`` or ``(x, y, sample_weight)``). ``workers``,
    ``use_multiprocessing`` and ``max_queue_size`` are kept for Keras compatibility; batches
    are produced in order on the calling thread, so results repeat exactly."""

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    @property
    def workers(self):
        return getattr(self, "_workers", 1)

    @property
    def use_multiprocessing(self):
        return getattr(self, "_use_multiprocessing", False)

    @property
    def max_queue_size(self):
        return getattr(self, "_max_queue_size", 10)

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index), "
                                  "returning one batch")

    def __len__(self):
        return self.num_batches

    @property
    def num_batches(self):
        """Batches per epoch (``len(self)`` unless a subclass overrides this instead)."""
        if type(self).__len__ is not PyDataset.__len__:
            return len(self)
        return None

    def on_epoch_begin(self):
        """Called at the start of every epoch of ``fit``."""

    def on_epoch_end(self):
        """Called at the end of every epoch of ``fit`` (shuffle here)."""

    def __iter__(self):
        n = self.num_batches
        i = 0
        while n is None or i < n:
            try:
                yield self[i]
            except IndexError:  # an infinite dataset that ran out
                return
            i += 1


Sequence = PyDataset
