"""experiments/cells: SimpleRNN, GRU and LSTM side by side on the lag task, and their gradients."""

import numpy as np
import pytest

from helpers import tiny_trainer
from lstm_core import experiments
from lstm_core.engine.backend import keras
from lstm_core.engine.config import ConfigError
from lstm_core.engine.trainer import Trainer
from lstm_core.experiments import CellsConfig, cells
from lstm_core.experiments.formulas import CELLS, cell_parameters


@pytest.fixture(scope="module")
def lag():
    """The cells' tiny model (the lag task: 50 steps, lag 20, 4 units), trained once per session."""
    return experiments.view(tiny_trainer()[1]["cells"])


def test_lag_examples_mark_one_step_and_ask_for_its_value():
    inputs, targets = cells.lag_examples(50, np.random.default_rng(1), length=12, lag=4)
    assert inputs.shape == (50, 12, 2) and targets.shape == (50, 1)
    assert np.all(inputs[:, :, 1].sum(axis=1) == 1)
    assert np.all(inputs[:, 12 - 1 - 4, 1] == 1)
    assert np.array_equal(targets[:, 0], inputs[:, 7, 0])


def test_guessing_one_half_scores_the_guess_error():
    _, targets = cells.lag_examples(20_000, np.random.default_rng(2), length=10, lag=3)
    assert np.abs(targets - 0.5).mean() == pytest.approx(cells.GUESS_MAE, abs=0.005)


def test_cells_config_validates_the_lag_and_ignores_it_for_the_sine_task():
    with pytest.raises(ConfigError) as error:
        CellsConfig(length=20, lag=20)
    assert error.value.field == "lag" and "19" in str(error.value)
    with pytest.raises(ConfigError) as error:
        CellsConfig(task="copy")
    assert error.value.field == "task"
    CellsConfig(task="sine", length=20, lag=30)  # the sine task has no lag to check against its length
    assert CellsConfig(task="sine", lag=3).key() == CellsConfig(task="sine", lag=9).key()
    assert CellsConfig(lag=3).key() != CellsConfig(lag=9).key()


def test_the_simple_rnn_gradient_vanishes_toward_early_steps_on_the_long_lag(lag):
    for profiles in (lag.gradients, lag.initial_gradients):
        assert set(profiles) == set(CELLS)
        simple = profiles["SimpleRNN"]
        assert simple.shape == (lag.config.length,) and np.all(np.isfinite(simple))
        assert simple[:5].mean() < simple[-5:].mean() / 10  # collapses toward early steps


def test_three_cells_one_model_three_independent_losses(lag):
    assert lag.errors == {cell: lag.fit.metrics[cell] for cell in CELLS}
    assert all(0 < error < 1 for error in lag.errors.values())
    assert lag.parameters == {cell: cell_parameters(cell, 2, lag.config.units) for cell in CELLS}
    assert set(lag.fit.losses) == {*CELLS, "loss"}
    total = sum(lag.fit.losses[cell] for cell in CELLS)
    np.testing.assert_allclose(total, lag.fit.losses["loss"], rtol=1e-4)
    assert lag.seconds == lag.fit.seconds > 0


def test_the_initial_gradients_are_those_of_the_seeded_start(lag):
    model = keras().Model(*cells.build(lag.config))
    inputs, targets = cells.holdout(lag.config)
    start = cells.input_gradients(model, inputs[:cells.GRADIENT_EXAMPLES], targets[:cells.GRADIENT_EXAMPLES], CELLS)
    for cell in CELLS:
        np.testing.assert_allclose(lag.initial_gradients[cell], start[cell], rtol=1e-5)
        assert not np.allclose(lag.gradients[cell], start[cell])  # training changed them


def tape_profiles(model, inputs, targets) -> dict:
    """Each cell's gradient profile, eagerly with a tape: mean over the first examples of ||d MSE / d x_t||."""
    import tensorflow as tf

    x = tf.constant(inputs[:cells.GRADIENT_EXAMPLES])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        outputs = model(x, training=False)
        losses = {cell: tf.reduce_mean(tf.square(outputs[cell] - targets[:cells.GRADIENT_EXAMPLES])) for cell in CELLS}
    return {cell: np.linalg.norm(tape.gradient(loss, x).numpy().astype(np.float64), axis=-1).mean(axis=0)
            for cell, loss in losses.items()}


def test_every_replay_moment_is_that_snapshots_own_error_and_gradients_and_the_score_the_trained_models(lag):
    snapshots = lag.fit.snapshots
    inputs, targets = cells.holdout(lag.config)
    model = keras().Model(*cells.build(lag.config))
    for index in (len(snapshots) // 2, len(snapshots) - 1):  # the first: the initial gradients' test
        model.set_weights(snapshots.unflatten(index))
        outputs, profiles = model(inputs, training=False), tape_profiles(model, inputs, targets)
        for cell in CELLS:
            error = np.abs(np.asarray(outputs[cell]) - targets).mean()
            assert lag.replay_errors[cell][index] == pytest.approx(error, rel=1e-5)
            np.testing.assert_allclose(lag.replay_gradients[cell][index], profiles[cell], rtol=1e-4, atol=1e-9)
        if index == len(snapshots) - 1:  # the trained model: its held-out error is the score
            assert lag.errors == {cell: pytest.approx(np.abs(np.asarray(outputs[cell]) - targets).mean(), rel=1e-5)
                                  for cell in CELLS}
    assert len(set(lag.replay_errors["LSTM"])) > 1  # moments of a training, not one model repeated


def test_input_gradients_are_zero_for_steps_a_model_ignores():
    k = keras()
    inputs = k.Input((6, 1))
    last = k.layers.Lambda(lambda x: x[:, -1, :])(inputs)
    model = k.Model(inputs, {"last": k.layers.Dense(1, name="last")(last)})
    x = np.random.default_rng(0).random((8, 6, 1)).astype(np.float32)
    profile = cells.input_gradients(model, x, np.zeros((8, 1), np.float32), ["last"])["last"]
    assert np.all(profile[:5] == 0) and profile[5] > 0


@pytest.mark.usefixtures("no_jit")
def test_a_sine_task_model_reads_one_feature_and_trains_more_whatever_its_unused_lag(store):
    """The sine task ignores the lag: a model trained at one lag is the model of every lag, stored or not."""
    first = CellsConfig(task="sine", length=20, units=4, train_size=64, epochs=1, lag=3)
    Trainer(store).get(first)
    trainer = Trainer(store)
    asked = first.replace(lag=9)
    stored = trainer.get(asked)
    assert stored.source == "store"
    more = trainer.get(asked.replace(epochs=2), start=stored)
    assert len(more.history) == 2 and more.history[0] == stored.history[0] and trainer.trainings == 1

    result = experiments.view(more)
    assert result.parameters == {cell: cell_parameters(cell, 1, 4) for cell in CELLS}
    assert all(np.isfinite(error) for error in result.errors.values())
    assert result.gradients["LSTM"].shape == (20,)
    assert result.fit.predict(np.zeros((2, 20, 1)), "GRU").shape == (2, 5)
