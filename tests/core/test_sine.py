"""experiments/sine: the stacked LSTM of chapter 7, its book shapes and parameter counts, its tuned recipe,
its seeded initial weights and its held-out score."""

import numpy as np
import pytest

from conftest import tiny_sine
from helpers import tiny_trainer
from lstm_core import data, evaluate
from lstm_core.engine import backend
from lstm_core.engine.fit import plain_model
from lstm_core.experiments import SineConfig, formulas, sine
from lstm_core.ladder import SIZE_CHOICES


def build(config):
    return plain_model(sine.EXPERIMENT, config)


def test_defaults_are_the_books_model_and_data_with_the_tuned_recipe(monkeypatch):
    config = SineConfig()
    assert (config.units, config.depth, config.train_size, config.length, config.output) == (20, 2, 10_000, 50, 5)
    assert (config.period_range, config.decay_range) == ((10, 20), (0.01, 0.1))
    assert (config.batch_size, config.learning_rate, config.epochs) == (20, 3e-3, 2)
    recipe = sine.recipe(config)
    assert (recipe.loss, recipe.optimizer, recipe.batch_size, recipe.learning_rate) == ("mae", "adam", 20, 3e-3)
    assert recipe.steps_per_execution == sine.STEPS_PER_EXECUTION == 100 and recipe.jit_compile
    monkeypatch.delenv("LSTM_EXPLORER_THREADS", raising=False)
    assert backend.threads() == 1


def test_default_batches_leave_no_odd_last_batch_at_any_offered_size():
    """An odd last batch has another shape, which XLA compiles a second time."""
    for size in (SineConfig().train_size, *SIZE_CHOICES):
        assert size % SineConfig().batch_size == 0, size


def test_book_model_counts_5145_parameters_layer_by_layer():
    model = build(SineConfig())
    table = formulas.layer_table(model)
    assert [row["parameters"] for row in table] == [1_760, 3_280, 105]
    assert model.count_params() == sine.BOOK_PARAMETERS == 5_145
    assert table[0]["output_shape"] == (None, 50, 20)  # return_sequences=True on the first layer
    assert table[1]["output_shape"] == (None, 20)
    assert tuple(model.input_shape) == (None, 50, 1) and tuple(model.output_shape) == (None, 5)


@pytest.mark.parametrize("units, depth", [(1, 1), (7, 3), (16, 4)])
def test_a_stack_matches_the_lstm_formula_and_only_its_last_layer_returns_one_state(units, depth):
    model = build(SineConfig(units=units, depth=depth))
    formula = 4 * units * (1 + units + 1) + (depth - 1) * 4 * units * (2 * units + 1) + units * 5 + 5
    assert model.count_params() == formula
    recurrent = [layer for layer in model.layers if hasattr(layer, "return_sequences")]
    assert [layer.return_sequences for layer in recurrent] == [True] * (depth - 1) + [False]


def test_initial_weights_are_seeded_by_the_configuration_alone():
    a = build(SineConfig(units=3, seed=5)).get_weights()
    b = build(SineConfig(units=3, seed=5, train_size=500, learning_rate=0.01)).get_weights()
    c = build(SineConfig(units=3, seed=6)).get_weights()
    for left, right in zip(a, b):
        np.testing.assert_array_equal(left, right)
    assert any(not np.array_equal(left, right) for left, right in zip(a, c))
    # Layers do not share a seed: the two LSTM kernels differ in their common block.
    assert not np.allclose(a[0][0, :3], a[3][0, :3])


def test_training_data_is_the_configurations_wave_family_seeded_by_it():
    config = tiny_sine(train_size=120, period_range=(12, 14), length=30, output=3)
    inputs, targets = sine.training_data(config)
    assert inputs.shape == (120, 30, 1) and targets.shape == (120, 3)
    expected = data.sine_examples(120, data.rng(config.seed), length=30, output=3, period_range=(12, 14))
    np.testing.assert_array_equal(inputs, expected[0])
    np.testing.assert_array_equal(targets, expected[1])


def test_a_trained_model_is_scored_on_the_held_out_waves():
    trained = tiny_trainer()[1]["sine"]
    inputs, expected = evaluate.sine_holdout(trained.config)
    assert trained.metrics == {"mae": pytest.approx(evaluate.mean_absolute_error(expected, trained.predict(inputs)))}
    assert 0 < trained.error < 0.5


def test_describe_tells_every_slider_apart():
    changes = [{}, {"units": 21}, {"depth": 3}, {"train_size": 500}, {"epochs": 1}, {"seed": 7}]
    names = [sine.describe(SineConfig(**change)) for change in changes]
    assert len(set(names)) == len(changes) and all(name.startswith("sine ") for name in names)
    assert "10,000 examples" in names[0] and "1 epoch," in names[4]
