"""Numba templates of the ops that are not elementwise: variables, products, reductions,
reshapes, cross-entropies and the optimizers' updates (``apply_gradients``).

A template is ``template(emitter, node, input_slots)``; it writes lines through the emitter and
names the node's outputs, or raises ``NotFusable``. Each keeps the order of operations of the
op's NumPy forward (the optimizers' too), so a fused step agrees with the op-by-op plan to
float rounding.
"""
import math

from .fuse_templates import NotFusable, _ctor

__all__ = ["TEMPLATES"]

TEMPLATES = {}
_FLOATS = ("float32", "float64")


def template(*names):
    def deco(fn):
        for n in names:
            TEMPLATES[n] = fn
        return fn
    return deco


def _idx(rank):
    return ", ".join(f"i{k}" for k in range(rank))


# ---- variables ---------------------------------------------------------------------------------

@template("read_variable")
def _read(em, o, ins):
    em.dtype(o.out_slots[0])
    em.names[o.out_slots[0]] = em.var(o.attrs)


@template("assign_variable")
def _assign(em, o, ins):
    var, kind = o.attrs
    x = ins[0]
    shape, d = tuple(var._v.shape), var._v.dtype.name
    if em.shape(x) != shape or em.dtype(x) != d:
        raise NotFusable(f"assignment to {var.name} changes its shape or dtype")
    old, new = em.var(var), em.fresh("w")
    val = em.index(em.ref(x), shape, shape)
    cur = em.index(old, shape, shape)
    expr = {"assign": val, "add": f"{cur} + {val}", "sub": f"{cur} - {val}"}[kind]
    if not shape:
        em.line(f"{new} = {_ctor(d)}({expr})")
    else:
        em.update(shape, d, [new], [f"{new}{{i}} = {expr}"])
    em.set_var(var, new)


# ---- casts and shapes --------------------------------------------------------------------------

@template("cast")
def _cast(em, o, ins):
    src, d = em.dtype(ins[0]), em.dtype(o.out_slots[0])
    if d == "bool":
        fmt = "{0} != 0"
    elif src == "bool":
        fmt = "{T}(1) if {0} else {T}(0)"
    else:
        fmt = "{T}({0})"
    em.elementwise(o, ins[:1], fmt)


@template("reshape", "expand_dims", "squeeze")
def _reshape(em, o, ins):
    x, s = ins[0], o.out_slots[0]
    src, shape, d = em.ref(x), em.shape(s), em.dtype(s)
    if em.shape(x) == shape:
        em.names[s] = src
        return
    name = em.out(s)
    if not em.shape(x):
        em.line(f"{name} = np.full({shape}, {src}, np.{d})")
    elif not shape:
        em.line(f"{name} = np.ascontiguousarray({src}).ravel()[0]")
    else:
        em.line(f"{name} = np.ascontiguousarray({src}).reshape({shape})")


@template("concat", "stack")
def _join(em, o, ins):
    s, axis = o.out_slots[0], o.attrs
    if len({em.dtype(i) for i in ins}) != 1:
        raise NotFusable(f"{o.op.name} of several dtypes")
    parts = ", ".join(f"np.ascontiguousarray({em.ref(i)})" for i in ins)
    fn = "concatenate" if o.op.name == "concat" else "stack"
    em.dtype(s)
    em.line(f"{em.out(s)} = np.{fn}(({parts},), axis={axis})")


def _axis_key(rank, axis, item):
    return ", ".join(["0:"] * axis + [item] + ["0:"] * (rank - axis - 1))


@template("unstack")
def _unstack(em, o, ins):
    src, shape, axis = em.ref(ins[0]), em.shape(ins[0]), o.attrs
    if not shape:
        raise NotFusable("unstack of a scalar")
    for i, s in enumerate(o.out_slots):
        em.dtype(s)
        key = ", ".join(["0:"] * axis + [str(i)] + ["0:"] * (len(shape) - axis - 1))
        em.line(f"{em.out(s)} = {src}[{key}].copy()")


@template("split")
def _split(em, o, ins):
    src, shape = em.ref(ins[0]), em.shape(ins[0])
    axis, bounds = o.attrs
    edges = [0] + [int(b) for b in bounds] + [shape[axis]]
    for s, lo, hi in zip(o.out_slots, edges, edges[1:]):
        em.dtype(s)
        em.line(f"{em.out(s)} = {src}[{_axis_key(len(shape), axis, f'{lo}:{hi}')}].copy()")


def _key_source(key):
    """A NumPy basic-indexing key (ints, slices, None, Ellipsis) as source Numba compiles."""
    parts = []
    for k in key if isinstance(key, tuple) else (key,):
        if k is None:
            parts.append("None")
        elif k is Ellipsis:
            parts.append("...")
        elif isinstance(k, slice):
            parts.append(":".join("" if v is None else str(int(v))
                                  for v in (k.start, k.stop, k.step)))
        elif isinstance(k, int) or hasattr(k, "__index__"):  # NumPy integers too
            parts.append(str(int(k)))
        else:
            raise NotFusable(f"a slice key with {type(k).__name__}")
    return ", ".join(parts) + ("," if len(parts) == 1 else "")


@template("strided_slice")
def _strided_slice(em, o, ins):
    src, s = em.ref(ins[0]), o.out_slots[0]
    em.dtype(s)
    name = em.out(s)
    if not em.shape(s):
        em.line(f"{name} = {src}[{_key_source(o.attrs)}]")
        return
    em.line(f"{name} = np.ascontiguousarray({src}[{_key_source(o.attrs)}])")


