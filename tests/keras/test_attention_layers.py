"""MultiHeadAttention, Attention, AdditiveAttention, EinsumDense, GroupNormalization and
UnitNormalization against Keras 3 (same weights: same outputs, scores and shapes, masks
included); gradients against finite differences; config round trips and save/load."""
import numpy as np
import pytest

import tfx
from keras_layer_checks import check_config_round_trip, check_grads, check_save_load

keras = pytest.importorskip("keras")
pytest.importorskip("tensorflow")

T = tfx.keras.layers
K = keras.layers
RNG = np.random.default_rng(9)
Q = RNG.normal(size=(2, 4, 5)).astype("float32")
V = RNG.normal(size=(2, 3, 5)).astype("float32")
IMG = RNG.normal(size=(2, 3, 4, 6)).astype("float32")
QM = np.array([[1, 1, 0, 1], [1, 0, 1, 1]], bool)
VM = np.array([[1, 1, 0], [1, 0, 0]], bool)


def c(x):
    return tfx.constant(x)


def _close(a, b, atol=1e-5):
    np.testing.assert_allclose(b.numpy(), np.asarray(a), rtol=1e-5, atol=atol)


def _mha(kwargs, q, v):
    k, t = K.MultiHeadAttention(**kwargs), T.MultiHeadAttention(**kwargs)
    k(q, v)
    t(c(q), c(v))
    t.set_weights(k.get_weights())
    return k, t


@pytest.mark.parametrize("kwargs", [
    dict(num_heads=2, key_dim=3), dict(num_heads=2, key_dim=3, value_dim=2, output_shape=7),
    dict(num_heads=1, key_dim=4, use_bias=False), dict(num_heads=2, key_dim=3, dropout=0.3),
    dict(num_heads=2, key_dim=2, use_gate=True), dict(num_heads=2, key_dim=2, sliding_window=2),
])
def test_multi_head_attention_matches_keras(kwargs):
    k, t = _mha(kwargs, Q, V)
    assert [tuple(w.shape) for w in t.weights] == [tuple(w.shape) for w in k.weights]
    _close(k(Q, V), t(c(Q), c(V)))
    ko, ks = k(Q, V, V, return_attention_scores=True)
    to, ts = t(c(Q), c(V), c(V), return_attention_scores=True)
    _close(ko, to)
    _close(ks, ts)
    am = RNG.integers(0, 2, (2, 4, 3)).astype(bool)
    _close(k(Q, V, attention_mask=am), t(c(Q), c(V), attention_mask=c(am)))
    _close(k(Q, V, query_mask=QM, value_mask=VM), t(c(Q), c(V), query_mask=c(QM),
                                                   value_mask=c(VM)))
    _close(k(Q, Q, use_causal_mask=True), t(c(Q), c(Q), use_causal_mask=True))
    ko, ks = k(Q, Q, use_causal_mask=True, return_attention_scores=True)
    to, ts = t(c(Q), c(Q), use_causal_mask=True, return_attention_scores=True)
    _close(ks, ts)


@pytest.mark.parametrize("axes", [(1, 2), 2, (2,)])
def test_multi_head_attention_over_other_axes_matches_keras(axes):
    k, t = _mha(dict(num_heads=2, key_dim=3, attention_axes=axes), IMG, IMG)
    _close(k(IMG, IMG), t(c(IMG), c(IMG)))
    ko, ks = k(IMG, IMG, return_attention_scores=True)
    to, ts = t(c(IMG), c(IMG), return_attention_scores=True)
    _close(ks, ts)
    got = T.MultiHeadAttention(2, 3, attention_axes=axes)(tfx.keras.Input((3, 4, 6)),
                                                            tfx.keras.Input((3, 4, 6)))
    want = K.MultiHeadAttention(2, 3, attention_axes=axes)(keras.Input((3, 4, 6)),
                                                             keras.Input((3, 4, 6)))
    assert tuple(got.shape) == tuple(want.shape)


