"""One-replica strategies: TensorFlow's custom-training-loop tutorial and ``model.fit`` run
unchanged under OneDeviceStrategy / MirroredStrategy / the default strategy, with the numbers
they give without a strategy; the context functions answer as TensorFlow's do."""
import numpy as np
import pytest

import tfx

GLOBAL_BATCH = 16


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 5)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    return x, y


def _model():
    tfx.keras.utils.set_random_seed(1)
    return tfx.keras.Sequential([tfx.keras.Input((5,)),
                                 tfx.keras.layers.Dense(8, activation="relu"),
                                 tfx.keras.layers.Dense(2)])


def _tutorial_loop(strategy):
    """The TF tutorial's loop; ``strategy`` None: the same steps with no strategy."""
    x, y = _data()
    dataset = tfx.data.Dataset.from_tensor_slices((x, y)).batch(GLOBAL_BATCH)
    scope = strategy.scope() if strategy else _nothing()
    with scope:
        model = _model()
        loss_object = tfx.keras.losses.SparseCategoricalCrossentropy(
            from_logits=True, reduction="none")
        optimizer = tfx.keras.optimizers.SGD(0.1)

        def compute_loss(labels, predictions):
            per_example_loss = loss_object(labels, predictions)
            return tfx.nn.compute_average_loss(per_example_loss,
                                               global_batch_size=GLOBAL_BATCH)

    def train_step(inputs):
        features, labels = inputs
        with tfx.GradientTape() as tape:
            loss = compute_loss(labels, model(features, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    @tfx.function
    def distributed_train_step(inputs):
        if strategy is None:
            return train_step(inputs)
        per_replica_losses = strategy.run(train_step, args=(inputs,))
        return strategy.reduce(tfx.distribute.ReduceOp.SUM, per_replica_losses, axis=None)

    if strategy is not None:
        dataset = strategy.experimental_distribute_dataset(dataset)
    losses = []
    for _ in range(2):
        total, batches = 0.0, 0
        for batch in dataset:
            total += float(distributed_train_step(batch))
            batches += 1
        losses.append(total / batches)
    return losses, [w.numpy() for w in model.weights]


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


STRATEGIES = [lambda: tfx.distribute.OneDeviceStrategy("/cpu:0"),
              lambda: tfx.distribute.MirroredStrategy(), tfx.distribute.get_strategy]


@pytest.mark.parametrize("make", STRATEGIES, ids=["one_device", "mirrored", "default"])
def test_tutorial_loop_same_numbers_as_without_strategy(make):
    want_losses, want_weights = _tutorial_loop(None)
    losses, weights = _tutorial_loop(make())
    assert losses == want_losses
    for a, b in zip(weights, want_weights):
        np.testing.assert_array_equal(a, b)


def _fit(strategy):
    x, y = _data()
    with (strategy.scope() if strategy else _nothing()):
        model = _model()
        model.compile(optimizer="adam", loss=tfx.keras.losses.SparseCategoricalCrossentropy(
            from_logits=True), metrics=["accuracy"])
    hist = model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    return hist.history, [w.numpy() for w in model.weights]


@pytest.mark.parametrize("make", STRATEGIES[:2], ids=["one_device", "mirrored"])
def test_fit_under_scope_same_numbers(make):
    want_hist, want_w = _fit(None)
    hist, w = _fit(make())
    assert hist == want_hist
    for a, b in zip(w, want_w):
        np.testing.assert_array_equal(a, b)


def test_contexts_as_tensorflow():
    assert not tfx.distribute.has_strategy()
    assert not tfx.distribute.in_cross_replica_context()
    default = tfx.distribute.get_strategy()
    assert default.num_replicas_in_sync == 1 and default.is_chief
    assert tfx.distribute.get_replica_context() is not None
    s = tfx.distribute.OneDeviceStrategy("/cpu:0")
    assert s.extended.worker_devices == ("/job:localhost/replica:0/task:0/device:CPU:0",)
    with s.scope():
        assert tfx.distribute.has_strategy() and tfx.distribute.get_strategy() is s
        assert tfx.distribute.in_cross_replica_context()
        assert tfx.distribute.get_replica_context() is None

        def step(x):
            ctx = tfx.distribute.get_replica_context()
            assert not tfx.distribute.in_cross_replica_context()
            assert ctx.num_replicas_in_sync == 1 and ctx.replica_id_in_sync_group == 0
            assert ctx.merge_call(lambda strategy: strategy) is s
            return ctx.all_reduce("SUM", x * 2)

        out = s.run(step, args=(tfx.constant([1.0, 2.0]),))
        np.testing.assert_array_equal(out.numpy(), [2.0, 4.0])
    assert not tfx.distribute.has_strategy()
    assert s.experimental_local_results(out)[0] is out


def test_reduce_and_datasets():
    s = tfx.distribute.MirroredStrategy()
    v = tfx.constant([1.0, 2.0, 6.0])
    np.testing.assert_array_equal(s.reduce("SUM", v, axis=None).numpy(), v.numpy())
    assert float(s.reduce(tfx.distribute.ReduceOp.SUM, v, axis=0)) == 9.0
    assert float(s.reduce(tfx.distribute.ReduceOp.MEAN, v, axis=0)) == 3.0
    mean = s.reduce("MEAN", tfx.constant([3, 4]), axis=0)   # as TF: a float64
    assert mean.dtype == tfx.float64 and float(mean) == 3.5
    with pytest.raises(ValueError):
        s.reduce("MAX", v)

    def dataset_fn(ctx):
        assert ctx.num_input_pipelines == 1 and ctx.input_pipeline_id == 0
        return tfx.data.Dataset.range(6).batch(ctx.get_per_replica_batch_size(4))

    batches = [b.numpy().tolist() for b in s.distribute_datasets_from_function(dataset_fn)]
    assert batches == [[0, 1, 2, 3], [4, 5]]


def test_mixing_strategies_fails_and_many_devices_are_refused():
    a, b = tfx.distribute.OneDeviceStrategy("/cpu:0"), tfx.distribute.MirroredStrategy()
    with a.scope():
        with pytest.raises(ValueError, match="Mixing"):
            with b.scope():
                pass
        with a.scope():  # re-entering the same strategy is fine
            assert tfx.distribute.get_strategy() is a
        assert tfx.distribute.get_strategy() is a
    with pytest.raises(ValueError, match="one replica per process"):
        tfx.distribute.MirroredStrategy(["/gpu:0", "/gpu:1"])


def test_api_matches_tensorflow_names():
    tf = pytest.importorskip("tensorflow")
    for name in ("OneDeviceStrategy", "MirroredStrategy", "ReduceOp", "get_strategy",
                 "has_strategy", "in_cross_replica_context", "get_replica_context",
                 "ReplicaContext", "InputContext", "StrategyExtended"):
        assert hasattr(tf.distribute, name) and hasattr(tfx.distribute, name), name
    for method in ("scope", "run", "reduce", "experimental_distribute_dataset",
                   "distribute_datasets_from_function", "experimental_local_results",
                   "gather"):
        assert hasattr(tf.distribute.OneDeviceStrategy, method)
        assert hasattr(tfx.distribute.OneDeviceStrategy, method), method
    assert [op.value for op in tfx.distribute.ReduceOp] == \
        [op.value for op in tf.distribute.ReduceOp]
