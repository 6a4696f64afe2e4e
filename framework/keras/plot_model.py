"""``plot_model``: a picture of a model's layer graph, drawn with Matplotlib (Keras needs
pydot and Graphviz for this; tfx lays the graph out itself).

Layers are boxes ("name (Class)" and optionally shapes, dtypes, activations, trainability),
arrows follow the functional graph; boxes at the same depth share a row (``rankdir="TB"``)
or a column (``"LR"``).
"""
import os

from .. import nest

__all__ = ["plot_model", "layer_graph"]


def _shape_text(shape):
    if shape is None:
        return "?"
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
        return ", ".join(_shape_text(s) for s in shape)
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def _kt_shapes(kts):
    shapes = [tuple(k.shape.as_list()) for k in kts]
    return shapes[0] if len(shapes) == 1 else shapes


def layer_graph(model):
    """(nodes, edges): nodes are dicts (name, class, in/out shapes and dtypes, layer); edges
    (source index, target index), from the functional graph or the Sequential stack."""
    from .layers.core import InputLayer
    from .models.functional import Functional
    from .models.sequential import Sequential
    nodes, edges, index = [], [], {}
    if isinstance(model, Functional):
        for layer in model.layers:
            index[id(layer)] = len(nodes)
            own = [n for n in layer._inbound_nodes if id(n) in {id(m) for m in model._nodes}]
            ins = [t for n in own for t in n.input_tensors]
            outs = [t for n in own for t in nest.flatten(n.outputs)]
            if isinstance(layer, InputLayer):
                outs = [kt for kt in model.inputs if kt._keras_history[0] is layer]
                ins = outs
            nodes.append({"name": layer.name, "class": type(layer).__name__, "layer": layer,
                          "input_shape": _kt_shapes(ins) if ins else None,
                          "output_shape": _kt_shapes(outs) if outs else None,
                          "dtype": outs[0].dtype.name if outs else layer.dtype})
        for node in model._nodes:
            dst = index.get(id(node.layer))
            for t in node.input_tensors:
                src = index.get(id(t._keras_history[0]))
                if src is not None and dst is not None and (src, dst) not in edges:
                    edges.append((src, dst))
        return nodes, edges
    layers = model.layers
    shape = getattr(model, "_input_shape", None) if isinstance(model, Sequential) else None
    for i, layer in enumerate(layers):
        out = getattr(layer, "_summary_shape", None)
        out = tuple(out.as_list()) if out is not None and out.rank is not None else None
        nodes.append({"name": layer.name, "class": type(layer).__name__, "layer": layer,
                      "input_shape": shape, "output_shape": out, "dtype": layer.dtype})
        if i:
            edges.append((i - 1, i))
        shape = out
    return nodes, edges


def _depths(n, edges):
    depth = [0] * n
    for _ in range(n):  # longest path from the sources (the graph is acyclic)
        changed = False
        for a, b in edges:
            if depth[b] < depth[a] + 1:
                depth[b] = depth[a] + 1
                changed = True
        if not changed:
            break
    return depth


def _label(node, show_shapes, show_dtype, show_layer_names, show_layer_activations,
           show_trainable):
    head = f"{node['name']} ({node['class']})" if show_layer_names else node["class"]
    lines = [head]
    layer = node["layer"]
    if show_layer_activations and getattr(layer, "activation", None) is not None:
        act = getattr(layer.activation, "__name__", str(layer.activation))
        lines.append(f"activation: {act}")
    if show_dtype:
        lines.append(f"dtype: {node['dtype']}")
    if show_shapes:
        lines.append(f"input: {_shape_text(node['input_shape'])}")
        lines.append(f"output: {_shape_text(node['output_shape'])}")
    if show_trainable:
        lines.append(f"trainable: {'yes' if layer.trainable else 'no'}")
    return "\n".join(lines)


# Graphviz's ``splines`` values, as the edges are drawn here: right angles, straight
# segments, or curves.
_SPLINES = {"ortho": "ortho", "polyline": "line", "line": "line", "false": "line",
            "none": "line", "": "line", "spline": "curve", "curved": "curve", "true": "curve"}


