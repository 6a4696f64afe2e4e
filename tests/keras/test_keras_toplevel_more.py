"""Keras 3's top-level scopes, keras.tree and keras.export.ExportArchive, against Keras 3."""
import collections

import numpy as np
import pytest

import tfx

keras = pytest.importorskip("keras")
K, T = keras.tree, tfx.keras.tree
P = collections.namedtuple("P", "x y")
Q = collections.namedtuple("Q", "x y")
OD = collections.OrderedDict([("b", 1), ("a", 2)])


def _outcome(fn, *args, **kwargs):
    try:
        return "ok", repr(fn(*args, **kwargs))
    except ValueError as e:
        return "ValueError", str(e).split("\n")[0].split(";")[0].split(" for ")[0]


TREE_CASES = [
    ("flatten", (None,)), ("flatten", ({"b": 1, "a": [2, (3, None)]},)),
    ("flatten", (P(1, [2, 3]),)), ("flatten", (OD,)), ("flatten", ({1: "a", "b": 2},)),
    ("flatten", ({3, 1},)), ("flatten", (collections.deque([1, [2]]),)),
    ("flatten", (collections.defaultdict(int, {"b": 1, "a": 2}),)),
    ("flatten", ((1, (), [], {}, None, "ab", b"c"),)),
    ("is_nested", (None,)), ("is_nested", ("ab",)), ("is_nested", ({},)),
    ("is_nested", (P(1, 2),)), ("is_nested", (np.array([1, 2]),)),
    ("flatten_with_path", ({"b": 1, "a": [2, (3, 4)]},)), ("flatten_with_path", (P(1, [2]),)),
    ("pack_sequence_as", ({"b": 0, "a": [0, 0]}, [1, 2, 3])), ("pack_sequence_as", (OD, [5, 6])),
    ("pack_sequence_as", (P(0, [0]), [1, 2])), ("pack_sequence_as", ([1, 2], [1])),
    ("pack_sequence_as", ([1, 2], [1, 2, 3])), ("pack_sequence_as", (5, [7])),
    ("lists_to_tuples", ({"a": [1, [2]], "b": P([1], 2)},)),
    ("assert_same_structure", ([1, 2], [1, (2,)])), ("assert_same_structure", ([1, 2], (1, 2))),
    ("assert_same_structure", ({"a": 1, "b": [1]}, {"a": 2, "b": [3]})),
    ("assert_same_structure", ([None], [1])), ("assert_same_structure", (P(1, 2), Q(1, 2))),
    ("assert_same_structure", ({"a": 1}, {"b": 1})),
    ("assert_same_paths", ({"a": 1}, {"b": 1})), ("assert_same_paths", (P(1, 2), (1, 2))),
    ("assert_same_paths", ([1, [2]], (1, (3,)))),
]


@pytest.mark.parametrize("name,args", TREE_CASES, ids=[f"{n}-{i}" for i, (n, _) in
                                                      enumerate(TREE_CASES)])
def test_tree_matches_keras(name, args):
    assert _outcome(getattr(T, name), *args) == _outcome(getattr(K, name), *args)


