"""experiments/bidirectional: the gap and its inputs, what each model can read, training against trivial fills, the
layer table, and the comparison sentence checked against the scores for three seeds."""

import re

import numpy as np
import pytest

from helpers import jit_off, train
from lstm_core import experiments
from lstm_core.engine.config import ConfigError
from lstm_core.engine.fit import plain_model
from lstm_core.experiments import BidirectionalConfig, bidirectional
from lstm_core.experiments.bidirectional import BASELINES, MODELS

SEEDS = (0, 1, 2)


def small(**changes):
    """Enough to learn something in a second or two (the models are compiled without XLA in these tests)."""
    values = dict(units=8, train_size=512, epochs=3, seed=0)
    values.update(changes)
    return BidirectionalConfig(**values)


@pytest.fixture(scope="module")
def runs():
    """The small configuration trained for three seeds, as the page reads them (`experiments.view`)."""
    with jit_off():
        return {seed: experiments.view(train(small(seed=seed))) for seed in SEEDS}


def test_the_gap_sits_in_the_middle_is_zeroed_and_marked():
    config = BidirectionalConfig(gap=4, length=20)
    assert config.start == 8 and config.length - config.start - config.gap == 8
    series = bidirectional.waves(config, 3, np.random.default_rng(0))
    inputs = bidirectional.with_gap(config, series)
    assert inputs.shape == (3, 20, 2)
    gap = slice(8, 12)
    assert np.all(inputs[:, gap, 0] == 0) and np.all(inputs[:, gap, 1] == 1)
    outside = np.r_[0:8, 12:20]
    assert np.array_equal(inputs[:, outside, 0], series[:, outside]) and np.all(inputs[:, outside, 1] == 0)
    assert np.array_equal(bidirectional.missing(config, series), series[:, gap])
    odd = BidirectionalConfig(gap=5, length=20)
    assert odd.start == 7  # one step early when the gap cannot sit exactly in the middle


def test_the_straight_line_joins_the_gaps_neighbours_and_persistence_repeats_the_last_value():
    config = BidirectionalConfig(gap=3, length=20)
    series = np.linspace(0.0, 1.9, 20)[None]  # a straight line: interpolation is exact on it
    fills = bidirectional.baselines(config, series)
    np.testing.assert_allclose(fills["interpolation"], bidirectional.missing(config, series), atol=1e-6)
    np.testing.assert_allclose(fills["persistence"][0], [series[0, config.start - 1]] * 3)


def test_config_names_the_field_and_its_range():
    with pytest.raises(ConfigError) as error:
        BidirectionalConfig(gap=11)
    assert error.value.field == "gap" and "1 to 10" in str(error.value)
    with pytest.raises(ConfigError) as error:
        BidirectionalConfig(gap=10, length=19)  # five points on each side of the gap, at least
    assert error.value.field == "length" and "20" in str(error.value)
    with pytest.raises(ConfigError) as error:
        BidirectionalConfig(train_size=10)
    assert error.value.field == "train_size"


def test_only_the_bidirectional_fill_reads_the_wave_after_the_gap(runs):
    """Change the values after the gap: the unidirectional LSTM's fill cannot move, the bidirectional's does."""
    model = runs[0]
    config = model.config
    series = bidirectional.waves(config, 4, np.random.default_rng(5))
    changed = series.copy()
    changed[:, config.start + config.gap:] = 1.0 - changed[:, config.start + config.gap:]
    before, after = model.fill(series), model.fill(changed)
    np.testing.assert_array_equal(before["unidirectional"], after["unidirectional"])
    assert np.abs(before["bidirectional"] - after["bidirectional"]).max() > 1e-3
    earlier = series.copy()
    earlier[:, :config.start] = 1.0 - earlier[:, :config.start]  # and both read what comes before it
    for name in MODELS:
        assert np.abs(model.fill(earlier)[name] - before[name]).max() > 1e-3


@pytest.mark.parametrize("seed", SEEDS)
def test_both_models_train_and_beat_repeating_the_last_value(runs, seed):
    model = runs[seed]
    config, errors = model.config, model.errors
    assert set(model.position_errors) == {*MODELS, *BASELINES}
    assert all(values.shape == (config.gap,) for values in model.position_errors.values())
    assert errors == pytest.approx(model.fit.metrics)
    assert model.fit.error == errors["bidirectional"]
    for name in MODELS:
        assert errors[name] < errors["persistence"], (name, errors)
    assert set(model.fit.losses) == {*MODELS, "loss"}
    wave, fills = model.wave(15, 0.05)
    assert wave.shape == (config.length,) and {name: f.shape for name, f in fills.items()} == \
        {name: (config.gap,) for name in (*MODELS, *BASELINES)}
    assert bidirectional.fills(model.fit, 15, 0.05).keys() == set(MODELS)


def test_the_layer_table_from_the_formulas_is_the_built_model():
    config = BidirectionalConfig(units=7, gap=3)
    model = plain_model(bidirectional.EXPERIMENT, config)
    for name in MODELS:
        rows = bidirectional.layer_rows(config, name)
        built = {layer.name: layer for layer in model.layers}
        assert [(row["layer"], row["output_shape"], row["parameters"]) for row in rows] == \
               [(row["layer"], tuple(built[row["layer"]].output.shape), built[row["layer"]].count_params())
                for row in rows]
    assert bidirectional.layer_rows(config, "bidirectional")[0]["parameters"] == 2 * 4 * 7 * (2 + 7 + 1)


def test_the_forward_half_starts_from_the_unidirectional_lstms_weights():
    model = plain_model(bidirectional.EXPERIMENT, small())
    single = model.get_layer("unidirectional_lstm").get_weights()
    both = model.get_layer("bidirectional_lstm")
    for a, b in zip(single, both.forward_layer.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(single[0], both.backward_layer.get_weights()[0])


@pytest.mark.parametrize("seed", SEEDS)
def test_the_comparison_sentence_is_the_scores(runs, seed):
    errors = runs[seed].errors
    facts = bidirectional.comparison_facts(errors)
    assert facts["better"] == min(MODELS, key=errors.get) and facts["worse"] != facts["better"]
    assert facts["ratio"] == pytest.approx(errors[facts["worse"]] / errors[facts["better"]])
    assert facts["beats_line"] == (errors[facts["better"]] < errors["interpolation"])
    sentence = bidirectional.comparison_summary(errors)
    shown = [float(x) for x in re.findall(r"\d+\.\d+", sentence)]
    assert shown == [round(errors[facts["better"]], 3), round(errors[facts["worse"]], 3), round(facts["ratio"], 1),
                     round(errors["interpolation"], 3)]
    assert sentence.startswith(f"On the held-out waves the {facts['better']} LSTM's fill")
    assert ("is better than a straight line" in sentence) == facts["beats_line"]