def _edge_points(a, b, kind, rankdir, width, height, side):
    """The corners an edge from box ``a`` to box ``b`` (centres) passes, for ``kind`` 'ortho';
    the two ends otherwise. A skip connection (``side`` not None) runs along ``side``, right
    (TB) or below (LR) of every box, so it crosses none."""
    (x0, y0), (x1, y1) = a, b
    ortho = kind == "ortho"
    if rankdir == "TB":
        if side is not None:
            start, end = (x0 + width / 2, y0), (x1 + width / 2, y1)
            return [start, (side, y0), (side, y1), end] if ortho else [start, end]
        start, end = (x0, y0 - height / 2), (x1, y1 + height / 2)
        mid = (start[1] + end[1]) / 2
        return [start, (x0, mid), (x1, mid), end] if ortho else [start, end]
    if side is not None:
        start, end = (x0, y0 - height / 2), (x1, y1 - height / 2)
        return [start, (x0, side), (x1, side), end] if ortho else [start, end]
    start, end = (x0 + width / 2, y0), (x1 - width / 2, y1)
    mid = (start[0] + end[0]) / 2
    return [start, (mid, y0), (mid, y1), end] if ortho else [start, end]


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=False, rankdir="TB", expand_nested=False, dpi=200,
               show_layer_activations=False, show_trainable=False, splines="ortho", **kwargs):
    """Draw ``model``'s layer graph to ``to_file`` (PNG, or any format Matplotlib writes, by
    the extension). Returns the path written.

    ``splines``: how edges run, as Graphviz's attribute: "ortho" (right angles, Keras'
    default), "polyline"/"line" (straight) or "spline"/"curved" (curves).
    """
    if not getattr(model, "built", False):
        raise ValueError("This model has not yet been built. Build the model first by "
                         "calling `build()` or by calling the model on a batch of data.")
    if rankdir not in ("TB", "LR"):
        raise ValueError(f"`rankdir` must be 'TB' or 'LR'. Received: rankdir={rankdir}")
    kind = _SPLINES.get(str(splines).lower())
    if kind is None:
        raise ValueError(f"`splines` must be one of {sorted(k for k in _SPLINES if k)}. "
                         f"Received: splines={splines}")
    import matplotlib
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    nodes, edges = layer_graph(model)
    depth = _depths(len(nodes), edges)
    for i in range(len(nodes)):  # an input sits just above its first consumer
        if not any(b == i for _, b in edges):
            below = [depth[b] for a, b in edges if a == i]
            if below:
                depth[i] = min(below) - 1
    rows = {}
    for i, d in enumerate(depth):
        rows.setdefault(d, []).append(i)
    labels = [_label(n, show_shapes, show_dtype, show_layer_names, show_layer_activations,
                     show_trainable) for n in nodes]
    lines = max([lab.count("\n") + 1 for lab in labels] + [1])
    width = max([max(len(s) for s in lab.split("\n")) for lab in labels] + [10]) * 0.11 + 0.4
    height = 0.17 * lines + 0.25
    gap_x, gap_y = 0.5, 0.6
    pos = {}
    for d, members in rows.items():
        for k, i in enumerate(members):
            offset = (k - (len(members) - 1) / 2.0) * (width + gap_x)
            if rankdir == "TB":
                pos[i] = (offset, -d * (height + gap_y))
            else:
                pos[i] = (d * (width + gap_x), -offset * (height + gap_y) / (width + gap_x))
    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    fig_w = max(xs) - min(xs) + width + 1.7
    fig_h = max(ys) - min(ys) + height + 1.0
    fig, ax = plt.subplots(figsize=(fig_w, fig_h))
    for i, (x, y) in pos.items():
        ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                    boxstyle="round,pad=0.02,rounding_size=0.08",
                                    facecolor="#eef3fb", edgecolor="#3a5a8c", linewidth=1.2))
        ax.text(x, y, labels[i], ha="center", va="center", fontsize=8, family="monospace")
    for a, b in edges:
        side = None
        if depth[b] - depth[a] > 1:
            side = max(xs) + width / 2 + 0.25 if rankdir == "TB" else \
                min(ys) - height / 2 - 0.25
        points = _edge_points(pos[a], pos[b], kind, rankdir, width, height, side)
        if len(points) > 2:  # the corners as lines, the last leg as the arrow
            ax.plot([p[0] for p in points[:-1]], [p[1] for p in points[:-1]],
                    color="#333333", lw=1.0)
        style = "arc3"
        if kind == "curve" or (kind == "line" and side is not None):
            # A curve, or a straight skip connection, bows away from the boxes between.
            style = "arc3,rad=-0.35" if rankdir == "TB" else "arc3,rad=0.35"
        ax.annotate("", xy=points[-1], xytext=points[-2],
                    arrowprops=dict(arrowstyle="-|>", color="#333333", lw=1.0,
                                    connectionstyle=style))
    ax.set_xlim(min(xs) - width / 2 - 0.5, max(xs) + width / 2 + 1.2)
    ax.set_ylim(min(ys) - height / 2 - 0.5, max(ys) + height / 2 + 0.5)
    ax.axis("off")
    folder = os.path.dirname(os.path.abspath(to_file))
    os.makedirs(folder, exist_ok=True)
    fig.savefig(to_file, dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return to_file
