"""Traced graphs as graph definitions: JSON (``tfx.io.write_graph``) and TensorFlow's GraphDef
protocol buffer (``tfx.summary.graph`` / ``trace_export``, which TensorBoard's Graphs
dashboard reads), plus the graph collection behind ``tfx.summary.trace_on``.

A node is ``{"name", "op", "input": ["producer:i", ...], "attr": {"dtype", "shape"}}`` per
operation of a ``tfx.function``'s trace (placeholders and constants included): the op is the
registered op's name, an input names the node and output index that produce it.
"""
import threading

__all__ = ["as_graph", "graph_def_json", "graph_def_proto", "GraphCollector"]


def as_graph(value):
    """The tfx Graph of a Graph, ConcreteFunction or traced tfx.function (its first
    concrete function); TypeError for anything else."""
    from .graph.function import ConcreteFunction, Function
    from .graph.graph import Graph
    if isinstance(value, Graph):
        return value
    if isinstance(value, ConcreteFunction):
        return value.graph
    if isinstance(value, Function):
        if value._all:
            return value._all[0].graph
        if value.input_signature is not None:
            return value.get_concrete_function().graph
        raise ValueError(f"{value.description()} has not been traced: call it (or give it an "
                         "input_signature) before asking for its graph")
    raise TypeError(f"Expected a tfx Graph, ConcreteFunction or tfx.function, got "
                    f"{type(value).__name__}")


def _input_name(graph, slot):
    op, i = graph._producers[slot]
    return op.name if i == 0 else f"{op.name}:{i}"


def _nodes(graph, prefix=""):
    for o in graph._ops:
        outs = o.out_slots
        yield {"name": prefix + o.name, "op": o.type,
               "input": [prefix + _input_name(graph, s) for s in o.in_slots],
               "attr": {"dtype": [graph.dtypes[s].name for s in outs],
                        "shape": [[int(d) for d in graph.shapes[s]] for s in outs]}}


def graph_def_json(value):
    """``{"name", "node": [...], "versions": {"producer": 1}}`` of a graph (see module doc)."""
    graph = as_graph(value)
    return {"name": graph.name, "node": list(_nodes(graph)), "versions": {"producer": 1}}


def graph_def_proto(graphs):
    """One GraphDef protocol buffer holding ``graphs`` (a list of tfx Graphs); with more than
    one, each graph's nodes sit under its name (``fn/op``), as TensorBoard shows scopes."""
    from .io import _ENUM, _tensorboardx
    _tensorboardx()
    from tensorboardX.proto.attr_value_pb2 import AttrValue
    from tensorboardX.proto.graph_pb2 import GraphDef
    from tensorboardX.proto.node_def_pb2 import NodeDef
    from tensorboardX.proto.tensor_shape_pb2 import TensorShapeProto
    from tensorboardX.proto.versions_pb2 import VersionDef
    nodes = []
    names = {}
    for g in graphs:
        n = names.get(g.name, 0)
        names[g.name] = n + 1
        prefix = "" if len(graphs) == 1 else (g.name if not n else f"{g.name}_{n}") + "/"
        for node in _nodes(g, prefix):
            attr = {}
            dtypes = node["attr"]["dtype"]
            if dtypes and dtypes[0] in _ENUM:
                attr["T"] = AttrValue(type=_ENUM[dtypes[0]])
            shapes = [TensorShapeProto(dim=[TensorShapeProto.Dim(size=d) for d in s])
                      for s in node["attr"]["shape"]]
            attr["_output_shapes"] = AttrValue(list=AttrValue.ListValue(shape=shapes))
            nodes.append(NodeDef(name=node["name"], op=node["op"], input=node["input"],
                                 attr=attr))
    return GraphDef(node=nodes, versions=VersionDef(producer=22))


class GraphCollector:
    """The graphs that tfx.functions run between ``start`` and ``stop`` (each once).

    While collecting, the two places a traced graph runs from (``_Trace.run``, and
    ``ConcreteFunction._trace_for`` on the taped path) are wrapped to note their graph; they
    are put back on ``stop``, so calls cost nothing extra when no trace is on.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._graphs = []
        self._saved = None

    @property
    def active(self):
        return self._saved is not None

    def _note(self, graph):
        with self._lock:
            if not any(g is graph for g in self._graphs):
                self._graphs.append(graph)

    def start(self):
        from .graph.function import ConcreteFunction, _Trace
        with self._lock:
            if self._saved is not None:
                return
            run, trace_for = _Trace.run, ConcreteFunction._trace_for
            self._saved = (run, trace_for)
            self._graphs = []
        collector = self

        def noting_run(tr, arrays):
            collector._note(tr.graph)
            return run(tr, arrays)

        def noting_trace_for(cf, tensors):
            tr = trace_for(cf, tensors)
            collector._note(tr.graph)
            return tr
        _Trace.run = noting_run
        ConcreteFunction._trace_for = noting_trace_for

    def stop(self):
        """Stop collecting; the graphs collected (in the order they first ran)."""
        from .graph.function import ConcreteFunction, _Trace
        with self._lock:
            if self._saved is not None:
                _Trace.run, ConcreteFunction._trace_for = self._saved
                self._saved = None
            graphs, self._graphs = self._graphs, []
        return graphs
