"""tfx.audio.encode_wav / decode_wav against TensorFlow (bytes and values) and the wave
module; TensorFlow's errors for malformed files."""
import io
import struct
import wave

import numpy as np
import pytest

import tfx

RNG = np.random.default_rng(5)


def _wav(fmt=1, ch=1, rate=8000, bits=16, data=b"\x00\x01\x02\x03", extra=b"", fmt_size=16):
    f = struct.pack("<HHIIHH", fmt, ch, rate, rate * ch * bits // 8, ch * bits // 8, bits)
    body = (b"WAVEfmt " + struct.pack("<I", fmt_size) + f + b"\0" * (fmt_size - 16) + extra +
            b"data" + struct.pack("<I", len(data)) + data)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def test_encode_matches_tensorflow_bytes():
    tf = pytest.importorskip("tensorflow")
    audio = np.concatenate([RNG.uniform(-1.2, 1.2, (50, 2)),
                            [[0.5 / 32768, -0.5 / 32768], [1.5 / 32768, 0.0], [1.0, -1.0]]])
    audio = audio.astype(np.float32)
    for rate in (8000, 44100):
        ours = tfx.audio.encode_wav(tfx.constant(audio), rate).numpy()
        theirs = tf.audio.encode_wav(tf.constant(audio), rate).numpy()
        assert ours == theirs
    empty = np.zeros((0, 3), np.float32)
    assert tfx.audio.encode_wav(empty, 16000).numpy() == tf.audio.encode_wav(empty, 16000).numpy()


def test_decode_matches_tensorflow_and_the_wave_module():
    tf = pytest.importorskip("tensorflow")
    pcm = RNG.integers(-32768, 32768, (40, 3)).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(3)
        w.setsampwidth(2)
        w.setframerate(22050)
        w.writeframes(pcm.tobytes())
    data = buf.getvalue() + b"LIST" + struct.pack("<I", 4) + b"abcd"  # a trailing chunk
    for kw in [{}, dict(desired_channels=1), dict(desired_channels=5),
               dict(desired_samples=10), dict(desired_samples=64, desired_channels=2)]:
        audio, rate = tfx.audio.decode_wav(data, **kw)
        want = tf.audio.decode_wav(data, **kw)
        assert audio.dtype is tfx.float32 and rate.dtype is tfx.int32
        np.testing.assert_array_equal(audio.numpy(), want.audio.numpy())
        assert rate.numpy() == want.sample_rate.numpy() == 22050
    np.testing.assert_array_equal(tfx.audio.decode_wav(data).audio.numpy() * 32768, pcm)


def test_round_trip_in_a_traced_function():
    f = tfx.function(lambda a: tfx.audio.decode_wav(tfx.audio.encode_wav(a, 16000)))
    a = np.round(RNG.uniform(-1, 1, (30, 2)) * 32768) / 32768
    audio, rate = f(tfx.constant(a.astype(np.float32)))
    np.testing.assert_array_equal(audio.numpy(), np.clip(a, -1, 32767 / 32768))
    assert rate.numpy() == 16000


@pytest.mark.parametrize("data,message", [
    (b"hello", "Expected RIFF but found hell"),
    (b"RIFF\0\0\0\0WAVEfmt ", "Data too short when trying to read string"),
    (_wav(fmt=3, bits=32, data=b"\0" * 8), r"Expected 1 \(PCM\), but got3"),
    (_wav(fmt_size=40), "Expected 16 or 18, but got40"),
    (_wav(ch=0), "Expected at least 1, but got 0"),
    (_wav(bits=8), "Can only read 16-bit WAV files, but received 8"),
    (_wav(data=b"\0\1\2"), "Data too short"),
    (_wav()[:36], "No data chunk found in WAV"),
    (_wav() + b"data" + struct.pack("<I", 2) + b"\5\0", "More than one data chunk"),
    (_wav(extra=b"LIST" + struct.pack("<I", 3) + b"abc\0"), "No data chunk found"),
])
def test_decode_errors_match_tensorflow(data, message):
    with pytest.raises(tfx.errors.InvalidArgumentError, match=message):
        tfx.audio.decode_wav(data)
    tf = pytest.importorskip("tensorflow")
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        tf.audio.decode_wav(data)


def test_argument_errors():
    err = tfx.errors.InvalidArgumentError
    assert tfx.audio.decode_wav(_wav(fmt_size=18)).audio.shape == (2, 1)
    with pytest.raises(err, match="desired_channels must be >= -1, got -2"):
        tfx.audio.decode_wav(_wav(), desired_channels=-2)
    with pytest.raises(err, match=r"contents must be scalar, got shape \[2\]"):
        tfx.audio.decode_wav([_wav(), _wav()])
    with pytest.raises(err, match=r"2-dimensional\[2\]"):
        tfx.audio.encode_wav(tfx.constant([0.1, 0.2]), 8000)
    with pytest.raises(err, match="but is a int32 tensor"):
        tfx.audio.encode_wav(tfx.constant([[1]]), 8000)
    with pytest.raises(err, match="but is a double tensor"):
        tfx.audio.encode_wav(tfx.constant([[1.0]], tfx.float64), 8000)
    with pytest.raises(err, match=r"got: 18446744073709551615"):
        tfx.audio.encode_wav(tfx.zeros([2, 1]), -1)
    with pytest.raises(err, match=r"scalar tensor, got \[1\]"):
        tfx.audio.encode_wav(tfx.zeros([2, 1]), [8000])
    with pytest.raises(TypeError):
        tfx.audio.encode_wav(tfx.zeros([2, 1]), 8000.0)
