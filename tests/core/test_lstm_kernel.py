"""lstm_kernel (the training-only LSTM loop): Keras' outputs, states and gradients, with and without XLA, and
only in the engine's pooled models."""

import numpy as np
import pytest

from conftest import tiny_sine
from helpers import jit_off, train
from lstm_core.engine import fit as engine
from lstm_core.engine import lstm_kernel
from lstm_core.engine.backend import keras as _keras

keras = _keras()


def pair(**settings):
    """The same LSTM twice with the same weights: Keras' own, and the training one."""
    stock = keras.layers.LSTM(6, **settings)
    stock.build((None, 9, 3))
    fast = keras.layers.LSTM(6, **settings)
    fast.build((None, 9, 3))
    rng = np.random.default_rng(1)
    fast.set_weights([rng.normal(scale=0.5, size=w.shape).astype("float32") for w in stock.get_weights()])
    stock.set_weights(fast.get_weights())
    fast.__class__ = lstm_kernel.layer_class()
    return stock, fast


def outputs_and_gradients(layer, x, states, jit):
    import tensorflow as tf

    @tf.function(jit_compile=jit)
    def run(x, h0, c0):
        with tf.GradientTape() as tape:
            tape.watch([x, h0, c0])
            out = layer(x, initial_state=[h0, c0]) if states else layer(x)
            outs = out if isinstance(out, (list, tuple)) else [out]
            # Weighted so that every output, step and unit gets a gradient of its own.
            loss = tf.add_n([tf.reduce_sum(o * tf.reshape(tf.cos(tf.range(tf.size(o), dtype=o.dtype)), o.shape))
                             for o in outs])
        grads = tape.gradient(loss, [x, h0, c0, *layer.trainable_variables])
        return outs, grads

    rng = np.random.default_rng(2)
    h0, c0 = (tf.constant(rng.normal(size=(4, 6)).astype("float32")) for _ in range(2))
    outs, grads = run(tf.constant(x), h0, c0)
    return [o.numpy() for o in outs], [None if g is None else g.numpy() for g in grads]


@pytest.mark.parametrize("jit", [False, True])
@pytest.mark.parametrize("settings,states", [
    ({"return_sequences": True}, False),
    ({}, False),
    ({"return_sequences": True, "return_state": True}, True),
    ({"return_state": True, "go_backwards": True}, True),
])
def test_outputs_states_and_every_gradient_match_keras(settings, states, jit):
    x = np.random.default_rng(0).normal(size=(4, 9, 3)).astype("float32")
    stock, fast = pair(**settings)
    (stock_outs, stock_grads), (fast_outs, fast_grads) = (outputs_and_gradients(layer, x, states, jit)
                                                          for layer in (stock, fast))
    assert len(stock_outs) == len(fast_outs)
    for a, b in zip(stock_outs, fast_outs):
        assert a.shape == b.shape and np.abs(a - b).max() < 1e-5
    for a, b in zip(stock_grads, fast_grads):
        assert (a is None) == (b is None)
        if a is not None:
            assert a.shape == b.shape and np.abs(a - b).max() < 1e-4 * max(1.0, np.abs(a).max())


def test_settings_it_does_not_cover_run_keras_loop():
    import tensorflow as tf

    stock, fast = pair(return_sequences=True, activation="relu")
    x = tf.constant(np.random.default_rng(0).normal(size=(4, 9, 3)).astype("float32"))
    assert not fast.covered(None, False)
    assert np.abs(stock(x).numpy() - fast(x).numpy()).max() < 1e-6
    masked = pair(return_sequences=True)[1]
    assert masked.covered(None, True) and not masked.covered(tf.ones((4, 9), bool), False)


def test_use_in_swaps_plain_and_wrapped_lstms_only():
    inputs = keras.Input((9, 3))
    hidden = keras.layers.LSTM(4, return_sequences=True)(inputs)
    hidden = keras.layers.Bidirectional(keras.layers.LSTM(4, return_sequences=True))(hidden)
    hidden = keras.layers.GRU(4)(hidden)
    model = keras.Model(inputs, keras.layers.Dense(1)(hidden))
    assert lstm_kernel.use_in(model) == 3  # the plain one, and both directions of the wrapped one
    kinds = [type(layer).__name__ for layer in model._flatten_layers(include_self=False, recursive=True)]
    assert kinds.count("TrainingLSTM") == 3 and "GRU" in kinds and "LSTM" not in kinds


def test_the_engine_trains_with_it_to_keras_result_and_hands_back_keras_lstms(monkeypatch):
    config = tiny_sine(units=5, depth=2, train_size=100, epochs=1, seed=3)
    with jit_off():
        engine.clear_pool()
        trained = train(config)
        [pooled] = engine._pool.all()
        assert [type(layer).__name__ for layer in pooled.layers].count("TrainingLSTM") == 2
        assert [type(layer).__name__ for layer in trained.model.layers].count("LSTM") == 2
        monkeypatch.setattr(lstm_kernel, "use_in", lambda model: 0)  # Keras' own loop from here on
        engine.clear_pool()
        again = train(config)
        engine.clear_pool()
    assert [type(layer).__name__ for layer in again.model.layers].count("LSTM") == 2
    assert np.abs(np.array(trained.curve) - np.array(again.curve)).max() < 1e-4
    for a, b in zip(trained.model.get_weights(), again.model.get_weights()):
        assert np.abs(a - b).max() < 1e-4
