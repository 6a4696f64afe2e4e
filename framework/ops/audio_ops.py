"""16-bit PCM WAV files to and from float32 tensors in [-1, 1] (``tf.audio``).

``encode_wav`` writes the canonical 44-byte header and rounds each sample to
round(x * 32768), clamped to the int16 range (NaN writes 0); ``decode_wav`` reads the chunks
TensorFlow reads, with its errors, and gives [samples, channels] audio and the sample rate.
"""
import collections
import struct

from .. import dtypes as _dt
from ..backend import to_device, xp
from ..core.tensor import convert_to_tensor
from ..errors import InvalidArgumentError
from ._core import STATE, register, t, trace, wrap

__all__ = ["decode_wav", "encode_wav"]

DecodeWav = collections.namedtuple("DecodeWav", ["audio", "sample_rate"])


_TF_NAMES = {"float64": "double", "float16": "half"}


def _dims(shape):
    return "[" + ",".join(str(s) for s in shape) + "]"


def _bad(op, msg):
    return InvalidArgumentError(None, op, msg)


class _Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, n):
        if self.pos + n > len(self.data):
            raise _bad("DecodeWav", "Data too short when trying to read string")
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def tag(self, expected):
        got = self.take(4)
        if got != expected:
            raise _bad("DecodeWav", f"Header mismatch: Expected {expected.decode()} but found "
                       f"{got.decode('latin-1')}")

    def uint(self, size):
        return int.from_bytes(self.take(size), "little")


def _parse(data):
    """(int16 samples [frames, channels], sample rate) of a WAV file's bytes."""
    r = _Reader(data)
    r.tag(b"RIFF")
    r.uint(4)  # the RIFF size: TensorFlow ignores it, and so do we
    r.tag(b"WAVE")
    fmt = samples = None
    while r.pos < len(data):
        chunk, size = r.take(4), r.uint(4)
        if chunk == b"fmt ":
            if size not in (16, 18):
                raise _bad("DecodeWav", "Bad format chunk size for WAV: Expected 16 or 18, but "
                           f"got{size}")
            audio_format, channels, rate = r.uint(2), r.uint(2), r.uint(4)
            per_second, per_frame, bits = r.uint(4), r.uint(2), r.uint(2)
            r.take(size - 16)
            if audio_format != 1:
                raise _bad("DecodeWav", "Bad audio format for WAV: Expected 1 (PCM), but got"
                           f"{audio_format}")
            if channels < 1:
                raise _bad("DecodeWav", "Bad number of channels for WAV: Expected at least 1, "
                           f"but got {channels}")
            if bits != 16:
                raise _bad("DecodeWav", f"Can only read 16-bit WAV files, but received {bits}")
            if per_frame != channels * 2:
                raise _bad("DecodeWav", "Bad bytes per sample in WAV header: Expected "
                           f"{channels * 2} but got {per_frame}")
            if per_second != rate * per_frame:
                raise _bad("DecodeWav", "Bad bytes per second in WAV header: Expected "
                           f"{rate * per_frame} but got {per_second} (sample_rate={rate}, "
                           f"bytes_per_sample={per_frame})")
            fmt = (channels, rate)
        elif chunk == b"data":
            if samples is not None:
                raise _bad("DecodeWav", "More than one data chunk found in WAV")
            if fmt is None:
                raise _bad("DecodeWav", "The fmt chunk must come before the data chunk in WAV")
            if r.pos + size > len(data):
                raise _bad("DecodeWav", "Data too short when trying to read string")
            frames = size // (2 * fmt[0])
            raw = r.take(frames * 2 * fmt[0])  # as TensorFlow: a partial frame is left unread
            samples = xp.frombuffer(raw, dtype="<i2").reshape(frames, fmt[0])
        else:
            r.pos += size  # unchecked, as TensorFlow: a chunk past the end just ends the file
    if samples is None:
        raise _bad("DecodeWav", "No data chunk found in WAV")
    return samples, fmt[1]


