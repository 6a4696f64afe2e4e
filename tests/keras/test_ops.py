"""tfx.keras.ops against keras.ops (Keras 3 on TensorFlow): values and dtypes on the same
inputs, Keras' type promotion, and gradients of the composites against finite differences."""
import numpy as np
import pytest

import tfx
from tfx.keras import ops

keras = pytest.importorskip("keras")
pytest.importorskip("tensorflow")
K = keras.ops

RNG = np.random.default_rng(0)


def f32(*shape, lo=-2.0, hi=2.0):
    return RNG.uniform(lo, hi, shape).astype("float32")


def pos(*shape):
    return RNG.uniform(0.2, 2.0, shape).astype("float32")


X = f32(3, 4)
Y = f32(3, 4)
V = f32(5)
P = pos(3, 4)
U = RNG.uniform(-0.9, 0.9, (3, 4)).astype("float32")
I = RNG.integers(-5, 6, (3, 4)).astype("int32")
J = RNG.integers(1, 6, (3, 4)).astype("int32")
SQ = f32(3, 3) + 3 * np.eye(3, dtype="float32")
SPD = SQ @ SQ.T
IMG = f32(2, 6, 5, 3)
SEQ = f32(2, 7, 3)

# (name, args, kwargs); args are NumPy arrays or Python values given to both libraries.
CASES = [
    (n, (X,), {}) for n in [
        "abs", "negative", "square", "sign", "floor", "ceil", "round", "trunc", "exp", "exp2",
        "expm1", "sin", "cos", "tan", "arctan", "sinh", "cosh", "tanh", "arcsinh", "erf",
        "erfc", "sigmoid", "relu", "relu6", "softplus", "softsign", "silu", "gelu", "elu",
        "selu", "celu", "log_sigmoid", "hard_sigmoid", "hard_silu", "hard_tanh", "hard_shrink",
        "soft_shrink", "tanh_shrink", "sparse_plus", "sparse_sigmoid", "squareplus", "glu",
        "leaky_relu", "cbrt", "deg2rad", "rad2deg", "sinc", "isnan", "isfinite", "isinf",
        "signbit", "softmax", "log_softmax", "ravel", "transpose", "fliplr",
        "flipud", "sort", "argsort", "cumsum", "cumprod", "copy", "fabs", "nan_to_num",
        "logical_not", "size", "ndim", "shape", "real", "imag", "conj", "zeros_like",
        "ones_like", "count_nonzero", "tril", "triu", "diagonal", "trace", "diag",
        "logsumexp", "ptp", "median", "var", "std", "mean", "sum", "prod", "max", "min",
        "all", "any", "argmax", "argmin", "rot90", "flip", "nonzero", "i0", "angle",
        "isposinf", "isneginf", "isreal", "normalize", "rms_normalization"]
] + [
    (n, (P,), {}) for n in ["log", "log2", "log10", "log1p", "sqrt", "rsqrt", "reciprocal",
                            "arccosh"]
] + [
    (n, (U,), {}) for n in ["arcsin", "arccos", "arctanh", "erfinv"]
] + [
    (n, (X, Y), {}) for n in [
        "add", "subtract", "multiply", "divide", "true_divide", "maximum", "minimum",
        "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "arctan2",
        "hypot", "logaddexp", "logaddexp2", "fmax", "fmin", "divide_no_nan", "isclose",
        "allclose", "logical_and", "logical_or", "logical_xor", "heaviside"]
] + [
    (n, (I, J), {}) for n in ["add", "multiply", "floor_divide", "mod", "fmod", "power",
                              "gcd", "lcm", "divide", "maximum", "bitwise_and",
                              "bitwise_or", "bitwise_xor", "left_shift", "right_shift"]
] + [
    (n, (I,), {}) for n in ["abs", "square", "sign", "sqrt", "mean", "sum", "exp", "cumsum",
                            "floor", "bitwise_invert", "argmax", "trunc", "round"]
] + [
    ("add", (X, 1.5), {}), ("add", (I, 1.5), {}), ("multiply", (I, 2), {}),
    ("add", (I.astype("int8"), 3), {}), ("add", (X.astype("float16"), 1.0), {}),
    ("add", (I.astype("uint8"), I.astype("int8")), {}), ("add", (I, X.astype("float64")), {}),
    ("power", (X, 2), {}), ("power", (P, Y), {}),
    ("sum", (X,), dict(axis=1, keepdims=True)), ("mean", (X,), dict(axis=(0, 1))),
    ("max", (X,), dict(axis=0, initial=0.5)), ("prod", (I.astype("int8"),), {}),
    ("var", (X,), dict(axis=-1)), ("std", (X,), dict(axis=0, keepdims=True)),
    ("argmax", (X,), dict(axis=1, keepdims=True)), ("cumsum", (X,), dict(axis=1)),
    ("quantile", (X, 0.3), dict(axis=1)), ("quantile", (X, [0.1, 0.9]), {}),
    ("percentile", (X, 40.0), dict(axis=0, keepdims=True)),
    ("quantile", (X, 0.3), dict(axis=1, method="nearest")),
    ("quantile", (X, 0.3), dict(axis=1, method="midpoint")),
    ("median", (X,), dict(axis=0)), ("average", (X,), dict(axis=1, weights=V[:4])),
    ("nanmean", (np.where(X > 1, np.nan, X),), dict(axis=1)),
    ("nansum", (np.where(X > 1, np.nan, X),), {}),
    ("nanmax", (np.where(X > 1, np.nan, X),), dict(axis=0)),
    ("nanmedian", (np.where(X > 1, np.nan, X),), dict(axis=1)),
    ("nanstd", (np.where(X > 1, np.nan, X),), {}),
    ("clip", (X, -0.5, 0.5), {}), ("clip", (I, -2, 3), {}),
    ("where", (X > 0, X, Y), {}), ("where", (X > 0, 1.0, I), {}),
    ("reshape", (X, (2, 6)), {}), ("reshape", (X, (-1,)), {}),
    ("expand_dims", (X, 1), {}), ("expand_dims", (X, (0, 3)), {}),
    ("squeeze", (X[:1],), {}), ("squeeze", (X[:, :1], 1), {}),
    ("transpose", (IMG, (0, 3, 1, 2)), {}), ("moveaxis", (IMG, 3, 1), {}),
    ("moveaxis", (IMG, (0, 1), (2, 3)), {}), ("swapaxes", (IMG, 1, 3), {}),
    ("broadcast_to", (V, (2, 5)), {}), ("tile", (X, (2, 1)), {}), ("tile", (V, 2), {}),
    ("repeat", (X, 2), dict(axis=1)), ("repeat", (X, 2), {}),
    ("concatenate", ([X, Y],), dict(axis=1)), ("concatenate", ([X, I],), {}),
    ("stack", ([X, Y],), dict(axis=1)), ("hstack", ([X, Y],), {}), ("vstack", ([V, V],), {}),
    ("dstack", ([X, Y],), {}), ("append", (X, Y), {}), ("append", (X, Y), dict(axis=0)),
    ("split", (X, 2), dict(axis=1)), ("split", (V, [1, 3]), {}),
    ("array_split", (V, 3), {}), ("hsplit", (X, 2), {}), ("vsplit", (X[:2], 2), {}),
    ("flip", (X, 1), {}), ("roll", (X, 2), {}), ("roll", (X, -1), dict(axis=1)),
    ("rot90", (X, 3), {}), ("pad", (X, ((1, 2), (0, 1))), {}),
    ("pad", (X, ((1, 1), (1, 1))), dict(mode="reflect")), ("pad", (X, ((1, 1), (2, 2))), dict(
        mode="symmetric")), ("pad", (X, ((2, 2), (2, 2))), dict(constant_values=3.0)),
    ("take", (X, [0, 2, -1]), dict(axis=1)), ("take", (X, [[1, 5]]), {}),
    ("take_along_axis", (X, np.argsort(X, 1)), dict(axis=1)),
    ("take_along_axis", (X, np.argsort(X, 0)[:2]), dict(axis=0)),
    ("matmul", (X, Y.T), {}), ("matmul", (V, f32(5, 2)), {}), ("matmul", (IMG, f32(3, 2)), {}),
    ("matmul", (f32(2, 3, 4), f32(4, 2)), {}), ("dot", (X, Y.T), {}), ("dot", (X, 2.0), {}),
    ("dot", (IMG, f32(3)), {}), ("tensordot", (X, Y), dict(axes=([0], [0]))),
    ("inner", (X, Y), {}), ("outer", (V, X[0]), {}), ("vdot", (X, Y), {}),
    ("kron", (X[:2, :2], Y[:2, :3]), {}), ("cross", (f32(4, 3), f32(4, 3)), {}),
    ("einsum", ("ij,kj->ik", X, Y), {}), ("einsum", ("bij->bji", IMG[..., 0]), {}),
    ("diff", (X,), {}), ("diff", (X,), dict(n=2, axis=0)), ("trapezoid", (X,), {}),
    ("trapezoid", (X,), dict(dx=0.5, axis=0)), ("correlate", (V, V[:3]), {}),
    ("correlate", (V, V[:3]), dict(mode="full")), ("correlate", (V, V[:3]), dict(mode="same")),
    ("vander", (V[:3],), {}), ("corrcoef", (X,), {}), ("cdist", (X, Y), {}),
    ("searchsorted", (np.sort(V), X[0]), {}), ("searchsorted", (np.sort(V), X[0]), dict(
        side="right")), ("digitize", (X[0], np.sort(V)), {}),
    ("bincount", (J[0],), {}), ("bincount", (J[0],), dict(weights=X[0], minlength=8)),
    ("isin", (J, [1, 3]), {}), ("unique", (J.reshape(-1),), {}),
    ("unravel_index", (J[0], (3, 4)), {}), ("histogram", (V,), dict(bins=4)),
    ("select", ([X > 1, X < -1], [X, Y]), {}), ("select", ([X > 0], [X]), dict(default=2.0)),
    ("full", ((2, 3), 1.5), {}), ("full_like", (X, 2), {}), ("zeros", ((2, 3),), {}),
    ("ones", ((2,),), dict(dtype="int32")), ("eye", (3,), {}), ("eye", (3, 4), dict(k=1)),
    ("eye", (4, 3), dict(k=-2)), ("identity", (3,), {}), ("tri", (3, 4), dict(k=1)),
    ("arange", (5,), {}), ("arange", (1, 4, 0.5), {}), ("arange", (2, 9, 3), {}),
    ("linspace", (0.0, 1.0, 5), {}), ("linspace", (0, 2, 4), dict(endpoint=False)),
    ("logspace", (0.0, 2.0, 3), {}), ("geomspace", (1.0, 8.0, 4), {}),
    ("meshgrid", (V[:2], V[:3]), {}), ("meshgrid", (V[:2], V[:3]), dict(indexing="ij")),
    ("bartlett", (5,), {}), ("hanning", (6,), {}), ("hamming", (6,), {}),
    ("blackman", (5,), {}), ("kaiser", (6, 3.0), {}), ("tril", (X, -1), {}),
    ("triu", (X, 1), {}), ("diag", (V,), {}), ("diag", (V, 1), {}), ("diag", (X, 1), {}),
    ("diagonal", (IMG[0], 1, 0, 1), {}), ("diagflat", (V[:3],), {}),
    ("trace", (IMG[0],), dict(axis1=0, axis2=2)), ("ldexp", (X, I), {}),
    ("top_k", (X, 2), {}), ("in_top_k", (np.array([1, 0, 3]), X, 2), {}),
    ("logsumexp", (X,), dict(axis=1)),
    ("segment_sum", (X, np.array([0, 0, 2])), dict(num_segments=4)),
    ("segment_max", (X, np.array([1, 0, 1])), dict(num_segments=3)),
    ("segment_min", (X, np.array([1, 0, 1])), {}),
    ("segment_prod", (X, np.array([1, 0, 1])), {}),
    ("extract_sequences", (X, 2, 1), {}),
    ("one_hot", (np.array([0, 2, 1]), 4), {}), ("one_hot", (np.array([0, 2]), 3), dict(
        axis=0)), ("multi_hot", (np.array([[0, 2], [1, 1]]), 4), {}),
    ("binary_crossentropy", (np.clip(P / 2, 0, 1), 1 / (1 + np.exp(-X))), {}),
    ("binary_crossentropy", (np.clip(P / 2, 0, 1), X), dict(from_logits=True)),
    ("categorical_crossentropy", (np.eye(4, dtype="float32")[[0, 2, 1]],
                                  P / P.sum(1, keepdims=True)), {}),
    ("categorical_crossentropy", (np.eye(4, dtype="float32")[[0, 2, 1]], X), dict(
        from_logits=True)),
    ("sparse_categorical_crossentropy", (np.array([0, 2, 1]), X), dict(from_logits=True)),
    ("moments", (X, [0]), {}), ("moments", (IMG, [0, 1, 2]), dict(keepdims=True)),
    ("batch_normalization", (X, V[:4], P[0], 1), dict(offset=Y[0], scale=P[1])),
    ("layer_normalization", (X,), dict(gamma=P[0], beta=Y[0], epsilon=1e-5)),
    ("normalize", (X,), dict(order=1, axis=0)),
    ("softmax", (IMG,), dict(axis=(1, 2))), ("leaky_relu", (X,), dict(negative_slope=0.1)),
    ("elu", (X,), dict(alpha=0.5)), ("gelu", (X,), dict(approximate=False)),
    ("threshold", (X, 0.3, -1.0), {}), ("glu", (X.T,), dict(axis=0)),
    ("conv", (IMG, f32(3, 2, 3, 4)), {}), ("conv", (IMG, f32(3, 3, 3, 2)), dict(
        strides=2, padding="same")), ("conv", (SEQ, f32(2, 3, 5)), dict(dilation_rate=2)),
    ("conv", (np.moveaxis(IMG, 3, 1), f32(2, 2, 3, 2)), dict(data_format="channels_first")),
    ("depthwise_conv", (IMG, f32(2, 2, 3, 2)), {}),
    ("depthwise_conv", (IMG, f32(3, 3, 3, 1)), dict(strides=1, padding="same")),
    ("depthwise_conv", (SEQ, f32(3, 3, 2)), {}),
    ("separable_conv", (IMG, f32(2, 2, 3, 2), f32(1, 1, 6, 4)), dict(padding="same")),
    ("conv_transpose", (IMG, f32(3, 3, 2, 3)), dict(strides=2)),
    ("conv_transpose", (IMG, f32(3, 3, 2, 3)), dict(strides=2, padding="same")),
    ("conv_transpose", (IMG, f32(3, 3, 2, 3)), dict(strides=2, output_padding=1)),
    ("conv_transpose", (SEQ, f32(4, 2, 3)), dict(strides=3, padding="same")),
    ("max_pool", (IMG, 2), {}), ("max_pool", (IMG, 3), dict(strides=2, padding="same")),
    ("average_pool", (SEQ, 2), {}), ("average_pool", (IMG, (2, 3)), dict(strides=1)),
    ("dot_product_attention", (f32(2, 3, 2, 4), f32(2, 5, 2, 4), f32(2, 5, 2, 4)), {}),
    ("dot_product_attention", (f32(2, 3, 2, 4), f32(2, 3, 2, 4), f32(2, 3, 2, 4)), dict(
        is_causal=True)), ("psnr", (P, P + 0.1, 2.0), {}),
    ("depth_to_space", (f32(1, 2, 2, 8), 2), {}), ("space_to_depth", (f32(1, 4, 4, 2), 2), {}),
    ("cholesky", (SPD,), {}), ("det", (SQ,), {}), ("inv", (SQ,), {}), ("slogdet", (SQ,), {}),
    ("solve", (SQ, X[:, :2]), {}), ("solve_triangular", (np.tril(SQ), X[:, :2]), dict(
        lower=True)), ("norm", (X,), {}), ("norm", (X,), dict(ord=1, axis=1)),
    ("norm", (X,), dict(ord="fro")), ("norm", (X,), dict(ord=np.inf)),
    ("norm", (V,), dict(ord=3)), ("norm", (IMG,), dict(axis=(1, 2), keepdims=True)),
    ("logdet", (SPD,), {}), ("lstsq", (f32(5, 3), f32(5, 2)), {}),
    ("cholesky_inverse", (np.linalg.cholesky(SPD),), {}),
    ("slice", (X, (1, 0), (2, 3)), {}), ("slice_update", (X, (1, 1), Y[:2, :2]), {}),
    ("scatter", (np.array([[0, 1], [2, 2]]), np.array([1.0, 2.0], "float32"), (3, 3)), {}),
    ("scatter_update", (X, np.array([[0, 1], [2, 2]]), np.array([5.0, 6.0], "float32")), {}),
    ("cast", (X, "int32"), {}), ("cast", (I, "float16"), {}), ("dtype", (I,), {}),
    ("convert_to_tensor", ([1, 2],), {}), ("convert_to_tensor", ([1.5],), {}),
    ("convert_to_tensor", (X,), dict(dtype="float64")), ("stop_gradient", (X,), {}),
    ("unstack", (X,), {}), ("unstack", (X,), dict(axis=1)), ("get_item", (X, 1), {}),
    ("saturate_cast", (X * 200, "uint8"), {}), ("associative_scan", (np.add, V), {}),
]

