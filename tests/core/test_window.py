"""experiments/window (chapter 1): an MLP needs a fixed window, an LSTM reads any length."""

import numpy as np
import pytest

from helpers import jit_off, train
from lstm_core import experiments
from lstm_core.engine.config import ConfigError
from lstm_core.experiments import WindowConfig, window
from lstm_core.experiments.window import TEST_LENGTHS, fit_to_window


@pytest.fixture(scope="module")
def comparison():
    with jit_off():
        return experiments.view(train(WindowConfig(window=12, units=4, train_size=128, epochs=1, seed=1)))


def test_fit_to_window_pads_short_sequences_in_front_and_keeps_the_end_of_long_ones():
    short = np.arange(1, 4, dtype=np.float32)[None]
    assert fit_to_window(short, 5).tolist() == [[0, 0, 1, 2, 3]]
    long = np.arange(10, dtype=np.float32)[None]
    assert fit_to_window(long, 4).tolist() == [[6, 7, 8, 9]]
    assert fit_to_window(long, 10).tolist() == long.tolist()


def test_window_config_rejects_values_out_of_range():
    with pytest.raises(ConfigError) as error:
        WindowConfig(window=3)
    assert error.value.field == "window" and "5" in str(error.value)
    with pytest.raises(ConfigError) as error:
        WindowConfig(train_size=63)  # at least one batch and 64 waves
    assert error.value.field == "train_size"
    assert WindowConfig().key() != WindowConfig(window=40).key()


def test_both_models_learn_from_the_same_waves_as_two_branches():
    config = WindowConfig(window=12, train_size=64)
    inputs, targets = window.training_data(config)
    assert inputs.shape == (64, 12, 1) and set(targets) == {"mlp", "lstm"}
    np.testing.assert_array_equal(targets["mlp"], targets["lstm"])


def test_the_mlp_and_lstm_are_tested_at_every_length_and_the_window_itself(comparison):
    assert comparison.lengths.tolist() == sorted({*TEST_LENGTHS, 12})
    assert comparison.mlp_errors.shape == comparison.lstm_errors.shape == comparison.lengths.shape
    assert np.all(np.isfinite(comparison.mlp_errors)) and np.all(np.isfinite(comparison.lstm_errors))
    assert set(comparison.fit.losses) == {"mlp", "lstm", "loss"}
    # The headline scores are the errors at the window's own length: the any-length LSTM is the trained branch.
    at_window = comparison.lengths.tolist().index(12)
    assert comparison.fit.metrics["mlp"] == pytest.approx(comparison.mlp_errors[at_window], rel=1e-5)
    assert comparison.fit.metrics["lstm"] == pytest.approx(comparison.lstm_errors[at_window], rel=1e-5)


def test_the_mlp_sees_only_its_window_while_the_lstm_reads_the_whole_sequence(comparison):
    long = np.random.default_rng(0).random((2, 25)).astype(np.float32)
    predicted = comparison.predict(long)
    assert predicted["mlp"].shape == predicted["lstm"].shape == (2, 5)
    cut = comparison.predict(long[:, -12:])
    np.testing.assert_allclose(predicted["mlp"], cut["mlp"], atol=1e-6)
    assert not np.allclose(predicted["lstm"], cut["lstm"], atol=1e-4)
    np.testing.assert_allclose(comparison.predict(long[0])["mlp"], predicted["mlp"][:1], atol=1e-6)  # one sequence
