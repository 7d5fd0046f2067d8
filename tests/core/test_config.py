"""engine/config: every configuration validates its fields with a message naming the field and its range,
the teacher's limits only lower the ceilings, and keys are stable and tell every field apart."""

import dataclasses

import pytest

from lstm_core.engine import config as engine_config
from lstm_core.engine.config import ConfigError, at_ceilings, check_choice, check_float, check_int, check_range, shown
from lstm_core.experiments import RectangleConfig, SineConfig


@pytest.mark.parametrize("field, value, words", [
    ("units", 0, ["units", "1", "64"]),
    ("units", 65, ["units", "64"]),
    ("depth", 5, ["depth", "1", "4"]),
    ("train_size", 99, ["train_size", "100", "25000"]),
    ("train_size", 10**9, ["train_size", "25000"]),
    ("epochs", 0, ["epochs"]),
    ("epochs", 51, ["epochs", "50"]),
    ("seed", -1, ["seed"]),
    ("batch_size", 0, ["batch_size", "1024"]),
    ("learning_rate", 0.0, ["learning_rate", "(0, 1]"]),
    ("learning_rate", 1.5, ["learning_rate"]),
    ("learning_rate", float("nan"), ["learning_rate"]),
    ("units", 2.5, ["units", "whole number"]),
    ("units", "20", ["units"]),
    ("units", True, ["units"]),
    ("length", 4, ["length", "5", "200"]),
    ("output", 21, ["output", "20"]),
    ("decay_range", (-0.1, 0.1), ["decay_range"]),
    ("decay_range", (0.2, 0.1), ["decay_range", "exceeds"]),
    ("period_range", (20, 10), ["period_range", "exceeds"]),
    ("period_range", (10,), ["period_range", "pair"]),
    ("period_range", (10.5, 20), ["period_range", "whole number"]),
])
def test_a_bad_value_is_refused_naming_the_field_and_its_range(field, value, words):
    with pytest.raises(ConfigError) as caught:
        SineConfig(**{field: value})
    assert caught.value.field == field
    for word in words:
        assert word in str(caught.value)


def test_rectangles_share_the_checks():
    with pytest.raises(ConfigError, match="units"):
        RectangleConfig(units=0)
    with pytest.raises(ConfigError, match="train_size"):
        RectangleConfig(train_size=25_001)


def test_the_checks_on_their_own():
    check_int("n", 3, 1, 3)
    with pytest.raises(ConfigError, match="n must be from 1 to 3"):
        check_int("n", 4, 1, 3)
    check_float("rate", 1.0, 0.0, 1.0, low_open=True)
    with pytest.raises(ConfigError, match=r"\(0, 1\]"):
        check_float("rate", 0.0, 0.0, 1.0, low_open=True)
    check_float("rate", 0.0, 0.0, 1.0)  # closed at the low end unless low_open
    with pytest.raises(ConfigError, match="inf"):
        check_float("rate", float("inf"), 0.0, 1.0)
    check_range("pair", (2, 2), 1, 5, integer=True)
    with pytest.raises(ConfigError, match="pair"):
        check_range("pair", [1, 2], 1, 5, integer=True)  # a list is not a pair: configurations are hashable
    check_choice("cell", "GRU", ("GRU", "LSTM"))
    with pytest.raises(ConfigError) as caught:
        check_choice("cell", "gru", ("GRU", "LSTM"))
    assert caught.value.field == "cell" and "GRU, LSTM" in str(caught.value)


def test_a_huge_or_unprintable_value_still_gives_a_short_message():
    huge = 10**5000  # repr() of it raises ValueError in Python 3.11
    assert shown(huge) == f"a {huge.bit_length()}-bit number" and shown(-huge).startswith("a negative ")
    assert len(shown("x" * 500)) == 40
    with pytest.raises(ConfigError) as caught:
        SineConfig(units=huge)
    assert len(str(caught.value)) < 120
    with pytest.raises(ConfigError):
        SineConfig(learning_rate=huge)


def test_teacher_limits_from_the_environment_lower_the_ceilings_never_raise_them(monkeypatch):
    monkeypatch.setenv("LSTM_EXPLORER_MAX_TRAIN_SIZE", "2000")
    monkeypatch.setenv("LSTM_EXPLORER_MAX_UNITS", "8")
    monkeypatch.setenv("LSTM_EXPLORER_MAX_EPOCHS", "3")
    assert (engine_config.max_train_size(), engine_config.max_units(), engine_config.max_epochs()) == (2000, 8, 3)
    with pytest.raises(ConfigError, match="2000"):
        SineConfig(units=8, train_size=5000, epochs=2)
    with pytest.raises(ConfigError, match="units must be from 1 to 8"):
        SineConfig(units=20, train_size=1000, epochs=2)
    with pytest.raises(ConfigError, match="epochs must be from 1 to 3"):
        RectangleConfig(units=8, train_size=1000, epochs=4)
    monkeypatch.setenv("LSTM_EXPLORER_MAX_TRAIN_SIZE", "10000000")  # cannot raise the ceiling
    monkeypatch.setenv("LSTM_EXPLORER_MAX_UNITS", "not a number")  # ignored
    assert engine_config.max_train_size() == engine_config.CEILING_TRAIN_SIZE
    assert engine_config.max_units() == engine_config.CEILING_UNITS
    with pytest.raises(ConfigError):
        SineConfig(units=8, train_size=30_000)
    monkeypatch.setenv("LSTM_EXPLORER_MAX_EPOCHS", "0")  # never below 1
    assert engine_config.max_epochs() == 1


def test_at_ceilings_checks_against_the_built_in_ceilings_only_inside_it(monkeypatch):
    monkeypatch.setenv("LSTM_EXPLORER_MAX_UNITS", "8")
    with at_ceilings():
        assert engine_config.max_units() == engine_config.CEILING_UNITS
        declared = SineConfig(units=20)  # a preset, declared once for every server
    with pytest.raises(ConfigError, match="units must be from 1 to 8"):
        declared.replace()  # checked again outside: under this server's limits
    with pytest.raises(RuntimeError), at_ceilings():
        raise RuntimeError("an error inside")
    assert engine_config.max_units() == 8  # the limits are back, even after an error


def test_key_is_stable_readable_and_tells_every_field_apart():
    base = SineConfig()
    assert base.key() == SineConfig().key()
    assert base.key().startswith("sine-u20-d2-n10000-e2-s0-")
    changed = [base.replace(**{field.name: value}) for field, value in zip(dataclasses.fields(base), [
        21, 3, 500, 3, 1, "book", 64, 1e-2, (10, 21), (0.01, 0.2), 40, 4])
               if field.name != "recipe"] + [base.with_recipe("book").replace(epochs=2)]
    assert len(changed) == len(dataclasses.fields(base))  # one change per field
    keys = {config.key() for config in changed} | {base.key(), RectangleConfig().key()}
    assert len(keys) == len(changed) + 2


def test_a_dict_round_trip_ignores_unknown_fields_and_turns_lists_into_pairs():
    config = SineConfig(units=7, period_range=(11, 19))
    data = {**config.to_dict(), "period_range": [11, 19], "decay_range": [0.01, 0.1], "saved_by": "an old version"}
    assert SineConfig.from_dict(data) == config
    assert SineConfig.from_dict({}) == SineConfig()


def test_configurations_are_frozen_and_replace_validates():
    with pytest.raises(dataclasses.FrozenInstanceError):
        SineConfig().units = 3
    with pytest.raises(ConfigError) as caught:
        SineConfig().replace(units=0)
    assert caught.value.field == "units"
    assert SineConfig().replace(units=3) == SineConfig(units=3)
