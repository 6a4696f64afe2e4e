"""One-replica strategies: ``OneDeviceStrategy``, ``MirroredStrategy`` on one device and the
default strategy ``get_strategy()`` returns outside any scope.

TensorFlow code written for a strategy (the custom-training-loop tutorial: ``strategy.scope()``
around the model, ``strategy.run(train_step, args=(batch,))``, ``strategy.reduce(SUM, losses,
axis=None)``, ``experimental_distribute_dataset``) runs unchanged. With one replica there is
nothing to share, so every method computes what the code computes without a strategy, and a
model built or fit under ``scope()`` takes the no-strategy path (its numbers are the same). The
scope of these strategies is kept apart from ``MPIStrategy``'s, which ``Model`` reads.
"""
import contextlib
import re

from .. import nest
from ..core.tensor import convert_to_tensor
from . import mpi
from . import strategy as _mpi_strategy
from .strategy import ReduceOp, Strategy, _reduce_op

__all__ = ["OneDeviceStrategy", "MirroredStrategy", "ReplicaContext", "InputContext",
           "StrategyExtended", "get_strategy", "has_strategy", "in_cross_replica_context",
           "get_replica_context"]

_state = {"strategy": None, "replica": None}


def canonical_device(device):
    """'/cpu:0', 'GPU:1', '/device:CPU:0' -> '/job:localhost/replica:0/task:0/device:CPU:0'."""
    m = re.search(r"(?:device:)?(cpu|gpu)(?::(\d+))?\s*$", str(device), re.IGNORECASE)
    if m is None:
        raise ValueError(f"Unknown device {device!r}: expected e.g. '/cpu:0' or '/gpu:0'.")
    return f"/job:localhost/replica:0/task:0/device:{m.group(1).upper()}:{m.group(2) or 0}"


class InputContext:
    """What ``distribute_datasets_from_function`` tells the dataset function (one pipeline)."""

    num_input_pipelines = 1
    input_pipeline_id = 0

    def __init__(self, num_replicas_in_sync=1):
        self.num_replicas_in_sync = num_replicas_in_sync

    def get_per_replica_batch_size(self, global_batch_size):
        if global_batch_size % self.num_replicas_in_sync:
            raise ValueError(f"The `global_batch_size` {global_batch_size} is not divisible "
                             f"by `num_replicas_in_sync` {self.num_replicas_in_sync}")
        return global_batch_size // self.num_replicas_in_sync


class ReplicaContext:
    """The one replica's view inside ``strategy.run`` (``tf.distribute.ReplicaContext``)."""

    num_replicas_in_sync = 1
    replica_id_in_sync_group = 0

    def __init__(self, strategy):
        self.strategy = strategy

    @property
    def devices(self):
        return self.strategy.extended.worker_devices

    def all_reduce(self, reduce_op, value, options=None):
        """``value`` (any structure) summed or averaged over the replicas: itself, here."""
        _reduce_op(reduce_op)
        return nest.map_structure(convert_to_tensor, value)

    def all_gather(self, value, axis, options=None):
        return nest.map_structure(convert_to_tensor, value)

    def merge_call(self, merge_fn, args=(), kwargs=None):
        """Run ``merge_fn(strategy, *args, **kwargs)`` in the cross-replica context."""
        saved = _state["replica"]
        _state["replica"] = None
        try:
            return merge_fn(self.strategy, *args, **(kwargs or {}))
        finally:
            _state["replica"] = saved


class StrategyExtended:
    """``strategy.extended``: the devices and the per-variable hooks, for one replica."""

    def __init__(self, strategy, devices):
        self._strategy = strategy
        self.worker_devices = tuple(devices)
        self.parameter_devices = tuple(devices)

    experimental_require_static_shapes = False
    should_checkpoint = True
    should_save_summary = True

    def variable_created_in_scope(self, v):
        return True

    def value_container(self, value):
        return value

    def reduce_to(self, reduce_op, value, destinations, options=None):
        _reduce_op(reduce_op)
        return value

    def update(self, var, fn, args=(), kwargs=None, group=True):
        return fn(var, *args, **(kwargs or {}))

    @contextlib.contextmanager
    def colocate_vars_with(self, colocate_with_variable):
        yield


