"""tfx.experimental.ExtensionType / BatchableExtensionType against TensorFlow's: construction,
conversion, defaults, validation, immutability, equality, custom __init__, tfx.function
(inputs, outputs, retracing on non-tensor fields, gradients) and nest."""
import typing

import numpy as np
import pytest

import tfx

tf = pytest.importorskip("tensorflow")


def _program(m):
    out = []

    class MT(m.experimental.ExtensionType):
        values: m.Tensor
        mask: m.Tensor
        name: str = "masked"

        def __validate__(self):
            if self.values.shape != self.mask.shape:
                raise ValueError("shape mismatch")
    a = MT([1., 2.], [True, False])
    out.append((a.name, a.values.numpy().tolist(), a.values.dtype.name, a.mask.dtype.name))
    out.append(bool(a == MT([1., 2.], [True, False])))
    out.append(bool(a == MT([1., 3.], [True, False])))
    out.append(bool(a != MT([1., 3.], [True, False])))
    for bad in [lambda: setattr(a, "name", "x"), lambda: MT([1.], [True, False]),
                lambda: MT([1.], [True], name=3), lambda: MT([1.]),
                lambda: MT([1.], [True], "n", 4), lambda: MT([1.], [True], bogus=1)]:
        try:
            bad()
            out.append("ok")
        except Exception as e:  # noqa: BLE001 - the class is compared
            out.append(type(e).__name__)

    @m.function
    def f(x):
        return MT(x.values * 2.0, x.mask, x.name + "!")
    r = f(a)
    out.append((type(r).__name__, r.values.numpy().tolist(), r.name))
    out.append(type(m.nest.map_structure(lambda v: v, [a])[0]).__name__)

    class P(m.experimental.ExtensionType):
        x: m.Tensor

        def __init__(self, x, scale=1.0):
            self.x = x * scale
    out.append(P(m.constant([1., 2.]), 3.0).x.numpy().tolist())

    class B(m.experimental.BatchableExtensionType):
        x: m.Tensor
        shape: typing.Tuple[int, ...] = (1, 2)
    out.append((B(m.constant([1])).x.numpy().tolist(), B([2], shape=[3]).shape))
    return out


def test_matches_tensorflow():
    assert _program(tfx) == _program(tf)


class Pair(tfx.experimental.ExtensionType):
    a: tfx.Tensor
    b: tfx.Tensor
    scale: float = 1.0
    tags: tuple = ()


def test_function_retraces_on_static_fields_and_differentiates():
    traces = []

    @tfx.function
    def combine(p):
        traces.append(p.scale)
        return tfx.reduce_sum(p.a * p.b) * p.scale
    x = tfx.constant([1., 2.])
    y = tfx.constant([3., 4.])
    assert float(combine(Pair(x, y))) == 11.0
    assert float(combine(Pair(y, x))) == 11.0
    assert float(combine(Pair(x, y, 2.0))) == 22.0
    assert traces == [1.0, 2.0]
    with tfx.GradientTape() as tape:
        tape.watch(x)
        loss = combine(Pair(x, y, 2.0))
    np.testing.assert_allclose(tape.gradient(loss, x).numpy(), [6., 8.])


def test_repr_spec_and_mapping_fields():
    class Cfg(tfx.experimental.ExtensionType):
        weights: tfx.Tensor
        names: typing.Mapping[str, int] = None

    p = Pair([1.], [2.], tags=["a", "b"])
    assert p.tags == ("a", "b")
    assert repr(p).startswith("Pair(a=") and "scale=1.0" in repr(p)
    spec = Pair.Spec.from_value(p)
    assert spec.is_compatible_with(Pair([5.], [6.], tags=("a", "b")))
    assert not spec.is_compatible_with(Pair([5., 1.], [6., 1.], tags=("a", "b")))
    c = Cfg([1.], {"k": 1})
    with pytest.raises(TypeError):
        c.names["k"] = 2
    with pytest.raises(TypeError, match="expected dict|mapping"):
        Cfg([1.], 3)
