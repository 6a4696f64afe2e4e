"""tfx.Module: attribute scans in TensorFlow's order, name scopes, with_name_scope."""
import collections
import os

import pytest

import tfx


def _build(lib):
    """The same module tree in tfx or TensorFlow; variables named after where they sit."""
    class Leaf(lib.Module):
        def __init__(self, name):
            super().__init__(name=name)
            self.w = lib.Variable(1.0, name="w")
            self.frozen = lib.Variable(2.0, name="frozen", trainable=False)

    class Root(lib.Module):
        def __init__(self):
            super().__init__()
            self.zed = lib.Variable(0.0, name="zed")
            self.b = Leaf("b_leaf")
            self.a = Leaf("a_leaf")
            self.a.inner = Leaf("inner")
            self.items = [lib.Variable(3.0, name="item0"),
                          {"k": lib.Variable(4.0, name="dk"), "c": Leaf("in_dict")}]
            self.pair = (lib.Variable(5.0, name="p0"), collections.OrderedDict(
                [("z", lib.Variable(6.0, name="oz")), ("y", lib.Variable(7.0, name="oy"))]))
            self._hidden = lib.Variable(8.0, name="hidden")
            self.alias = self.a  # the same module twice: listed once

    return Root()


def _tf():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return pytest.importorskip("tensorflow")


def _names(vs):
    return [v.name for v in vs]


def test_variables_and_submodules_in_tensorflows_order():
    tf = _tf()
    ours, theirs = _build(tfx), _build(tf)
    assert _names(ours.variables) == _names(theirs.variables)
    assert _names(ours.trainable_variables) == _names(theirs.trainable_variables)
    assert _names(ours.non_trainable_variables) == _names(theirs.non_trainable_variables)
    assert [m.name for m in ours.submodules] == [m.name for m in theirs.submodules]
    assert isinstance(ours.variables, tuple) and isinstance(ours.submodules, tuple)


def test_flatten_with_paths_matches_tensorflow():
    tf = _tf()
    ours, theirs = _build(tfx), _build(tf)
    is_var = lambda x: isinstance(x, (tfx.Variable, tf.Variable))  # noqa: E731
    assert [p for p, _ in ours._flatten(predicate=is_var, with_path=True)] == \
        [p for p, _ in theirs._flatten(predicate=is_var, with_path=True)]
    assert [p for p, _ in ours._flatten(recursive=False, predicate=is_var, with_path=True)] \
        == [p for p, _ in theirs._flatten(recursive=False, predicate=is_var, with_path=True)]


def test_lists_changed_after_assignment_are_seen():
    m = tfx.Module()
    m.layers = []
    v = tfx.Variable(1.0)
    m.layers.append(v)
    assert len(m.variables) == 1 and m.variables[0] is v


def test_name_scope_prefixes_variables_as_tensorflow():
    tf = _tf()
    got, want = [], []
    for lib, out in ((tfx, got), (tf, want)):
        with lib.name_scope("outer"):
            m = lib.Module(name="mod")
        out.append(m.name_scope.name)
        with m.name_scope as scope:
            out.append(scope)
            out.append(lib.Variable(1.0, name="v").name)
            with lib.name_scope("sub") as s2:
                out.append(s2)
                out.append(lib.Variable(1.0, name="w").name)
        out.append(lib.Variable(1.0, name="after").name)
        out.append(m.name)
    assert got == want == ["outer/mod/", "outer/mod/", "outer/mod/v:0", "outer/mod/sub/",
                           "outer/mod/sub/w:0", "after:0", "mod"]


def test_with_name_scope_decorator():
    class Dense(tfx.Module):
        @tfx.Module.with_name_scope
        def __call__(self, x):
            if not hasattr(self, "w"):
                self.w = tfx.Variable(tfx.ones([x.shape[-1], 2]), name="w")
            return tfx.matmul(x, self.w)

    d = Dense(name="dense_mod")
    y = d(tfx.ones([1, 3]))
    assert d.w.name == "dense_mod/w:0"
    assert y.numpy().tolist() == [[3.0, 3.0]]
    assert Dense.__call__.__name__ == "__call__"


def test_default_and_invalid_names():
    class MyFancyModule(tfx.Module):
        pass

    assert MyFancyModule().name == "my_fancy_module"
    with pytest.raises(ValueError, match="'1bad' is not a valid module name. Module names must "
                       "be valid Python identifiers"):
        tfx.Module(name="1bad")


def test_keras_layers_keep_their_order_and_get_a_name_scope():
    layer = tfx.keras.layers.Dense(3, name="dl")
    layer.build((None, 2))
    assert [v.name for v in layer.variables] == ["kernel", "bias"]  # Keras 3 names: no ":0"
    assert layer.name_scope.name == "dl/"
    assert isinstance(layer, tfx.Module)
