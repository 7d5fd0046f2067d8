"""SimpleRNN, GRU and LSTM: parameter formulas, the lag task, vanishing and exploding gradients, the fitting helper."""

import numpy as np
import pytest

from lstm_core import fitting, recurrent
from lstm_core.backend import keras
from lstm_core.config import ConfigError
from lstm_core.recurrent import CELLS, CellsConfig, ExplodeConfig


pytestmark = pytest.mark.usefixtures("no_jit")


def tiny_cells(**changes):
    values = dict(length=30, lag=20, units=8, train_size=128, epochs=1, seed=0)
    values.update(changes)
    return CellsConfig(**values)


@pytest.mark.parametrize("cell", CELLS)
def test_parameter_formulas_match_keras(cell):
    layer = getattr(keras().layers, cell)(5)
    layer.build((None, 7, 3))
    assert layer.count_params() == recurrent.cell_parameters(cell, 3, 5)


def test_lag_examples_mark_one_step_and_ask_for_its_value():
    inputs, targets = recurrent.lag_examples(50, np.random.default_rng(1), length=12, lag=4)
    assert inputs.shape == (50, 12, 2) and targets.shape == (50, 1)
    assert np.all(inputs[:, :, 1].sum(axis=1) == 1)
    assert np.all(inputs[:, 12 - 1 - 4, 1] == 1)
    assert np.array_equal(targets[:, 0], inputs[:, 7, 0])


def test_cells_config_validates_the_lag_and_ignores_it_for_the_sine_task():
    with pytest.raises(ConfigError) as error:
        CellsConfig(length=20, lag=20)
    assert error.value.field == "lag" and "19" in str(error.value)
    with pytest.raises(ConfigError) as error:
        CellsConfig(task="copy")
    assert error.value.field == "task"
    assert CellsConfig(task="sine", lag=3).key() == CellsConfig(task="sine", lag=9).key()
    assert CellsConfig(lag=3).key() != CellsConfig(lag=9).key()


def test_simple_rnn_gradient_vanishes_toward_early_steps_on_the_long_lag_task():
    result = recurrent.compare_cells(tiny_cells())
    for profiles in (result.gradients, result.initial_gradients):
        simple = profiles["SimpleRNN"]
        assert simple.shape == (30,) and np.all(np.isfinite(simple))
        assert simple[:5].mean() < simple[-5:].mean() / 10  # collapses toward early steps
    assert set(result.errors) == set(CELLS) and all(0 < e < 1 for e in result.errors.values())
    assert result.parameters == {cell: recurrent.cell_parameters(cell, 2, 8) for cell in CELLS}
    assert set(result.fit.losses) == {*CELLS, "loss"}
    total = sum(result.fit.losses[cell] for cell in CELLS)
    assert np.allclose(total, result.fit.losses["loss"], rtol=1e-4)  # one model, three independent losses


def test_input_gradients_are_zero_for_steps_a_model_ignores():
    k = keras()
    inputs = k.Input((6, 1))
    last = k.layers.Lambda(lambda x: x[:, -1, :])(inputs)
    model = k.Model(inputs, {"last": k.layers.Dense(1, name="last")(last)})
    x = np.random.default_rng(0).random((8, 6, 1)).astype(np.float32)
    profile = recurrent.input_gradients(model, x, np.zeros((8, 1), np.float32), ["last"])["last"]
    assert np.all(profile[:5] == 0) and profile[5] > 0


def test_sgd_with_a_large_learning_rate_diverges_and_clipping_keeps_it_finite():
    settings = dict(units=8, train_size=512, epochs=2, learning_rate=5.0, seed=0)
    wild = recurrent.explode(ExplodeConfig(**settings))
    assert wild.fit.diverged and "NaN" in wild.message
    assert wild.fit.steps[-1] == wild.fit.diverged_step < 32  # stopped where it happened
    clipped = recurrent.explode(ExplodeConfig(clipnorm=1.0, **settings))
    assert not clipped.fit.diverged and clipped.message == ""
    assert clipped.fit.steps[-1] == 32 and np.all(np.isfinite(clipped.fit.losses["loss"]))
    # The norm is measured before clipping: it exceeds the clip value, yet every step stayed finite.
    assert clipped.fit.gradient_norm.max() > 1.0


def test_a_reused_compiled_model_trains_exactly_like_a_new_one():
    fitting.clear_pool()
    config = ExplodeConfig(units=4, train_size=128, epochs=1, learning_rate=0.1, seed=3)
    cold = recurrent.explode(config)
    recurrent.explode(config.replace(seed=4))  # the pooled model's weights and optimizer now differ
    warm = recurrent.explode(config)
    assert cold.fit.compiled and not warm.fit.compiled
    assert np.array_equal(cold.fit.losses["loss"], warm.fit.losses["loss"])


def test_recipe_rejects_unknown_losses_and_optimizers():
    with pytest.raises(ConfigError) as error:
        fitting.Recipe(loss="hinge")
    assert error.value.field == "loss"
    with pytest.raises(ConfigError) as error:
        fitting.Recipe(optimizer="rmsprop")
    assert error.value.field == "optimizer"


def test_adam_state_is_reset_when_a_compiled_model_is_reused():
    k = keras()

    def build(seed):
        inputs = k.Input((3,))
        return inputs, {"out": k.layers.Dense(1, name="out", **fitting.dense_seeded(seed, 0))(inputs)}

    rng = np.random.default_rng(0)
    x, y = rng.random((64, 3)).astype(np.float32), rng.random((64, 1)).astype(np.float32)
    recipe = fitting.Recipe(loss="mse", learning_rate=0.05, batch_size=8, epochs=2, report_every=2)
    first = fitting.train("test-dense-adam", build, 1, x, {"out": y}, recipe)
    fitting.train("test-dense-adam", build, 2, x[::-1].copy(), {"out": y[::-1].copy()}, recipe)
    again = fitting.train("test-dense-adam", build, 1, x, {"out": y}, recipe)
    assert not again.fit.compiled
    assert np.array_equal(first.fit.losses["out"], again.fit.losses["out"])
    assert np.array_equal(first.predict(x, "out"), again.predict(x, "out"))
    assert first.fit.steps.tolist() == [2, 4, 6, 8, 10, 12, 14, 16]


def test_cells_on_the_damped_sine_read_one_feature_and_predict_five_values():
    result = recurrent.compare_cells(tiny_cells(task="sine", length=20))
    assert result.parameters == {cell: recurrent.cell_parameters(cell, 1, 8) for cell in CELLS}
    assert all(np.isfinite(e) for e in result.errors.values())
    assert result.gradients["LSTM"].shape == (20,)
