"""``tfx plugins check``: prove a plugin's components before anyone trains with them.

For each component the plugin registers: config round trip, save/load round trip, output
shapes, and gradients against central finite differences in float64 (layers, losses,
activations, regularizers). Each check reports pass, fail (with the reason) or skip.
"""
import inspect
import os
import tempfile

import numpy as np

__all__ = ["check_plugin", "CheckResult"]

_INT_HINTS = ("units", "filters", "n_", "num_", "dim", "size", "k", "heads", "layers",
              "neurons")


class CheckResult:
    def __init__(self, component, kind, check, status, detail=""):
        self.component, self.kind, self.check = component, kind, check
        self.status, self.detail = status, detail


def _example_args(cls):
    """Constructor arguments for a smoke test: the class's EXAMPLE_ARGS if it has them, else
    small values guessed from parameter names and defaults."""
    if hasattr(cls, "EXAMPLE_ARGS"):
        return dict(cls.EXAMPLE_ARGS)
    args = {}
    try:
        params = inspect.signature(cls.__init__).parameters
    except (TypeError, ValueError):
        return args
    for name, p in params.items():
        if name == "self" or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.default is not p.empty:
            # Non-default values expose arguments that get_config forgets.
            d = p.default
            if isinstance(d, bool) or d is None:
                continue
            if isinstance(d, int):
                args[name] = d + 1
            elif isinstance(d, float):
                args[name] = d / 2 if 0 < d < 1 else d * 1.5 + 0.25
            continue
        low = name.lower()
        if p.annotation in (int,) or any(h in low for h in _INT_HINTS):
            args[name] = 3
        else:
            args[name] = 0.5
    return args


def _numeric_grad(f, x, eps=1e-6):
    x = x.astype(np.float64) if x.dtype != np.float64 and eps < 1e-4 else x
    g = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        hi = f(x)
        x[i] = old - eps
        lo = f(x)
        x[i] = old
        g[i] = (hi - lo) / (2 * eps)
    return g


def _close(a, b, rtol=1e-4):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return np.allclose(a, b, rtol=rtol, atol=rtol * 1e-2), float(np.max(np.abs(a - b))) \
        if a.size else 0.0


def _check_layer(tfx, name, cls, out):
    rng = np.random.default_rng(0)
    args = _example_args(cls)
    x = rng.normal(size=(2, 3))  # 3 features: matches the 3 guessed for sizes
    layer, y, note = None, None, ""
    for dtype in (("float64", None) if "dtype" in _accepts(cls) else (None,)):
        try:
            layer = cls(**args, dtype=dtype) if dtype else cls(**args)
            y = layer(tfx.constant(x, dtype=layer.dtype))
            break
        except Exception as e:
            if dtype is None or layer is None:
                out.append(CheckResult(name, "layer", "output shape", "fail",
                                       f"{cls.__name__}(**{args}): {type(e).__name__}: {e}"))
                return
            note = f"float64 failed ({type(e).__name__}); checked in float32"
    try:
        outs = tfx.nest.flatten(y)
        out.append(CheckResult(name, "layer", "output shape", "pass",
                               ", ".join(str(tuple(o.shape.as_list())) for o in outs)))
    except Exception as e:
        out.append(CheckResult(name, "layer", "output shape", "fail", f"{type(e).__name__}: {e}"))
        return
    try:
        declared = layer.compute_output_shape((2, 3))
        got = tuple(outs[0].shape.as_list())
        if type(layer).compute_output_shape is not tfx.keras.layers.Layer.compute_output_shape:
            ok = tuple(tfx.TensorShape(declared).as_list()) == got
            out.append(CheckResult(name, "layer", "compute_output_shape", "pass" if ok else
                                   "fail", f"declared {declared}, got {got}"))
    except Exception:
        pass
    _check_config(tfx, name, "layer", layer, out,
                  rebuild=lambda c: type(layer).from_config(c))
    _check_rebuilt_computes_the_same(tfx, name, layer, x, outs, out)
    # Gradients w.r.t. the input and every weight, in float64, against finite differences.
    _layer_grads(tfx, name, layer, x if layer.dtype == "float64" else x.astype("float32"),
                 out, note)
    _check_save(tfx, name, layer, x, out)


def _check_rebuilt_computes_the_same(tfx, name, layer, x, outs, out):
    try:
        fresh = type(layer).from_config(layer.get_config())
        fresh(tfx.constant(x, dtype=layer.dtype))
        fresh.set_weights(layer.get_weights())
        again = tfx.nest.flatten(fresh(tfx.constant(x, dtype=layer.dtype)))
        same = all(np.allclose(np.asarray(a), np.asarray(b), rtol=1e-6, atol=1e-9)
                   for a, b in zip(outs, again)) and len(outs) == len(again)
    except Exception as e:
        out.append(CheckResult(name, "layer", "from_config(get_config())", "fail",
                               f"{type(e).__name__}: {e}"))
        return
    out.append(CheckResult(name, "layer", "from_config(get_config())", "pass" if same else
                           "fail", "" if same else "the rebuilt layer computes differently "
                           "(an argument is missing from get_config?)"))


