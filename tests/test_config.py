"""Configurations validate every field with a message naming it and its range, and key stably."""

import pytest

from lstm_core.config import ConfigError, RectangleConfig, SineConfig, config_from_dict


def test_defaults_are_the_book_architectures():
    sine, rect = SineConfig(), RectangleConfig()
    assert (sine.units, sine.depth, sine.train_size, sine.length, sine.output) == (20, 2, 10_000, 50, 5)
    assert (sine.period_range, sine.decay_range) == ((10, 20), (0.01, 0.1))
    assert (rect.units, rect.train_size) == (10, 25_000)


@pytest.mark.parametrize("field, value, words", [
    ("units", 0, ["units", "1", "64"]),
    ("units", 65, ["units", "64"]),
    ("depth", 5, ["depth", "1", "4"]),
    ("train_size", 99, ["train_size", "100", "25000"]),
    ("train_size", 10**9, ["train_size", "25000"]),
    ("epochs", 0, ["epochs"]),
    ("seed", -1, ["seed"]),
    ("learning_rate", 0.0, ["learning_rate"]),
    ("learning_rate", float("nan"), ["learning_rate"]),
    ("units", 2.5, ["units", "whole number"]),
    ("units", "20", ["units"]),
    ("units", True, ["units"]),
    ("decay_range", (-0.1, 0.1), ["decay_range"]),
    ("decay_range", (0.2, 0.1), ["decay_range", "exceeds"]),
    ("period_range", (20, 10), ["period_range", "exceeds"]),
    ("period_range", (10,), ["period_range", "pair"]),
])
def test_sine_rejects_bad_values_naming_the_field_and_range(field, value, words):
    with pytest.raises(ConfigError) as caught:
        SineConfig(**{field: value})
    assert caught.value.field == field
    for word in words:
        assert word in str(caught.value)


def test_rectangles_validate_too():
    with pytest.raises(ConfigError, match="units"):
        RectangleConfig(units=0)
    with pytest.raises(ConfigError, match="train_size"):
        RectangleConfig(train_size=25_001)


def test_teacher_limits_from_the_environment_lower_the_maximum(monkeypatch):
    monkeypatch.setenv("LSTM_EXPLORER_MAX_TRAIN_SIZE", "2000")
    monkeypatch.setenv("LSTM_EXPLORER_MAX_UNITS", "8")
    with pytest.raises(ConfigError, match="2000"):
        SineConfig(units=8, train_size=5000)
    with pytest.raises(ConfigError, match="units must be from 1 to 8"):
        SineConfig(units=20, train_size=1000)
    monkeypatch.setenv("LSTM_EXPLORER_MAX_TRAIN_SIZE", "10000000")  # cannot raise the ceiling
    with pytest.raises(ConfigError):
        SineConfig(units=8, train_size=30_000)


def test_key_is_stable_readable_and_distinguishes_every_field():
    base = SineConfig()
    assert base.key() == SineConfig().key()
    assert base.key().startswith("sine-u20-d2-n10000-")
    changed = [base.replace(units=21), base.replace(depth=3), base.replace(train_size=500),
               base.replace(epochs=3), base.replace(seed=1), base.replace(batch_size=64),
               base.replace(learning_rate=1e-2), base.replace(period_range=(10, 21)),
               base.replace(decay_range=(0.01, 0.2))]
    keys = {c.key() for c in changed} | {base.key(), RectangleConfig().key()}
    assert len(keys) == len(changed) + 2


def test_round_trip_through_a_dict():
    for config in (SineConfig(units=7, period_range=(11, 19)), RectangleConfig(units=3)):
        data = {"experiment": config.experiment, **config.to_dict()}
        assert config_from_dict(data) == config
    with pytest.raises(ConfigError):
        config_from_dict({"experiment": "nope"})


def test_configs_are_frozen():
    with pytest.raises(Exception):
        SineConfig().units = 3
