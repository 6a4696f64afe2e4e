"""tfx.signal: FFTs, framing, windows, STFT, mel filters and DCTs against NumPy (and
TensorFlow when installed); gradients against central differences in float64."""
import math

import numpy as np
import pytest

import tfx as tf
from tests.framework.gradcheck import check_grads

rng = np.random.default_rng(0)


def _c(*shape):
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


def test_complex_ffts_match_numpy():
    x = _c(2, 4, 6)
    np.testing.assert_allclose(tf.signal.fft(x).numpy(), np.fft.fft(x).astype(np.complex64),
                               rtol=1e-5, atol=1e-5)
    x128 = tf.constant(x)
    assert tf.signal.fft(x128).dtype is tf.complex128
    np.testing.assert_allclose(tf.signal.ifft(x128).numpy(), np.fft.ifft(x), atol=1e-13)
    np.testing.assert_allclose(tf.signal.fft2d(x128).numpy(), np.fft.fft2(x), atol=1e-12)
    np.testing.assert_allclose(tf.signal.ifft2d(x128).numpy(), np.fft.ifft2(x), atol=1e-13)
    np.testing.assert_allclose(tf.signal.fft3d(x128).numpy(), np.fft.fftn(x), atol=1e-12)
    np.testing.assert_allclose(tf.signal.ifft3d(x128).numpy(), np.fft.ifftn(x), atol=1e-13)
    assert tf.signal.fft([1.0, 2.0]).dtype is tf.complex64  # Python values convert
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.signal.fft(tf.constant([1.0, 2.0]))  # a float tensor is not converted


def test_real_ffts_match_numpy():
    x = tf.constant(rng.standard_normal((3, 8)))
    y = tf.signal.rfft(x)
    assert y.dtype is tf.complex128
    np.testing.assert_allclose(y.numpy(), np.fft.rfft(x), atol=1e-12)
    # NumPy values convert to the op's default dtype (float32), as in TensorFlow.
    assert tf.signal.rfft(x.numpy()).dtype is tf.complex64
    np.testing.assert_allclose(tf.signal.rfft(x, [5]).numpy(), np.fft.rfft(x, 5), atol=1e-12)
    np.testing.assert_allclose(tf.signal.rfft(x, [12]).numpy(), np.fft.rfft(x, 12), atol=1e-12)
    z = tf.constant(_c(3, 5))
    np.testing.assert_allclose(tf.signal.irfft(z).numpy(), np.fft.irfft(z), atol=1e-13)
    np.testing.assert_allclose(tf.signal.irfft(z, [7]).numpy(), np.fft.irfft(z, 7), atol=1e-13)
    np.testing.assert_allclose(tf.signal.rfft2d(x, [2, 6]).numpy(),
                               np.fft.rfft2(x, (2, 6)), atol=1e-12)
    np.testing.assert_allclose(tf.signal.irfft2d(z, [3, 6]).numpy(), np.fft.irfft2(z, (3, 6)),
                               atol=1e-13)
    cube = tf.constant(rng.standard_normal((2, 3, 4)))
    np.testing.assert_allclose(tf.signal.irfft3d(tf.signal.rfft3d(cube), [2, 3, 4]).numpy(),
                               cube, atol=1e-13)
    np.testing.assert_allclose(tf.signal.fftshift(x).numpy(), np.fft.fftshift(x))
    np.testing.assert_allclose(tf.signal.ifftshift(x, axes=1).numpy(),
                               np.fft.ifftshift(x, axes=1))


def test_fft_gradients():
    x = _c(2, 5)
    parts = (x.real, x.imag)

    def via(f, out):
        return lambda re, im: out(f(tf.complex(re, im)))
    for f in (tf.signal.fft, tf.signal.ifft, tf.signal.fft2d, tf.signal.ifft2d):
        check_grads(via(f, tf.math.real), *parts)
        check_grads(via(f, tf.math.imag), *parts)
    r = rng.standard_normal((2, 6))
    for n in (None, [6], [4], [9]):
        check_grads(lambda v: tf.math.real(tf.signal.rfft(v, n)), r)
        check_grads(lambda v: tf.math.imag(tf.signal.rfft(v, n)), r)
    check_grads(lambda v: tf.math.imag(tf.signal.rfft2d(v)), r)
    z = _c(2, 4)
    for n in (None, [6], [7], [4]):
        check_grads(lambda re, im: tf.signal.irfft(tf.complex(re, im), n), z.real, z.imag)
    check_grads(lambda re, im: tf.signal.irfft2d(tf.complex(re, im), [2, 5]), z.real, z.imag)