@template("strided_slice_grad")
def _strided_slice_grad(em, o, ins):
    shape, key = o.attrs
    if any(k is None for k in (key if isinstance(key, tuple) else (key,))):
        raise NotFusable("the gradient of a slice that adds axes")
    g, s = em.ref(ins[0]), o.out_slots[0]
    d = em.dtype(s)
    name = em.out(s)
    em.line(f"{name} = np.zeros({tuple(shape)}, np.{d})")
    em.line(f"{name}[{_key_source(key)}] = {g}")


@template("transpose")
def _transpose(em, o, ins):
    perm = tuple(o.attrs)
    x, s = ins[0], o.out_slots[0]
    shape, d = em.shape(s), em.dtype(s)
    src = [None] * len(perm)
    for k, p in enumerate(perm):
        src[p] = f"i{k}"
    name = em.out(s)
    em.update(shape, d, [name], [f"{name}{{i}} = {em.ref(x)}[{', '.join(src)}]"])


@template("gather")
def _gather(em, o, ins):
    axis, batch_dims, _ = o.attrs
    p, i, s = ins[0], ins[1], o.out_slots[0]
    pshape, ishape, d = em.shape(p), em.shape(i), em.dtype(s)
    if axis != 0 or batch_dims != 0 or not pshape or em.dtype(i) not in ("int32", "int64"):
        raise NotFusable("gather other than of rows (axis 0) by int32/int64 indices")
    src, idx, name = em.ref(p), em.ref(i), em.out(s)
    ri, rest = len(ishape), pshape[1:]
    em.line(f"{name} = np.empty({em.shape(s)}, np.{d})")
    at = f"{idx}[{_idx(ri)}]" if ri else idx
    em.loop(ishape, [
        f"j = {at}",
        # what NumPy's take raises; Numba would read out of bounds
        f"if j < 0 or j >= {pshape[0]}:",
        f"    raise IndexError('gather: an index is out of range [0, {pshape[0]})')"])
    depth = ri
    for k, n in enumerate(rest):
        em.line(f"for r{k} in range({n}):", depth + k)
    out = ", ".join([f"i{k}" for k in range(ri)] + [f"r{k}" for k in range(len(rest))])
    row = ", ".join(["j"] + [f"r{k}" for k in range(len(rest))])
    em.line(f"{name}[{out}] = {src}[{row}]", depth + len(rest))


@template("floormod")
def _floormod(em, o, ins):
    # Python's % on Numba numbers is TensorFlow's floormod (the sign of the divisor), for
    # floats too. An integer divisor of 0 raises in TF: fused only when it is a nonzero
    # constant.
    d = em.dtype(o.out_slots[0])
    if d not in _FLOATS:
        divisor = em.consts.get(ins[1])
        if divisor is None or (divisor == 0).any():
            raise NotFusable("integer floormod by a tensor that may be zero")
    em.elementwise(o, ins, "{0} % {1}")


# ---- stateless random numbers (Philox, tfx.backend.philox: TensorFlow's streams) --------------

_PHILOX = "from tfx.backend import philox_kernels as _pk"
_SEED_KEY = 0x02461E293EC8F720  # philox.key_counter_from_seed's scrambling key


@template("stateless_random_get_key_counter")
def _key_counter(em, o, ins):
    seed, s = em.ref(ins[0]), o.out_slots[0]
    if em.shape(ins[0]) != (2,):
        raise NotFusable("a seed that is not of shape [2]")
    em.imports.add(_PHILOX)
    name, b = em.out(s), em.fresh("blk")
    em.line(f"{b} = _pk.words(np.uint64({_SEED_KEY}), np.uint64(np.int64({seed}[0])), "
            f"np.uint64(np.int64({seed}[1])), 1)")
    em.line(f"{name} = np.empty(3, np.int64)")
    em.line(f"{name}[0] = 0")
    em.line(f"{name}[1] = np.int64(np.uint64({b}[2]) | (np.uint64({b}[3]) << np.uint64(32)))")
    em.line(f"{name}[2] = np.int64(np.uint64({b}[0]) | (np.uint64({b}[1]) << np.uint64(32)))")


@template("stateless_random")
def _stateless_random(em, o, ins):
    kind, shape, dtype = o.attrs
    d, s = dtype.name, o.out_slots[0]
    words = {("uniform", "float32"): "{n}", ("uniform", "float64"): "2 * {n}",
             ("normal", "float32"): "{n} + 1", ("normal", "float64"): "2 * {n} + 2"}.get((kind, d))
    if words is None:
        raise NotFusable(f"stateless {kind} draws of {d} have no Numba template")
    em.imports.add(_PHILOX)
    state, name = em.ref(ins[0]), em.out(s)
    n = math.prod(shape)
    w, flat = em.fresh("wd"), em.fresh("flat")
    count = words.format(n=n)
    em.line(f"{w} = _pk.words(np.uint64({state}[2]), np.uint64({state}[0]), "
            f"np.uint64({state}[1]), ({count} + 3) // 4)")
    if kind == "normal":
        em.line(f"{flat} = _pk.normal{d[-2:]}({w}, {n})")
    else:
        em.line(f"{flat} = np.empty({n}, np.{d})")
        em.line(f"for i0 in range({n}):")
        em.line(f"{flat}[i0] = _pk.f32({w}[i0])" if d == "float32" else
                f"{flat}[i0] = _pk.f64({w}[2 * i0], {w}[2 * i0 + 1])", 1)
    em.line(f"{name} = {flat}.reshape({tuple(shape)})" if len(shape) != 1 else
            f"{name} = {flat}")