IMAGE_CASES = [
    ("resize", (IMG, (9, 7)), {}), ("resize", (IMG, (3, 2)), {}),
    ("resize", (IMG, (9, 11)), dict(interpolation="nearest")),
    ("resize", (IMG, (4, 3)), dict(interpolation="nearest")),
    ("resize", (IMG, (9, 7)), dict(interpolation="bicubic")),
    ("resize", (IMG, (3, 4)), dict(interpolation="bicubic")),
    ("resize", (IMG, (4, 4)), dict(crop_to_aspect_ratio=True)),
    ("resize", (IMG[0], (4, 8)), dict(pad_to_aspect_ratio=True)),
    ("rgb_to_grayscale", (IMG,), {}),
] + [
    ("affine_transform", (IMG, np.array([[0.9, -0.3, 1.2, 0.2, 1.1, -0.7, 0.01, -0.02],
                                         [1.3, 0.0, -2.5, 0.0, 0.8, 1.6, 0.0, 0.0]],
                                        "float32")),
     dict(interpolation=i, fill_mode=m, fill_value=0.5))
    for i in ("bilinear", "nearest") for m in ("constant", "reflect", "wrap", "nearest")
]


def _np(x):
    if isinstance(x, (list, tuple)):
        return [_np(v) for v in x]
    return np.asarray(K.convert_to_numpy(x)) if not isinstance(x, (int, float, str)) else x


