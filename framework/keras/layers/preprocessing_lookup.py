"""``StringLookup`` and ``IntegerLookup``: tokens to vocabulary indices (or back, with
``invert``), as Keras 3.

Index layout: the mask token (if any) at 0, then ``num_oov_indices`` OOV slots, then the
vocabulary. ``adapt`` orders tokens by frequency (ties: larger token first) and keeps
``max_tokens`` slots in all; ``output_mode="tf_idf"`` also learns inverse document
frequencies. The vocabulary is part of the layer's config, so it is saved with the model.
"""
import math

import numpy as np  # host-side vocabularies and counting

from ...core.tensor import TensorBase, convert_to_tensor
from .layer import Layer
from .preprocessing_categorical import _batches, encode, host_values
from ...structures.string_hash import fingerprint64, siphash24

__all__ = ["StringLookup", "IntegerLookup", "IndexLookup"]

_OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


class IndexLookup(Layer):
    """What the string and integer lookups share; subclasses say how tokens are read."""

    supports_jit = False  # host-side dictionaries: a model using one steps eagerly

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary=None,
                 idf_weights=None, invert=False, output_mode="int", pad_to_max_tokens=False,
                 sparse=False, **kwargs):
        vocabulary_size = kwargs.pop("vocabulary_size", None)  # Keras writes it; derived
        oov_method = kwargs.pop("oov_method", "floormod")
        salt = kwargs.pop("salt", None)
        super().__init__(**kwargs)
        if oov_method not in ("floormod", "farmhash"):
            raise ValueError("`oov_method` must be one of 'floormod' or 'farmhash'. Received: "
                             f"oov_method={oov_method}")
        self.oov_method = oov_method
        self.salt = [int(salt), int(salt)] if isinstance(salt, int) else (
            None if salt is None else [int(v) for v in salt])
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError("If set, `max_tokens` must be greater than 1. Received: "
                             f"max_tokens={max_tokens}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError("If pad_to_max_tokens is True, must set `max_tokens`. Received: "
                             f"max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError("`num_oov_indices` must be greater than or equal to 0. Received: "
                             f"num_oov_indices={num_oov_indices}")
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in _OUTPUT_MODES:
            raise ValueError(f"Invalid value for argument `output_mode`. Expected one of "
                             f"{list(_OUTPUT_MODES)}. Received: output_mode={output_mode}")
        if invert and output_mode != "int":
            raise ValueError("`output_mode` must be `'int'` when `invert` is true. Received: "
                             f"output_mode={output_mode}")
        if sparse:
            raise ValueError("sparse=True is not supported by tfx's lookup layers.")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError("`idf_weights` should only be set if `output_mode` is "
                             f"`'tf_idf'`. Received: output_mode={output_mode} and "
                             f"idf_weights={idf_weights}")
        del vocabulary_size
        self.max_tokens = max_tokens
        self.num_oov_indices = int(num_oov_indices)
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.invert = bool(invert)
        self.output_mode = output_mode
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self.sparse = False
        self._vocab = None
        self._idf = None
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # -- tokens --------------------------------------------------------------------------
    def _key(self, token):
        raise NotImplementedError

    def _token_out(self, key):
        raise NotImplementedError

    def _oov_hash(self, key):
        raise NotImplementedError

    def _read_vocabulary(self, vocabulary):
        if isinstance(vocabulary, str):
            with open(vocabulary, encoding="utf-8") as f:
                return [line.rstrip("\n") for line in f]
        return list(host_values(vocabulary).reshape(-1))

    # -- vocabulary ----------------------------------------------------------------------
    def _specials(self):
        out = [] if self.mask_token is None else [self._key(self.mask_token)]
        return out + [self._key(self.oov_token)] * self.num_oov_indices

    def set_vocabulary(self, vocabulary, idf_weights=None):
        tokens = [self._key(t) for t in self._read_vocabulary(vocabulary)]
        specials = self._specials()
        # A vocabulary that starts with the special tokens (get_vocabulary's output) is
        # taken as it is.
        if specials and tokens[:len(specials)] == specials:
            tokens = tokens[len(specials):]
        mask = None if self.mask_token is None else self._key(self.mask_token)
        if mask is not None and mask in tokens:
            raise ValueError(f"Found reserved mask token at unexpected location in "
                             f"`vocabulary`. Note that passed `vocabulary` does not need to "
                             f"include the OOV and mask tokens. Received: mask_token="
                             f"{self.mask_token}")
        if len(set(tokens)) != len(tokens):
            dup = sorted({t for t in tokens if tokens.count(t) > 1}, key=str)
            raise ValueError(f"The passed vocabulary has at least one repeated term. Please "
                             f"uniquify your dataset. The repeated terms are: {dup}")
        if self.max_tokens is not None and len(tokens) + len(specials) > self.max_tokens:
            raise ValueError(f"Attempted to set a vocabulary larger than the maximum vocab "
                             f"size. Received vocabulary size is "
                             f"{len(tokens) + len(specials)}; `max_tokens` is "
                             f"{self.max_tokens}.")
        self._vocab = tokens
        self._index = {t: i + len(specials) for i, t in enumerate(tokens)}
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError("`idf_weights` must be set if output_mode is `'tf_idf'`.")
            w = [float(v) for v in host_values(idf_weights).reshape(-1)]
            if len(w) == len(tokens) + len(specials):
                w = w[len(specials):]
            if len(w) != len(tokens):
                raise ValueError("`idf_weights` must be the same length as vocabulary. "
                                 f"len(idf_weights) is {len(w)}; len(vocabulary) is "
                                 f"{len(tokens)}")
            self._idf = w

    def get_vocabulary(self, include_special_tokens=True):
        vocab = list(self._vocab or [])
        if include_special_tokens:
            vocab = self._specials() + vocab
        return [self._token_out(t) for t in vocab]

    def vocabulary_size(self):
        return len(self._specials()) + len(self._vocab or [])

    @property
    def idf_weights(self):
        if self._idf is None:
            return None
        oov = float(np.mean(self._idf)) if self._idf else 0.0
        lead = ([0.0] if self.mask_token is not None else []) + [oov] * self.num_oov_indices
        return np.asarray(lead + self._idf, np.float32)

    def adapt(self, data, batch_size=None, steps=None):
        docs = []
        for i, batch in enumerate(_batches(data)):
            if steps is not None and i >= steps:
                break
            docs.extend(self._documents(batch))
        self.fit_documents(docs)

    def fit_documents(self, docs):
        """Learn the vocabulary (and idf weights) from documents given as lists of tokens."""
        counts, freq = {}, {}
        for row in docs:
            row = [self._key(t) for t in row]
            for t in row:
                counts[t] = counts.get(t, 0) + 1
            for t in set(row):
                freq[t] = freq.get(t, 0) + 1
        if self.mask_token is not None:
            counts.pop(self._key(self.mask_token), None)
        ordered = sorted(counts, key=lambda t: (counts[t], t), reverse=True)
        if self.max_tokens is not None:
            ordered = ordered[:max(self.max_tokens - len(self._specials()), 0)]
        idf = None
        if self.output_mode == "tf_idf":
            idf = [math.log(1.0 + len(docs) / (1.0 + freq[t])) for t in ordered]
        self._vocab = None
        self.set_vocabulary([self._token_out(t) for t in ordered], idf)

    def _documents(self, batch):
        """The token keys of each document (row) of a batch."""
        values = host_values(batch)
        if values.ndim <= 1:
            values = values.reshape(-1, 1)
        rows = values.reshape(values.shape[0], -1)
        return [[self._key(v) for v in row] for row in rows]

    # -- calling -------------------------------------------------------------------------
    def _convert_input(self, x):
        return x

    def _lookup(self, key):
        i = self._index.get(key)
        if i is not None:
            return i
        if self.mask_token is not None and key == self._key(self.mask_token):
            return 0
        if self.num_oov_indices == 0:
            raise ValueError(f"A lookup with `num_oov_indices=0` found an out-of-vocabulary "
                             f"token: {self._token_out(key)!r}")
        start = 0 if self.mask_token is None else 1
        return start + (self._oov_hash(key) % self.num_oov_indices if
                        self.num_oov_indices > 1 else 0)

    def lookup_ids(self, values):
        """Indices of ``values`` (a NumPy array of tokens), as an int64 array."""
        if self._vocab is None:
            raise ValueError("You need to either pass the `vocabulary` argument when "
                             f"constructing a {type(self).__name__} layer, or call `adapt` "
                             "before you can start using it.")
        return np.array([self._lookup(self._key(v)) for v in values.reshape(-1)],
                        np.int64).reshape(values.shape)

    def encode_ids(self, ids):
        """Index array -> the layer's output (ids < 0 count for nothing)."""
        if self.output_mode == "int":
            return convert_to_tensor(ids)
        depth = self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()
        idf = None
        if self.output_mode == "tf_idf":
            idf = np.zeros(depth, np.float32)
            w = self.idf_weights
            idf[:len(w)] = w
        return encode(convert_to_tensor(ids), self.output_mode, depth,
                      "float32" if self.output_mode == "tf_idf" else "int64", idf_weights=idf)

    def call(self, inputs):
        values = host_values(inputs)
        if self.invert:
            return self._inverted(values)
        return self.encode_ids(self.lookup_ids(values))

    def _inverted(self, ids):
        vocab = self._specials() + self._vocab
        oov = self._key(self.oov_token)
        out = [vocab[i] if 0 <= i < len(vocab) else oov for i in ids.reshape(-1).tolist()]
        return self._tokens_tensor(out, ids.shape)

    def get_config(self):
        cfg = {**super().get_config(), "invert": self.invert, "max_tokens": self.max_tokens,
               "num_oov_indices": self.num_oov_indices, "oov_token": self.oov_token,
               "mask_token": self.mask_token, "output_mode": self.output_mode,
               "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
               "idf_weights": None if self._idf is None else list(self._idf),
               "vocabulary": None if self._vocab is None else
               self.get_vocabulary(include_special_tokens=False),
               "vocabulary_size": None if self._vocab is None else self.vocabulary_size(),
               "oov_method": self.oov_method,
               "salt": self.salt}
        return cfg