def test_attention_reads_keras_masks_in_a_functional_transformer_block():
    ids = np.array([[3, 4, 0, 0, 0], [1, 2, 5, 6, 0]])

    def build(lib):
        L = lib.layers
        inp = lib.Input((5,), dtype="int32")
        x = L.Embedding(9, 6, mask_zero=True)(inp)
        a = L.MultiHeadAttention(2, 3)(x, x)
        x = L.LayerNormalization()(L.Add()([x, a]))
        x = L.Dense(4, activation="relu")(x)
        return lib.Model(inp, L.Dense(1)(L.GlobalAveragePooling1D()(x)))
    k, t = build(keras), build(tfx.keras)
    k(ids)
    t(c(ids))
    t.set_weights(k.get_weights())
    _close(k(ids), t(c(ids)))
    emb = T.Embedding(9, 6, mask_zero=True)
    x = emb(c(ids))
    out = T.MultiHeadAttention(2, 3)(x, x)
    from tfx.keras.layers.masks import get_keras_mask
    np.testing.assert_array_equal(get_keras_mask(out).numpy(), ids != 0)


@pytest.mark.parametrize("mode,use_scale", [("dot", False), ("dot", True), ("concat", False),
                                            ("concat", True)])
def test_attention_matches_keras(mode, use_scale):
    k = K.Attention(use_scale=use_scale, score_mode=mode)
    t = T.Attention(use_scale=use_scale, score_mode=mode)
    k([Q, V])
    t([c(Q), c(V)])
    k.set_weights([w * 1.3 for w in k.get_weights()])
    t.set_weights(k.get_weights())
    _close(k([Q, V]), t([c(Q), c(V)]))
    for causal in (False, True):
        ko, ks = k([Q, V, V], mask=[QM, VM], use_causal_mask=causal,
                   return_attention_scores=True)
        to, ts = t([c(Q), c(V), c(V)], mask=[c(QM), c(VM)], use_causal_mask=causal,
                   return_attention_scores=True)
        _close(ko, to)
        _close(ks, ts)


def test_additive_attention_matches_keras_and_masks_pass_on():
    k, t = K.AdditiveAttention(), T.AdditiveAttention()
    k([Q, V])
    t([c(Q), c(V)])
    t.set_weights(k.get_weights())
    _close(k([Q, V, V], mask=[QM, VM]), t([c(Q), c(V), c(V)], mask=[c(QM), c(VM)]))
    np.testing.assert_array_equal(t.compute_mask([c(Q), c(V)], [c(QM), c(VM)]).numpy(), QM)
    with pytest.raises(ValueError, match="list of inputs"):
        t(c(Q))
    t_nos = T.AdditiveAttention(use_scale=False)
    _close(K.AdditiveAttention(use_scale=False)([Q, V]), t_nos([c(Q), c(V)]))


@pytest.mark.parametrize("equation,out,bias,shape", [
    ("ab,bc->ac", 4, "c", (2, 3)), ("abc,cde->abde", (None, 2, 3), "de", (2, 4, 5)),
    ("...b,bc->...c", 3, None, (2, 4, 5)), ("abc,cd->abd", (4, 2), "bd", (3, 4, 5)),
])
def test_einsum_dense_matches_keras(equation, out, bias, shape):
    x = RNG.normal(size=shape).astype("float32")
    k = K.EinsumDense(equation, out, bias_axes=bias, activation="relu")
    t = T.EinsumDense(equation, out, bias_axes=bias, activation="relu")
    k(x)
    t(c(x))
    assert [tuple(w.shape) for w in t.weights] == [tuple(w.shape) for w in k.weights]
    t.set_weights([w + 0.1 for w in k.get_weights()])
    k.set_weights([w + 0.1 for w in k.get_weights()])
    _close(k(x), t(c(x)))
    if None not in np.atleast_1d(np.array(out, dtype=object)):
        # (Keras leaves an output axis given as None unknown symbolically; tfx infers it.)
        want = K.EinsumDense(equation, out, bias_axes=bias)(keras.Input(shape[1:]))
        got = T.EinsumDense(equation, out, bias_axes=bias)(tfx.keras.Input(shape[1:]))
        assert tuple(got.shape) == tuple(want.shape)


@pytest.mark.parametrize("kwargs", [dict(groups=2), dict(groups=3, axis=1),
                                    dict(groups=-1, center=False), dict(groups=1, scale=False)])