def _ours(x):
    if isinstance(x, (list, tuple)):
        return [_ours(v) for v in x]
    return x.numpy() if hasattr(x, "numpy") else x


def _check(fn_k, fn_t, args, kwargs):
    want = fn_k(*args, **kwargs)
    got = fn_t(*[tfx.constant(a) if isinstance(a, np.ndarray) else a for a in args], **kwargs)
    want, got = _np(want), _ours(got)
    if isinstance(want, list):
        assert isinstance(got, (list, tuple)) and len(got) == len(want)
        pairs = list(zip(want, got))
    else:
        pairs = [(want, got)]
    for w, g in pairs:
        if isinstance(w, str) or isinstance(w, tuple) and not isinstance(w, np.ndarray):
            assert tuple(w) == tuple(g) if isinstance(w, tuple) else w == g
            continue
        w, g = np.asarray(w), np.asarray(g)
        assert g.shape == w.shape
        assert g.dtype == w.dtype, (g.dtype, w.dtype)
        tol = 2e-3 if w.dtype == np.float16 else 1e-4
        np.testing.assert_allclose(g.astype("float64") if g.dtype.kind != "b" else g,
                                   w.astype("float64") if w.dtype.kind != "b" else w,
                                   rtol=tol, atol=tol, equal_nan=True)


