"""``tfx.summary``: TensorBoard summaries written as TensorFlow 2 writes them (``tf.summary``).

Each summary is a tensor with its plugin's metadata (``scalars``, ``histograms``, ``images``,
``text``), in an event file written by tensorboardX's writer: TensorBoard, and TensorBoard's
``EventAccumulator(...).Tensors(tag)``, read tfx's logs as they read TensorFlow's.
"""
import contextlib as _contextlib
import threading as _threading

from . import dtypes as _dt
from .backend import xp

__all__ = ["SummaryWriter", "create_file_writer", "create_noop_writer", "scalar", "histogram",
           "image", "audio", "text", "write", "flush", "record_if", "should_record_summaries",
           "experimental", "graph", "trace_on", "trace_off", "trace_export"]

_state = _threading.local()


def _stack(name):
    s = getattr(_state, name, None)
    if s is None:
        s = []
        setattr(_state, name, s)
    return s


def _current_writer():
    writers = _stack("writers")
    return writers[-1] if writers else getattr(_state, "default", None)


def _bool(value):
    from .ops._core import wrap
    return wrap(xp.asarray(bool(value)), _dt.bool)


def _host(value):
    """A NumPy view of a tensor, Variable or Python value (summaries never go on a tape)."""
    if hasattr(value, "numpy"):
        value = value.numpy()
    return xp.asarray(value)


# ---- writers -----------------------------------------------------------------------------------

class SummaryWriter:
    """Writes summaries to one event file under ``logdir``; use it with ``as_default()``."""

    def __init__(self, logdir=None, max_queue=None, flush_millis=None, filename_suffix=None):
        self._logdir = None if logdir is None else str(logdir)
        self._options = dict(max_queue=max_queue or 10,
                             flush_secs=(flush_millis or 120000) / 1000.0,
                             filename_suffix=filename_suffix or ".v2")
        self._writer = None
        self._closed = False

    def _file_writer(self):
        if self._logdir is None:
            return None
        if self._writer is None:
            from .io import _tensorboardx
            self._writer = _tensorboardx().SummaryWriter(self._logdir, **self._options)
        fw = self._writer._get_file_writer()
        _write_synchronously(fw.event_writer)
        return fw

    def init(self):
        self._file_writer()

    def set_as_default(self, step=None):
        """Make this the default writer of this thread from now on."""
        _state.default = self
        if step is not None:
            experimental.set_step(step)

    @_contextlib.contextmanager
    def as_default(self, step=None):
        """Within the block, summaries go to this writer (and ``step`` is the default step)."""
        writers = _stack("writers")
        old_step = getattr(_state, "step", None)
        writers.append(self)
        if step is not None:
            _state.step = step
        try:
            yield self
        finally:
            writers.pop()
            if step is not None:
                _state.step = old_step
            self.flush()

    def flush(self):
        if self._writer is not None:
            self._writer.flush()

    def close(self):
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self._closed = True

    def _write(self, tag, tensor_proto, plugin, step, description, content=b""):
        fw = self._file_writer()
        if fw is None:
            return False
        from tensorboardX.proto.summary_pb2 import Summary, SummaryMetadata
        meta = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name=plugin,
                                                                      content=content),
                               summary_description=description or "")
        fw.add_summary(Summary(value=[Summary.Value(tag=tag, metadata=meta,
                                                    tensor=tensor_proto)]),
                       global_step=step)
        return True


class _Direct:
    """A stand-in for tensorboardX's event queue that writes each event at once."""

    def __init__(self, records):
        self._records = records

    def put(self, event, *args, **kwargs):
        if hasattr(event, "SerializeToString"):  # not the worker's shutdown signal
            self._records.write_event(event)

    def close(self):
        pass


class _NoWorker:
    def stop(self):
        pass


def _write_synchronously(event_writer):
    """Make tensorboardX's event writer write in the caller's thread. Its own writes from a
    background thread, and its ``flush`` does not wait for that thread: a flushed file could
    still miss the last events, where ``tf.summary.flush`` promises them on disk."""
    if isinstance(getattr(event_writer, "_event_queue", None), _Direct):
        return
    worker, queue, records = (getattr(event_writer, a, None) for a in
                              ("_worker", "_event_queue", "_ev_writer"))
    if worker is None or queue is None or records is None:
        return  # another tensorboardX layout: keep its own writer thread
    worker.stop()  # everything queued before is written when it returns
    queue.close()
    event_writer._event_queue = _Direct(records)
    event_writer._worker = _NoWorker()


def create_file_writer(logdir, max_queue=None, flush_millis=None, filename_suffix=None,
                       name=None, experimental_trackable=False, experimental_mesh=None):
    """A SummaryWriter for the event-file directory ``logdir`` (created on first write)."""
    return SummaryWriter(logdir, max_queue, flush_millis, filename_suffix)


def create_noop_writer():
    """A writer that writes nothing (summaries under it return False)."""
    return SummaryWriter(None)


