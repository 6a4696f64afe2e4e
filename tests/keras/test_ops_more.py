"""keras.ops' spectral, decomposition, CTC, fold/unfold, rearrange, view and jvp functions
against Keras 3 (TensorFlow backend): values and dtypes, shapes on KerasTensors, gradients
against central finite differences in float64, and jvp against explicit Jacobians."""
import numpy as np
import pytest

import tfx
from tfx.keras import ops

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")
K = keras.ops

RNG = np.random.default_rng(0)


def f32(*shape):
    return RNG.standard_normal(shape).astype("float32")


R, I = f32(3, 8), f32(3, 8)
SIG = f32(2, 100)
M2 = f32(2, 5, 3)
SQ = f32(4, 4)
IMG = f32(2, 3, 7, 6)
LOGITS = f32(2, 10, 5)
TARGET = np.array([[1, 2, 2, 0], [3, 4, 0, 0]])
TLEN, OLEN = np.array([3, 2]), np.array([10, 8])
WIN = RNG.uniform(0.5, 1.0, 12).astype("float32")
FOLD = dict(kernel_size=(3, 2), dilation=(2, 1), padding=1, stride=(2, 3))


def _flat(x):
    return [np.asarray(v) for v in tf.nest.flatten(x)]


def _same(ours, theirs, tol=1e-4):
    a, b = _flat(ours), _flat(theirs)
    assert len(a) == len(b)
    for x, y in zip(a, b):
        if x.dtype == object or y.dtype == object:  # a tangent that does not exist
            assert x.item() is None and y.item() is None
            continue
        assert x.dtype == y.dtype and x.shape == y.shape, (x.dtype, y.dtype, x.shape, y.shape)
        np.testing.assert_allclose(x, y, rtol=tol, atol=tol)


CASES = [
    ("fft", ((R, I),), {}), ("fft2", ((R, I),), {}), ("ifft2", ((R, I),), {}),
    ("rfft", (R,), {}), ("rfft", (R,), {"fft_length": 6}), ("rfft", (R,), {"fft_length": 11}),
    ("irfft", ((R, I),), {}), ("irfft", ((R, I),), {"fft_length": 9}),
    ("stft", (SIG, 16, 8, 16), {}),
    ("stft", (SIG, 10, 4, 16), {"window": "hamming", "center": False}),
    ("stft", (SIG, 16, 8, 32), {"window": None}),
    ("stft", (SIG, 12, 6, 16), {"window": WIN}),
    ("view_as_complex", (R.reshape(3, 4, 2),), {}),
    ("view_as_real", ((R + 1j * I).astype("complex64"),), {}),
    ("qr", (M2,), {}), ("qr", (M2,), {"mode": "complete"}),
    ("svd", (M2,), {"compute_uv": False}), ("lu_factor", (SQ,), {}),
    ("pinv", (M2,), {}), ("matrix_rank", (M2,), {}),
    ("matrix_rank", (np.ones((4, 3), "float32"),), {}),
    ("unfold", (IMG, 2), {}), ("unfold", (IMG,), FOLD),
    ("rearrange", (IMG, "b c (h1 h) w -> b (h w) c h1"), {"h1": 7}),
    ("rearrange", (IMG, "b c h w -> (b h) w c"), {}),
    ("view", (R, "int16"), {}), ("view", (R.astype("float16"), "int32"), {}),
    ("view", (R, "int32"), {}),
    ("ctc_loss", (TARGET, LOGITS, TLEN, OLEN), {}),
    ("ctc_loss", (TARGET % 4, LOGITS, TLEN, OLEN), {"mask_index": 4}),
    ("ctc_decode", (LOGITS, OLEN), {}),
    ("ctc_decode", (LOGITS, OLEN), {"mask_index": 3, "merge_repeated": False}),
    ("ctc_decode", (LOGITS, OLEN), {"strategy": "beam_search", "beam_width": 10,
                                    "top_paths": 2}),
    ("ctc_decode", (LOGITS, OLEN), {"strategy": "beam_search", "beam_width": 10,
                                    "top_paths": 2, "mask_index": 2}),
]