# ---- products and reductions -------------------------------------------------------------------

@template("matmul")
def _matmul(em, o, ins):
    a, b = ins
    ta, tb = o.attrs
    s = o.out_slots[0]
    d = em.dtype(s)
    if len(em.shape(a)) != 2 or len(em.shape(b)) != 2 or d not in _FLOATS:
        raise NotFusable("matmul other than of two float matrices")
    # ascontiguousarray costs nothing on C arrays (decided when compiling) and spares BLAS a
    # strided input (an input sliced with a step)
    A, B = (f"np.ascontiguousarray({em.ref(x)}){'.T' if t else ''}" for x, t in ((a, ta),
                                                                               (b, tb)))
    em.line(f"{em.out(s)} = np.dot({A}, {B})")


def _reduction(kind):
    def emit(em, o, ins):
        x, s = ins[0], o.out_slots[0]
        axes, keepdims = o.attrs
        shape, out_shape, d = em.shape(x), em.shape(s), em.dtype(s)
        T = _ctor(d)
        if kind == "mean" and d not in _FLOATS:
            raise NotFusable("integer reduce_mean (truncating) has no template")
        if kind in ("max", "min") and 0 in shape:
            raise NotFusable(f"reduce_{kind} of an empty array")
        src = em.ref(x)
        name = em.out(s)
        if not shape:
            em.line(f"{name} = {src}")
            return
        n = 1
        for a in axes:
            n *= shape[a]
        init = {"sum": f"{T}(0)", "mean": f"{T}(0)", "prod": f"{T}(1)",
                "all": "np.bool_(True)", "any": "np.bool_(False)",
                "max": f"{T}(-np.inf)" if d in _FLOATS else f"np.iinfo(np.{d}).min",
                "min": f"{T}(np.inf)" if d in _FLOATS else f"np.iinfo(np.{d}).max"}[kind]
        step = {"sum": "{a} + {x}", "mean": "{a} + {x}", "prod": "{a} * {x}",
                "all": "{a} and {x}", "any": "{a} or {x}",
                "max": "{a} if ({a} >= {x} or {a} != {a}) else {x}",
                "min": "{a} if ({a} <= {x} or {a} != {a}) else {x}"}[kind]
        item = f"{src}[{_idx(len(shape))}]"
        if not out_shape:
            acc = em.fresh("acc")
            em.line(f"{acc} = {init}")
            em.loop(shape, [f"{acc} = {step.format(a=acc, x=item)}"])
            em.line(f"{name} = {T}({acc} / {T}({n}))" if kind == "mean" else f"{name} = {acc}")
            return
        out_idx = [("0" if keepdims else None) if k in axes else f"i{k}"
                   for k in range(len(shape))]
        target = f"{name}[{', '.join(i for i in out_idx if i is not None)}]"
        em.line(f"{name} = np.full({out_shape}, {init}, np.{d})")
        em.loop(shape, [f"{target} = {step.format(a=target, x=item)}"])
        if kind == "mean":
            em.update(out_shape, d, [], [f"{name}{{i}} = {name}{{i}} / {T}({n})"])
    return emit


for _kind in ("sum", "mean", "prod", "max", "min", "all", "any"):
    TEMPLATES[f"reduce_{_kind}"] = _reduction(_kind)


# ---- cross-entropies ---------------------------------------------------------------------------
# Rows of 2-D logits; a label out of range gives NaN (the loss and its row of the backprop), as
# TensorFlow's compiled (XLA) kernels do, instead of reading outside the array.

def _xent_rows(em, o, ins, sparse):
    labels, logits = ins[0], ins[1]
    shape = em.shape(logits)
    d = em.dtype(o.out_slots[0])
    if len(shape) != 2 or d not in _FLOATS or 0 in shape:
        raise NotFusable("cross-entropy other than on 2-D float logits")
    if (sparse and em.shape(labels) != shape[:1]) or (not sparse and em.shape(labels) != shape):
        raise NotFusable("cross-entropy labels of another shape")
    return em.ref(labels), em.ref(logits), shape, d, _ctor(d)


def _row_max_sum(em, z, k, T):
    """Lines computing ``mx`` (the row's max) and ``ssum`` (sum of exp(z - mx)) of row i0."""
    return [f"mx = {z}[i0, 0]", f"for i1 in range(1, {k}):", f"    mx = max(mx, {z}[i0, i1])",
            f"ssum = {T}(0)", f"for i1 in range({k}):", f"    ssum += np.exp({z}[i0, i1] - mx)"]


@template("sparse_softmax_cross_entropy_backprop", "softmax_cross_entropy_backprop")
def _xent_backprop(em, o, ins):
    sparse = o.op.name.startswith("sparse")
    y, z, (n, k), d, T = _xent_rows(em, o, ins, sparse)
    name = em.out(o.out_slots[0])
    em.line(f"{name} = np.empty(({n}, {k}), np.{d})")
    em.line(f"for i0 in range({n}):")
    body = _row_max_sum(em, z, k, T)
    if sparse:
        body += [f"lab = {y}[i0]", f"for i1 in range({k}):",
                 f"    {name}[i0, i1] = np.exp({z}[i0, i1] - mx) / ssum",
                 f"if 0 <= lab < {k}:", f"    {name}[i0, lab] -= {T}(1)", "else:",
                 f"    for i1 in range({k}):", f"        {name}[i0, i1] = {T}(np.nan)"]
    else:
        body += [f"for i1 in range({k}):",
                 f"    {name}[i0, i1] = np.exp({z}[i0, i1] - mx) / ssum - {y}[i0, i1]"]
    for b in body:
        em.line(b, 1)