def flush(writer=None, name=None):
    """Flush ``writer`` (default: the current default writer)."""
    w = writer if writer is not None else _current_writer()
    if w is not None:
        w.flush()


# ---- when to record ----------------------------------------------------------------------------

@_contextlib.contextmanager
def record_if(condition):
    """Within the block, record summaries only when ``condition`` (a bool, or a callable
    returning one at each summary) holds."""
    conds = _stack("conditions")
    conds.append(condition)
    try:
        yield
    finally:
        conds.pop()


def _condition_holds():
    conds = _stack("conditions")
    if not conds:
        return True
    c = conds[-1]
    return bool(c() if callable(c) else _host(c))


def should_record_summaries():
    """Whether a summary written now would be recorded."""
    w = _current_writer()
    return _bool(w is not None and w._logdir is not None and _condition_holds())


class experimental:  # noqa: N801 - TensorFlow's namespace tf.summary.experimental
    """``tfx.summary.experimental``: the default step."""

    @staticmethod
    def get_step():
        """The default step (None if unset)."""
        return getattr(_state, "step", None)

    @staticmethod
    def set_step(step):
        """Set the default step: an int, a tensor or a Variable (read at each write)."""
        _state.step = step

    @staticmethod
    @_contextlib.contextmanager
    def summary_scope(name, default_name=None, values=None):
        yield name or default_name, name or default_name

    @staticmethod
    def write_raw_pb(tensor, step=None, name=None):
        """Write serialized ``Summary`` protocol buffers (a string or strings) as they are."""
        w = _current_writer()
        if w is None or not _condition_holds():
            return _bool(False)
        step = experimental.get_step() if step is None else step
        if step is None:
            raise ValueError("No step set. Please specify one either through the `step` "
                             "argument or through tf.summary.experimental.set_step()")
        fw = w._file_writer()
        if fw is None:
            return _bool(False)
        from tensorboardX.proto.summary_pb2 import Summary
        for raw in xp.asarray(_host(tensor), dtype=object).reshape(-1).tolist():
            summary = Summary()
            summary.ParseFromString(raw if isinstance(raw, bytes) else bytes(raw))
            fw.add_summary(summary, global_step=int(_host(step)))
        return _bool(True)


# ---- summaries ---------------------------------------------------------------------------------

def _tensor_proto(array):
    from .io import _ENUM, _tensor_proto as proto_class
    proto = proto_class()()
    for n in array.shape:
        proto.tensor_shape.dim.add(size=int(n))
    if array.dtype == object or array.dtype.kind in "SU":
        proto.dtype = _ENUM["string"]
        proto.string_val.extend(v if isinstance(v, bytes) else str(v).encode()
                                for v in array.reshape(-1).tolist())
    else:
        proto.dtype = _ENUM[_dt.as_dtype(array.dtype).name]
        proto.tensor_content = array.astype(array.dtype.newbyteorder("<")).tobytes()
    return proto


def _emit(name, array, plugin, step, description, content=b""):
    w = _current_writer()
    if w is None or not _condition_holds():
        return _bool(False)
    if step is None:
        step = experimental.get_step()
    if step is None:
        raise ValueError("No step set. Please specify one either through the `step` argument "
                         "or through tf.summary.experimental.set_step()")
    return _bool(w._write(name, _tensor_proto(array), plugin, int(_host(step)), description,
                          content))


def write(tag, tensor, step=None, metadata=None, name=None):
    """Write ``tensor`` under ``tag`` with no plugin (or the plugin named in ``metadata``)."""
    plugin = getattr(getattr(metadata, "plugin_data", None), "plugin_name", "") or ""
    return _emit(tag, _host(tensor), plugin, step, None)


def scalar(name, data, step=None, description=None):
    """A float32 scalar for TensorBoard's scalars dashboard. Returns True if written."""
    return _emit(name, xp.asarray(_host(data), dtype=xp.float32).reshape(()), "scalars", step,
                 description)


def _histogram_buckets(values, count):
    values = values.reshape(-1).astype(xp.float64)
    if values.size == 0:
        return xp.zeros((count, 3))
    lo, hi = values.min(), values.max()
    if lo == hi:  # one value: every edge at it, all of it in the last bucket
        counts = xp.zeros(count)
        counts[-1] = values.size
        return xp.stack([xp.full(count, lo), xp.full(count, hi), counts], 1)
    width = (hi - lo) / count
    idx = xp.minimum(xp.floor((values - lo) / width).astype(xp.int64), count - 1)
    edges = xp.linspace(lo, hi, count + 1)
    return xp.stack([edges[:-1], edges[1:], xp.bincount(idx, minlength=count).astype(
        xp.float64)], 1)


def histogram(name, data, step=None, buckets=None, description=None):
    """A histogram of ``data`` in ``buckets`` (default 30) equal-width buckets."""
    return _emit(name, _histogram_buckets(_host(data), 30 if buckets is None else int(buckets)),
                 "histograms", step, description)