@pytest.mark.parametrize("name,args,kwargs", CASES, ids=[f"{c[0]}-{i}" for i, c in
                                                          enumerate(CASES)])
def test_matches_keras_ops(name, args, kwargs):
    if name == "associative_scan":
        _check(lambda f, x: K.associative_scan(lambda a, b: a + b, x),
               lambda f, x: ops.associative_scan(lambda a, b: a + b, x), args, kwargs)
        return
    _check(getattr(K, name), getattr(ops, name), args, kwargs)


@pytest.mark.parametrize("name,args,kwargs", IMAGE_CASES, ids=[f"{c[0]}-{i}" for i, c in
                                                                enumerate(IMAGE_CASES)])
def test_image_ops_match_keras(name, args, kwargs):
    _check(getattr(K.image, name), getattr(ops.image, name), args, kwargs)


def test_promotion_matches_keras_for_every_pair():
    kinds = ["bool", "uint8", "uint16", "uint32", "int8", "int16", "int32", "int64",
             "bfloat16", "float16", "float32", "float64"]
    for a in kinds:
        for b in kinds:
            assert ops.result_type(a, b) == keras.backend.result_type(a, b), (a, b)
    for d in kinds[1:]:
        x = np.ones(2, d)
        for scalar in (1, 1.0, True):
            if d == "bfloat16" and scalar is True:
                continue  # TensorFlow itself cannot convert True to bfloat16
            want = K.convert_to_numpy(K.add(x, scalar)).dtype
            assert ops.add(tfx.constant(x), scalar).dtype.name == str(want), (d, scalar)


