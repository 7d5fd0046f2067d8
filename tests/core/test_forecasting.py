"""experiments/forecasting: targets, the three strategies' shapes, recursion, error sweeps and their summary."""

import numpy as np
import pytest

from helpers import tiny_trainer
from lstm_core import experiments
from lstm_core.engine.config import ConfigError
from lstm_core.experiments import ForecastConfig, forecasting
from lstm_core.experiments.forecasting import STRATEGIES


def tiny(**changes):
    values = dict(horizon=4, units=4, depth=1, train_size=128, epochs=1, seed=2, length=20)
    values.update(changes)
    return ForecastConfig(**values)


@pytest.fixture(scope="module")
def trained():
    """The forecasting experiment's tiny model (H = 10 steps ahead of 50), trained once per session."""
    return experiments.view(tiny_trainer()[1]["forecast"])


def test_targets_of_each_strategy_are_the_right_slices_of_the_wave():
    config = tiny()
    series = forecasting.waves(config, 3, np.random.default_rng(0))
    assert series.shape == (3, 24)
    targets = forecasting.targets(config, series)
    assert np.array_equal(targets["recursive"][:, 0], series[:, 20])
    assert np.array_equal(targets["vector"], series[:, 20:24])
    assert targets["seq2seq"].shape == (3, 20, 4)
    for t in (0, 7, 19):
        for k in range(4):
            assert np.array_equal(targets["seq2seq"][:, t, k], series[:, t + 1 + k])


def test_forecast_config_validates_and_knows_its_training_range():
    with pytest.raises(ConfigError) as error:
        tiny(horizon=0)
    assert error.value.field == "horizon"
    with pytest.raises(ConfigError) as error:
        tiny(period_range=(20, 10))
    assert error.value.field == "period_range"
    config = tiny()
    assert config.in_training_range(15, 0.05)
    assert not config.in_training_range(30, 0.05) and not config.in_training_range(15, 0.2)


def test_three_strategies_forecast_h_values_and_are_scored_per_step(trained):
    length, horizon = trained.config.length, trained.config.horizon
    assert set(trained.fit.losses) == {*STRATEGIES, "loss"}
    for strategy in STRATEGIES:
        assert trained.step_errors[strategy].shape == (horizon,)
        assert np.all(np.isfinite(trained.step_errors[strategy]))
        assert trained.fit.metrics[strategy] == pytest.approx(trained.step_errors[strategy].mean())
    assert trained.seq2seq_by_time.shape == (length,)
    inputs, truth, forecasts = trained.wave(14, 0.04)
    assert inputs.shape == (length,) and truth.shape == (horizon,)
    assert {s: f.shape for s, f in forecasts.items()} == {s: (horizon,) for s in STRATEGIES}


def test_recursive_strategy_feeds_each_prediction_back(trained):
    length = trained.config.length
    waves = forecasting.waves(trained.config, 5, np.random.default_rng(3))[:, :length]
    forecast = trained.forecast(waves)["recursive"]
    window = waves.copy()
    for step in range(trained.config.horizon):
        following = trained.fit.predict(window[..., None], "recursive")[:, 0]
        np.testing.assert_allclose(forecast[:, step], following, atol=1e-6)
        window = np.concatenate([window[:, 1:], following[:, None]], axis=1)


def test_vector_and_seq2seq_forecasts_are_the_models_outputs(trained):
    waves = forecasting.waves(trained.config, 2, np.random.default_rng(4))[:, :trained.config.length]
    forecast = trained.forecast(waves)
    outputs = trained.fit.predict(waves[..., None])
    np.testing.assert_allclose(forecast["vector"], outputs["vector"])
    np.testing.assert_allclose(forecast["seq2seq"], outputs["seq2seq"][:, -1, :])  # the last step's H values


def test_layer_rows_match_the_trained_branches(trained):
    config, model = trained.config, trained.fit.model
    for strategy in STRATEGIES:
        rows = forecasting.layer_rows(config, strategy)
        counted = sum(layer.count_params() for layer in model.layers if layer.name.startswith(strategy))
        assert sum(row["parameters"] for row in rows) == counted
    assert forecasting.layer_rows(tiny(), "seq2seq")[-1]["output_shape"] == (None, 20, 4)
    assert forecasting.layer_rows(tiny(), "vector")[-1]["output_shape"] == (None, 4)
    assert forecasting.layer_rows(tiny(), "recursive")[-1]["output_shape"] == (None, 1)
    assert [row["layer"] for row in forecasting.layer_rows(tiny(depth=2), "vector")] == ["lstm_1", "lstm_2", "dense"]


def test_sweep_and_fan_shapes(trained):
    horizon = trained.config.horizon
    errors = trained.sweep("period", [5, 15, 35], 0.05)
    assert {s: e.shape for s, e in errors.items()} == {s: (3,) for s in STRATEGIES}
    by_decay = trained.sweep("decay", [0.0, 0.2], 15)
    assert all(np.all(np.isfinite(e)) for e in by_decay.values())
    fan = trained.fan(15, 0.05, every=10)
    assert [t for t, _ in fan] == [9, 19, 29, 39, 49] and all(f.shape == (horizon,) for _, f in fan)
    _, truth, forecasts = trained.wave(35, 0.05)  # a sweep point is the mean error of that wave's forecast
    for strategy in STRATEGIES:
        assert errors[strategy][2] == pytest.approx(np.abs(forecasts[strategy] - truth).mean(), abs=1e-6)


def test_step_error_summary_reports_the_numbers_it_is_given():
    errors = {"recursive": np.array([0.01, 0.05, 0.03]), "vector": np.array([0.02, 0.02, 0.02]),
              "seq2seq": np.array([0.03, 0.025, 0.01])}
    sentence = forecasting.step_error_summary(errors)
    assert "recursive 0.010 one step ahead, 0.030 at step 3 (worst 0.050 at step 2)" in sentence
    assert "Best one step ahead: recursive; best at the last step: seq2seq." in sentence
    facts = forecasting.step_error_facts(errors)
    assert [part["worst_step"] for part in facts["parts"]] == [2, None, None]  # a worst only strictly inside
    assert (facts["best_first"], facts["best_last"]) == ("recursive", "seq2seq")