def test_tree_mapping_functions_match_keras():
    def add(a, b):
        return a + b
    cases = [
        ("map_structure", (add, [1, (2, 3)], [10, (20, 30)]), {}),
        ("map_structure", (lambda a: a, [1, None]), {}),
        ("map_structure", (lambda a: a, [1, None]), {"none_is_leaf": False}),
        ("map_structure", (lambda a: a * 2, {"b": (1, [2]), "a": collections.deque([3])}), {}),
        ("map_structure", (add, [1, 2], [1, 2, 3]), {}),
        ("map_structure", (add, [1, 2], (1, 2)), {}),
        ("map_structure", (add, {"a": 1}, {"b": 1}), {}),
        ("map_structure", (lambda a: a,), {}),
        ("map_structure_up_to", ([1, (2, 3)], lambda a: a, [[1, 2], ([3], [4, 5])]), {}),
        ("map_structure_up_to", ([1, (2, 3)], lambda a, b: (a, b), [1, (2, 3)],
                                 [[4], (5, 6)]), {}),
        ("map_structure_up_to", ((1, 2), lambda a: a, [1, 2]), {}),
        ("map_structure_up_to", ([1, 2], lambda a: a, [1]), {}),
        ("map_shape_structure", (lambda s: list(s) if isinstance(s, tuple) else s,
                                 {"a": (1, 2), "b": [(3,), [None, 4]]}), {}),
        ("map_shape_structure", (lambda s: s, (1, (2, 3))), {}),
        ("traverse", (lambda x: 0 if isinstance(x, int) else None, [1, (2, 3)]), {}),
        ("traverse", (lambda x: x * 2 if isinstance(x, int) else None, [1, (2, 3)]),
         {"top_down": False}),
        ("traverse", (lambda x: [9] if x == [2] else None, [1, [2], [3]]), {}),
        ("traverse", (lambda x: None, {"b": [1], "a": 2}), {"top_down": False}),
    ]
    for name, args, kwargs in cases:
        assert _outcome(getattr(T, name), *args, **kwargs) == \
            _outcome(getattr(K, name), *args, **kwargs), (name, args)
    for mod in (K, T):  # each library's own sentinel
        assert mod.traverse(lambda x, m=mod: m.MAP_TO_NONE if x == 2 else None,
                            [1, (2, 3)]) == [1, (None, 3)]
    with pytest.warns(DeprecationWarning, match="check_types"):
        T.assert_same_structure([1], [2], check_types=False)


def test_name_scope_as_keras():
    with pytest.raises(ValueError, match="cannot contain character `/`"):
        tfx.keras.name_scope("a/b")
    paths = []
    for mod in (keras, tfx.keras):
        owner = object()
        with mod.name_scope("a", caller=owner) as scope:
            assert scope.name == "a" and scope.caller is owner
            with mod.name_scope("a", caller=owner):  # the same caller again: one level
                v = mod.Variable(1.0, name="v")
            with mod.name_scope("a"):
                w = mod.Variable(1.0, name="w")
            with mod.name_scope("b", override_parent="z"):
                x = mod.Variable(1.0, name="x")
            with mod.name_scope("c", override_parent=""):
                y = mod.Variable(1.0, name="y")
        z = mod.Variable(1.0, name="z")
        paths.append([u.path for u in (v, w, x, y, z)])
    assert paths[0] == paths[1] == ["a/v", "a/a/w", "z/b/x", "c/y", "z"]


def test_device_scope():
    with tfx.keras.device("cpu:0"):
        t = tfx.keras.ops.ones((2,))
    assert "CPU" in t.device


def test_stateless_scope():
    v = tfx.Variable([1.0, 2.0])
    with pytest.raises(ValueError, match="shape that matches"):
        tfx.keras.StatelessScope(state_mapping=[(v, [1.0, 2.0, 3.0])])
    with pytest.raises(ValueError, match="must be Variable"):
        tfx.keras.StatelessScope(state_mapping=[(np.ones(2), [1.0, 2.0])])
    from tfx.keras.scopes import get_stateless_scope, in_stateless_scope
    with tfx.keras.StatelessScope(state_mapping=[(v, [5.0, 6.0])]) as scope:
        assert in_stateless_scope() and get_stateless_scope() is scope
        np.testing.assert_array_equal((v * 1).numpy(), [5, 6])
        v.assign([7.0, 8.0])
        np.testing.assert_array_equal(scope.get_current_value(v).numpy(), [7, 8])
    assert not in_stateless_scope()
    np.testing.assert_array_equal(v.numpy(), [1, 2])
    np.testing.assert_array_equal(scope.get_current_value(v).numpy(), [7, 8])
    assert scope.get_current_value(tfx.Variable(0.0)) is None
    # A layer run on other weights, its own left as they were.
    layer = tfx.keras.layers.Dense(2, use_bias=False)
    layer.build((None, 2))
    kernel = layer.kernel.numpy()
    with tfx.keras.StatelessScope(state_mapping=[(layer.kernel, np.eye(2, dtype="float32"))]):
        np.testing.assert_array_equal(layer(np.array([[3.0, 4.0]], "float32")).numpy(),
                                      [[3, 4]])
    np.testing.assert_array_equal(layer.kernel.numpy(), kernel)