@template("sparse_softmax_cross_entropy_with_logits", "softmax_cross_entropy_with_logits")
def _xent_loss(em, o, ins):
    sparse = o.op.name.startswith("sparse")
    y, z, (n, k), d, T = _xent_rows(em, o, ins, sparse)
    name = em.out(o.out_slots[0])
    em.line(f"{name} = np.empty({n}, np.{d})")
    em.line(f"for i0 in range({n}):")
    body = _row_max_sum(em, z, k, T)
    if sparse:
        body += [f"lab = {y}[i0]", f"if 0 <= lab < {k}:",
                 f"    {name}[i0] = np.log(ssum) - ({z}[i0, lab] - mx)",
                 "else:", f"    {name}[i0] = {T}(np.nan)"]
    else:
        body += [f"ysum = {T}(0)", f"dot = {T}(0)", f"for i1 in range({k}):",
                 f"    ysum += {y}[i0, i1]", f"    dot += {y}[i0, i1] * ({z}[i0, i1] - mx)",
                 f"{name}[i0] = np.log(ssum) * ysum - dot"]
    for b in body:
        em.line(b, 1)


@template("argmax", "argmin")
def _arg(em, o, ins):
    x, s = ins[0], o.out_slots[0]
    axis = o.attrs[0]
    shape, d = em.shape(x), em.dtype(s)
    if len(shape) != 2 or axis != 1 or 0 in shape:
        raise NotFusable("argmax/argmin other than along the rows of a matrix")
    better = ">" if o.op.name == "argmax" else "<"
    src, name = em.ref(x), em.out(s)
    n, k = shape
    em.line(f"{name} = np.empty({n}, np.{d})")
    em.line(f"for i0 in range({n}):")
    for b in ["best = 0", f"for i1 in range(1, {k}):",
              f"    if {src}[i0, i1] {better} {src}[i0, best]:", "        best = i1",
              f"{name}[i0] = best"]:
        em.line(b, 1)


# ---- optimizers --------------------------------------------------------------------------------

def _check_optimizer(opt, variables, layout):
    kind = f"{type(opt).__module__}.{type(opt).__name__}"
    if kind not in _OPTIMIZERS or type(opt).update_step is not _base_update_step():
        raise NotFusable(f"optimizer {type(opt).__name__} has no Numba template")
    if (opt.use_ema or opt.loss_scale_factor is not None
            or opt.gradient_accumulation_steps or getattr(opt, "amsgrad", False)):
        raise NotFusable("optimizer options (EMA, loss scaling, accumulation, amsgrad) have no "
                         "Numba template")
    for v, (kind_, dtype) in zip(variables, layout):
        if kind_ == "slices":
            dtype = dtype[0]  # (values, indices, dense_shape)
        if v._constraint is not None or dtype.name not in _FLOATS \
                or v._v.dtype.name != dtype.name:
            raise NotFusable("constraints or non-float variables")
    return _OPTIMIZERS[kind]


def _base_update_step():
    from ..keras.optimizers.base import Optimizer
    return Optimizer.update_step


@template("apply_gradients")
def _apply(em, o, ins):
    opt, variables, layout = o.attrs
    update = _check_optimizer(opt, variables, layout)
    it = em.var(opt._iterations)
    dense, squares, pos = [], [], 0
    clipping = _clipping(opt) is not None
    for v, (kind, _) in zip(variables, layout):
        if kind == "slices":  # densified as _grad_array does (adds in the same order)
            g, sq = _densify(em, v, *[em.ref(x) for x in ins[pos:pos + 2]],
                             em.shape(ins[pos]), squares=not clipping)
            dense.append(g)
            squares.append(sq)
            pos += 3
            continue
        if em.shape(ins[pos]) != tuple(v._v.shape):
            raise NotFusable(f"gradient of {v.name} has another shape")
        dense.append(em.ref(ins[pos]))
        squares.append(None)
        pos += 1
    if type(opt._learning_rate).__name__ == "Variable":
        lr = em.var(opt._learning_rate)
    else:  # a schedule (or a callable): the wrapper evaluates it eagerly, as apply does
        lr = em.call_arg(lambda: opt._lr_array()[()])
    # the order of Optimizer._apply_step: clip, decay the variables, update
    grads = _clip(em, opt, variables, dense)
    if opt.weight_decay is not None:
        _decay(em, opt, variables, lr)
    consts = {}
    for v, g, sq in zip(variables, grads, squares):
        d = v._v.dtype.name
        if d not in consts:
            consts[d] = update.constants(em, opt, it, lr, d)
        slots = opt._slots[opt._var_index[id(v)]]
        update.per_variable(em, opt, v, slots, g, tuple(v._v.shape), d, consts[d],
                            _gsq(sq))
    new_it = em.fresh("it")
    em.line(f"{new_it} = {it} + np.int64(1)")
    em.set_var(opt._iterations, new_it)


def _f(x):
    """A Python float as exact source."""
    return repr(float(x))


