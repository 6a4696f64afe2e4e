"""tfx.distribute: data-parallel training across processes on MPI.

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
from .strategy import MPIStrategy, ReduceOp, Strategy, get_strategy, has_strategy

__all__ = ["MPIStrategy", "ReduceOp", "Strategy", "get_strategy", "has_strategy",
           "launched_size"]