def test_frame_and_overlap_add():
    x = np.arange(10.0)
    f = tf.signal.frame(x, 4, 3).numpy()
    np.testing.assert_array_equal(f, [[0, 1, 2, 3], [3, 4, 5, 6], [6, 7, 8, 9]])
    f = tf.signal.frame(x, 4, 3, pad_end=True, pad_value=-1).numpy()
    np.testing.assert_array_equal(f[-1], [9, -1, -1, -1])
    assert f.shape == (4, 4)
    batch = rng.standard_normal((2, 3, 7))
    assert tf.signal.frame(batch, 3, 2, axis=1).shape == (2, 1, 3, 7)
    frames = rng.standard_normal((2, 5, 6))
    for step in (2, 3, 4, 6, 8):
        want = np.zeros((2, 4 * step + 6))
        for i in range(5):
            want[:, i * step:i * step + 6] += frames[:, i]
        np.testing.assert_allclose(tf.signal.overlap_and_add(frames, step).numpy(), want,
                                   atol=1e-12)
    check_grads(lambda v: tf.signal.overlap_and_add(v, 4), frames)
    check_grads(lambda v: tf.signal.frame(v, 3, 2, pad_end=True), rng.standard_normal((2, 7)))


def test_windows():
    n = np.arange(8)
    np.testing.assert_allclose(tf.signal.hann_window(8).numpy(),
                               0.5 - 0.5 * np.cos(2 * np.pi * n / 8), atol=1e-7)
    np.testing.assert_allclose(tf.signal.hamming_window(8, periodic=False).numpy(),
                               np.hamming(8), atol=1e-7)
    np.testing.assert_allclose(tf.signal.hann_window(7).numpy(), np.hanning(7), atol=1e-7)
    assert tf.signal.hann_window(1).numpy().tolist() == [1.0]
    assert tf.signal.hann_window(4, dtype=tf.float64).dtype is tf.float64
    np.testing.assert_allclose(tf.signal.kaiser_window(9, beta=5.0).numpy(),
                               np.kaiser(9, 5.0), rtol=1e-6)
    v = tf.signal.vorbis_window(8).numpy()
    np.testing.assert_allclose(v[:4] ** 2 + v[4:] ** 2, 1, atol=1e-6)  # power complementary


def test_stft_round_trip():
    sig = tf.constant(rng.standard_normal((2, 300)))
    s = tf.signal.stft(sig, 64, 16)
    assert s.shape == (2, 1 + (300 - 64) // 16, 33) and s.dtype is tf.complex128
    win = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(64) / 64)
    np.testing.assert_allclose(s.numpy()[:, 2], np.fft.rfft(sig.numpy()[:, 32:96] * win),
                               atol=1e-12)
    back = tf.signal.inverse_stft(s, 64, 16,
                                  window_fn=tf.signal.inverse_stft_window_fn(16)).numpy()
    np.testing.assert_allclose(back[:, 64:-64], sig.numpy()[:, 64:back.shape[1] - 64],
                               atol=1e-12)
    check_grads(lambda v: tf.abs(tf.signal.stft(v, 8, 4)), rng.standard_normal((20,)),
                rtol=1e-5)


def test_mdct_perfect_reconstruction():
    kbd = tf.signal.kaiser_bessel_derived_window(16, dtype=tf.float64).numpy()
    np.testing.assert_allclose(kbd[:8] ** 2 + kbd[8:] ** 2, 1, atol=1e-12)
    sig = tf.constant(rng.standard_normal((2, 96)))
    for window in (tf.signal.vorbis_window, tf.signal.kaiser_bessel_derived_window):
        for norm in (None, "ortho"):
            m = tf.signal.mdct(sig, 16, window_fn=window, norm=norm)
            assert m.shape == (2, 11, 8)
            back = tf.signal.inverse_mdct(m, window_fn=window, norm=norm).numpy()
            # every sample but the first and last half frame is covered twice
            np.testing.assert_allclose(back[:, 8:-8], sig.numpy()[:, 8:88], atol=1e-12)
    n = 8  # one frame against the textbook MDCT sum
    frame0 = sig.numpy()[0, :2 * n] * tf.signal.vorbis_window(2 * n, dtype=tf.float64).numpy()
    k, j = np.arange(n)[:, None], np.arange(2 * n)[None, :]
    want = (frame0 * np.cos(np.pi / n * (j + 0.5 + n / 2) * (k + 0.5))).sum(-1)
    np.testing.assert_allclose(tf.signal.mdct(sig, 2 * n).numpy()[0, 0], 2 * want,
                               atol=1e-12)
    with pytest.raises(ValueError):
        tf.signal.mdct(sig, 10)
    check_grads(lambda v: tf.signal.mdct(v, 8), rng.standard_normal((2, 16)))


def _mel(f):
    return 1127.0 * np.log1p(f / 700.0)


def test_mel_matrix_and_mfccs():
    w = tf.signal.linear_to_mel_weight_matrix(10, 65, 16000, 100.0, 7000.0, tf.float64).numpy()
    assert w.shape == (65, 10) and np.all(w[0] == 0) and np.all(w >= 0)
    freqs = np.linspace(0, 8000, 65)
    edges = np.linspace(_mel(100.0), _mel(7000.0), 12)
    j = 3  # a bin's weight peaks at its centre frequency and falls to its edges
    m = _mel(freqs[1:])
    tri = np.maximum(0, np.minimum((m - edges[j]) / (edges[j + 1] - edges[j]),
                                   (edges[j + 2] - m) / (edges[j + 2] - edges[j + 1])))
    np.testing.assert_allclose(w[1:, j], tri, atol=1e-12)
    with pytest.raises(ValueError):
        tf.signal.linear_to_mel_weight_matrix(upper_edge_hertz=5000.0)
    logmel = rng.standard_normal((3, 10))
    mf = tf.signal.mfccs_from_log_mel_spectrograms(logmel).numpy()
    k, n = np.arange(10)[:, None], np.arange(10)[None, :]
    basis = 2 * np.cos(np.pi * k * (2 * n + 1) / 20) / math.sqrt(20)
    np.testing.assert_allclose(mf, logmel @ basis.T, atol=1e-12)