def test_control_flow_matches_keras():
    assert float(ops.cond(tfx.constant(True), lambda: 1.0, lambda: 2.0)) == 1.0
    out = ops.while_loop(lambda i, s: i < 5, lambda i, s: (i + 1, s + i), (0, 0))
    assert [int(v) for v in out] == [5, 10]
    assert int(ops.fori_loop(0, 4, lambda i, v: v + i, 0)) == 6
    xs = np.arange(6, dtype="float32").reshape(3, 2)
    carry, ys = ops.scan(lambda c, x: (c + x, c * 2), tfx.constant(np.zeros(2, "float32")),
                         tfx.constant(xs))
    kc, kys = K.scan(lambda c, x: (c + x, c * 2), np.zeros(2, "float32"), xs)
    np.testing.assert_allclose(carry.numpy(), _np(kc))
    np.testing.assert_allclose(ys.numpy(), _np(kys))
    np.testing.assert_allclose(ops.map(lambda r: ops.sum(r), tfx.constant(xs)).numpy(),
                               _np(K.map(lambda r: K.sum(r), xs)))
    assert float(ops.switch(1, [lambda x: x, lambda x: x * 3], 2.0)) == 6.0
    assert ops.convert_to_numpy(tfx.constant([1, 2])).tolist() == [1, 2]
    assert ops.is_tensor(tfx.constant(1)) and not ops.is_tensor(1)