def _gsq(sq):
    """The loop-body expression of a gradient element's square (``gi`` is the element):
    a sparse gradient's slice-by-slice squares (Optimizer._square), else ``gi * gi``."""
    return "gi * gi" if sq is None else f"{sq}{{i}}"


def _densify(em, v, values, indices, vshape, squares=False):
    """The dense gradient of an IndexedSlices gradient (its rows added into zeros) and, with
    ``squares``, the sum of its rows' squares (as Optimizer._square): two array names."""
    shape, d = tuple(v._v.shape), v._v.dtype.name
    if len(vshape) != len(shape) or vshape[1:] != shape[1:]:
        raise NotFusable(f"sparse gradient of {v.name} has another row shape")
    g, sq = em.fresh("dg"), em.fresh("dsq") if squares else None
    em.line(f"{g} = np.zeros({shape}, np.{d})")
    if sq:
        em.line(f"{sq} = np.zeros({shape}, np.{d})")
    em.line(f"for i0 in range({vshape[0]}):")
    em.line(f"j = {indices}[i0]", 1)
    em.line(f"if j < 0 or j >= {shape[0]}:", 1)
    em.line(f"raise IndexError('sparse gradient: an index is out of range [0, {shape[0]})')", 2)
    rest = shape[1:]
    for k, n in enumerate(rest):
        em.line(f"for r{k} in range({n}):", 1 + k)
    cols = "".join(f", r{k}" for k in range(len(rest)))
    em.line(f"{g}[j{cols}] += {_ctor(d)}({values}[i0{cols}])", 1 + len(rest))
    if sq:
        em.line(f"{sq}[j{cols}] += {_ctor(d)}({values}[i0{cols}] * {values}[i0{cols}])",
                1 + len(rest))
    return g, sq


def _nan_max(a, b):
    return f"({a} if ({a} >= {b} or {a} != {a}) else {b})"


def _sum_of_squares(em, g, shape, d):
    """``T(sum(g * g))`` accumulated in float64 (NumPy sums float32 pairwise: either way
    within an ulp of the exact sum)."""
    acc = em.fresh("ss")
    item = f"{g}[{_idx(len(shape))}]" if shape else g
    em.line(f"{acc} = np.float64(0)")
    em.loop(shape, [f"{acc} += np.float64({item} * {item})"])
    out = em.fresh("ss")
    em.line(f"{out} = {_ctor(d)}({acc})")
    return out


def _scaled(em, g, shape, d, expr):
    """A new gradient array: ``expr`` of each element ``x``."""
    new = em.fresh("cg")
    if not shape:
        em.line(f"x = {g}")
        em.line(f"{new} = {_ctor(d)}({expr})")
        return new
    em.update(shape, d, [new], [f"x = {g}{{i}}", f"{new}{{i}} = {expr}"])
    return new


def _clipping(opt):
    """Which clipping Optimizer._clip_gradients applies (the first set of the three)."""
    for kind in ("clipnorm", "global_clipnorm", "clipvalue"):
        value = getattr(opt, kind)
        if value and value > 0:
            return kind
    return None


def _clip(em, opt, variables, grads):
    """Gradients after ``clipnorm``, ``global_clipnorm`` or ``clipvalue``, in the float32
    operations of Optimizer._clip_gradients."""
    shapes = [tuple(v._v.shape) for v in variables]
    dtypes = [v._v.dtype.name for v in variables]
    kind = _clipping(opt)
    if kind == "clipnorm":
        out = []
        for g, shape, d in zip(grads, shapes, dtypes):
            T, c = _ctor(d), f"{_ctor(d)}({_f(opt.clipnorm)})"
            norm = em.fresh("norm")
            em.line(f"{norm} = {T}(np.sqrt({_sum_of_squares(em, g, shape, d)}))")
            den = em.fresh("den")
            em.line(f"{den} = {T}({_nan_max(norm, c)})")
            out.append(_scaled(em, g, shape, d, f"(x * {c}) / {den}"))
        return out
    if kind == "global_clipnorm":
        if len(set(dtypes)) > 1:
            raise NotFusable("global_clipnorm over variables of several dtypes")
        T = _ctor(dtypes[0])
        total = em.fresh("gn")
        em.line(f"{total} = {T}(0)")
        for g, shape, d in zip(grads, shapes, dtypes):
            em.line(f"{total} = {T}({total} + {_sum_of_squares(em, g, shape, d)})")
        norm, scale = em.fresh("norm"), em.fresh("scale")
        c = opt.global_clipnorm
        em.line(f"{norm} = {T}(np.sqrt({total}))")
        inv = f"{T}({T}(1) / {norm})"
        lim = f"{T}({_f(1 / c)})"
        # np.minimum propagates NaN; then + (norm - norm) makes inf/NaN norms NaN, as Keras
        em.line(f"{scale} = {T}({T}({_f(c)}) * ({inv} if ({inv} <= {lim} or {inv} != {inv}) "
                f"else {lim}))")
        em.line(f"{scale} = {T}({scale} + ({norm} - {norm}))")
        return [_scaled(em, g, shape, d, f"x * {scale}")
                for g, shape, d in zip(grads, shapes, dtypes)]
    if kind == "clipvalue":
        out = []
        for g, shape, d in zip(grads, shapes, dtypes):
            T = _ctor(d)
            lo, hi = f"{T}({_f(-opt.clipvalue)})", f"{T}({_f(opt.clipvalue)})"
            out.append(_scaled(em, g, shape, d,
                               f"x if x != x else ({lo} if x < {lo} else ({hi} if x > {hi} "
                               f"else x))"))
        return out
    return grads