def _accepts(cls):
    try:
        params = inspect.signature(cls.__init__).parameters
    except (TypeError, ValueError):
        return set()
    names = set(params)
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        names.add("dtype")
    return names


def _layer_grads(tfx, name, layer, x, out, note=""):
    wide = x.dtype != np.float64  # float32: bigger steps, looser tolerance
    # Zero-initialized biases put relu units fed only by dead units exactly on the kink, where
    # a finite difference sees half a slope and the gradient 0: jitter the weights off it.
    jitter = np.random.default_rng(0)
    for w in layer.trainable_weights:
        if w.dtype.is_floating:
            w.assign(w.numpy() + jitter.normal(0, 5e-2, w.shape).astype(w.dtype.as_numpy_dtype))
    def scalar(xv):
        ys = tfx.nest.flatten(layer(tfx.constant(xv)))
        return float(sum(tfx.reduce_sum(y * y) for y in ys if y.dtype.is_floating))
    xt = tfx.constant(x)
    with tfx.GradientTape() as tape:
        tape.watch(xt)
        ys = tfx.nest.flatten(layer(xt))
        s = tfx.add_n([tfx.reduce_sum(y * y) for y in ys if y.dtype.is_floating])
    srcs = [xt] + list(layer.trainable_weights)
    grads = tape.gradient(s, srcs)
    worst = 0.0
    eps = 1e-3 if wide else 1e-6
    for i, (src, g) in enumerate(zip(srcs, grads)):
        if i == 0:
            num = _numeric_grad(scalar, x.copy().astype(np.float64), eps).astype(x.dtype)
        else:
            base = src.numpy()

            def f(wv, src=src):
                src.assign(wv)
                return scalar(x)
            num = _numeric_grad(f, base.copy(), eps)
            src.assign(base)
        if g is None:
            if np.allclose(num, 0):
                continue
            out.append(CheckResult(name, "layer", "gradients", "fail",
                                   f"{'input' if i == 0 else src.name}: None, numeric is not 0"))
            return
        if wide:  # float32 steps near relu kinks: judge the whole gradient, not each entry
            gv, nv = np.asarray(g, np.float64), np.asarray(num, np.float64)
            err = float(np.linalg.norm(gv - nv) / max(np.linalg.norm(nv), 1e-6))
            ok = err < 0.05
        else:
            ok, err = _close(g, num, 1e-4)
        worst = max(worst, err)
        if not ok:
            out.append(CheckResult(name, "layer", "gradients", "fail",
                                   f"{'input' if i == 0 else src.name}: max error {err:.2e}"))
            return
    out.append(CheckResult(name, "layer", "gradients", "pass",
                           f"{len(srcs)} source(s), max error {worst:.1e}" +
                           (f"; {note}" if note else "")))


def _check_config(tfx, name, kind, obj, out, rebuild):
    try:
        cfg = obj.get_config()
        again = rebuild(cfg).get_config()
        ok = _same_config(cfg, again)
        out.append(CheckResult(name, kind, "config round trip", "pass" if ok else "fail",
                               "" if ok else f"{cfg} != {again}"))
    except Exception as e:
        out.append(CheckResult(name, kind, "config round trip", "fail",
                               f"{type(e).__name__}: {e}"))


def _same_config(a, b):
    strip = lambda c: {k: v for k, v in c.items() if k != "name"}  # noqa: E731
    return strip(a) == strip(b)


def _check_save(tfx, name, layer, x, out):
    keras = tfx.keras
    try:
        # A fixed batch of 2: layers that unpack their input (X1, X2 = X) see two rows.
        inp = keras.Input(shape=(3,), batch_size=2, dtype=layer.dtype)
        fresh = type(layer).from_config(layer.get_config())
        y = fresh(inp)
        if isinstance(y, (list, tuple)):
            y = y[0]
        model = keras.Model(inp, y)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "m.tfx")
            model.save(path)
            loaded = keras.models.load_model(path)
        a = model.predict(x, verbose=0)
        b = loaded.predict(x, verbose=0)
        ok = np.array_equal(np.asarray(a), np.asarray(b))
        out.append(CheckResult(name, "layer", "save/load round trip", "pass" if ok else "fail",
                               "" if ok else "predictions differ after loading"))
    except Exception as e:
        out.append(CheckResult(name, "layer", "save/load round trip", "fail",
                               f"{type(e).__name__}: {e}"))