def _text(v):
    if isinstance(v, bytes):
        return v.decode("utf-8")
    return str(v)


class StringLookup(IndexLookup):
    """Strings to indices: mask_token None, one OOV slot "[UNK]" by default."""

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, sparse=False, encoding="utf-8", name=None, salt=None,
                 oov_method="floormod", **kwargs):
        self.encoding = encoding
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
                         idf_weights, invert, output_mode, pad_to_max_tokens, sparse,
                         name=name, salt=salt, oov_method=oov_method, **kwargs)

    def _key(self, token):
        return _text(token)

    def _token_out(self, key):
        return key

    def _oov_hash(self, key):
        data = key.encode(self.encoding)
        return siphash24(self.salt, data) if self.salt else fingerprint64(data)

    def _tokens_tensor(self, tokens, shape):
        arr = np.empty(len(tokens), dtype=object)
        arr[:] = [t.encode(self.encoding) for t in tokens]
        return convert_to_tensor(arr.reshape(shape))

    def get_config(self):
        return {**super().get_config(), "encoding": self.encoding}


class IntegerLookup(IndexLookup):
    """Integers to indices: mask_token None, one OOV slot (token -1) by default; OOV slots
    by ``value mod num_oov_indices``."""

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 vocabulary=None, vocabulary_dtype="int64", idf_weights=None, invert=False,
                 output_mode="int", sparse=False, pad_to_max_tokens=False,
                 oov_method="floormod", salt=None, name=None, **kwargs):
        if vocabulary_dtype not in ("int32", "int64"):
            raise ValueError("`vocabulary_dtype` must be an integer dtype. Received: "
                             f"{vocabulary_dtype}")
        self.vocabulary_dtype = vocabulary_dtype
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
                         idf_weights, invert, output_mode, pad_to_max_tokens, sparse,
                         name=name, oov_method=oov_method, salt=salt, **kwargs)

    def _key(self, token):
        return int(token.numpy() if isinstance(token, TensorBase) else token)

    def _token_out(self, key):
        return key

    def _oov_hash(self, key):
        if self.oov_method == "floormod":
            return key
        data = str(key).encode()
        return siphash24(self.salt, data) if self.salt else fingerprint64(data)

    def _read_vocabulary(self, vocabulary):
        if isinstance(vocabulary, str):
            with open(vocabulary, encoding="utf-8") as f:
                return [int(line) for line in f if line.strip()]
        return list(host_values(vocabulary).reshape(-1))

    def _tokens_tensor(self, tokens, shape):
        return convert_to_tensor(np.asarray(tokens, self.vocabulary_dtype).reshape(shape))

    def get_config(self):
        return {**super().get_config(), "vocabulary_dtype": self.vocabulary_dtype}