def _decay(em, opt, variables, lr):
    """Decoupled weight decay before the update: ``var - var * wd * lr``."""
    for v in variables:
        if not opt._use_weight_decay(v):
            continue
        d, shape = v._v.dtype.name, tuple(v._v.shape)
        T, x, new = _ctor(d), em.var(v), em.fresh("w")
        expr = f"{x}{{i}} - {x}{{i}} * {T}({_f(opt.weight_decay)}) * {T}({lr})"
        if shape:
            em.update(shape, d, [new], [f"{new}{{i}} = {expr}"])
        else:
            em.line(f"{new} = {T}({expr.format(i='')})")
        em.set_var(v, new)


class _SGD:
    @staticmethod
    def constants(em, opt, it, lr, d):
        T = _ctor(d)
        c = {"lr": em.fresh("lr"), "mom": em.fresh("mom")}
        em.line(f"{c['lr']} = {T}({lr})")
        em.line(f"{c['mom']} = {T}({_f(opt.momentum)})")
        return c

    @staticmethod
    def per_variable(em, opt, v, slots, g, shape, d, c, gsq="gi * gi"):
        x, new_x = em.var(v), em.fresh("w")
        lr, mom = c["lr"], c["mom"]
        if not slots:
            em.update(shape, d, [new_x], [f"{new_x}{{i}} = {x}{{i}} - {g}{{i}} * {lr}"])
        else:
            m, new_m = em.var(slots[0]), em.fresh("w")
            step = f"neg + nm * {mom}" if opt.nesterov else "nm"
            em.update(shape, d, [new_x, new_m], [
                f"neg = -{g}{{i}} * {lr}", f"nm = neg + {m}{{i}} * {mom}", f"{new_m}{{i}} = nm",
                f"{new_x}{{i}} = {x}{{i}} + ({step})"])
            em.set_var(slots[0], new_m)
        em.set_var(v, new_x)


def _moments(em, slots, g, omb1, omb2, gsq="gi * gi"):
    """Adam's and Nadam's new first and second moments (``nm``, ``nv`` in the loop body)."""
    m, v = em.var(slots[0]), em.var(slots[1])
    new_m, new_v = em.fresh("w"), em.fresh("w")
    body = [f"gi = {g}{{i}}", f"mo = {m}{{i}}", f"nm = (gi - mo) * {omb1} + mo",
            f"vo = {v}{{i}}", f"nv = ({gsq} - vo) * {omb2} + vo",
            f"{new_m}{{i}} = nm", f"{new_v}{{i}} = nv"]
    em.set_var(slots[0], new_m)
    em.set_var(slots[1], new_v)
    return [new_m, new_v], body


class _Adam:
    @staticmethod
    def constants(em, opt, it, lr, d):
        T = _ctor(d)
        c = {k: em.fresh(k) for k in ("alpha", "omb1", "omb2", "eps")}
        em.line(f"t = {T}({it} + 1)")
        em.line(f"{c['alpha']} = {T}({T}({lr}) * np.sqrt({T}(1) - {T}({_f(opt.beta_2)}) ** t)"
                f" / ({T}(1) - {T}({_f(opt.beta_1)}) ** t))")
        em.line(f"{c['omb1']} = {T}({_f(1 - opt.beta_1)})")
        em.line(f"{c['omb2']} = {T}({_f(1 - opt.beta_2)})")
        em.line(f"{c['eps']} = {T}({_f(opt.epsilon)})")
        return c

    @staticmethod
    def per_variable(em, opt, v, slots, g, shape, d, c, gsq="gi * gi"):
        x, new_x = em.var(v), em.fresh("w")
        outs, body = _moments(em, slots, g, c["omb1"], c["omb2"], gsq)
        body.append(f"{new_x}{{i}} = {x}{{i}} - (nm * {c['alpha']}) / "
                    f"(np.sqrt(nv) + {c['eps']})")
        em.update(shape, d, outs + [new_x], body)
        em.set_var(v, new_x)


class _Nadam:
    @staticmethod
    def constants(em, opt, it, lr, d):
        T = _ctor(d)
        u = em.var(opt._u_product)
        if opt._u_product._v.dtype.name != d:
            raise NotFusable("Nadam variables of several dtypes")
        names = ("lr", "u_t", "u_next", "up", "upn", "b2p", "omb1", "omb2", "eps")
        c = {k: em.fresh(k) for k in names}
        new_u = em.fresh("w")
        b1, b2 = f"{T}({_f(opt.beta_1)})", f"{T}({_f(opt.beta_2)})"
        one, half, base = f"{T}(1)", f"{T}(0.5)", f"{T}(0.96)"
        em.line(f"t1 = {T}({it} + 1)")
        em.line(f"t2 = {T}({it} + 2)")
        # the momentum-cache product moves first; the step's constants read its new value
        em.line(f"{new_u} = {T}({T}({u} * {b1}) * ({one} - {half} * {base} ** t1))")
        em.set_var(opt._u_product, new_u)
        em.line(f"{c['lr']} = {T}({lr})")
        em.line(f"{c['u_t']} = {T}({b1} * ({one} - {half} * {base} ** t1))")
        em.line(f"{c['u_next']} = {T}({b1} * ({one} - {half} * {base} ** t2))")
        em.line(f"{c['up']} = {new_u}")
        em.line(f"{c['upn']} = {T}({new_u} * {c['u_next']})")
        em.line(f"{c['b2p']} = {T}({b2} ** t1)")
        em.line(f"{c['omb1']} = {T}({one} - {b1})")
        em.line(f"{c['omb2']} = {T}({one} - {b2})")
        em.line(f"{c['eps']} = {T}({_f(opt.epsilon)})")
        c["one"] = one
        return c

    @staticmethod
    def per_variable(em, opt, v, slots, g, shape, d, c, gsq="gi * gi"):
        x, new_x = em.var(v), em.fresh("w")
        outs, body = _moments(em, slots, g, c["omb1"], c["omb2"], gsq)
        one = c["one"]
        body += [f"mh = nm * {c['u_next']}", f"mh = mh / ({one} - {c['upn']})",
                 f"mh = mh + gi * ({one} - {c['u_t']}) / ({one} - {c['up']})",
                 f"den = np.sqrt(nv / ({one} - {c['b2p']})) + {c['eps']}",
                 f"mh = mh * {c['lr']}", "mh = mh / den", f"{new_x}{{i}} = {x}{{i}} - mh"]
        em.update(shape, d, outs + [new_x], body)
        em.set_var(v, new_x)


