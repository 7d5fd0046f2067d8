"""experiments/rectangles: the generative LSTM of chapter 11, its book shapes, its tuned recipe, and drawings
that get better with training."""

import numpy as np
import pytest

from conftest import tiny_rectangles
from helpers import train
from lstm_core import evaluate
from lstm_core.engine.fit import plain_model
from lstm_core.experiments import RectangleConfig, formulas, layers, rectangles
from lstm_core.ladder import SIZE_CHOICES


def test_defaults_are_the_books_model_and_data_with_the_tuned_recipe():
    config = RectangleConfig()
    assert (config.units, config.train_size) == (10, 25_000)
    assert (config.batch_size, config.learning_rate, config.epochs) == (30, 1e-2, 1)
    recipe = rectangles.recipe(config)
    assert (recipe.loss, recipe.optimizer) == ("mae", "adam")
    assert recipe.steps_per_execution == rectangles.STEPS_PER_EXECUTION == 250 and recipe.jit_compile


def test_default_batches_leave_no_odd_last_batch_at_any_offered_size():
    for size in (RectangleConfig().train_size, *SIZE_CHOICES):
        assert 3 * size % RectangleConfig().batch_size == 0, size  # three points per rectangle


def test_book_model_counts_542_parameters():
    model = plain_model(rectangles.EXPERIMENT, RectangleConfig())
    assert [row["parameters"] for row in formulas.layer_table(model)] == [520, 22]
    assert model.count_params() == rectangles.BOOK_PARAMETERS == 542
    assert tuple(model.input_shape) == (None, 1, 2) and tuple(model.output_shape) == (None, 2)


@pytest.mark.parametrize("units", [1, 5, 33])
def test_the_formula_table_matches_keras_for_other_widths(units):
    config = RectangleConfig(units=units)
    built = formulas.layer_table(plain_model(rectangles.EXPERIMENT, config))
    assert [row["parameters"] for row in built] == [row["parameters"] for row in layers(config)]


def test_training_data_is_three_pairs_per_rectangle():
    inputs, targets = rectangles.training_data(tiny_rectangles(train_size=150))
    assert inputs.shape == (450, 1, 2) and targets.shape == (450, 2)
    np.testing.assert_array_equal(inputs[0::3, 0], 0.0)  # every rectangle starts at the origin


@pytest.mark.usefixtures("no_jit")
def test_training_draws_better_rectangles_than_the_untrained_model():
    config = tiny_rectangles(units=8, train_size=2_000)
    untrained = plain_model(rectangles.EXPERIMENT, config)
    before = evaluate.rectangle_consistency(
        lambda points: np.asarray(untrained(np.asarray(points, np.float32).reshape(-1, 1, 2))).reshape(-1, 2))
    trained = train(config)
    assert trained.metrics["consistency"] < before / 2

    free, completed, errors = rectangles.drawings(trained, (0.2, 0.6))
    assert free.shape == (4, 2) and completed.shape == (2, 4, 2) and errors.shape == (3,)
    np.testing.assert_array_equal(free[0], [0, 0])
    np.testing.assert_allclose(completed[:, 1], [[0.2, 0], [0.6, 0]], atol=1e-6)  # the given first corners
    np.testing.assert_allclose(errors, evaluate.consistency_errors(np.concatenate([free[None], completed])))
    step = rectangles.next_points(trained)
    np.testing.assert_allclose(step(free[:3]), free[1:], atol=1e-6)  # each corner is drawn from the one before
    assert step([[0.0, 0.0]]).shape == (1, 2)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_one_unit_model_predicts_every_corner_on_one_straight_line(seed, no_jit):
    """What the one-cell preset's note says, for any weights: Dense(2) of one number h is b + h·w, a line."""
    trained = train(tiny_rectangles(units=1, seed=seed))
    points = np.random.default_rng(seed).random((200, 2))
    predicted = rectangles.next_points(trained)(points)
    centred = predicted - predicted.mean(axis=0)
    singular = np.linalg.svd(centred, compute_uv=False)
    assert singular[1] <= 1e-5 * max(singular[0], 1e-12)