def test_dct_definitions_and_inverses():
    x = rng.standard_normal((2, 6))
    n = x.shape[-1]
    idx = np.arange(n)
    d2 = np.stack([2 * (x * np.cos(np.pi * k * (2 * idx + 1) / (2 * n))).sum(-1)
                   for k in range(n)], -1)
    np.testing.assert_allclose(tf.signal.dct(x).numpy(), d2, atol=1e-12)
    for kind in (2, 3, 4):
        y = tf.signal.dct(x, type=kind, norm="ortho")
        np.testing.assert_allclose(tf.signal.idct(y, type=kind, norm="ortho").numpy(), x,
                                   atol=1e-12)
        np.testing.assert_allclose(tf.signal.idct(tf.signal.dct(x, type=kind), type=kind)
                                   .numpy(), 2 * n * x, atol=1e-11)
    np.testing.assert_allclose(tf.signal.idct(tf.signal.dct(x, type=1), type=1).numpy(),
                               2 * (n - 1) * x, atol=1e-11)
    assert tf.signal.dct(x, n=4).shape == (2, 4) and tf.signal.dct(x, n=9).shape == (2, 9)
    with pytest.raises(ValueError):
        tf.signal.dct(x, type=1, norm="ortho")
    with pytest.raises(NotImplementedError):
        tf.signal.dct(x, axis=0)
    check_grads(lambda v: tf.signal.dct(v, type=4, norm="ortho"), x)


def test_against_tensorflow():
    T = pytest.importorskip("tensorflow")
    x = rng.standard_normal((2, 40)).astype(np.float32)
    np.testing.assert_allclose(tf.signal.stft(x, 16, 5, pad_end=True).numpy(),
                               T.signal.stft(x, 16, 5, pad_end=True).numpy(), atol=1e-5)
    for p in (True, False):
        for size in (7, 8):
            np.testing.assert_allclose(tf.signal.hann_window(size, p).numpy(),
                                       T.signal.hann_window(size, p).numpy(), atol=1e-6)
    np.testing.assert_allclose(tf.signal.linear_to_mel_weight_matrix().numpy(),
                               T.signal.linear_to_mel_weight_matrix().numpy(), atol=1e-5)
    for kind in (1, 2, 3, 4):
        np.testing.assert_allclose(tf.signal.dct(x, kind, n=30).numpy(),
                                   T.signal.dct(x, kind, n=30).numpy(), atol=1e-4)
    z = (x[:, :21] + 1j * x[:, 19:]).astype(np.complex64)
    np.testing.assert_allclose(tf.signal.irfft(z, [33]).numpy(),
                               T.signal.irfft(z, [33]).numpy(), atol=1e-5)
    for norm in (None, "ortho"):
        np.testing.assert_allclose(tf.signal.mdct(x, 8, norm=norm).numpy(),
                                   T.signal.mdct(x, 8, norm=norm).numpy(), atol=1e-5)
    np.testing.assert_allclose(tf.signal.kaiser_bessel_derived_window(9).numpy(),
                               T.signal.kaiser_bessel_derived_window(9).numpy(), atol=1e-6)
    np.testing.assert_allclose(tf.signal.overlap_and_add(x.reshape(2, 4, 10), 3).numpy(),
                               T.signal.overlap_and_add(x.reshape(2, 4, 10), 3).numpy())
    # gradients of the real FFT pair agree with TensorFlow's
    zz = T.constant(z)
    with T.GradientTape() as tape:
        tape.watch(zz)
        y = T.reduce_sum(T.signal.irfft(zz) * np.arange(40, dtype=np.float32))
    want = tape.gradient(y, zz).numpy()
    mine = tf.constant(z)
    with tf.GradientTape() as tape:
        tape.watch(mine)
        y = tf.reduce_sum(tf.signal.irfft(mine) * np.arange(40, dtype=np.float32))
    np.testing.assert_allclose(tape.gradient(y, mine).numpy(), want, atol=1e-4)


def test_second_derivatives_of_the_ffts():
    from tests.framework.gradcheck import check_second
    r = rng.standard_normal((2, 6))
    check_second(lambda v: tf.abs(tf.signal.rfft(v)) ** 2, r, rtol=1e-4, atol=1e-6)
    z = _c(2, 4)
    check_second(lambda re, im: tf.signal.irfft(tf.complex(re, im)) ** 2, z.real, z.imag,
                 rtol=1e-4, atol=1e-6)
    check_second(lambda re, im: tf.abs(tf.signal.fft2d(tf.complex(re, im))) ** 2, z.real,
                 z.imag, rtol=1e-4, atol=1e-6)
