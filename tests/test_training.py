"""Real Keras training on tiny configurations: callbacks, reproducibility, metrics, divergence."""

import math

import numpy as np
import pytest

from conftest import tiny_rectangles, tiny_sine
from lstm_core import training


def test_sine_training_reports_epochs_progress_and_a_held_out_mae():
    epochs, progress = [], []
    config = tiny_sine(epochs=2, train_size=200)
    trained = training.train(config, on_epoch=lambda e, n, loss: epochs.append((e, n, loss)),
                             on_progress=lambda f, loss: progress.append(f))
    assert [(e, n) for e, n, _ in epochs] == [(1, 2), (2, 2)]
    assert len(trained.history) == 2 and all(math.isfinite(v) for v in trained.history)
    assert progress[-1] == pytest.approx(1.0) and progress == sorted(progress)
    assert trained.curve[-1][0] == 2 * math.ceil(200 / config.batch_size) * config.batch_size
    assert 0 < trained.metrics["mae"] < 0.5
    assert trained.seconds > 0
    assert trained.predict(np.zeros((3, 50, 1))).shape == (3, 5)


def test_same_config_same_model_and_another_seed_another_model():
    config = tiny_sine(seed=11)
    first, second = training.train(config), training.train(config)
    for a, b in zip(first.model.get_weights(), second.model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert first.metrics["mae"] == pytest.approx(second.metrics["mae"], abs=1e-6)
    other = training.train(config.replace(seed=12))
    assert abs(other.metrics["mae"] - first.metrics["mae"]) > 1e-6


def test_rectangle_training_learns_something():
    untrained = training.evaluate(__import__("lstm_core.models", fromlist=["x"]).build_model(
        tiny_rectangles(units=8, train_size=2_000)), tiny_rectangles(units=8, train_size=2_000))
    trained = training.train(tiny_rectangles(units=8, train_size=2_000))
    assert "consistency" in trained.metrics
    assert trained.metrics["consistency"] < untrained["consistency"]
    assert trained.predict_points([[0.0, 0.0]]).shape == (1, 2)


def test_divergence_is_reported_not_returned():
    config = tiny_sine(learning_rate=1.0, units=32, depth=1)
    # A learning rate of 1.0 on MAE keeps the loss finite for LSTMs, so force NaN through the data instead.
    original = training.training_data

    def poisoned(cfg):
        x, y = original(cfg)
        y = y.copy()
        y[0, 0] = np.nan
        return x, y

    training.training_data = poisoned
    try:
        with pytest.raises(training.TrainingDiverged, match="NaN|nan"):
            training.train(config)
    finally:
        training.training_data = original