def _decode_fwd(ins, attrs):
    desired_channels, desired_samples = attrs
    contents = ins[0]
    samples, rate = _parse(contents[()] if contents.ndim == 0 else contents)
    audio = samples.astype(xp.float32) / 32768.0
    frames, channels = audio.shape
    if desired_channels != -1 and desired_channels != channels:
        # Extra channels repeat the last one, as TensorFlow does.
        cols = [min(c, channels - 1) for c in range(desired_channels)]
        audio = audio[:, cols]
    if desired_samples != -1 and desired_samples != frames:
        keep = audio[:desired_samples]
        audio = xp.zeros((desired_samples, audio.shape[1]), xp.float32)
        audio[:keep.shape[0]] = keep
    return audio.astype(xp.float32), xp.asarray(rate, dtype=xp.int32)


def _encode_fwd(ins, attrs):
    audio, rate = ins
    frames, channels = audio.shape
    scaled = audio.astype(xp.float64) * 32768.0
    # C's roundf: halves away from zero (NumPy's round would take them to even).
    pcm = xp.nan_to_num(xp.sign(scaled) * xp.floor(xp.abs(scaled) + 0.5), nan=0.0)
    pcm = xp.clip(pcm, -32768, 32767).astype("<i2").tobytes()
    rate = int(rate)
    header = b"RIFF" + struct.pack("<I", 36 + len(pcm)) + b"WAVEfmt " + struct.pack(
        "<IHHIIHH", 16, 1, channels, rate, rate * channels * 2, channels * 2, 16)
    out = xp.empty((), dtype=object)
    out[()] = header + b"data" + struct.pack("<I", len(pcm)) + pcm
    return (out,)


_decode_op = register("decode_wav", api="tfx.audio.decode_wav", forward=_decode_fwd,
                      taped=False)
_encode_op = register("encode_wav", api="tfx.audio.encode_wav", forward=_encode_fwd,
                      taped=False)


def decode_wav(contents, desired_channels=-1, desired_samples=-1, name=None):
    """Decode a 16-bit PCM WAV file (a string scalar): ``DecodeWav(audio, sample_rate)`` with
    float32 audio [samples, channels] in [-1, 1) and an int32 sample rate.
    ``desired_channels``/``desired_samples`` (-1: the file's) drop or repeat channels and
    crop or zero-pad samples."""
    x = convert_to_tensor(contents, _dt.string)
    if x._v.ndim != 0:
        raise _bad("DecodeWav", f"contents must be scalar, got shape {_dims(x._v.shape)}")
    attrs = (int(desired_channels), int(desired_samples))
    for value, what in zip(attrs, ("desired_channels", "desired_samples")):
        if value < -1:
            raise _bad("DecodeWav", f"{what} must be >= -1, got {value}")
    audio, rate = _decode_fwd((to_device(x._v, "CPU"),), attrs)
    out = (wrap(audio, _dt.float32), wrap(rate, _dt.int32))
    if STATE.tracing is not None:
        trace(_decode_op, (x,), out, attrs)
    return DecodeWav(*out)


def encode_wav(audio, sample_rate, name=None):
    """Encode float32 audio [samples, channels] (values in [-1, 1]) as a 16-bit PCM WAV file,
    a string scalar."""
    a = t(audio) if hasattr(audio, "_dtype") or hasattr(audio, "_as_tensor") else \
        convert_to_tensor(audio, _dt.float32)
    if a._dtype is not _dt.float32:
        raise _bad("EncodeWav", "cannot compute EncodeWav as input #0(zero-based) was expected "
                   f"to be a float tensor but is a {_TF_NAMES.get(a._dtype.name, a._dtype.name)}"
                   " tensor")
    if a._v.ndim != 2:
        raise _bad("EncodeWav", f"audio must be 2-dimensional{_dims(a._v.shape)}")
    if a._v.shape[1] == 0:
        raise _bad("EncodeWav", "audio is null")
    rate = convert_to_tensor(sample_rate, _dt.int32)
    if rate._v.ndim != 0:
        raise _bad("EncodeWav", "Input sample_rate should be a scalar tensor, got "
                   f"{_dims(rate._v.shape)} instead.")
    r = int(rate._v)
    if r <= 0:
        raise _bad("EncodeWav", f"sample_rate must be in (0, 2^32), got: {r % (1 << 64)}")
    out = wrap(_encode_fwd((to_device(a._v, "CPU"), rate._v), ())[0], _dt.string)
    if STATE.tracing is not None:
        trace(_encode_op, (a, rate), (out,), ())
    return out