GRAD_CASES = [
    ("hypot", (X, Y)), ("logaddexp", (X, Y)), ("cbrt", (P,)), ("sinc", (X,)),
    ("quantile", (X, 0.3)), ("take_along_axis", (X, np.argsort(X, 1), 1)),
    ("norm", (X,)), ("cross", (f32(4, 3), f32(4, 3))), ("kron", (X[:2, :2], Y[:2, :2])),
    ("correlate", (V, V[:3])), ("segment_max", (X, np.array([1, 0, 1]), 2)),
    ("nanmean", (X,)), ("trapezoid", (X,)), ("rms_normalization", (X,)),
    ("normalize", (X,)), ("slice_update", (X, (1, 1), Y[:2, :2])),
    ("erfinv", (U,)), ("conv_transpose", (IMG[:1, :3, :3, :2], f32(2, 2, 2, 2))),
    ("depthwise_conv", (SEQ, f32(3, 3, 2))), ("adaptive_average_pool", (IMG, (4, 2))),
    ("dot_product_attention", (f32(1, 3, 1, 2), f32(1, 3, 1, 2), f32(1, 3, 1, 2))),
]


@pytest.mark.parametrize("name,args", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradients_match_finite_differences(name, args):
    fn = getattr(ops, name)
    if name in ("take_along_axis", "segment_max"):  # the last argument is a keyword
        fn = (lambda f, k, v: lambda *a: f(*a, **{k: v}))(
            fn, "axis" if name == "take_along_axis" else "num_segments", args[-1])
        args = args[:-1]
    diff = [i for i, a in enumerate(args) if isinstance(a, np.ndarray) and a.dtype.kind == "f"]
    xs = [tfx.constant(a.astype("float64")) if i in diff else
          (tfx.constant(a) if isinstance(a, np.ndarray) else a) for i, a in enumerate(args)]
    i = diff[0]
    with tfx.GradientTape() as tape:
        tape.watch(xs[i])
        y = ops.sum(fn(*xs))
    g = tape.gradient(y, xs[i]).numpy()
    base = args[i].astype("float64")
    num = np.zeros_like(base)
    eps = 1e-6
    for idx in np.ndindex(base.shape):
        for sgn in (1, -1):
            b = base.copy()
            b[idx] += sgn * eps
            ys = list(xs)
            ys[i] = tfx.constant(b)
            num[idx] += sgn * float(ops.sum(fn(*ys)).numpy()) / (2 * eps)
    np.testing.assert_allclose(g, num, rtol=1e-4, atol=1e-6)


def test_image_resize_and_affine_gradients():
    x = IMG[:1, :4, :4, :1].astype("float64")
    tr = np.array([0.9, -0.3, 1.2, 0.2, 1.1, -0.7, 0.0, 0.0])
    for fn in (lambda v: ops.image.resize(v, (5, 3)),
               lambda v: ops.image.resize(v, (6, 7), interpolation="bicubic"),
               lambda v: ops.image.affine_transform(v, tr, fill_mode="reflect")):
        t = tfx.constant(x)
        with tfx.GradientTape() as tape:
            tape.watch(t)
            y = ops.sum(ops.square(fn(t)))
        g = tape.gradient(y, t).numpy()
        num = np.zeros_like(x)
        for idx in np.ndindex(x.shape):
            for sgn in (1, -1):
                b = x.copy()
                b[idx] += sgn * 1e-6
                num[idx] += sgn * float(ops.sum(ops.square(fn(tfx.constant(b))))) / 2e-6
        np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-7)