def image(name, data, step=None, max_outputs=3, description=None):
    """Up to ``max_outputs`` images from [k, height, width, 1 | 3 | 4] ``data`` (floats in
    [0, 1] or uint8), PNG-encoded."""
    from .image import convert_image_dtype, encode_png
    arr = _host(data)
    if arr.ndim != 4 or arr.shape[-1] not in (1, 3, 4):
        raise ValueError(f"tfx.summary.image: data must be [k, h, w, 1|3|4], got "
                         f"{list(arr.shape)}")
    frames = convert_image_dtype(arr[:max_outputs], _dt.uint8, saturate=True).numpy()
    pngs = [encode_png(f).numpy() for f in frames]
    header = [str(arr.shape[2]).encode(), str(arr.shape[1]).encode()]
    out = xp.empty(2 + len(pngs), dtype=object)
    out[:] = header + pngs
    return _emit(name, out, "images", step, description)


def _wav(samples, rate):
    """16-bit PCM WAV bytes of float samples [time, channels] in [-1, 1]."""
    import io
    import wave
    pcm = xp.clip(xp.rint(samples.astype(xp.float64) * 32768.0), -32768, 32767)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(samples.shape[1])
        w.setsampwidth(2)
        w.setframerate(int(rate))
        w.writeframes(pcm.astype("<i2").tobytes())
    return buf.getvalue()


def audio(name, data, sample_rate, step=None, max_outputs=3, encoding=None, description=None):
    """Up to ``max_outputs`` clips from float ``data`` [k, time, channels] in [-1, 1], as
    16-bit WAV at ``sample_rate`` Hz."""
    if encoding not in (None, "wav"):
        raise ValueError(f"Unknown encoding: {encoding!r}")
    arr = _host(data)
    if arr.ndim != 3:
        raise ValueError(f"tfx.summary.audio: data must be [k, t, c], got {list(arr.shape)}")
    if _current_writer() is None or not _condition_holds():
        return _bool(False)  # skip the encoding too
    rate = int(_host(sample_rate))
    clips = [_wav(clip, rate) for clip in arr[:max_outputs]]
    out = xp.empty((len(clips), 2), dtype=object)
    for i, c in enumerate(clips):
        out[i] = (c, b"")  # (encoded clip, label)
    # The audio plugin's metadata: AudioPluginData(encoding=WAV), serialized by hand.
    return _emit(name, out, "audio", step, description, content=b"\x10\x0b")


def text(name, data, step=None, description=None):
    """A string (or tensor of strings) for TensorBoard's text dashboard."""
    arr = _host(data)
    if arr.dtype.kind in "SU" or arr.dtype == object:
        arr = xp.asarray(arr, dtype=object)
    else:
        raise TypeError("tfx.summary.text: data must be a string tensor")
    return _emit(name, arr, "text", step, description)


# ---- graphs -------------------------------------------------------------------------------------

def _write_graph_event(graphs):
    w = _current_writer()
    if w is None or not _condition_holds():
        return False
    fw = w._file_writer()
    if fw is None:
        return False
    from tensorboardX.proto.event_pb2 import Event
    from .summary_graph import graph_def_proto
    fw.add_event(Event(graph_def=graph_def_proto(graphs).SerializeToString()), None, None)
    return True


def graph(graph_data):
    """Write the graph of a ``tfx.function`` (traced), ConcreteFunction or tfx Graph to the
    default writer, where TensorBoard's Graphs dashboard shows it. Returns whether it was
    written (False with no default writer)."""
    from .summary_graph import as_graph
    return _write_graph_event([as_graph(graph_data)])


def trace_on(graph=True, profiler=False, profiler_outdir=None):
    """Start recording the graphs of the tfx.functions that run, for ``trace_export``.
    tfx has no profiler: ``profiler=True`` warns and records graphs only."""
    if profiler:
        import warnings
        warnings.warn("tfx.summary.trace_on: tfx has no profiler; only graphs are recorded.",
                      stacklevel=2)
    if graph:
        _collector.start()


def trace_off():
    """Stop recording graphs (and forget them)."""
    _collector.stop()


def trace_export(name, step=None, profiler_outdir=None):
    """Stop recording and write the graphs of the tfx.functions run since ``trace_on`` to the
    default writer as one graph (each function's nodes under its name). ``step`` defaults to
    ``experimental.get_step()``; ValueError with neither."""
    if step is None:
        step = experimental.get_step()
    if step is None:
        _collector.stop()
        raise ValueError("Must provide step to trace_export() or set a default step via "
                         "tf.summary.experimental.set_step()")
    if not _collector.active:
        import warnings
        warnings.warn("Cannot export trace: trace_on() was not called.", stacklevel=2)
        return
    graphs = _collector.stop()
    if graphs:
        _write_graph_event(graphs)


def _make_collector():
    from .summary_graph import GraphCollector
    return GraphCollector()


_collector = _make_collector()