class _OneReplicaStrategy(Strategy):
    """One replica in this process (``num_replicas_in_sync == 1``)."""

    def __init__(self, devices):
        super().__init__(mpi.LocalCommunicator())
        self.extended = StrategyExtended(self, [canonical_device(d) for d in devices])

    @contextlib.contextmanager
    def scope(self):
        """Variables and models made inside belong to this strategy (which changes nothing)."""
        previous = _state["strategy"] or _mpi_strategy.active()
        if previous is not None and previous is not self:
            raise ValueError("Mixing different tfx.distribute strategies is not allowed: "
                             f"{self!r} entered inside the scope of {previous!r}.")
        _state["strategy"] = self
        try:
            yield self
        finally:
            _state["strategy"] = previous if previous is self else None

    def __repr__(self):
        return f"<tfx.distribute.{type(self).__name__} on {self.extended.worker_devices[0]}>"

    def run(self, fn, args=(), kwargs=None, options=None):
        """``fn(*args, **kwargs)`` on the one replica, inside the scope and a replica context."""
        with self.scope():
            saved = _state["replica"]
            _state["replica"] = ReplicaContext(self)
            try:
                return fn(*args, **(kwargs or {}))
            finally:
                _state["replica"] = saved

    def reduce(self, reduce_op, value, axis=None):
        """``value`` combined over the replicas (here: itself) and, if given, over ``axis``,
        with tfx ops (so inside a ``tfx.function`` it is computed when the graph runs)."""
        op = _reduce_op(reduce_op)
        x = convert_to_tensor(value)
        if axis is None:
            return x
        from ..ops.math_ops import cast, reduce_mean, reduce_sum
        if op is ReduceOp.SUM:
            return reduce_sum(x, axis=axis)
        if not x.dtype.is_floating:  # as TensorFlow: the mean of integers is a float64
            x = cast(x, "float64")
        return reduce_mean(x, axis=axis)

    def experimental_distribute_dataset(self, dataset, options=None):
        """Batches go to the one replica as they are."""
        return dataset

    def distribute_datasets_from_function(self, dataset_fn, options=None):
        return dataset_fn(InputContext(self.num_replicas_in_sync))

    def experimental_distribute_values_from_function(self, value_fn):
        return value_fn(_ValueContext())

    def experimental_local_results(self, value):
        """The values this process holds, one per local replica: ``(value,)``."""
        return (value,)

    def gather(self, value, axis):
        return convert_to_tensor(value)


class _ValueContext:
    replica_id_in_sync_group = 0
    num_replicas_in_sync = 1


class OneDeviceStrategy(_OneReplicaStrategy):
    """Everything on ``device`` (``tf.distribute.OneDeviceStrategy``), e.g. "/cpu:0"."""

    def __init__(self, device):
        super().__init__([device])


class MirroredStrategy(_OneReplicaStrategy):
    """``tf.distribute.MirroredStrategy`` on one device (default: the first GPU if there is
    one, else the CPU). Several devices in one process are not supported: run one process per
    device under ``MPIStrategy`` instead."""

    def __init__(self, devices=None, cross_device_ops=None):
        if devices is None:
            devices = [_default_device()]
        devices = list(devices)
        if len(devices) != 1:
            raise ValueError(f"tfx's MirroredStrategy runs one replica per process; got "
                             f"{len(devices)} devices. Use tfx.distribute.MPIStrategy with "
                             "one process per device.")
        super().__init__(devices)


def _default_device():
    from ..config import list_physical_devices
    return "/gpu:0" if list_physical_devices("GPU") else "/cpu:0"


class _DefaultStrategy(_OneReplicaStrategy):
    """The strategy of code that names none: one replica, the default device."""

    def __init__(self):
        super().__init__(["/cpu:0"])

    @contextlib.contextmanager
    def scope(self):
        yield self


_DEFAULT = _DefaultStrategy()


def get_strategy():
    """The strategy whose scope is active, else the default one (one replica)."""
    return _state["strategy"] or _mpi_strategy.active() or _DEFAULT


def has_strategy():
    """Whether a (non-default) strategy's scope is active."""
    return (_state["strategy"] or _mpi_strategy.active()) is not None


def in_cross_replica_context():
    """Inside a strategy's scope but not inside ``strategy.run``."""
    return has_strategy() and _state["replica"] is None


def get_replica_context():
    """Inside ``strategy.run``: its ``ReplicaContext``; in a strategy's scope outside ``run``:
    None (cross-replica); with no strategy: the default strategy's replica context."""
    if _state["replica"] is not None:
        return _state["replica"]
    if has_strategy():
        return None
    return ReplicaContext(_DEFAULT)
