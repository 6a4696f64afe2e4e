"""``tf.train.Example`` and its parts (Features, Feature, BytesList, FloatList, Int64List,
SequenceExample, FeatureLists, FeatureList) as small Python message classes that write and read
the protocol-buffer wire format TensorFlow uses, so TFRecord files interchange with TF's.
Parsing reads only these messages' fields (unknown ones are skipped); nothing is executed."""
import struct

__all__ = ["Example", "Features", "Feature", "BytesList", "FloatList", "Int64List",
           "SequenceExample", "FeatureLists", "FeatureList"]


def _varint(n):
    n &= (1 << 64) - 1  # negative int64s take ten bytes, as protobuf writes them
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _field(num, payload):
    return _varint(num << 3 | 2) + _varint(len(payload)) + payload


def _fields(buf):
    from ..io import _fields as wire_fields
    return wire_fields(bytes(buf))


class _Message:
    """Shared protocol: ``SerializeToString``, ``FromString``, ``ParseFromString``, equality."""

    def SerializeToString(self, deterministic=None):  # noqa: N802 - protobuf's name
        return self._encode()

    @classmethod
    def FromString(cls, data):  # noqa: N802 - protobuf's name
        msg = cls()
        msg.ParseFromString(data)
        return msg

    def ParseFromString(self, data):  # noqa: N802 - protobuf's name
        self.__init__()
        self._decode(bytes(data))
        return len(data)

    def ByteSize(self):  # noqa: N802
        return len(self._encode())

    def __eq__(self, other):
        return type(other) is type(self) and other._encode() == self._encode()

    def __repr__(self):
        return f"{type(self).__name__}({self._encode()!r})"


class _List(_Message):
    _kind = None

    def __init__(self, value=()):
        self.value = list(value)

    def _decode(self, buf):
        for num, wire, v in _fields(buf):
            if num == 1:
                self.value.extend(self._read(wire, v))


class BytesList(_List):
    def _encode(self):
        return b"".join(_field(1, v if isinstance(v, bytes) else str(v).encode())
                        for v in self.value)

    def _read(self, wire, v):
        return [bytes(v)]


class FloatList(_List):
    def _encode(self):
        if not self.value:
            return b""
        return _field(1, struct.pack(f"<{len(self.value)}f", *self.value))

    def _read(self, wire, v):
        if wire == 5:
            return [struct.unpack("<f", v)[0]]
        return list(struct.unpack(f"<{len(v) // 4}f", v))


class Int64List(_List):
    def _encode(self):
        if not self.value:
            return b""
        return _field(1, b"".join(_varint(int(v)) for v in self.value))

    def _read(self, wire, v):
        from ..io import _int64s
        return _int64s(wire, v)


class Feature(_Message):
    """One of ``bytes_list``, ``float_list`` or ``int64_list``."""

    _KINDS = (("bytes_list", 1, BytesList), ("float_list", 2, FloatList),
              ("int64_list", 3, Int64List))

    def __init__(self, bytes_list=None, float_list=None, int64_list=None):
        given = [k for k, v in (("bytes_list", bytes_list), ("float_list", float_list),
                                ("int64_list", int64_list)) if v is not None]
        if len(given) > 1:
            raise ValueError(f"Feature holds one kind of list, got {given}")
        self._kind = given[0] if given else None
        self.bytes_list = bytes_list if bytes_list is not None else BytesList()
        self.float_list = float_list if float_list is not None else FloatList()
        self.int64_list = int64_list if int64_list is not None else Int64List()

    def WhichOneof(self, name):  # noqa: N802 - protobuf's name
        return self._kind if name == "kind" else None

    def HasField(self, name):  # noqa: N802
        return name == self._kind

    def _encode(self):
        for name, num, _ in self._KINDS:
            if name == self._kind:
                return _field(num, getattr(self, name)._encode())
        return b""

    def _decode(self, buf):
        for num, _, v in _fields(buf):
            for name, n, cls in self._KINDS:
                if n == num:
                    setattr(self, name, cls.FromString(v))
                    self._kind = name


def _map_entry(key, value):
    return _field(1, key.encode()) + _field(2, value._encode())


class _Map(_Message):
    _value = None
    _attr = None

    def __init__(self, **kwargs):
        setattr(self, self._attr, dict(kwargs.get(self._attr) or {}))

    def _encode(self):
        entries = getattr(self, self._attr)
        return b"".join(_field(1, _map_entry(k, entries[k])) for k in sorted(entries))

    def _decode(self, buf):
        entries = getattr(self, self._attr)
        for num, _, entry in _fields(buf):
            if num != 1:
                continue
            key, value = "", self._value()
            for n, _, v in _fields(entry):
                if n == 1:
                    key = bytes(v).decode()
                elif n == 2:
                    value = self._value.FromString(v)
            entries[key] = value


class Features(_Map):
    """``feature``: a dict of name -> Feature."""
    _value, _attr = Feature, "feature"

    def __init__(self, feature=None):
        super().__init__(feature=feature)


class FeatureList(_Message):
    """``feature``: a list of Feature (one per time step)."""

    def __init__(self, feature=None):
        self.feature = list(feature or [])

    def _encode(self):
        return b"".join(_field(1, f._encode()) for f in self.feature)

    def _decode(self, buf):
        self.feature.extend(Feature.FromString(v) for n, _, v in _fields(buf) if n == 1)


class FeatureLists(_Map):
    """``feature_list``: a dict of name -> FeatureList."""
    _value, _attr = FeatureList, "feature_list"

    def __init__(self, feature_list=None):
        super().__init__(feature_list=feature_list)


class _Pair(_Message):
    _parts = ()

    def __init__(self, **kwargs):
        for name, _, cls in self._parts:
            value = kwargs.get(name)
            setattr(self, name, value if value is not None else cls())

    def _encode(self):
        return b"".join(_field(num, getattr(self, name)._encode())
                        for name, num, _ in self._parts if getattr(self, name)._encode())

    def _decode(self, buf):
        for num, _, v in _fields(buf):
            for name, n, cls in self._parts:
                if n == num:
                    setattr(self, name, cls.FromString(v))


class Example(_Pair):
    """``features``: the named features of one record."""
    _parts = (("features", 1, Features),)

    def __init__(self, features=None):
        super().__init__(features=features)


class SequenceExample(_Pair):
    """``context`` features and per-step ``feature_lists``."""
    _parts = (("context", 1, Features), ("feature_lists", 2, FeatureLists))

    def __init__(self, context=None, feature_lists=None):
        super().__init__(context=context, feature_lists=feature_lists)
