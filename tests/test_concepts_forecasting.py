"""Forecasting several steps ahead: targets, the three strategies' shapes, recursion and error sweeps."""

import numpy as np
import pytest

from lstm_core import fitting, forecasting
from lstm_core.config import ConfigError
from lstm_core.forecasting import STRATEGIES, ForecastConfig


pytestmark = pytest.mark.usefixtures("no_jit")


def tiny(**changes):
    values = dict(horizon=4, units=4, depth=1, train_size=128, epochs=1, seed=2, length=20)
    values.update(changes)
    return ForecastConfig(**values)


@pytest.fixture(scope="module")
def trained():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fitting, "JIT_COMPILE", False)
        return forecasting.train_forecasters(tiny())


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
    assert set(trained.fit.losses) == {*STRATEGIES, "loss"}
    for strategy in STRATEGIES:
        assert trained.step_errors[strategy].shape == (4,)
        assert np.all(np.isfinite(trained.step_errors[strategy]))
    assert trained.seq2seq_by_time.shape == (20,)
    inputs, truth, forecasts = trained.wave(14, 0.04)
    assert inputs.shape == (20,) and truth.shape == (4,)
    assert {s: f.shape for s, f in forecasts.items()} == {s: (4,) for s in STRATEGIES}


def test_recursive_strategy_feeds_each_prediction_back(trained):
    waves = forecasting.waves(tiny(), 5, np.random.default_rng(3))[:, :20]
    forecast = trained.forecast(waves)["recursive"]
    one_step = lambda window: trained.trained.predict(window[..., None], "recursive")[:, 0]  # noqa: E731
    window = waves.copy()
    for step in range(4):
        following = one_step(window)
        assert np.allclose(forecast[:, step], following, atol=1e-6)
        window = np.concatenate([window[:, 1:], following[:, None]], axis=1)


def test_vector_and_seq2seq_forecasts_are_the_models_outputs(trained):
    waves = forecasting.waves(tiny(), 2, np.random.default_rng(4))[:, :20]
    forecast = trained.forecast(waves)
    outputs = trained.trained.predict(waves[..., None])
    assert np.allclose(forecast["vector"], outputs["vector"])
    assert np.allclose(forecast["seq2seq"], outputs["seq2seq"][:, -1, :])  # the last step's H values


def test_layer_rows_match_the_trained_branches(trained):
    model = trained.trained.model
    for strategy in STRATEGIES:
        rows = forecasting.layer_rows(tiny(), strategy)
        counted = sum(layer.count_params() for layer in model.layers if layer.name.startswith(strategy))
        assert sum(row["parameters"] for row in rows) == counted
    assert forecasting.layer_rows(tiny(), "seq2seq")[-1]["output_shape"] == (None, 20, 4)
    assert forecasting.layer_rows(tiny(), "vector")[-1]["output_shape"] == (None, 4)


def test_sweep_and_fan_shapes(trained):
    errors = trained.sweep("period", [5, 15, 35], 0.05)
    assert {s: e.shape for s, e in errors.items()} == {s: (3,) for s in STRATEGIES}
    by_decay = trained.sweep("decay", [0.0, 0.2], 15)
    assert all(np.all(np.isfinite(e)) for e in by_decay.values())
    fan = trained.fan(15, 0.05, every=5)
    assert [t for t, _ in fan] == [4, 9, 14, 19] and all(f.shape == (4,) for _, f in fan)


def test_step_error_summary_reports_the_numbers_it_is_given():
    errors = {"recursive": np.array([0.01, 0.05, 0.03]), "vector": np.array([0.02, 0.02, 0.02]),
              "seq2seq": np.array([0.03, 0.025, 0.01])}
    sentence = forecasting.step_error_summary(errors)
    assert "recursive 0.010 one step ahead, 0.030 at step 3 (worst 0.050 at step 2)" in sentence
    assert "Best one step ahead: recursive; best at the last step: seq2seq." in sentence