@pytest.mark.parametrize("name,args,kwargs", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_matches_keras(name, args, kwargs):
    _same(getattr(ops, name)(*args, **kwargs), getattr(K, name)(*args, **kwargs))


@pytest.mark.parametrize("args,kwargs", [((16, 8, 16), {}),
                                         ((10, 4, 16), {"window": "hamming", "center": False}),
                                         ((12, 6, 16), {"window": WIN})])
@pytest.mark.parametrize("length", [None, 90])
def test_istft_inverts_stft_as_keras(args, kwargs, length):
    spec = tuple(np.asarray(v) for v in K.stft(SIG, *args, **kwargs))
    _same(ops.istft(spec, *args, length=length, **kwargs),
          K.istft(spec, *args, length=length, **kwargs))


def test_fold_matches_keras():
    for kw in ({"kernel_size": 2}, FOLD):
        cols = np.asarray(K.unfold(IMG, **kw))
        _same(ops.fold(cols, (7, 6), **kw), K.fold(cols, (7, 6), **kw))


def test_svd_and_eig_are_decompositions_with_keras_values():
    # Singular vectors and eigenvectors are unique only up to sign/phase (and eigenvalues up
    # to order), so compare what is unique: reconstructions and the values.
    for full in (True, False):
        u, s, vh = (np.asarray(v) for v in ops.svd(M2, full_matrices=full))
        ku, ks, kvh = (np.asarray(v) for v in K.svd(M2, full_matrices=full))
        assert u.shape == ku.shape and vh.shape == kvh.shape and u.dtype == ku.dtype
        np.testing.assert_allclose(s, ks, rtol=1e-5, atol=1e-5)
        k = s.shape[-1]
        np.testing.assert_allclose((u[..., :k] * s[..., None, :]) @ vh[..., :k, :], M2,
                                   atol=1e-5)
    w, v = (np.asarray(t) for t in ops.eig(SQ))
    kw, kv = (np.asarray(t) for t in K.eig(SQ))
    assert w.dtype == kw.dtype and v.dtype == kv.dtype
    np.testing.assert_allclose(np.sort_complex(w), np.sort_complex(kw), atol=1e-5)
    np.testing.assert_allclose(SQ @ v, v * w[None, :], atol=1e-5)


def test_lu_factor_reconstructs():
    lu, piv = (np.asarray(t) for t in ops.lu_factor(SQ))
    lower = np.tril(lu, -1) + np.eye(4)
    np.testing.assert_allclose((lower @ np.triu(lu))[piv], SQ, atol=1e-5)


def test_jvp_matches_keras():
    r, i = tf.constant(R), tf.constant(I)
    _same(ops.jvp(lambda a, b: (ops.sin(a) * b, ops.sum(a * b * b), ops.ones(3)),
                  (R, I), (I, R)),
          K.jvp(lambda a, b: (K.sin(a) * b, K.sum(a * b * b), K.ones(3)), (r, i), (i, r)))
    out, tangent, aux = ops.jvp(lambda a: (ops.matmul(a, ops.transpose(a)), "aux"), (R,),
                                (I,), has_aux=True)
    np.testing.assert_allclose(np.asarray(tangent), I @ R.T + R @ I.T, rtol=1e-5, atol=1e-5)
    assert aux == "aux"
    out, tangent = ops.jvp(lambda d: {"y": ops.exp(d["x"])}, ({"x": R},), ({"x": I},))
    np.testing.assert_allclose(np.asarray(tangent["y"]), np.exp(R) * I, rtol=1e-5)


def test_jvp_is_exact_against_the_jacobian():
    x = RNG.standard_normal(4)
    v = RNG.standard_normal(4)

    def f(a):
        return ops.tanh(ops.matmul(ops.reshape(a, (2, 2)), ops.reshape(a, (2, 2))))

    with tfx.GradientTape(persistent=True) as tape:
        xt = tfx.constant(x)
        tape.watch(xt)
        y = ops.reshape(f(xt), (-1,))
    jac = np.asarray(tape.jacobian(y, xt))
    _, tangent = ops.jvp(f, (x,), (v,))
    np.testing.assert_allclose(np.asarray(tangent).reshape(-1), jac @ v, rtol=1e-12)


SHAPES = [
    ("fft", lambda I_, o: o.fft((I_((16,)), I_((16,)))), [(None, 16), (None, 16)]),
    ("rfft", lambda I_, o: o.rfft(I_((16,))), [(None, 9), (None, 9)]),
    ("irfft", lambda I_, o: o.irfft((I_((16,)), I_((16,)))), [(None, 30)]),
    ("stft", lambda I_, o: o.stft(I_((100,)), 16, 8, 16), [(None, 13, 9)] * 2),
    ("istft", lambda I_, o: o.istft((I_((13, 9)), I_((13, 9))), 16, 8, 16), [(None, 96)]),
    ("qr", lambda I_, o: o.qr(I_((5, 3))), [(None, 5, 3), (None, 3, 3)]),
    ("svd", lambda I_, o: o.svd(I_((5, 3))), [(None, 5, 5), (None, 3), (None, 3, 3)]),
    ("pinv", lambda I_, o: o.pinv(I_((5, 3))), [(None, 3, 5)]),
    ("lu_factor", lambda I_, o: o.lu_factor(I_((4, 4))), [(None, 4, 4), (None, 4)]),
    ("eig", lambda I_, o: o.eig(I_((4, 4))), [(None, 4), (None, 4, 4)]),
    ("unfold", lambda I_, o: o.unfold(I_((3, 8, 8)), 2, stride=2), [(None, 12, 16)]),
    ("fold", lambda I_, o: o.fold(I_((12, 16)), (8, 8), 2, stride=2), [(None, 3, 8, 8)]),
    ("rearrange", lambda I_, o: o.rearrange(I_((3, 8, 8)), "b c h w -> b (h w) c"),
     [(None, 64, 3)]),
    ("view", lambda I_, o: o.view(I_((16,)), "int16"), [(None, 32)]),
    ("view_as_complex", lambda I_, o: o.view_as_complex(I_((4, 2))), [(None, 4)]),
    ("ctc_decode", lambda I_, o: o.ctc_decode(I_((10, 5)), I_((), dtype="int32")),
     [(1, None, 10), (None, 1)]),
]


# Keras' own symbolic specs are wrong here (its eager results are int32 pivots and complex
# eigen-pairs; its rearrange multiplies None); tfx follows Keras' eager results.
EAGER_DTYPES = {"lu_factor": ["float32", "int32"], "eig": ["complex64", "complex64"],
                "rearrange": ["float32"]}


@pytest.mark.parametrize("name,build,shapes", SHAPES, ids=[s[0] for s in SHAPES])
def test_symbolic_shapes_and_dtypes_match_keras(name, build, shapes):
    ours = tfx.nest.flatten(build(tfx.keras.Input, ops))
    assert [tuple(t.shape) for t in ours] == shapes
    dtypes = [t.dtype.name for t in ours]
    if name in EAGER_DTYPES:
        assert dtypes == EAGER_DTYPES[name]
        return
    theirs = tf.nest.flatten(build(keras.Input, K))
    assert [tuple(t.shape) for t in theirs] == shapes
    assert dtypes == [str(t.dtype) for t in theirs]


def _fd_check(fn, x, eps=1e-6, tol=1e-6):
    """d sum(w * fn(x)) / dx by the tape against central differences (float64)."""
    w = [RNG.standard_normal(np.shape(o)) for o in _flat(fn(tfx.constant(x)))]

    def scalar(v):
        return sum(np.sum(wi * o) for wi, o in zip(w, _flat(fn(tfx.constant(v)))))

    xt = tfx.constant(x)
    with tfx.GradientTape() as tape:
        tape.watch(xt)
        outs = tfx.nest.flatten(fn(xt))
        total = tfx.add_n([tfx.reduce_sum(o * wi) for o, wi in zip(outs, w)])
    g = np.asarray(tape.gradient(total, xt))
    num = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        d = np.zeros_like(x)
        d[idx] = eps
        num[idx] = (scalar(x + d) - scalar(x - d)) / (2 * eps)
    np.testing.assert_allclose(g, num, rtol=tol, atol=tol)


X64 = RNG.standard_normal((2, 8))
GRADS = [
    ("fft", lambda x: ops.fft((x, ops.sin(x)))),
    ("fft2", lambda x: ops.fft2((x, ops.cos(x)))),
    ("ifft2", lambda x: ops.ifft2((x, x * x))),
    ("rfft", lambda x: ops.rfft(x, 10)),
    ("irfft", lambda x: ops.irfft((x, ops.sin(x)))),
    ("stft", lambda x: ops.stft(ops.reshape(x, (16,)), 6, 3, 8)),
    ("istft", lambda x: ops.istft((ops.reshape(x, (4, 4)), ops.reshape(x, (4, 4)) * 0.5),
                                  6, 2, 6)),
    ("unfold", lambda x: ops.unfold(ops.reshape(x, (1, 1, 4, 4)), 2, stride=1, padding=1)),
    ("fold", lambda x: ops.fold(ops.reshape(x, (1, 4, 4)), (3, 3), 2)),
    ("rearrange", lambda x: ops.rearrange(x, "a (b c) -> c (a b)", c=2)),
    ("pinv", lambda x: ops.pinv(ops.reshape(x, (4, 4)) + 3 * ops.eye(4, dtype="float64"))),
    ("svd", lambda x: ops.svd(ops.reshape(x, (4, 4)), compute_uv=False)),
    ("qr_r", lambda x: ops.qr(ops.reshape(x, (4, 4)))[1]),
    ("ctc_loss", lambda x: ops.ctc_loss(np.array([[1, 2]]), ops.reshape(x, (1, 4, 4)),
                                        np.array([2]), np.array([4]))),
]


@pytest.mark.parametrize("name,fn", GRADS, ids=[g[0] for g in GRADS])
def test_gradients_match_finite_differences(name, fn):
    x = RNG.standard_normal((4, 4)) if name in ("pinv", "svd", "qr_r", "istft", "ctc_loss") \
        else X64
    tol = 1e-4 if name == "ctc_loss" else 1e-6  # CTC runs in float32, as TensorFlow's
    _fd_check(fn, x, eps=1e-3 if name == "ctc_loss" else 1e-6, tol=tol)


def test_errors_as_keras():
    with pytest.raises(ValueError, match="tuple of two tensors"):
        ops.fft(R)
    with pytest.raises(ValueError, match="mode"):
        ops.qr(M2, mode="r")
    with pytest.raises(ValueError, match="window"):
        ops.stft(SIG, 16, 8, 16, window="blackman")
    with pytest.raises(TypeError, match="float32"):
        ops.stft(SIG.astype("int32"), 16, 8, 16)
    with pytest.raises(ValueError, match="4D"):
        ops.unfold(R, 2)
    with pytest.raises(ValueError, match="strategy"):
        ops.ctc_decode(LOGITS, OLEN, strategy="best")
