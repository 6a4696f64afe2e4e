"""tfx.signal.fftnd / ifftnd / rfftnd / irfftnd against NumPy (TensorFlow has no CPU kernel for
them), gradients against central differences in float64."""
import inspect

import numpy as np
import pytest

import tfx
from gradcheck import check_grads

S = tfx.signal
RNG = np.random.default_rng(3)
Z = RNG.standard_normal((2, 3, 5)) + 1j * RNG.standard_normal((2, 3, 5))
R = RNG.standard_normal((2, 3, 6))

CASES = [dict(), dict(axes=[1]), dict(axes=[2, 0]), dict(axes=[-1, -3], fft_length=[4, 3]),
         dict(axes=[0, 1, 2], fft_length=[3, 2, 7], norm="ortho"),
         dict(axes=[1, 2], norm="forward")]


def _np_kwargs(kw):
    out = {"norm": kw.get("norm")}
    if "axes" in kw:
        out["axes"] = tuple(kw["axes"])
    if "fft_length" in kw:
        out["s"] = kw["fft_length"]
    return out


@pytest.mark.parametrize("kw", CASES)
def test_values_match_numpy(kw):
    for ours, theirs, x in [(S.fftnd, np.fft.fftn, Z), (S.ifftnd, np.fft.ifftn, Z),
                            (S.rfftnd, np.fft.rfftn, R), (S.irfftnd, np.fft.irfftn, Z)]:
        got = ours(tfx.constant(x), **kw)
        want = theirs(x, **_np_kwargs(kw))
        assert got.shape == want.shape, ours.__name__
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-10, atol=1e-12,
                                   err_msg=ours.__name__)


def test_dtypes_and_top_level_names():
    # Keras' symbolic dispatch may wrap the top-level names (functools.wraps).
    assert inspect.unwrap(tfx.fftnd) is S.fftnd and inspect.unwrap(tfx.irfftnd) is S.irfftnd
    assert S.fftnd(tfx.constant(Z.astype(np.complex64))).dtype is tfx.complex64
    assert S.rfftnd(tfx.constant(R.astype(np.float32))).dtype is tfx.complex64
    assert S.irfftnd(tfx.constant(Z)).dtype is tfx.float64
    with pytest.raises(tfx.errors.InvalidArgumentError):
        S.fftnd(tfx.constant(R))
    with pytest.raises(tfx.errors.InvalidArgumentError):
        S.rfftnd(tfx.constant(Z))


def test_errors():
    x = tfx.constant(Z)
    err = tfx.errors.InvalidArgumentError
    with pytest.raises(err, match="out of range"):
        S.fftnd(x, axes=[3])
    with pytest.raises(err, match="distinct"):
        S.fftnd(x, axes=[0, -3])
    with pytest.raises(err, match="fft_length has 1"):
        S.fftnd(x, axes=[0, 1], fft_length=[2])
    with pytest.raises(err, match="positive"):
        S.fftnd(x, axes=[0], fft_length=[0])
    with pytest.raises(ValueError, match="norm"):
        S.fftnd(x, norm="bogus")


def _split(f):
    """A real-to-real view of a complex transform, for gradient checks."""
    def g(re, im):
        y = f(tfx.complex(re, im))
        return tfx.concat([tfx.math.real(y), tfx.math.imag(y)], 0) if y.dtype.is_complex else y
    return g


@pytest.mark.parametrize("kw", [dict(axes=[2, 0], fft_length=[4, 3]), dict(norm="ortho"),
                                dict(axes=[1], norm="forward")])
def test_complex_gradients(kw):
    re, im = Z.real.copy(), Z.imag.copy()
    check_grads(_split(lambda z: S.fftnd(z, **kw)), re, im)
    check_grads(_split(lambda z: S.ifftnd(z, **kw)), re, im)


@pytest.mark.parametrize("kw", [dict(), dict(axes=[0, 2], fft_length=[3, 5]),
                                dict(axes=[1], norm="ortho")])
def test_real_gradients(kw):
    def rf(x):
        y = S.rfftnd(x, **kw)
        return tfx.concat([tfx.math.real(y), tfx.math.imag(y)], 0)
    check_grads(rf, R)
    check_grads(_split(lambda z: S.irfftnd(z, **kw)), Z.real.copy(), Z.imag.copy())


def test_round_trip_in_a_traced_function():
    f = tfx.function(lambda x: S.irfftnd(S.rfftnd(x, axes=[0, 2]), axes=[0, 2],
                                         fft_length=[2, 6]))
    np.testing.assert_allclose(f(tfx.constant(R)).numpy(), R, atol=1e-12)
