"""tfx.experimental.Optional, Iterator.get_next_as_optional, tfx.data.experimental.
get_next_as_optional and tfx.data.IteratorSpec against TensorFlow."""
import numpy as np
import pytest

import tfx

tf = pytest.importorskip("tensorflow")


def _plain(x):
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    return np.asarray(x.numpy()).tolist(), x.dtype.name


def test_optional_matches_tensorflow():
    def run(m):
        o = m.experimental.Optional.from_value({"a": m.constant(1), "b": (m.constant([1., 2.]),)})
        e = m.experimental.Optional.empty(m.TensorSpec([2], m.int32))
        try:
            e.get_value()
            err = None
        except Exception as ex:  # noqa: BLE001 - the class is compared
            err = type(ex).__name__
        return (bool(o.has_value()), _plain(o.get_value()), bool(e.has_value()), err,
                repr(o.element_spec).replace("tf.", "").replace("tfx.", ""),
                repr(e.element_spec).replace("tf.", "").replace("tfx.", ""))
    assert run(tfx) == run(tf)


def test_get_next_as_optional_matches_tensorflow():
    def run(m):
        it = iter(m.data.Dataset.from_tensor_slices([1, 2]))
        out = []
        for _ in range(3):
            o = it.get_next_as_optional()
            out.append((bool(o.has_value()), int(o.get_value()) if o.has_value() else None))
        it2 = iter(m.data.Dataset.range(1))
        o = m.data.experimental.get_next_as_optional(it2)
        return out, bool(o.has_value()), bool(it2.get_next_as_optional().has_value())
    assert run(tfx) == run(tf)


def test_optional_through_function():
    @tfx.function
    def f(o):
        return o.has_value(), o.get_value() * 2
    has, v = f(tfx.experimental.Optional.from_value(tfx.constant(3)))
    assert bool(has) and int(v) == 6
    assert int(f(tfx.experimental.Optional.from_value(tfx.constant(5)))[1]) == 10
    with pytest.raises(tfx.errors.InvalidArgumentError, match="does not have a value"):
        f(tfx.experimental.Optional.empty(tfx.TensorSpec([], tfx.int32)))

    @tfx.function
    def make(x):
        return tfx.experimental.Optional.from_value(x + 1)
    o = make(tfx.constant(1.))
    assert isinstance(o, tfx.experimental.Optional) and float(o.get_value()) == 2.


def test_iterator_spec():
    ds = tfx.data.Dataset.range(3)
    spec = tfx.data.IteratorSpec(ds.element_spec)
    it = iter(ds)
    assert tfx.data.IteratorSpec.from_value(it) == spec
    assert spec.is_compatible_with(it) and spec.value_type is type(it)
    assert spec.element_spec == ds.element_spec
    assert repr(spec) == repr(tf.data.IteratorSpec(tf.data.Dataset.range(3).element_spec)) \
        .replace("tf.", "tfx.")
    assert spec != tfx.data.IteratorSpec(tfx.TensorSpec([], tfx.float32))


def test_optional_spec_is_exported_at_the_top_level_as_in_tensorflow():
    from tfx.experimental.optional import OptionalSpec
    assert tfx.OptionalSpec is OptionalSpec
    spec = tfx.OptionalSpec(tfx.TensorSpec([], tfx.float32))
    assert spec.element_spec == tfx.TensorSpec([], tfx.float32)
