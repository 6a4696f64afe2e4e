"""tfx.distribute: one-replica strategies, and data-parallel training across processes on MPI.

Code written for ``tf.distribute`` runs unchanged on one device::

    strategy = tfx.distribute.MirroredStrategy()       # or OneDeviceStrategy("/cpu:0")
    with strategy.scope():
        model = make_model()
    losses = strategy.run(train_step, args=(batch,))
    loss = strategy.reduce(tfx.distribute.ReduceOp.SUM, losses, axis=None)

``mpiexec -n 4 python train.py`` with::

    strategy = tfx.distribute.MPIStrategy()
    with strategy.scope():
        model = make_model()
        model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, batch_size=32)   # 32 per rank: the global batch is 128

Custom loops average their own gradients with ``strategy.allreduce_gradients(grads)`` and
combine values with ``strategy.reduce("MEAN", value)``. MPI is loaded only when an
``MPIStrategy`` is made.
"""
from .mpi import launched_size
from .one_device import (InputContext, MirroredStrategy, OneDeviceStrategy, ReplicaContext,
                         StrategyExtended, get_replica_context, get_strategy, has_strategy,
                         in_cross_replica_context)
from .strategy import MPIStrategy, ReduceOp, Strategy

__all__ = ["MPIStrategy", "MirroredStrategy", "OneDeviceStrategy", "ReduceOp", "Strategy",
           "StrategyExtended", "ReplicaContext", "InputContext", "get_strategy",
           "has_strategy", "in_cross_replica_context", "get_replica_context",
           "launched_size"]