def test_symbolic_and_remat_scopes():
    from tfx.keras.scopes import get_current_remat_mode, in_symbolic_scope
    with tfx.keras.SymbolicScope():
        assert in_symbolic_scope()
    assert not in_symbolic_scope()
    with pytest.raises(ValueError, match="Invalid mode 'bad'"):
        tfx.keras.RematScope(mode="bad")
    assert get_current_remat_mode() is None
    with tfx.keras.RematScope(mode="larger_than", output_size_threshold=10):
        mode = get_current_remat_mode()
        assert (mode.mode, mode.output_size_threshold, mode.layer_names) == \
            ("larger_than", 10, [])
        model = tfx.keras.Sequential([tfx.keras.Input((3,)), tfx.keras.layers.Dense(2)])
        x = np.ones((2, 3), "float32")
        np.testing.assert_array_equal(tfx.keras.remat(model)(x).numpy(), model(x).numpy())
    with pytest.raises(TypeError):
        tfx.keras.remat(3)


def test_export_archive_endpoints_and_collections(tmp_path, capsys):
    k = tfx.keras
    model = k.Sequential([k.Input((3,)), k.layers.Dense(2), k.layers.BatchNormalization()])
    model.compile("adam", "mse")
    x = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")
    model.fit(x, np.ones((4, 2)), verbose=0)
    archive = k.export.ExportArchive()
    with pytest.raises(ValueError, match="not yet been built"):
        archive.track(k.layers.Dense(2))
    with pytest.raises(ValueError, match="Invalid resource type"):
        archive.track(3)
    with pytest.raises(ValueError, match="No endpoints"):
        archive.write_out(str(tmp_path / "none"))
    archive.track(model)
    archive.add_endpoint("serve", model.call,
                         input_signature=[tfx.TensorSpec([None, 3], "float32")])
    with pytest.raises(ValueError, match="already taken"):
        archive.add_endpoint("serve", model.call,
                             input_signature=[tfx.TensorSpec([None, 3], "float32")])
    with pytest.raises(ValueError, match="input_signature"):
        archive.add_endpoint("other", lambda t: t)
    archive.add_endpoint("train_mode", lambda t: model(t, training=True),
                         input_signature=[k.InputSpec(shape=(None, 3), dtype="float32")])
    doubled = tfx.function(lambda t: model(t) * 2.0)
    with pytest.raises(ValueError, match="never been called"):
        archive.add_endpoint("doubled", doubled)
    doubled(x)
    archive.add_endpoint("doubled", doubled)
    with pytest.raises(ValueError, match="list/tuple/set"):
        archive.add_variable_collection("bad", model.optimizer)
    archive.add_variable_collection("optimizer_variables", model.optimizer.variables)
    assert len(archive.variables) == len(model.variables)
    archive.write_out(str(tmp_path / "sm"))
    assert "Endpoint 'serve'" in capsys.readouterr().out
    restored = tfx.saved_model.load(str(tmp_path / "sm"))
    np.testing.assert_allclose(restored.serve(x).numpy(), model(x).numpy(), rtol=1e-6)
    np.testing.assert_allclose(restored.train_mode(x).numpy(),
                               model(x, training=True).numpy(), rtol=1e-6)
    np.testing.assert_allclose(restored.doubled(x).numpy(), 2 * model(x).numpy(),
                               rtol=1e-6)
    assert sorted(restored.signatures) == ["doubled", "serve", "serving_default", "train_mode"]
    got = restored.signatures["serving_default"](x)
    np.testing.assert_allclose(list(got.values())[0].numpy(), model(x).numpy(), rtol=1e-6)
    assert [v.numpy().tolist() for v in restored.optimizer_variables] == \
        [v.numpy().tolist() for v in model.optimizer.variables]