def test_adaptive_pools_match_torch():
    torch = pytest.importorskip("torch")
    x = IMG
    xt = torch.tensor(np.moveaxis(x, 3, 1))
    for ours, theirs, size in ((ops.adaptive_average_pool, torch.nn.functional.adaptive_avg_pool2d,
                                (4, 2)),
                               (ops.adaptive_max_pool, torch.nn.functional.adaptive_max_pool2d,
                                (3, 3))):
        want = np.moveaxis(theirs(xt, size).numpy(), 1, 3)
        np.testing.assert_allclose(ours(tfx.constant(x), size).numpy(), want, rtol=1e-6)


def test_eigh_reconstructs_and_matches_keras_eigenvalues():
    w, v = ops.eigh(tfx.constant(SPD))
    kw, _ = K.eigh(SPD)
    np.testing.assert_allclose(w.numpy(), _np(kw), rtol=1e-5)
    np.testing.assert_allclose((v.numpy() * w.numpy()) @ v.numpy().T, SPD, rtol=1e-4,
                               atol=1e-4)


def test_control_flow_inside_tfx_function_picks_per_call():
    @tfx.function
    def f(x):
        y = ops.cond(ops.sum(x) > 0, lambda: x * 2.0, lambda: x - 1.0)
        _, total = ops.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s + ops.sum(y)),
                                  (tfx.constant(0), tfx.constant(0.0)))
        return y, total
    y, total = f(tfx.constant([1.0, 2.0]))
    assert y.numpy().tolist() == [2.0, 4.0] and float(total) == 18.0
    y, total = f(tfx.constant([-1.0, -2.0]))
    assert y.numpy().tolist() == [-2.0, -3.0] and float(total) == -15.0