def _is_factory(fn, kind):
    """A function that makes the component (create_huber(threshold=1.0)) rather than being it."""
    try:
        params = [p for p in inspect.signature(fn).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        return False
    required = [p for p in params if p.default is p.empty]
    want = 2 if kind == "loss" else 1
    return len(required) == 0 and len(params) != want


def _check_function(tfx, name, kind, fn, out):
    rng = np.random.default_rng(1)
    if kind in ("loss", "activation", "regularizer", "constraint") and _is_factory(fn, kind):
        try:
            fn = fn()
        except Exception as e:
            out.append(CheckResult(name, kind, "factory call", "fail",
                                   f"{name}() with its defaults: {type(e).__name__}: {e}"))
            return
        if not callable(fn):
            out.append(CheckResult(name, kind, "factory call", "fail",
                                   f"{name}() did not return a callable"))
            return
        out.append(CheckResult(name, kind, "factory call", "pass",
                               f"{name}() -> {getattr(fn, '__name__', type(fn).__name__)}"))
    if kind == "loss":
        yt, yp = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
        f = lambda v: float(tfx.reduce_sum(fn(tfx.constant(yt), tfx.constant(v))))  # noqa
        src = yp
    elif kind in ("activation", "regularizer", "constraint"):
        src = rng.normal(size=(3, 2))
        f = lambda v: float(tfx.reduce_sum(fn(tfx.constant(v))))  # noqa: E731
    elif kind == "initializer":
        try:
            w = fn((3, 2), dtype=tfx.float32)
            ok = tuple(w.shape.as_list()) == (3, 2)
            out.append(CheckResult(name, kind, "output shape", "pass" if ok else "fail",
                                   str(tuple(w.shape.as_list()))))
        except Exception as e:
            out.append(CheckResult(name, kind, "output shape", "fail",
                                   f"{type(e).__name__}: {e}"))
        return
    else:
        out.append(CheckResult(name, kind, "gradients", "skip", f"no check for kind {kind}"))
        return
    try:
        t = tfx.constant(src)
        with tfx.GradientTape() as tape:
            tape.watch(t)
            v = fn(tfx.constant(yt), t) if kind == "loss" else fn(t)
            s = tfx.reduce_sum(v)
        g = tape.gradient(s, t)
    except Exception as e:
        out.append(CheckResult(name, kind, "gradients", "fail", f"{type(e).__name__}: {e}"))
        return
    if kind == "constraint":
        out.append(CheckResult(name, kind, "output shape", "pass",
                               str(tuple(v.shape.as_list()))))
        return
    num = _numeric_grad(f, src.copy())
    if g is None:
        ok = np.allclose(num, 0)
        out.append(CheckResult(name, kind, "gradients", "pass" if ok else "fail",
                               "" if ok else "gradient is None but numeric is not 0"))
        return
    ok, err = _close(g, num)
    out.append(CheckResult(name, kind, "gradients", "pass" if ok else "fail",
                           f"max error {err:.1e}"))


def _check_class(tfx, name, kind, cls, out):
    args = _example_args(cls)
    if kind in ("loss", "metric") and "dtype" in _accepts(cls):
        args["dtype"] = "float64"  # finite differences need float64 arithmetic
    try:
        obj = cls(**args)
    except Exception as e:
        out.append(CheckResult(name, kind, "construct", "fail", f"{type(e).__name__}: {e}"))
        return
    _check_config(tfx, name, kind, obj, out, rebuild=lambda c: cls.from_config(c))
    if kind in ("loss", "regularizer", "activation", "constraint"):
        _check_function(tfx, name, kind, obj, out)


def check_plugin(path):
    """Load the plugin at ``path`` and check every component it registers."""
    import tfx
    from tfx import registry
    from tfx.plugins import load_plugin
    tfx.random.set_seed(0)  # a check gives the same verdict on every run
    before = {e.name for e in registry.entries()}
    from .runs import no_bytecode
    with no_bytecode():
        module = load_plugin(path, os.getcwd())
    entries = [e for e in registry.entries() if e.name not in before or
               getattr(e.obj, "__module__", None) == module.__name__]
    out = []
    for e in entries:
        name = e.name.split(">", 1)[-1]
        obj = e.obj
        if inspect.isclass(obj) and issubclass(obj, tfx.keras.layers.Layer):
            if issubclass(obj, tfx.keras.Model):
                _check_model(tfx, name, obj, out)
            else:
                _check_layer(tfx, name, obj, out)
        elif inspect.isclass(obj):
            _check_class(tfx, name, e.kind, obj, out)
        elif callable(obj):
            _check_function(tfx, name, e.kind, obj, out)
    return entries, out


def _check_model(tfx, name, cls, out):
    rng = np.random.default_rng(0)
    args = _example_args(cls)
    try:
        model = cls(**args)
        x = rng.normal(size=(2, 4)).astype("float32")
        y = model(x)
        out.append(CheckResult(name, "model", "output shape", "pass",
                               str(tuple(tfx.nest.flatten(y)[0].shape.as_list()))))
    except Exception as e:
        out.append(CheckResult(name, "model", "output shape", "fail", f"{type(e).__name__}: {e}"))
        return
    _check_config(tfx, name, "model", model, out, rebuild=lambda c: cls.from_config(c))
    try:
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "m.tfx")
            model.save(p)
            loaded = tfx.keras.models.load_model(p)
        ok = np.array_equal(model.predict(x, verbose=0), loaded.predict(x, verbose=0))
        out.append(CheckResult(name, "model", "save/load round trip", "pass" if ok else "fail",
                               "" if ok else "predictions differ after loading"))
    except Exception as e:
        out.append(CheckResult(name, "model", "save/load round trip", "fail",
                               f"{type(e).__name__}: {e}"))
