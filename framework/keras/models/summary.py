"""``model.summary()``: a rich table of layers, output shapes and parameter counts."""
import sys

__all__ = ["print_summary"]


def _params(layer):
    n = 0
    for v in layer.weights:
        k = 1
        for d in v.shape.as_list():
            k *= d
        n += k
    return n


def _size(n_params, weights):
    nbytes = sum(v.dtype.size * _count(v) for v in weights)
    for unit in ("B", "KB", "MB", "GB"):
        if nbytes < 1024 or unit == "GB":
            return f"{nbytes:.2f} {unit}" if unit != "B" else f"{nbytes} B"
        nbytes /= 1024


def _count(v):
    k = 1
    for d in v.shape.as_list():
        k *= d
    return k


def _shape_text(layer):
    s = getattr(layer, "_summary_shape", None)
    if s is None:
        nodes = getattr(layer, "_inbound_nodes", [])
        if nodes:
            from ... import nest
            outs = [o for o in nest.flatten(nodes[-1].outputs)]
            if outs:
                shapes = [tuple(o.shape.as_list()) for o in outs]
                return str(shapes[0]) if len(shapes) == 1 else str(shapes)
        return "?"
    return str(tuple(s.as_list()))


def print_summary(model, print_fn=None, show_trainable=False):
    from rich.console import Console
    from rich.table import Table
    from ..layers.core import InputLayer
    rows = [l for l in model.layers if not (isinstance(l, InputLayer) and
                                             type(model).__name__ == "Sequential")]
    table = Table(title=f'Model: "{model.name}"', title_justify="left")
    table.add_column("Layer (type)")
    table.add_column("Output Shape")
    table.add_column("Param #", justify="right")
    if show_trainable:
        table.add_column("Trainable")
    for layer in rows:
        cells = [f"{layer.name} ({type(layer).__name__})", _shape_text(layer),
                 f"{_params(layer):,}" if layer.built else "0 (unbuilt)"]
        if show_trainable:
            cells.append("Y" if layer.trainable else "N")
        table.add_row(*cells)
    tw, nw = model.trainable_weights, model.non_trainable_weights
    nt = sum(_count(v) for v in tw)
    nn = sum(_count(v) for v in nw)
    opt = getattr(model, "optimizer", None)
    opt_vars = [v for v in getattr(opt, "variables", [])] if opt is not None else []
    lines = [f" Total params: {nt + nn:,} ({_size(nt + nn, tw + nw)})",
             f" Trainable params: {nt:,} ({_size(nt, tw)})",
             f" Non-trainable params: {nn:,} ({_size(nn, nw)})"]
    if opt_vars and getattr(opt, "built", True):
        no = sum(_count(v) for v in opt_vars)
        lines.append(f" Optimizer params: {no:,} ({_size(no, opt_vars)})")
    if print_fn is not None:
        import io
        console = Console(record=True, width=100, file=io.StringIO())
        console.print(table)
        for line in console.export_text().splitlines():
            print_fn(line)
        for line in lines:
            print_fn(line)
        return
    console = Console(file=sys.stdout, highlight=False)
    console.print(table)
    for line in lines:
        console.print(line, markup=False)