class _RMSprop:
    @staticmethod
    def constants(em, opt, it, lr, d):
        T = _ctor(d)
        c = {k: em.fresh(k) for k in ("lr", "rho", "omr", "mom", "eps")}
        em.line(f"{c['lr']} = {T}({lr})")
        for k, value in (("rho", opt.rho), ("omr", 1 - opt.rho), ("mom", opt.momentum),
                         ("eps", opt.epsilon)):
            em.line(f"{c[k]} = {T}({_f(value)})")
        return c

    @staticmethod
    def per_variable(em, opt, v, slots, g, shape, d, c, gsq="gi * gi"):
        velocity, moment, average = slots
        x, new_x = em.var(v), em.fresh("w")
        vel, new_v = em.var(velocity), em.fresh("w")
        outs = [new_v]
        body = [f"gi = {g}{{i}}", f"nv = {c['rho']} * {vel}{{i}} + {c['omr']} * ({gsq})",
                f"{new_v}{{i}} = nv"]
        if average is not None:
            avg, new_a = em.var(average), em.fresh("w")
            outs.append(new_a)
            body += [f"na = {c['rho']} * {avg}{{i}} + {c['omr']} * gi", f"{new_a}{{i}} = na",
                     "den = nv - na * na", f"den = den + {c['eps']}"]
            em.set_var(average, new_a)
        else:
            body.append(f"den = nv + {c['eps']}")
        body += [f"inc = {c['lr']} * gi", "inc = inc / np.sqrt(den)"]
        if moment is not None:
            mom, new_m = em.var(moment), em.fresh("w")
            outs.append(new_m)
            body += [f"inc = {c['mom']} * {mom}{{i}} + inc", f"{new_m}{{i}} = inc"]
            em.set_var(moment, new_m)
        body.append(f"{new_x}{{i}} = {x}{{i}} - inc")
        em.update(shape, d, outs + [new_x], body)
        em.set_var(velocity, new_v)
        em.set_var(v, new_x)


class _Adagrad:
    @staticmethod
    def constants(em, opt, it, lr, d):
        T = _ctor(d)
        c = {"lr": em.fresh("lr"), "eps": em.fresh("eps")}
        em.line(f"{c['lr']} = {T}({lr})")
        em.line(f"{c['eps']} = {T}({_f(opt.epsilon)})")
        return c

    @staticmethod
    def per_variable(em, opt, v, acc, g, shape, d, c, gsq="gi * gi"):
        x, new_x = em.var(v), em.fresh("w")
        a, new_a = em.var(acc), em.fresh("w")
        em.update(shape, d, [new_a, new_x], [
            f"gi = {g}{{i}}", f"na = {a}{{i}} + {gsq}", f"{new_a}{{i}} = na",
            f"st = {c['lr']} * gi", f"st = st / np.sqrt(na + {c['eps']})",
            f"{new_x}{{i}} = {x}{{i}} - st"])
        em.set_var(acc, new_a)
        em.set_var(v, new_x)


_OPTIMIZERS = {"tfx.keras.optimizers.sgd.SGD": _SGD, "tfx.keras.optimizers.adam.Adam": _Adam,
               "tfx.keras.optimizers.adamw.AdamW": _Adam,
               "tfx.keras.optimizers.nadam.Nadam": _Nadam,
               "tfx.keras.optimizers.rmsprop.RMSprop": _RMSprop,
               "tfx.keras.optimizers.adagrad.Adagrad": _Adagrad}


# ---- activations with attrs, softmax -------------------------------------------------------------

def _activation(fmt):
    """An elementwise activation (or its gradient) whose attr, a float, enters the source."""
    def emit(em, o, ins):
        alpha = "" if o.attrs is None else _f(o.attrs)
        em.elementwise(o, ins, fmt.replace("{alpha}", alpha))
    return emit