def test_group_normalization_matches_keras(kwargs):
    x = RNG.normal(size=(2, 6, 4, 6)).astype("float32")
    k, t = K.GroupNormalization(**kwargs), T.GroupNormalization(**kwargs)
    k(x)
    t(c(x))
    k.set_weights([w + 0.3 for w in k.get_weights()])
    t.set_weights(k.get_weights())
    _close(k(x), t(c(x)))
    with pytest.raises(ValueError, match="multiple"):
        T.GroupNormalization(groups=4)(c(x))


def test_unit_normalization_matches_keras():
    for axis in (-1, 1, [1, 2]):
        _close(K.UnitNormalization(axis=axis)(IMG), T.UnitNormalization(axis=axis)(c(IMG)),
               atol=1e-6)
    z = np.zeros((1, 3), "float32")
    np.testing.assert_array_equal(T.UnitNormalization()(c(z)).numpy(), z)


def test_gradients_match_finite_differences():
    q, v = RNG.normal(size=(2, 3, 4)), RNG.normal(size=(2, 2, 4))
    f64 = dict(dtype="float64")
    check_grads(T.MultiHeadAttention(2, 2, **f64), q, v, spread=True)
    check_grads(T.MultiHeadAttention(2, 2, dropout=0.5, **f64), q, v, spread=True,
                attention_mask=c(np.array([[[1, 0]] * 3, [[1, 1]] * 3], bool)))
    check_grads(T.Attention(use_scale=True, score_mode="concat", **f64), q, v)
    check_grads(T.AdditiveAttention(**f64), q, v)
    check_grads(T.GroupNormalization(groups=2, **f64), RNG.normal(size=(2, 3, 4)))
    check_grads(T.UnitNormalization(**f64), RNG.normal(size=(2, 3, 4)))
    check_grads(T.EinsumDense("abc,cd->abd", (3, 2), bias_axes="d", **f64), q)


def test_dropout_on_scores_is_seeded_and_training_only():
    t = T.MultiHeadAttention(2, 3, dropout=0.5, seed=2)
    t(c(Q), c(V))
    infer = t(c(Q), c(V)).numpy()
    np.testing.assert_array_equal(infer, t(c(Q), c(V), training=False).numpy())
    twin = T.MultiHeadAttention(2, 3, dropout=0.5, seed=2)  # its own stream, seeded alike
    twin(c(Q), c(V))
    twin.set_weights(t.get_weights())
    a = t(c(Q), c(V), training=True).numpy()
    b = twin(c(Q), c(V), training=True).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, infer)
    assert not np.allclose(a, t(c(Q), c(V), training=True).numpy())  # the stream moves on


@pytest.mark.parametrize("make,inputs,specs", [
    (lambda: T.MultiHeadAttention(2, 3, value_dim=2, use_gate=True), [Q, V],
     [((4, 5), "float32"), ((3, 5), "float32")]),
    (lambda: T.Attention(use_scale=True, score_mode="concat"), [Q, V],
     [((4, 5), "float32"), ((3, 5), "float32")]),
    (lambda: T.AdditiveAttention(), [Q, V], [((4, 5), "float32"), ((3, 5), "float32")]),
    (lambda: T.GroupNormalization(groups=5), [Q], [((4, 5), "float32")]),
    (lambda: T.UnitNormalization(axis=[1, 2]), [Q], [((4, 5), "float32")]),
    (lambda: T.EinsumDense("abc,cd->abd", (4, 3), bias_axes="d"), [Q], [((4, 5), "float32")]),
], ids=["mha", "attention", "additive", "group", "unit", "einsum"])
def test_configs_and_save_load(make, inputs, specs, tmp_path):
    layer = make()
    if len(inputs) == 2 and isinstance(layer, T.MultiHeadAttention):
        cfg = layer.get_config()
        clone = T.MultiHeadAttention.from_config(cfg)
        assert clone.get_config() == cfg
        kcfg = K.MultiHeadAttention(2, 3, value_dim=2, use_gate=True).get_config()
        assert set(cfg) - {"batch_input_shape"} == set(kcfg)
        ins = [tfx.keras.Input(s, dtype=d) for s, d in specs]
        model = tfx.keras.Model(ins, layer(*ins))
        model.save(tmp_path / "m.tfx")
        loaded = tfx.keras.models.load_model(tmp_path / "m.tfx")
        _close(model([c(x) for x in inputs]), loaded([c(x) for x in inputs]))
        return
    check_config_round_trip(layer, *inputs)
    check_save_load(make(), specs, inputs, tmp_path)
