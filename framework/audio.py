"""``tfx.audio``: 16-bit PCM WAV files to and from float32 tensors (``tf.audio``)."""
from .ops.audio_ops import decode_wav, encode_wav  # noqa: F401

__all__ = ["decode_wav", "encode_wav"]
