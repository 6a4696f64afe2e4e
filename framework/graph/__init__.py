"""``tfx.graph``: tracing Python functions into graphs and running them (``tfx.function``),
graph control flow (``tfx.cond``, ``tfx.while_loop``) and ``tfx.TensorSpec``."""
from ..data.specs import TensorSpec
from .graph import Graph, GraphTensor, Operation
from .function import ConcreteFunction, Function, function
from .control_flow import cond, while_loop
from .tracing import init_scope

__all__ = ["TensorSpec", "Graph", "GraphTensor", "Operation", "ConcreteFunction", "Function",
           "function", "cond", "while_loop", "init_scope"]