_KEPT = "({0} if {1} > 0 else {0} * {T}(0))"  # g * (z > 0), NaN in g kept as NumPy does
TEMPLATES.update({
    "elu": _activation("{0} if {0} > 0 else np.expm1({0})"),
    "elu_grad": _activation("{0} * (({1} if {1} < 0 else {T}(0)) + {T}(1))"),
    "relu6": _activation("{T}(0) if {0} < 0 else ({T}(6) if {0} > 6 else {0})"),
    "relu6_grad": _activation("{0} if ({1} > 0 and {1} < 6) else {0} * {T}(0)"),
    "leaky_relu": _activation("({0} if {0} > 0 else {T}(0)) + ({0} if {0} < 0 else {T}(0)) "
                              "* {T}({alpha})"),
    "leaky_relu_grad": _activation(f"{_KEPT} + ({{0}} - {_KEPT}) * {{T}}({{alpha}})"),
})


def _sig(a):
    """The sigmoid template's expression of ``a`` (exp never overflows)."""
    return (f"({{T}}(1) / ({{T}}(1) + np.exp(-({a}))) if ({a}) >= 0 else "
            f"np.exp({a}) / ({{T}}(1) + np.exp({a})))")


def _nn_constants():
    from ..ops import nn_ops as n
    return n._SELU_SCALE, n._SELU_ALPHA, n._SQRT_HALF, n._INV_SQRT_2PI, n._TANH_C, n._TANH_A


def _more_activations():
    """Templates in the order of operations of ops/nn_ops.py's forwards and derivatives."""
    scale, alpha, sqrt_half, inv_sqrt_2pi, c, a = map(repr, _nn_constants())
    neg = "({0} if {0} < 0 else {T}(0))"
    pos = "({T}(0) if {0} < 0 else {0})"  # NaN kept, as np.maximum
    u = f"({{T}}({c}) * ({{1}} + {{T}}({a}) * {{1}} * {{1}} * {{1}}))"
    s2 = _sig(f"{u} + {u}")
    du = f"({{T}}({c}) * ({{T}}(1) + {{T}}({3 * float(a)!r}) * {{1}} * {{1}}))"
    return {
        "selu": f"{{T}}({scale}) * ({pos} + {{T}}({alpha}) * np.expm1({neg}))",
        # NaN in y: NumPy's mask sum gives NaN
        "selu_grad": f"{{0}} * (({{1}} + {{T}}({float(scale) * float(alpha)!r})) if {{1}} < 0 "
                     f"else ({{T}}({scale}) if {{1}} == {{1}} else {{1}}))",
        "softsign": "{0} / ({T}(1) + abs({0}))",
        "softsign_grad": "{0} / (({T}(1) + abs({1})) * ({T}(1) + abs({1})))",
        "silu": "{0} * " + _sig("{0}"),
        "silu_grad": "{0} * (" + _sig("{1}") + " * ({T}(1) + {1} * ({T}(1) - "
                     + _sig("{1}") + ")))",
        # tfx.backend.kernels.gelu_tanh computes in float64, stores in the dtype
        "gelu_approximate": f"0.5 * {{0}} * (1.0 + math.tanh({c} * ({{0}} + {a} * {{0}} * {{0}} "
                            f"* {{0}})))",
        "gelu_exact": f"{{T}}(0.5) * {{0}} * ({{T}}(1) + math.erf({{0}} * {{T}}({sqrt_half})))",
        "gelu_grad_approximate": f"{{0}} * ({s2} + {{T}}(2) * {{1}} * {du} * {s2} * ({{T}}(1) - "
                                 f"{s2}))",
        "gelu_grad_exact": f"{{0}} * ({{T}}(0.5) * ({{T}}(1) + math.erf({{1}} * "
                           f"{{T}}({sqrt_half}))) + {{1}} * ({{T}}({inv_sqrt_2pi}) * "
                           f"np.exp({{T}}(-0.5) * {{1}} * {{1}})))",
    }


def _more(name):
    def emit(em, o, ins):
        if name.startswith("gelu"):
            fmt = _more_activations()[f"{name}_{'approximate' if o.attrs else 'exact'}"]
            em.imports.add("import math")
        else:
            fmt = _more_activations()[name]
        em.elementwise(o, ins, fmt)
    return emit


for _name in ("selu", "selu_grad", "softsign", "softsign_grad", "silu", "silu_grad", "gelu",
              "gelu_grad"):
    TEMPLATES[_name] = _more(_name)


@template("softmax", "log_softmax")
def _softmax(em, o, ins):
    x, s = ins[0], o.out_slots[0]
    shape, d = em.shape(x), em.dtype(s)
    if not shape or o.attrs != len(shape) - 1 or 0 in shape or d not in _FLOATS:
        raise NotFusable("softmax other than over the last axis of float values")
    src, name, T, k = em.ref(x), em.out(s), _ctor(d), shape[-1]
    lead = "".join(f"i{j}, " for j in range(len(shape) - 1))
    at = f"{src}[{lead}"
    em.line(f"{name} = np.empty({shape}, np.{d})")
    body = [f"mx = {at}0]", f"for j in range(1, {k}):", f"    mx = max(mx, {at}j])",
            f"ssum = {T}(0)"]
    if o.op.name == "softmax":
        body += [f"for j in range({k}):", f"    e = np.exp({at}j] - mx)",
                 f"    {name}[{lead}j] = e", "    ssum += e", f"for j in range({k}):",
                 f"    {name}[{lead}j] = {name}[{lead}j] / ssum"]
    else:
        body += [f"for j in range({k}):", f"    ssum += np.exp({at}j] - mx)",
                 "ls = np.log(ssum)", f"for j in range({k}):",
                 f"    {name}[{lead}j] = ({at}j] - mx) - ls"]
    em.loop(shape[:-1], body)
