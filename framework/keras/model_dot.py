"""``model_to_dot``: a model's layer graph as a ``pydot.Dot`` (Graphviz), as Keras 3 returns it.

The graph's DOT text is built here from ``plot_model``'s layer graph; pydot only parses it, so
``dot_source`` gives the same graph as text without pydot installed.
"""
from .plot_model import _label, layer_graph

__all__ = ["model_to_dot", "dot_source"]


def _quoted(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def dot_source(model, show_shapes=False, show_dtype=False, show_layer_names=True,
               rankdir="TB", dpi=200, show_layer_activations=False, show_trainable=False,
               splines="ortho"):
    """The DOT text of ``model``'s layer graph: one box per layer, one edge per connection."""
    if not getattr(model, "built", False):
        raise ValueError("This model has not yet been built. Build the model first by "
                         "calling `build()` or by calling the model on a batch of data.")
    nodes, edges = layer_graph(model)
    lines = [f"digraph {_quoted(model.name)} {{",
             f"  graph [rankdir={rankdir}, concentrate=true, dpi={int(dpi)}, "
             f"splines={splines}];",
             "  node [shape=box];"]
    for i, node in enumerate(nodes):
        label = _label(node, show_shapes, show_dtype, show_layer_names,
                       show_layer_activations, show_trainable)
        lines.append(f"  {i} [label={_quoted(label)}];")
    lines += [f"  {a} -> {b};" for a, b in edges]
    lines.append("}")
    return "\n".join(lines) + "\n"


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True,
                 rankdir="TB", expand_nested=False, dpi=200, subgraph=False,
                 show_layer_activations=False, show_trainable=False, splines="ortho",
                 **kwargs):
    """``model``'s layer graph as a ``pydot.Dot`` (ImportError without pydot, as Keras).

    Nested models are drawn as one box (``expand_nested`` and ``subgraph`` are accepted for
    Keras' signature); ``tfx.keras.utils.plot_model`` draws a picture without Graphviz.
    """
    try:
        import pydot
    except ImportError:
        raise ImportError("You must install pydot (`pip install pydot`) for model_to_dot to "
                          "work.") from None
    text = dot_source(model, show_shapes, show_dtype, show_layer_names, rankdir, dpi,
                      show_layer_activations, show_trainable, splines)
    return pydot.graph_from_dot_data(text)[0]
